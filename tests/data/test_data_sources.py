"""Finding data: paths that exist and load, names from paths, and uploads stored under content-addressed names
(a reused file name never replaces another dataset's source)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from mmtl_core.data import DatasetSpec, load_dataset
from mmtl_core.data.sources import find_sources, source_name, source_stamp, upload_source
from mmtl_core.errors import DataError, WorkspaceError
from mmtl_core.workspace import Workspace


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_find_sources_offers_what_each_loader_reads(shared_data, tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    (ws.runs_dir / "r1").mkdir()
    (ws.runs_dir / "r1" / "preds.csv").write_text("example_id\n")  # runs are not data to load
    roots = [ws.root, shared_data]
    assert find_sources("youtube_spam", roots, skip=[ws.runs_dir]) == [shared_data / "youtube_spam"]
    assert find_sources("wrench", roots) == [shared_data / "wrench" / "youtube"]
    glue = find_sources("glue", roots)
    assert glue[0] == shared_data / "glue_data" and shared_data / "glue_data" / "RTE" in glue
    tables = find_sources("table", roots, skip=[ws.runs_dir])
    assert shared_data / "youtube_spam" / "Youtube01-Psy.csv" in tables and shared_data / "glue_data" / "RTE" / \
        "dev.tsv" in tables and all(p.suffix in (".csv", ".tsv") for p in tables)
    assert find_sources("table", [tmp_path / "missing"]) == []


def test_names_come_from_the_file_or_folder():
    assert source_name("table", "/x/SMSSpamCollection", {}) == "SMSSpamCollection"
    assert source_name("table", "/x/reviews.csv", {}) == "reviews"
    assert source_name("youtube_spam", "/data/youtube_spam", {}) == "youtube_spam"
    assert source_name("glue", "/data/glue_data", {"task": "RTE"}) == "RTE"


def test_an_upload_with_a_reused_name_never_replaces_another_datasets_source(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    first = upload_source(ws, "table", {"data.csv": b"text,label\nhello,0\n"})
    assert first.parent.parent == ws.uploads_dir and first.name == "data.csv"
    spec = DatasetSpec("a", "table", first, {"text_fields": ["text"], "label_field": "label"})
    second = upload_source(ws, "table", {"data.csv": b"text,label\nother,1\nrows,0\n"})
    assert second != first and second.name == "data.csv"
    assert load_dataset(spec).frame["text"].tolist() == ["hello"]  # the first dataset still reads its own rows
    assert upload_source(ws, "table", {"data.csv": b"text,label\nhello,0\n"}) == first  # same bytes, same file
    assert sorted(p.name for p in ws.uploads_dir.iterdir()) == sorted([first.parent.name, second.parent.name])


def test_uploaded_folders_as_files_or_zip(shared_data, tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    videos = {p.name: p.read_bytes() for p in sorted((shared_data / "youtube_spam").glob("*.csv"))}
    as_files = upload_source(ws, "youtube_spam", videos)
    assert len(load_dataset(DatasetSpec("y", "youtube_spam", as_files))) == 1956
    as_zip = upload_source(ws, "youtube_spam", {"yt.zip": zipped({f"youtube_spam/{n}": b for n, b in videos.items()})})
    assert as_zip.name == "youtube_spam" and as_zip.parent.name == "yt"
    assert len(load_dataset(DatasetSpec("y", "youtube_spam", as_zip))) == 1956
    assert upload_source(ws, "youtube_spam", {"yt.zip": zipped({f"youtube_spam/{n}": b for n, b in
                                                                  videos.items()})}) == as_zip  # unpacked once
    rte = {n: (shared_data / "glue_data" / "RTE" / n).read_bytes() for n in ("train.tsv", "dev.tsv")}
    task_files = upload_source(ws, "glue", rte)
    assert len(load_dataset(DatasetSpec("RTE", "glue", task_files, {"task": "RTE"}))) == 2767


def test_bad_uploads_are_refused_by_name(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    with pytest.raises(DataError, match=r"evil.zip: refused, member '../../escape.csv' would be written outside"):
        upload_source(ws, "youtube_spam", {"evil.zip": zipped({"../../escape.csv": b"x"})})
    assert not (tmp_path / "escape.csv").exists()
    with pytest.raises(DataError, match=r"broken.zip is not a readable zip archive"):
        upload_source(ws, "wrench", {"broken.zip": b"PK\x03\x04 not really"})
    with pytest.raises(DataError, match=r"holds no YouTube CSVs"):
        load_dataset(DatasetSpec("y", "youtube_spam", upload_source(ws, "youtube_spam", {"notes.txt": b"hi"})))
    with pytest.raises(WorkspaceError, match=r"file names .* are empty, hidden or repeated"):
        ws.save_upload({".env": b"SECRET=1"})
    with pytest.raises(DataError, match="upload one file for a table, not 2"):
        upload_source(ws, "table", {"a.csv": b"t\n1\n", "b.csv": b"t\n2\n"})
    assert not any(p.name.startswith(".partial") for p in ws.uploads_dir.iterdir())


def test_source_stamp_changes_when_the_data_does(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text\na\n")
    before = source_stamp(path)
    path.write_text("text\nab\n")
    assert source_stamp(path) != before and source_stamp(tmp_path / "gone") == ()
    folder_before = source_stamp(tmp_path)
    (tmp_path / "more.csv").write_text("text\nb\n")
    assert source_stamp(tmp_path) != folder_before
