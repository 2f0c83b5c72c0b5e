"""Finding data to load: the paths under a few folders that a loader kind can load, a dataset name from a path,
and the source an upload becomes (stored in the workspace under a content-addressed name, zips unpacked)."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from mmtl_core.data.registry import LOADERS
from mmtl_core.errors import DataError
from mmtl_core.workspace import Workspace

MAX_UNZIPPED_BYTES = 4 << 30  # a zip that unpacks to more is refused (a zip bomb, or not a dataset)


def _walk(root: Path, depth: int, skip: set[Path]) -> Iterator[Path]:
    """Every file and folder under ``root`` down to ``depth`` levels, hidden ones and ``skip`` left out."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return  # unreadable: nothing to offer there
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith((".", "__")) or path in skip:
            continue
        yield path
        if depth > 1 and entry.is_dir(follow_symlinks=False):
            yield from _walk(path, depth - 1, skip)


def find_sources(kind: str, roots: Sequence[Path], *, skip: Sequence[Path] = (), depth: int = 4,
                 limit: int = 50) -> list[Path]:
    """Paths under ``roots`` (existing ones; the others are ignored) that loader ``kind`` can load: folders for
    the folder loaders, files for ``table``. At most ``limit``, shallowest first."""
    loader = LOADERS[kind]
    found: list[Path] = []
    for root in (Path(r) for r in roots):
        if not root.is_dir():
            continue
        candidates = [root, *_walk(root, depth, {Path(s) for s in skip})]
        found += [p for p in candidates if p.is_dir() == loader.folder and loader.finds(p)]
    found = sorted(dict.fromkeys(found), key=lambda p: (len(p.parts), str(p)))
    return found[:limit]


def source_stamp(path: Path | str) -> tuple:
    """Sizes and modification times of a source file, or of the files in a source folder (two levels down): it
    changes when the data on disk does, so a cache of loaded datasets can key on it."""
    path = Path(path)
    files = [path] if path.is_file() else [p for p in _walk(path, 2, set()) if p.is_file()] if path.is_dir() else []
    stamps = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue  # vanished meanwhile: loading will say so
        stamps.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(stamps)


def source_name(kind: str, path: Path | str, options: Mapping[str, object]) -> str:
    """The name a dataset gets by default: a GLUE task's name, a file's stem, or a folder's name."""
    if kind == "glue":
        return str(options.get("task", ""))
    path = Path(path)
    name = path.stem if kind == "table" else path.name
    return name.replace("/", "_").strip()


def _unpack(archive: Path) -> Path:
    """Extract ``archive`` beside itself into a folder named after it (once; later calls find the folder)."""
    target = archive.with_suffix("")
    if target.is_dir():
        return target
    try:
        with zipfile.ZipFile(archive) as z:
            members = [i for i in z.infolist() if not i.is_dir() and "__MACOSX" not in i.filename
                       and not PurePosixPath(i.filename).name.startswith("._")]
            unsafe = [i.filename for i in members if PurePosixPath(i.filename).is_absolute()
                      or ".." in PurePosixPath(i.filename).parts]
            if unsafe:
                raise DataError(f"{archive.name}: refused, member {unsafe[0]!r} would be written outside the folder")
            if sum(i.file_size for i in members) > MAX_UNZIPPED_BYTES:
                raise DataError(f"{archive.name} unpacks to more than {MAX_UNZIPPED_BYTES >> 30} GB; refused")
            staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=archive.parent))
            try:
                for member in members:
                    out = staging.joinpath(*PurePosixPath(member.filename).parts)
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(z.read(member))
                os.rename(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)  # gone already once renamed
    except zipfile.BadZipFile as e:
        raise DataError(f"{archive.name} is not a readable zip archive ({e})") from e
    return target


def upload_source(workspace: Workspace, kind: str, files: Mapping[str, bytes]) -> Path:
    """Store uploaded files in the workspace and return the path loader ``kind`` reads: the file itself for a
    table; for a folder loader, the folder among the files (or inside an uploaded zip) that it can load."""
    if not files:
        raise DataError("nothing was uploaded")
    if LOADERS[kind].folder is False:
        if len(files) != 1:
            raise DataError(f"upload one file for a table, not {len(files)}")
        (name,) = files
        return workspace.save_upload(files) / Path(name).name
    folder = workspace.save_upload(files)
    zips = [p for p in folder.iterdir() if p.suffix.lower() == ".zip"]
    if len(files) == 1 and zips:
        folder = _unpack(zips[0])
    found = find_sources(kind, [folder], depth=3, limit=1)
    return found[0] if found else folder  # none: loading the folder says what it lacks
