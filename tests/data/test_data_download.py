"""Downloads against a file server on 127.0.0.1 that each test starts: archives built from the real files."""

from __future__ import annotations

import functools
import socket
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mmtl_core.data import (BASE_URL_ENV, download_dataset, download_glue_task, download_youtube_spam,
                            load_glue_task, load_youtube_spam)
from mmtl_core.errors import DownloadError


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A folder served at http://127.0.0.1:<port>; proxies are cleared so the request stays local."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", BASE_URL_ENV):
        monkeypatch.delenv(var, raising=False)
    root = tmp_path / "mirror"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def make_zip(path: Path, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)


def glue_zip(shared_data: Path, mirror_root: Path, task: str, tamper: str | None = None) -> None:
    files = {f"{task}/{p.name}": p.read_bytes() for p in sorted((shared_data / "glue_data" / task).iterdir())}
    files["__MACOSX/._junk"] = b"ignored"
    if tamper:
        files[f"{task}/{tamper}"] += b"extra\n"
    make_zip(mirror_root / f"{task}.zip", files)


def test_glue_task_downloads_verifies_and_loads(shared_data, mirror, tmp_path):
    root, url = mirror
    glue_zip(shared_data, root, "WNLI")
    calls: list[tuple[int, int]] = []
    folder = download_glue_task("WNLI", tmp_path / "dl", base_url=url, progress=lambda d, t: calls.append((d, t)))
    assert folder == tmp_path / "dl" / "glue_data" / "WNLI"
    size = (root / "WNLI.zip").stat().st_size
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    ds = load_glue_task(folder, "WNLI")
    assert (len(ds.split("train")), len(ds.split("dev"))) == (635, 71)
    (root / "WNLI.zip").unlink()  # verified files already in the cache: no second fetch
    assert download_glue_task("WNLI", tmp_path / "dl", base_url=url) == folder
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["glue_data"]  # no staging left behind


def test_youtube_collection_via_env_base_url(shared_data, mirror, tmp_path, monkeypatch):
    root, url = mirror
    make_zip(root / "youtube+spam+collection.zip",
             {p.name: p.read_bytes() for p in (shared_data / "youtube_spam").glob("*.csv")})
    monkeypatch.setenv(BASE_URL_ENV, url)
    folder = download_dataset("youtube_spam", tmp_path / "dl")
    ds = load_youtube_spam(folder)
    assert [len(ds.split(s)) for s in ("train", "dev", "test")] == [1586, 120, 250]


def test_mrpc_is_formatted_from_the_msr_corpus_like_glue(shared_data, mirror, tmp_path):
    """GLUE's steps on MSR-format sources rebuild the three files byte for byte (checked by sha256)."""
    root, url = mirror
    mrpc = shared_data / "glue_data" / "MRPC"
    train, dev, test = ((mrpc / f"{s}.tsv").read_bytes() for s in ("train", "dev", "test"))
    dev_rows = dev.split(b"\n", 1)[1]
    (root / "msr_paraphrase_train.txt").write_bytes(train + dev_rows)  # dev pairs moved back among train
    (root / "mrpc_dev_ids.tsv").write_bytes(b"".join(b"\t".join(r.split(b"\t")[1:3]) + b"\r\n"
                                                     for r in dev_rows.splitlines()))
    header = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n".encode()
    (root / "msr_paraphrase_test.txt").write_bytes(
        header + b"".join(b"1\t" + r.split(b"\t", 1)[1] + b"\r\n" for r in test.splitlines()[1:]))
    folder = download_glue_task("MRPC", tmp_path / "dl", base_url=url)
    ds = load_glue_task(folder, "MRPC")
    assert [len(ds.split(s)) for s in ("train", "dev", "test")] == [3668, 408, 1725]


def test_checksum_mismatch_names_the_file_and_saves_nothing(shared_data, mirror, tmp_path):
    root, url = mirror
    glue_zip(shared_data, root, "WNLI", tamper="dev.tsv")
    with pytest.raises(DownloadError, match=r"glue_data/WNLI/dev.tsv failed its checksum: sha256 [0-9a-f]{16}"):
        download_glue_task("WNLI", tmp_path / "dl", base_url=url)
    assert not (tmp_path / "dl" / "glue_data").exists()
    assert list((tmp_path / "dl").iterdir()) == []


def test_missing_member_not_a_zip_and_404(shared_data, mirror, tmp_path):
    root, url = mirror
    make_zip(root / "RTE.zip", {"RTE/train.tsv": b"x"})
    with pytest.raises(DownloadError, match="RTE.zip: the archive has no dev.tsv"):
        download_glue_task("RTE", tmp_path / "dl", base_url=url)
    (root / "CoLA.zip").write_text("<html>Access denied</html>")
    with pytest.raises(DownloadError, match="CoLA.zip did not return a zip archive"):
        download_glue_task("CoLA", tmp_path / "dl", base_url=url)
    with pytest.raises(DownloadError, match="SST-2.zip: the server answered 404"):
        download_glue_task("SST-2", tmp_path / "dl", base_url=url)


def test_server_down_says_offline_and_names_other_ways(tmp_path, monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError) as e:
        download_glue_task("RTE", tmp_path / "dl", base_url=f"http://127.0.0.1:{port}")
    message = str(e.value)
    assert "connection refused" in message and "no network access" in message
    for way in ("GLUE task folder", "CSV, TSV, JSON Lines or Parquet file", "WRENCH dataset folder"):
        assert way in message


def test_dns_failure_says_offline(tmp_path, monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)

    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # what an offline machine answers, without asking anyone
    with pytest.raises(DownloadError, match=r"the host name could not be resolved .* no network access"):
        download_youtube_spam(tmp_path / "dl")


def test_silent_server_times_out(tmp_path, monkeypatch):
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    with socket.socket() as s:  # accepts connections (backlog) but never answers
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        with pytest.raises(DownloadError, match="timed out"):
            download_glue_task("RTE", tmp_path / "dl", base_url=f"http://127.0.0.1:{s.getsockname()[1]}",
                               timeout_s=0.3)


def test_unknown_dataset_lists_what_is_downloadable(tmp_path):
    with pytest.raises(DownloadError, match="no public source for 'MNLI'; downloadable: RTE, MRPC"):
        download_dataset("MNLI", tmp_path)
