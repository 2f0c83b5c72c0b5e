"""The source hash of a function: what the label cache is keyed by, so editing one function recomputes one column.

It covers the function's own source, the module-level values and helper functions it names (a keyword list
defined beside it), its resources and its preprocessors' sources. It does not see changes inside other installed
modules the function imports; clear the cache (``LabelCache.clear``) after upgrading such a module.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
import types
import uuid
from typing import Any

from snorkel.labeling import LabelingFunction
from snorkel.map.core import LambdaMapper

from mmtl_core.functions.templates import TemplateFunction

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_PROCESS_TOKEN = uuid.uuid4().hex


def stable_repr(value: Any) -> str:
    """``repr`` without memory addresses, which change between processes and would defeat the cache."""
    try:
        text = repr(value)
    except Exception:  # a user object whose __repr__ raises still needs a (coarser) key
        text = type(value).__qualname__
    return _ADDRESS.sub("", text)


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):  # defined in a REPL / C code: its name is the best we have
        return getattr(obj, "__qualname__", type(obj).__qualname__)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _function_digest(f: Any, seen: set[int]) -> list[str]:
    """Source of ``f`` plus what it reads from its module: values by repr, helper functions by their source."""
    if id(f) in seen:
        return []
    seen.add(id(f))
    if isinstance(f, functools.partial):
        return ["partial", *_function_digest(f.func, seen), stable_repr(f.args), stable_repr(f.keywords)]
    if isinstance(f, types.MethodType):
        return ["method", *_function_digest(f.__func__, seen), stable_repr(f.__self__)]
    if isinstance(f, types.BuiltinFunctionType):
        return [f"builtin {getattr(f, '__module__', '')}.{f.__qualname__}"]
    code = getattr(f, "__code__", None)
    if code is None:
        # A callable object: its state is unknown to us, so its column is never reused from another load.
        return [_source(type(f)), f"object {id(f)} in process {_PROCESS_TOKEN}"]
    parts = [_source(f)]
    module_globals = getattr(f, "__globals__", {})
    for name in sorted(_global_names(code)):
        if name not in module_globals:
            continue  # an attribute name or a builtin
        value = module_globals[name]
        if isinstance(value, types.ModuleType):
            parts.append(f"{name}=module {value.__name__}")
        elif isinstance(value, types.FunctionType):
            parts.append(f"{name}=")
            parts.extend(_function_digest(value, seen))
        elif isinstance(value, type):
            parts.append(f"{name}={_source(value)}")
        elif isinstance(value, (LabelingFunction, LambdaMapper, TemplateFunction)):
            parts.append(f"{name}=")
            parts.extend(_object_digest(value, seen))
        else:
            parts.append(f"{name}={stable_repr(value)}")
    return parts


def _preprocessor_digest(p: Any, seen: set[int]) -> list[str]:
    if isinstance(p, LambdaMapper):
        parts = _function_digest(p._f, seen)
    else:  # a Mapper subclass: its class's code and its settings
        parts = [_source(type(p)), stable_repr(getattr(p, "field_names", None)),
                 stable_repr(getattr(p, "mapped_field_names", None))]
    for inner in getattr(p, "_pre", []):
        parts.extend(_preprocessor_digest(inner, seen))
    return parts


def _object_digest(obj: Any, seen: set[int]) -> list[str]:
    if isinstance(obj, TemplateFunction):
        return [type(obj).__name__, stable_repr(obj.params())]
    if isinstance(obj, LabelingFunction):
        parts = [type(obj).__name__, *_function_digest(obj._f, seen), "resources=" + stable_repr(obj._resources)]
        for p in obj._pre:
            parts.extend(_preprocessor_digest(p, seen))
        return parts
    raise TypeError(f"not a labeling or slicing function: {type(obj).__qualname__}")


def source_hash(obj: Any, kind: str) -> str:
    """A short stable hash of everything that decides ``obj``'s output (not its name, so a rename keeps the cache)."""
    h = hashlib.sha256(kind.encode())
    for part in _object_digest(obj, set()):
        h.update(b"\x1f" + part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]
