"""What differs between runs: their settings (only the ones that differ), and the labeling and slicing functions
they used (from the registry's snapshots: each function's cache key once the job has reported them, else each
function file's digest)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mmtl_core.compare.catalog import RunEntry

#: Settings that differ between any two runs without saying anything about them.
IGNORED = ("name", "workspace", "functions_dir", "output_dir", "cache_dir")


@dataclass(frozen=True)
class Change:
    name: str  # a function, or a file when a run's function keys are not known
    kind: str  # labeling, slicing, or file
    change: str  # added, removed, edited


def snapshot_changes(before: dict[str, Any], after: dict[str, Any], files: Iterable[str] | None = None) -> list[Change]:
    """What differs from functions snapshot ``before`` to ``after`` (``{"files": {name: {"sha256"}},
    "functions": [{"name", "file", "kind", "cache_key"}]}``), restricted to the function ``files`` when given:
    functions by cache key when both snapshots have them, files by digest otherwise."""
    keep = set(files) if files is not None else None

    def kept(name: str) -> bool:
        return keep is None or name in keep

    if before.get("functions") is None or after.get("functions") is None:
        digests = [{n: f["sha256"] for n, f in s.get("files", {}).items() if kept(n)} for s in (before, after)]
        return _diff(*digests, {n: "file" for d in digests for n in d})
    # A function whose dependencies cannot be fingerprinted has no key (None): it cannot be told unchanged.
    keys = [{f["name"]: f.get("cache_key") or f"unknown-{side}" for f in s["functions"] if kept(f["file"])}
            for side, s in (("before", before), ("after", after))]
    kinds = {f["name"]: f["kind"] for s in (before, after) for f in s["functions"]}
    return _diff(*keys, kinds)


def _diff(before: dict[str, str], now: dict[str, str], kinds: dict[str, str]) -> list[Change]:
    changes = [Change(n, kinds[n], "removed") for n in before if n not in now]
    changes += [Change(n, kinds[n], "added") for n in now if n not in before]
    changes += [Change(n, kinds[n], "edited") for n in now if n in before and now[n] != before[n]]
    return sorted(changes, key=lambda c: (c.change, c.name))


def changes_text(changes: Sequence[Change]) -> str:
    """``edited labeling keyword_free; added slicing short_text`` (empty when nothing changed)."""
    return "; ".join(f"{c.change} {c.kind} {c.name}" for c in changes)


def function_changes(before: RunEntry, after: RunEntry, files: Iterable[str] | None = None) -> list[Change] | None:
    """The functions that changed between two runs (None when either has no snapshot: not in the registry)."""
    if before.functions is None or after.functions is None:
        return None
    return snapshot_changes(before.functions, after.functions, files)


def setting_differences(entries: Sequence[RunEntry]) -> pd.DataFrame:
    """The settings whose values differ among ``entries``: one row per setting (``epochs``, ``tasks[0].labels``,
    ...), one column per run title; empty when they all agree (or fewer than two runs)."""
    flat = [_flatten({k: v for k, v in e.settings.items() if k not in IGNORED}) for e in entries]
    for f, e in zip(flat, entries):
        if e.is_ensemble:
            f.update({f"members[{i}]": f"{r} ({w:.2f})" for i, (r, w) in
                      enumerate(zip(e.ensemble["runs"], e.ensemble["weights"]))})  # type: ignore[index]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    rows = {k: [f.get(k, "") for f in flat] for k in keys
            if len(entries) > 1 and len({repr(f.get(k, "")) for f in flat}) > 1}
    return pd.DataFrame.from_dict(rows, orient="index", columns=[e.title for e in entries]).rename_axis("setting")


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flatten(item, f"{prefix}.{key}" if prefix
                                                                         else str(key)).items()}
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple)) for v in value):
        return {k: v for i, item in enumerate(value) for k, v in _flatten(item, f"{prefix}[{i}]").items()}
    if isinstance(value, (list, tuple)):
        return {prefix: ", ".join(map(str, value))}
    return {prefix: "" if value is None else str(value)}
