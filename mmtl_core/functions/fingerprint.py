"""Fingerprints of everything a function's output depends on, by content: what the label cache keys are made of.

A value is fingerprinted in full, never by a repr that may be cut short or carry an address: a string or list by
every element, a compiled pattern by its pattern and flags, a numpy array by its bytes, a DataFrame by its values,
a function by its code, source, defaults, closure cells and the module globals it names (helper functions and
user modules transitively), an object by its type and state. Installed libraries count by name and version.

Where a value cannot be fingerprinted reliably (an open file, a lock, a connection, something too large), the
function raises :class:`NotFingerprintable` naming it, and the caller does not cache that function.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import inspect
import io
import pickle
import re
import sys
import sysconfig
import types
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd
from snorkel.labeling import LabelingFunction

from mmtl_core.functions.templates import TemplateFunction

#: Bumped when what a key covers changes, so keys made under the old rules are never matched again.
KEY_VERSION = "3"
#: Above this many bytes hashed for one function, its dependencies count as too large to fingerprint.
MAX_BYTES = 512 * 2**20

_LIBRARY_ROOTS = tuple(sorted({str(Path(p).resolve()) for k, p in sysconfig.get_paths().items()
                               if k in ("stdlib", "platstdlib", "purelib", "platlib")}
                              | {str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve())}))
#: mmtl_core's own code: fingerprinted by KEY_VERSION (its templates describe their output by parameters).
_OUR_ROOT = str(Path(__file__).resolve().parents[1])
_PLAIN = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis), range, slice)


class NotFingerprintable(Exception):
    """A dependency of a function cannot be fingerprinted; ``what`` says which and why (for the page)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def is_library_file(filename: str) -> bool:
    """Code of the standard library, an installed package or mmtl_core (not the user's own files)."""
    if not filename or filename.startswith("<"):
        return False
    resolved = str(Path(filename).resolve())
    return resolved.startswith(_OUR_ROOT) or any(resolved.startswith(root) for root in _LIBRARY_ROOTS)


def _library_version(module_name: str) -> str:
    top = sys.modules.get(module_name.partition(".")[0])
    return str(getattr(top, "__version__", "")) or f"python {sys.version_info[0]}.{sys.version_info[1]}"


def _is_library(obj: Any) -> bool:
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    file = getattr(module, "__file__", None)
    return module is not None and (file is None or is_library_file(file))  # None: a built-in module


class _Hasher:
    """Feeds the parts of one function's dependencies into a sha256, guarding against cycles and huge values."""

    def __init__(self) -> None:
        self.h = hashlib.sha256(KEY_VERSION.encode())
        self.bytes = 0
        self.active: set[int] = set()  # objects being fingerprinted now (a cycle refers back to one of them)
        self.done: set[int] = set()  # functions already fed in full (a helper called from two places)

    def feed(self, *parts: str | bytes) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
            self.bytes += len(data)
            if self.bytes > MAX_BYTES:
                raise NotFingerprintable(f"its dependencies pass {MAX_BYTES >> 20} MB")
            self.h.update(len(data).to_bytes(8, "little"))
            self.h.update(data)

    def hexdigest(self) -> str:
        return self.h.hexdigest()


def _feed_code(code: types.CodeType, out: _Hasher) -> None:
    """The code object's behaviour (bytecode, constants, names), nested functions included; not its positions."""
    out.feed("code", code.co_code, repr(code.co_names), repr(code.co_varnames), repr(code.co_freevars),
             repr(code.co_cellvars), str(code.co_argcount), str(code.co_kwonlyargcount), str(code.co_flags))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(const, out)
        else:
            out.feed(type(const).__qualname__, repr(const))  # literals: a repr is complete for these


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def feed_function(f: Any, out: _Hasher, path: str = "") -> None:
    """A Python function in full: code, source, defaults, closure cells and the globals it names."""
    if id(f) in out.done or id(f) in out.active:
        out.feed("seen", getattr(f, "__qualname__", ""))
        return
    code = f.__code__
    if is_library_file(code.co_filename):
        out.feed("library function", f"{f.__module__}.{f.__qualname__}", _library_version(f.__module__ or ""))
        return
    out.active.add(id(f))
    try:
        out.feed("function", f.__qualname__)
        try:
            out.feed(inspect.getsource(f))
        except (OSError, TypeError):
            pass  # defined in a REPL: the code object below decides
        _feed_code(code, out)
        _feed_named("defaults", f.__defaults__, out, path)
        _feed_named("kwdefaults", f.__kwdefaults__, out, path)
        for name, cell in zip(code.co_freevars, f.__closure__ or ()):
            try:
                contents = cell.cell_contents
            except ValueError:
                out.feed("empty cell", name)
                continue
            _feed_named(f"closure {name}", contents, out, path)
        module_globals = f.__globals__
        for name in sorted(_global_names(code)):
            if name in module_globals:
                _feed_global(name, module_globals[name], code, out, path)
        if f.__dict__:
            _feed_named("attributes", dict(f.__dict__), out, path)
    finally:
        out.active.discard(id(f))
    out.done.add(id(f))


def _feed_named(label: str, value: Any, out: _Hasher, path: str) -> None:
    out.feed(label)
    feed_value(value, out, f"{path}{label}" if not path else f"{path} > {label}")


def _feed_global(name: str, value: Any, code: types.CodeType, out: _Hasher, path: str) -> None:
    out.feed("global", name)
    where = f"{path} > {name}" if path else name
    if isinstance(value, types.ModuleType):
        file = getattr(value, "__file__", None)
        if file is None or is_library_file(file):
            out.feed("module", value.__name__, _library_version(value.__name__))
            return
        # A user module used as ``helpers.kw(x)``: the attributes this code names, in full.
        out.feed("user module", value.__name__)
        members = vars(value)
        for attr in sorted(_global_names(code)):
            if attr in members and not attr.startswith("__"):
                out.feed("attr", attr)
                feed_value(members[attr], out, f"{where}.{attr}")
        return
    feed_value(value, out, where)


def _describe(value: Any) -> str:
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def feed_value(value: Any, out: _Hasher, path: str) -> None:
    """One value in full (see the module docstring); NotFingerprintable names ``path`` where it cannot be."""
    kind = type(value)
    if kind in _PLAIN or isinstance(value, enum.Enum):
        out.feed(kind.__qualname__, repr(value))  # complete for these types (a str repr is never shortened)
        return
    if isinstance(value, (types.FunctionType, types.LambdaType)):
        feed_function(value, out, path)
        return
    ident = id(value)
    if ident in out.active:
        out.feed("cycle")
        return
    out.active.add(ident)
    try:
        _feed_object(value, out, path)
    finally:
        out.active.discard(ident)


def _feed_object(value: Any, out: _Hasher, path: str) -> None:
    if isinstance(value, TemplateFunction):  # its parameters decide its output (not its name)
        out.feed("template", type(value).__qualname__)
        feed_value(value.params(), out, f"{path} parameters")
        return
    if isinstance(value, LabelingFunction):  # slicing functions too; the name is left out, so a rename keeps it
        out.feed(type(value).__qualname__)
        feed_value(value._f, out, path)
        feed_value(dict(value._resources), out, f"{path} resources")
        feed_value(list(value._pre), out, f"{path} preprocessors")
        return
    if isinstance(value, (list, tuple)):
        out.feed(type(value).__qualname__, str(len(value)))
        for i, item in enumerate(value):
            feed_value(item, out, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        out.feed(type(value).__qualname__, str(len(value)))
        factory = getattr(value, "default_factory", None)
        if factory is not None:
            feed_value(factory, out, f"{path}.default_factory")
        for k, v in value.items():  # insertion order: iteration order can change a function's answer
            feed_value(k, out, f"{path} key")
            feed_value(v, out, f"{path}[{k!r}]")
        return
    if isinstance(value, (set, frozenset)):
        parts = []
        for item in value:  # order-free: each element on its own, then the sorted digests
            sub = _Hasher()
            feed_value(item, sub, f"{path} element")
            out.bytes += sub.bytes
            parts.append(sub.hexdigest())
        out.feed(type(value).__qualname__, *sorted(parts))
        return
    if isinstance(value, re.Pattern):
        out.feed("pattern", repr(value.pattern), str(value.flags))
        return
    if isinstance(value, np.ndarray):
        _feed_array(value, out, path)
        return
    if isinstance(value, np.generic):
        out.feed("numpy scalar", value.dtype.str, value.tobytes())
        return
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        _feed_pandas(value, out, path)
        return
    if isinstance(value, PurePath):
        out.feed("path", str(value))
        return
    if isinstance(value, functools.partial):
        out.feed("partial")
        feed_value(value.func, out, f"{path}.func")
        feed_value(value.args, out, f"{path}.args")
        feed_value(value.keywords, out, f"{path}.keywords")
        return
    if isinstance(value, types.MethodType):
        out.feed("method")
        feed_value(value.__func__, out, path)
        feed_value(value.__self__, out, f"{path}.__self__")
        return
    if isinstance(value, (types.BuiltinFunctionType, types.BuiltinMethodType)):
        owner = getattr(value, "__self__", None)
        out.feed("builtin", getattr(value, "__module__", "") or "", value.__qualname__)
        if owner is not None and not isinstance(owner, types.ModuleType):
            feed_value(owner, out, f"{path}.__self__")  # e.g. WORDS.__contains__: the set matters
        return
    if isinstance(value, type):
        _feed_class(value, out, path)
        return
    if isinstance(value, types.ModuleType):
        out.feed("module", value.__name__, _library_version(value.__name__))
        return
    _feed_instance(value, out, path)


def _feed_array(value: np.ndarray, out: _Hasher, path: str) -> None:
    out.feed("ndarray", value.dtype.str, repr(value.shape))
    if value.dtype.hasobject:
        for i, item in enumerate(value.ravel(order="C")):
            feed_value(item, out, f"{path}[{i}]")
    else:
        out.feed(np.ascontiguousarray(value).tobytes())


def _feed_pandas(value: Any, out: _Hasher, path: str) -> None:
    out.feed(type(value).__qualname__, repr(value.shape))
    if isinstance(value, pd.DataFrame):
        feed_value(list(value.columns), out, f"{path}.columns")
        out.feed(repr([str(t) for t in value.dtypes]))
    else:
        feed_value(value.name, out, f"{path}.name")
        out.feed(str(value.dtype))
    if not isinstance(value, pd.Index):
        feed_value(list(value.index), out, f"{path}.index")
    try:
        hashed = pd.util.hash_pandas_object(value, index=False)
    except TypeError as e:  # unhashable cells (lists in a column)
        raise NotFingerprintable(f"{path} ({_describe(value)}) holds values that cannot be hashed: {e}") from e
    out.feed(hashed.to_numpy().tobytes())


def _feed_class(cls: type, out: _Hasher, path: str) -> None:
    if _is_library(cls):
        out.feed("library class", f"{cls.__module__}.{cls.__qualname__}", _library_version(cls.__module__))
        return
    out.feed("class", cls.__qualname__)
    for base in cls.__mro__[1:]:
        if base is not object:
            _feed_class(base, out, f"{path} base")
    for name, member in sorted(vars(cls).items()):
        if name in ("__dict__", "__weakref__", "__module__", "__doc__", "__qualname__", "__firstlineno__",
                    "__static_attributes__"):
            continue
        out.feed("member", name)
        member = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
        if isinstance(member, property):
            for part in (member.fget, member.fset, member.fdel):
                if part is not None:
                    feed_value(part, out, f"{path}.{name}")
            continue
        feed_value(member, out, f"{path}.{name}")


class _StatePickler(pickle.Pickler):
    """Pickles an object's state, with functions, classes and modules fed by content rather than by name."""

    def __init__(self, file: io.BytesIO, out: _Hasher, path: str) -> None:
        super().__init__(file, protocol=5)
        self.out, self.path = out, path

    def persistent_id(self, obj: Any) -> str | None:
        if isinstance(obj, (types.FunctionType, type, types.ModuleType, re.Pattern, np.ndarray)):
            sub = _Hasher()
            sub.active, sub.done = self.out.active, self.out.done
            feed_value(obj, sub, self.path)
            self.out.bytes += sub.bytes
            return sub.hexdigest()
        return None


def _feed_instance(value: Any, out: _Hasher, path: str) -> None:
    """Any other object: its class in full, and its state as pickle writes it (with code fed by content)."""
    _feed_class(type(value), out, f"{path} type")
    buffer = io.BytesIO()
    try:
        _StatePickler(buffer, out, path).dump(value)
    except NotFingerprintable:
        raise
    except Exception as e:  # locks, files, sockets, generators, C objects without state
        raise NotFingerprintable(f"{path} ({_describe(value)}) cannot be fingerprinted: "
                                 f"{type(e).__name__}: {e}") from e
    out.feed("state", buffer.getvalue())


def function_key(obj: Any, kind: str) -> str:
    """A stable key of everything that decides ``obj``'s output (a labeling or slicing function or template).

    Raises NotFingerprintable when a dependency cannot be fingerprinted: such a function is not cached.
    """
    out = _Hasher()
    out.feed(kind, f"python {sys.version_info[0]}.{sys.version_info[1]}")
    feed_value(obj, out, obj.name if isinstance(getattr(obj, "name", None), str) else "")
    return out.hexdigest()[:24]
