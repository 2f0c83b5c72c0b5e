"""Which modules of the functions folder a dataset's task applies: its module set, remembered in the workspace.

A dataset/task never applies a module it was not given: the first time it is opened, its set is the modules named
after it (``youtube_spam*.py`` for ``youtube_spam``); with none, a new module is made for it from the template,
never "every module" (that applied YouTube's functions to RTE). After that, the set is what the user chose.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions import list_function_files, save_function_file
from mmtl_core.tasks import Task, identifier_from
from mmtl_core.workspace import Workspace


def function_files(ws: Workspace) -> list[str]:
    """The names of the modules the loader reads from the workspace's functions folder, sorted."""
    return [p.name for p in list_function_files(ws.functions_dir)]


def named_after(files: Sequence[str], dataset: Dataset, task: Task) -> list[str]:
    """Modules whose name starts with the dataset's or the task's (``youtube_spam_slices.py``), case-insensitively."""
    stems = {identifier_from(dataset.name).lower(), task.name.lower()}
    return [f for f in files if any(f.lower().startswith(s) for s in stems)]


def own_module_name(dataset: Dataset, task: Task, files: Sequence[str]) -> str:
    """A file name for a new module of this dataset/task that no module has yet."""
    stem = identifier_from(dataset.name).lower()
    stem = stem if stem == task.name.lower() else f"{stem}_{task.name.lower()}"
    name, i = f"{stem}.py", 2
    while name in files:
        name, i = f"{stem}_{i}.py", i + 1
    return name


def module_set(ws: Workspace, dataset: Dataset, task: Task) -> list[str]:
    """The modules ``task`` on ``dataset`` applies, without changing anything: the saved set (modules since
    deleted left out), else the modules named after it (possibly none)."""
    files = function_files(ws)
    saved = ws.module_set(dataset.name, task.name)
    return [m for m in saved if m in files] if saved is not None else named_after(files, dataset, task)


def open_module_set(ws: Workspace, dataset: Dataset, task: Task) -> list[str]:
    """:func:`module_set` for a page: the first time a dataset/task is opened, its set is saved; when no module is
    named after it, it gets its own new module from the template (an empty set stays empty after that)."""
    saved = ws.module_set(dataset.name, task.name)
    if saved is not None:
        return module_set(ws, dataset, task)
    modules = module_set(ws, dataset, task)
    if not modules:
        modules = [new_module(ws, dataset, task, own_module_name(dataset, task, function_files(ws)), modules)]
    ws.save_module_set(dataset.name, task.name, modules)
    return modules


def choose_modules(ws: Workspace, dataset: Dataset, task: Task, modules: Sequence[str]) -> list[str]:
    """Save the user's choice of modules for this dataset/task (unknown file names are refused)."""
    files = function_files(ws)
    unknown = [m for m in modules if m not in files]
    if unknown:
        raise FunctionError(f"no module {unknown[0]!r} in {ws.functions_dir}; modules: {', '.join(files) or '(none)'}",
                            path=str(ws.functions_dir / unknown[0]))
    ws.save_module_set(dataset.name, task.name, modules)
    return list(modules)


def new_module(ws: Workspace, dataset: Dataset, task: Task, filename: str, current: Sequence[str]) -> str:
    """Create ``filename`` from :func:`module_template` and add it to this dataset/task's set (``current``).

    An existing module of that name is never replaced (FunctionError).
    """
    if filename in function_files(ws):
        raise FunctionError(f"a module named {filename!r} exists already; choose another name or open it",
                            path=str(ws.functions_dir / filename))
    path = save_function_file(ws.functions_dir, filename, module_template(dataset, task))
    ws.save_module_set(dataset.name, task.name, [*current, path.name])
    return path.name


def _constant(name: str, k: int) -> str:
    """A class's constant in the template: its name in capitals (``SPAM``), or ``CLASS_<k>``."""
    ident = identifier_from(name).upper()
    return f"CLASS_{k}" if name.strip().lstrip("-").isdigit() or ident == "ABSTAIN" else ident


def module_template(dataset: Dataset, task: Task) -> str:
    """A new module's text: for a classification task, its classes as constants and two example labeling
    functions reading its first field; for a regression task (no classes to vote), two example slicing functions."""
    if task.is_regression:
        return _slicing_template(dataset, task)
    names = task.label_names or tuple(str(k) for k in range(task.cardinality))
    constants = [_constant(n, k) for k, n in enumerate(names)]
    if len(set(constants)) != len(constants):
        constants = [f"CLASS_{k}" for k in range(len(names))]
    field = task.text_fields[0]
    first, last = constants[0], constants[-1]
    return f'''"""Labeling functions for {task.name} on {dataset.name}: each returns a class or ABSTAIN (-1).

Slicing functions (``@slicing_function()``, returning True for examples in the slice) can live here too.
"""

from snorkel.labeling import labeling_function

from mmtl_core.functions import KeywordLF

ABSTAIN = -1
{", ".join(constants)} = {", ".join(str(k) for k in range(len(constants)))}


@labeling_function()
def mentions_example(x):
    """Votes {last} when the text says "example": replace with a heuristic of your own."""
    return {last} if "example" in x[{field!r}].lower() else ABSTAIN


# Templates run vectorised over the whole column: much faster than a Python function on large data.
says_sample = KeywordLF("says_sample", ["sample"], label={first}, field={field!r})
'''


def _slicing_template(dataset: Dataset, task: Task) -> str:
    field = task.text_fields[0]
    return f'''"""Slicing functions for {task.name} on {dataset.name}: each returns True for the examples in its slice.

A regression task has no classes, so it has no labeling functions: slices show where its predictions go wrong.
"""

from snorkel.slicing import slicing_function

from mmtl_core.functions import LengthSF


@slicing_function()
def mentions_example(x):
    """Examples whose text says "example": replace with a slice of your own."""
    return "example" in x[{field!r}].lower()


# Templates run vectorised over the whole column: much faster than a Python function on large data.
short_text = LengthSF("short_text", field={field!r}, max_words=5)
'''
