"""The package keeps its shape: no import cycles, no imports inside functions to dodge one, no dead exports."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "mmtl_core"
#: Packages and modules held to "no mmtl_core import inside a function" (the others' owners are moving theirs).
NO_LOCAL_IMPORTS = ("weak", "studio", "slices", "workspace.py", "tasks.py", "keys.py", "metrics.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in CORE.rglob("*.py")}


def top_level_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """The mmtl_core modules a module imports when it is imported (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else ():
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.module.startswith("mmtl_core"):
                found.add(sub.module)
                found.update(f"{sub.module}.{a.name}" for a in sub.names if f"{sub.module}.{a.name}" in known)
            elif isinstance(sub, ast.Import):
                found.update(a.name for a in sub.names if a.name.startswith("mmtl_core"))
    return found & known


def test_no_import_cycles():
    trees = modules()
    known = set(trees)
    graph = {name: top_level_imports(tree, known) for name, tree in trees.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                # A package importing its own submodules is how packages work, not a cycle.
                if not all(b.startswith(a + ".") or a.startswith(b + ".") for a, b in zip(cycle, cycle[1:])):
                    raise AssertionError("import cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_mmtl_core_import_inside_a_function():
    found = []
    for path in CORE.rglob("*.py"):
        if not path.relative_to(CORE).parts[0] in NO_LOCAL_IMPORTS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("mmtl_core"):
                        found.append(f"{path.relative_to(REPO)}:{sub.lineno}")
    assert not found, f"imports inside functions (a cycle dodged?): {found}"


def test_every_export_is_used_outside_its_package():
    users = [p for p in (*REPO.glob("mmtl_core/**/*.py"), *REPO.glob("pages/**/*.py"), *REPO.glob("bench/*.py"),
                         *REPO.glob("tests/**/*.py"), REPO / "app.py") if p != Path(__file__)]
    for package in ("weak", "slices"):
        init = ast.parse((CORE / package / "__init__.py").read_text())
        exported = next(ast.literal_eval(n.value) for n in init.body if isinstance(n, ast.Assign)
                        and any(getattr(t, "id", "") == "__all__" for t in n.targets))
        outside = "\n".join(p.read_text() for p in users if CORE / package not in p.parents)
        dead = [name for name in exported if name not in outside]
        assert not dead, f"mmtl_core.{package} exports names nothing outside it uses: {dead}"
