"""Downloading GLUE tasks and the YouTube spam collection from their public sources into a local cache folder.

Files land in ``<dest>/glue_data/<TASK>/`` and ``<dest>/youtube_spam/`` (the layouts the loaders read) and are
verified by sha256 before they replace anything; a folder already holding verified files is not fetched again.
QNLI's ``train.tsv`` has no embedded digest (our reference copy has only dev/test), so it is saved unverified.
``progress(done_bytes, total_bytes)`` is called as each file arrives (MRPC fetches three files, one after another).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from mmtl_core.data.checksums import SHA256
from mmtl_core.data.fetch import Progress, fetch, resolve_url, sha256_of, verify
from mmtl_core.data.glue import glue_folder_name
from mmtl_core.data.mrpc_format import MRPC_URLS, format_mrpc
from mmtl_core.errors import DownloadError

GLUE_URL = "https://dl.fbaipublicfiles.com/glue/data/{task}.zip"
YOUTUBE_SPAM_URL = "https://archive.ics.uci.edu/static/public/380/youtube+spam+collection.zip"
_GLUE_SPLIT_FILES = ("train.tsv", "dev.tsv", "test.tsv")


def _digests(folder: str) -> dict[str, str]:
    """File name -> sha256 of the files expected under ``folder`` (relative to the downloads folder)."""
    prefix = folder + "/"
    return {k[len(prefix):]: v for k, v in SHA256.items() if k.startswith(prefix)}


def _cached(target: Path, digests: dict[str, str]) -> bool:
    return all((target / n).is_file() and sha256_of(target / n) == d for n, d in digests.items())


def _extract(archive: Path, url: str, names: tuple[str, ...], required: set[str], staging: Path) -> list[str]:
    """Copy the members named ``names`` (matched by file name, shallowest first) out of the zip into ``staging``."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = [i for i in z.infolist() if not i.is_dir() and "__MACOSX" not in i.filename
                       and not PurePosixPath(i.filename).name.startswith("._")]
            found = []
            for name in names:
                hits = sorted((i for i in members if PurePosixPath(i.filename).name == name),
                              key=lambda i: len(PurePosixPath(i.filename).parts))
                if not hits:
                    if name in required:
                        raise DownloadError(f"{url}: the archive has no {name}; it holds "
                                            f"{', '.join(i.filename for i in members[:20])}")
                    continue
                (staging / name).write_bytes(z.read(hits[0]))  # written under our own name: no path escapes
                found.append(name)
            return found
    except zipfile.BadZipFile as e:
        raise DownloadError(f"{url} did not return a zip archive; the server may have sent an error page") from e


def _install(staging: Path, target: Path, names: list[str], digests: dict[str, str], folder: str) -> None:
    for name in names:
        if name in digests:
            verify(staging / name, digests[name], f"{folder}/{name}")
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.replace(staging / name, target / name)


def _staging(dest: Path, label: str) -> Path:
    """A fresh private folder beside the target, so the final move is a rename on the same file system."""
    try:
        dest.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".partial-{label}-", dir=dest))
    except OSError as e:
        raise DownloadError(f"cannot write downloads to {dest}: {e.strerror}") from e


def _download_zip(url: str, dest: Path, folder: str, names: tuple[str, ...], progress: Progress | None,
                  timeout_s: float) -> Path:
    target = dest / folder
    digests = _digests(folder)
    if _cached(target, digests):
        return target
    staging = _staging(dest, folder.replace("/", "_"))
    try:
        archive = staging / "archive.zip"
        fetch(url, archive, progress, timeout_s)
        found = _extract(archive, url, names, set(digests), staging)
        _install(staging, target, found, digests, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _download_mrpc(dest: Path, base_url: str | None, progress: Progress | None, timeout_s: float) -> Path:
    folder = "glue_data/MRPC"
    target, digests = dest / folder, _digests(folder)
    if _cached(target, digests):
        return target
    staging = _staging(dest, "MRPC")
    try:
        sources = {}
        for name, url in MRPC_URLS.items():
            fetch(resolve_url(url, base_url), staging / name, progress, timeout_s)
            sources[name] = (staging / name).read_bytes()
        formatted = format_mrpc(sources["msr_paraphrase_train.txt"], sources["msr_paraphrase_test.txt"],
                                sources["mrpc_dev_ids.tsv"])
        for name, data in formatted.items():
            (staging / name).write_bytes(data)
        _install(staging, target, list(formatted), digests, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def download_glue_task(task: str, dest: Path, *, base_url: str | None = None, progress: Progress | None = None,
                       timeout_s: float = 30.0) -> Path:
    """Fetch one GLUE task into ``dest/glue_data/<TASK>`` and return that folder (for :func:`load_glue_task`)."""
    name = glue_folder_name(task)
    dest = Path(dest)
    if name == "MRPC":
        return _download_mrpc(dest, base_url, progress, timeout_s)
    extra = ("LICENSE.txt", "readme.txt") if name == "STS-B" else ()
    url = resolve_url(GLUE_URL.format(task=name), base_url)
    return _download_zip(url, dest, f"glue_data/{name}", _GLUE_SPLIT_FILES + extra, progress, timeout_s)


def download_youtube_spam(dest: Path, *, base_url: str | None = None, progress: Progress | None = None,
                          timeout_s: float = 30.0) -> Path:
    """Fetch the UCI YouTube Spam Collection into ``dest/youtube_spam`` and return it (for load_youtube_spam)."""
    names = tuple(sorted(_digests("youtube_spam")))
    url = resolve_url(YOUTUBE_SPAM_URL, base_url)
    return _download_zip(url, Path(dest), "youtube_spam", names, progress, timeout_s)


#: Names :func:`download_dataset` accepts: the GLUE task folders, then the spam collection.
DOWNLOADABLE: tuple[str, ...] = ("RTE", "MRPC", "STS-B", "WNLI", "CoLA", "SST-2", "QNLI", "youtube_spam")


def download_dataset(name: str, dest: Path, *, base_url: str | None = None, progress: Progress | None = None,
                     timeout_s: float = 30.0) -> Path:
    """Fetch a dataset named in :data:`DOWNLOADABLE`; returns the folder to load it from."""
    if name == "youtube_spam":
        return download_youtube_spam(dest, base_url=base_url, progress=progress, timeout_s=timeout_s)
    if name not in DOWNLOADABLE:
        raise DownloadError(f"no public source for {name!r}; downloadable: {', '.join(DOWNLOADABLE)}")
    return download_glue_task(name, dest, base_url=base_url, progress=progress, timeout_s=timeout_s)
