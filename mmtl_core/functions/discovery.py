"""Finding the user's labeling and slicing functions: load each module file on its own, collect what it defines.

One file's syntax or import error becomes a :class:`FunctionError` naming the file and line; the other files still
load. Every load executes the file afresh under a new module name, so an edited file's new code is what runs.
Loading runs the file's top-level code in the calling process: the app does it only inside the sandboxed function
host (:mod:`host`), under a time limit, never in the server.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import linecache
import sys
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from snorkel.labeling import LabelingFunction
from snorkel.slicing import SlicingFunction

from mmtl_core.errors import FunctionError
from mmtl_core.functions.fingerprint import NotFingerprintable, function_key
from mmtl_core.functions.report import FunctionInfo
from mmtl_core.functions.templates import TemplateFunction
from mmtl_core.keys import check_identifier

KINDS = ("labeling", "slicing")
_MODULE_PREFIX = "mmtl_user_functions"
_load_counter = itertools.count()


@dataclass(frozen=True)
class UserFunction(FunctionInfo):
    """One labeling or slicing function found in a user file, with the function object itself."""

    obj: Any = field(default=None, repr=False, compare=False)

    @property
    def info(self) -> FunctionInfo:
        """The plain description (what crosses from the sandbox to the server)."""
        return FunctionInfo(self.name, self.kind, self.path, self.line, self.cache_key, self.not_cached)


@dataclass
class FunctionSet:
    """What a load found: the usable functions (file order, then definition order) and the problems."""

    functions: list[UserFunction]
    errors: list[FunctionError]
    files: list[Path]

    def of_kind(self, kind: str) -> list[UserFunction]:
        return [f for f in self.functions if f.kind == kind]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.functions]


def kind_of(obj: Any) -> str | None:
    """"labeling", "slicing", or None for anything else. SlicingFunction subclasses LabelingFunction: test it first."""
    if isinstance(obj, TemplateFunction):
        return obj.kind
    if isinstance(obj, SlicingFunction):
        return "slicing"
    if isinstance(obj, LabelingFunction):
        return "labeling"
    return None


def _definition(obj: Any) -> tuple[str, int]:
    if isinstance(obj, TemplateFunction):
        return obj.path, obj.line
    code = getattr(obj._f, "__code__", None)
    return (code.co_filename, code.co_firstlineno) if code is not None else ("", 0)


def make_user_function(obj: Any, path: Path | None = None) -> UserFunction:
    """Describe a function object (a Snorkel LF/SF or a template) found anywhere, e.g. defined in a notebook."""
    kind = kind_of(obj)
    if kind is None:
        raise FunctionError(f"{obj!r} is not a labeling or slicing function (a Snorkel LabelingFunction, "
                            "SlicingFunction or a template such as KeywordLF)")
    where, line = _definition(obj)
    try:
        check_identifier(obj.name, "function")
    except ValueError as e:
        file = Path(path or where).name or "<unknown file>"
        raise FunctionError(f"{file}, line {line}: {e}", function=str(obj.name), path=str(path or where),
                            line=line) from e
    try:
        key, why = function_key(obj, kind), None
    except NotFingerprintable as e:
        key, why = None, f"{obj.name} is not cached (it runs again on every apply): {e.what}"
    except RecursionError:
        key, why = None, f"{obj.name} is not cached (it runs again on every apply): its dependencies nest too deep"
    return UserFunction(obj.name, kind, Path(path or where), line, key, why, obj)


def list_module_files(folder: Path) -> list[Path]:
    """The function files of a folder: top-level ``*.py`` files, not hidden, not ``_private.py``, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.py") if p.is_file() and not p.name.startswith((".", "_")))


def _error_line(tb: traceback.StackSummary, path: Path) -> int | None:
    lines = [fr.lineno for fr in tb if Path(fr.filename) == path]
    return lines[-1] if lines else None


def _top_level_lines(code: str) -> dict[str, int]:
    """Line of the top-level statement that binds each name (for objects whose code lives elsewhere)."""
    lines: dict[str, int] = {}
    for node in ast.parse(code).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for t in targets:
            if isinstance(t, ast.Name):
                lines.setdefault(t.id, node.lineno)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines.setdefault(node.name, node.lineno)
    return lines


def _load_module(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Execute one file under a fresh module name; return its namespace and the line binding each top-level name.

    Raises FunctionError with file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FunctionError(f"{path.name}: cannot be read: {e}", path=str(path)) from e
    try:
        code = compile(text, str(path), "exec")
    except SyntaxError as e:
        raise FunctionError(f"{path.name}, line {e.lineno}: syntax error: {e.msg}", path=str(path),
                            line=e.lineno) from e
    # Tracebacks and inspect.getsource read linecache: give it exactly the text that was compiled, so a later
    # edit of the file can never make a hash or a traceback show lines the running code does not have.
    linecache.cache[str(path)] = (len(text), None, text.splitlines(keepends=True), str(path))
    name = f"{_MODULE_PREFIX}.{path.stem}_{next(_load_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    # list(): another thread (the app's warm-up, an import) may add modules while this looks through them
    for old in [k for k, m in list(sys.modules.items()) if k.startswith(_MODULE_PREFIX + ".")
                and getattr(m, "__file__", None) == str(path)]:
        del sys.modules[old]  # the previous load of this file: drop it so reloads do not pile up
    sys.modules[name] = module  # dataclasses and pickle look classes up here while the module runs
    try:
        exec(code, module.__dict__)
    except BaseException as e:  # noqa: BLE001 (SystemExit, KeyboardInterrupt at import: the file fails, not the load)
        del sys.modules[name]
        summary = traceback.extract_tb(e.__traceback__)
        line = _error_line(summary, path)
        where = f"{path.name}, line {line}" if line else path.name
        raise FunctionError(f"{where}: {type(e).__name__}: {e}", path=str(path), line=line) from e
    return module.__dict__, _top_level_lines(text)


def _collect(namespace: dict[str, Any], lines: dict[str, int], path: Path, siblings: set[Path],
             errors: list[FunctionError]) -> list[UserFunction]:
    found: list[UserFunction] = []
    seen: set[int] = set()
    for name, value in list(namespace.items()):
        if kind_of(value) is None or id(value) in seen:
            continue
        seen.add(id(value))
        where = Path(_definition(value)[0]) if _definition(value)[0] else None
        if where is not None and where != path and where in siblings:
            continue  # defined in another function file: it is collected there
        try:
            fn = make_user_function(value, path)
        except FunctionError as e:
            errors.append(e)
            continue
        if where != path:  # e.g. LabelingFunction("lf", f=helper_from_a_library): point at the binding line
            fn = replace(fn, line=lines.get(name, 0))
        found.append(fn)
    return found


def load_module_file(path: Path, siblings: set[Path], errors: list[FunctionError]) -> list[UserFunction]:
    """The functions one file defines (its problems appended to ``errors``). Runs the file's top-level code."""
    path = path.resolve()
    try:
        namespace, lines = _load_module(path)
    except FunctionError as e:
        errors.append(e)
        return []
    return _collect(namespace, lines, path, siblings, errors)


def unique_functions(found: list[UserFunction], errors: list[FunctionError],
                     owner: dict[str, FunctionInfo]) -> list[UserFunction]:
    """``found`` without names already in ``owner`` (each repeat reported naming both files); updates ``owner``."""
    kept = []
    for fn in found:
        first = owner.get(fn.name)
        if first is not None:
            errors.append(FunctionError(
                f"{fn.path.name}, line {fn.line}: the name {fn.name!r} is already used by {first.path.name}, "
                f"line {first.line}; function names must be unique across files (this one is skipped)",
                function=fn.name, path=str(fn.path), line=fn.line))
            continue
        owner[fn.name] = fn
        kept.append(fn)
    return kept


def select_files(folder: Path, files: list[str] | None, errors: list[FunctionError]) -> list[Path]:
    """The module files to load: all of ``folder``'s, or those named (an unknown name is reported)."""
    paths = list_module_files(folder)
    if files is None:
        return paths
    wanted = set(files)
    errors.extend(FunctionError(f"{m}: no such function file in {folder}", path=str(folder / m))
                  for m in sorted(wanted - {p.name for p in paths}))
    return [p for p in paths if p.name in wanted]


def load_functions(folder: Path, files: list[str] | None = None) -> FunctionSet:
    """Load the labeling and slicing functions defined in ``folder``'s modules (or only in ``files``, by name),
    in this process (user code runs here: for scripts and notebooks; the app uses ``apply_modules``)."""
    folder = Path(folder)
    errors: list[FunctionError] = []
    paths = select_files(folder, files, errors)
    siblings = {p.resolve() for p in list_module_files(folder)}
    functions: list[UserFunction] = []
    owner: dict[str, FunctionInfo] = {}
    for path in paths:
        functions += unique_functions(load_module_file(path, siblings, errors), errors, owner)
    return FunctionSet(functions, errors, paths)
