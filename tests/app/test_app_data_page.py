"""The Home and Data pages, driven through Streamlit's AppTest on the real app script."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import plotly.io
from app_helpers import shown, shown_columns, table_with

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def _source(at, kind, path):
    at.radio(key="load_kind").set_value(kind).run()
    at.text_input(key="load_path").input(str(path)).run()
    return _ok(at)


def _load(at, kind, path, name):
    _source(at, kind, path)
    at.text_input(key="load_name").input(name).run()
    at.button(key="load_button").click().run()
    return _ok(at)


def _specs(tmp_path) -> list[dict]:
    return json.loads((tmp_path / "workspace" / "datasets.json").read_text())


def test_home_without_data_leads_the_user_to_load_some(app):
    at = app()
    assert any("No data yet" in shown(i.value) for i in at.info)


def test_load_youtube_spam_then_bad_paths_say_what_is_wrong_and_keep_what_was_loaded(app, shared_data, tmp_path):
    at = app("pages/views/data.py")
    assert at.button(key="load_button").disabled
    assert any("Load is disabled: enter a path, pick one found on this machine, or upload" in shown(c.value)
               for c in at.caption)
    _load(at, "youtube_spam", shared_data / "youtube_spam", "youtube_spam")
    assert any("Loaded 'youtube_spam': 1,956 rows" in shown(s.value) for s in at.success)

    _source(at, "youtube_spam", tmp_path / "nowhere")
    assert "nowhere does not exist" in shown(at.error[0].value)
    assert at.button(key="load_button").disabled
    _source(at, "youtube_spam", shared_data / "glue_data")
    assert "glue_data holds no YouTube CSVs" in shown(at.error[0].value)
    assert [s["name"] for s in _specs(tmp_path)] == ["youtube_spam"]


def test_found_folders_fill_the_path_and_the_name(app, shared_data):
    at = app("pages/views/data.py")
    at.radio(key="load_kind").set_value("youtube_spam").run()
    found = at.selectbox(key="load_found_youtube_spam")
    assert str(shared_data / "youtube_spam") in found.options
    found.set_value(str(shared_data / "youtube_spam")).run()
    _ok(at)
    assert at.text_input(key="load_path").value == str(shared_data / "youtube_spam")
    assert at.text_input(key="load_name").value == "youtube_spam"  # the name comes from the folder
    splits = table_with(at, "spam").set_index("split")  # the preview: rows and class balance per split
    assert splits.loc["dev", "rows"] == 120 and splits.loc["test", "rows"] == 250
    at.radio(key="load_kind").set_value("glue").run()
    at.selectbox(key="load_found_glue").set_value(str(shared_data / "glue_data" / "MRPC")).run()
    assert at.selectbox(key="load_glue_task").value == "MRPC" and at.text_input(key="load_name").value == "MRPC"


def test_headerless_extensionless_tsv_with_quotes_classes_and_splits(app, tmp_path):
    raw = tmp_path / "SMSSpamCollection"
    shutil.copy(FIXTURES / "sms_raw", raw)
    at = app("pages/views/data.py")
    _source(at, "table", raw)
    assert at.selectbox(key="load_format").value == "tsv"  # sniffed: no extension
    assert at.checkbox(key="load_header").value is False and at.checkbox(key="load_quoting").value is False
    assert any("As read: 10 rows, 2 columns" in shown(c.value) for c in at.caption)
    at.text_input(key="load_names").input("label, text").run()
    _ok(at)
    assert at.multiselect(key="load_text_fields").value == ["text"]  # guessed: the longest column
    assert at.selectbox(key="load_label_field").value == "label"
    assert at.checkbox(key="load_make_splits").value is True  # no split column: splits are offered
    at.number_input(key="load_split_dev_pct").set_value(20.0)
    at.number_input(key="load_split_test_pct").set_value(20.0).run()
    splits = table_with(at, "ham").set_index("split")
    assert splits["rows"].to_dict() == {"train": 6, "dev": 2, "test": 2}
    assert splits.loc["dev", "ham"] + splits.loc["test", "ham"] == 3  # 7 ham / 3 spam, stratified
    classes = table_with(at, "class")
    assert classes["class"].tolist() == ["ham", "spam"] and classes["rows"].tolist() == [7, 3]
    assert at.button(key="load_button").disabled  # the classes found are not confirmed yet
    assert any("Load is disabled: confirm the classes found" in shown(c.value) for c in at.caption)
    at.checkbox(key="load_classes_ok").check().run()
    assert at.text_input(key="load_name").value == "SMSSpamCollection"
    at.button(key="load_button").click().run()
    _ok(at)
    assert any("Loaded 'SMSSpamCollection': 10 rows (train, dev, test)" in shown(s.value) for s in at.success)
    (spec,) = _specs(tmp_path)
    assert spec["options"] | {"path": spec["path"]} == {
        "format": "tsv", "header": False, "column_names": ["label", "text"], "quoting": False,
        "text_fields": ["text"], "label_field": "label", "split_field": None, "id_field": None,
        "label_names": ["ham", "spam"], "path": str(raw),
        "splits": {"dev": 0.2, "test": 0.2, "counts": False, "seed": 0, "stratify": True}}
    rows = [d.value for d in at.dataframe if "text" in d.value.columns][-1]  # the browse table
    assert sorted(rows["text"]) == sorted(line.split("\t")[1] for line in raw.read_text().splitlines())


def test_a_bad_line_is_reported_with_its_number(app, tmp_path):
    raw = tmp_path / "raw"
    raw.write_text((FIXTURES / "sms_raw").read_text().replace("ham\tOk lar", "ham\tOk\tlar"))
    at = app("pages/views/data.py")
    _source(at, "table", raw)
    assert "raw, line 2: 3 tab-separated field(s), expected 2 as in the first line" in shown(at.error[0].value)
    assert at.button(key="load_button").disabled


def test_integer_labels_that_are_not_ids_are_shown_and_can_be_numbered(app, tmp_path):
    table = tmp_path / "codes.csv"
    table.write_text("text,code\n" + "".join(f"text {i},{c}\n" for i, c in enumerate([0, 1, 7, 1, 0, 7])))
    at = app("pages/views/data.py")
    _source(at, "table", table)
    at.checkbox(key="load_make_splits").uncheck().run()
    assert len(table_with(at, "class")) == 8
    warnings = [shown(w.value) for w in at.warning]
    assert any("5 class(es) have no rows (2, 3, 4, 5, 6)" in w for w in warnings), warnings
    at.checkbox(key="load_renumber").check().run()
    _ok(at)
    assert table_with(at, "class")["class"].tolist() == ["0", "1", "7"] and not at.warning


def test_the_dataset_just_loaded_and_its_task_become_the_selection_everywhere(app, shared_data, tmp_path):
    at = app("pages/views/data.py")
    _load(at, "youtube_spam", shared_data / "youtube_spam", "youtube_spam")
    assert at.selectbox(key="data_dataset").value == "youtube_spam"
    at.switch_page("pages/views/slices.py").run()
    _ok(at)
    assert (at.selectbox(key="sl_dataset").value, at.selectbox(key="sl_task").value) == ("youtube_spam",
                                                                                          "youtube_spam")
    at.switch_page("pages/views/data.py").run()
    at.expander[0]
    _load(at, "glue", shared_data / "glue_data" / "WNLI", "WNLI")
    assert at.selectbox(key="data_dataset").value == "WNLI"  # the page shows the new dataset at once
    at.switch_page("pages/views/slices.py").run()
    _ok(at)
    assert (at.selectbox(key="sl_dataset").value, at.selectbox(key="sl_task").value) == ("WNLI", "WNLI")
    at.selectbox(key="sl_dataset").set_value("youtube_spam").run()  # a choice on one page holds on the others
    at.switch_page("pages/views/data.py").run()
    assert at.selectbox(key="data_dataset").value == "youtube_spam"


def test_browse_search_and_define_a_task(app, tmp_path):
    csv = tmp_path / "reviews.csv"
    csv.write_text("body,stars,part\ngreat phone,pos,train\nawful battery,neg,train\ngreat screen,pos,valid\n")
    at = app("pages/views/data.py")
    _source(at, "table", csv)
    assert at.selectbox(key="load_split_field").value == "part"  # guessed from its values
    at.multiselect(key="load_text_fields").set_value(["body"]).run()
    at.selectbox(key="load_label_field").set_value("stars").run()
    at.text_input(key="load_label_names").input("neg, pos").run()
    assert at.checkbox(key="load_make_splits").value is False  # the file has its own splits
    at.text_input(key="load_name").input("reviews").run()
    at.button(key="load_button").click().run()
    _ok(at)
    assert any("3 rows (train, dev)" in shown(s.value) for s in at.success)

    at.text_input(key="browse_query").input("GREAT").run()
    assert any("2 of 3 rows match" in shown(c.value) for c in at.caption)
    browsed = [d.value for d in at.dataframe if "body" in d.value.columns][-1]  # the browse table, last
    assert browsed["body"].tolist() == ["great phone", "great screen"]
    assert browsed["label"].tolist() == ["pos", "pos"]  # by class name

    at.text_input(key="task_name").input("sentiment")
    at.multiselect(key="task_fields").set_value(["body"])
    at.text_input(key="task_label_names").input("neg, pos")
    at.button(key="task_save").click().run()
    _ok(at)
    tasks = json.loads((tmp_path / "workspace" / "tasks.json").read_text())
    assert tasks[0]["name"] == "sentiment" and tasks[0]["label_names"] == ["neg", "pos"]


def test_download_without_network_says_so_and_keeps_what_was_loaded(app, monkeypatch, tmp_path, shared_data):
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on: the "network" refuses the connection
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("MMTL_DOWNLOAD_BASE_URL", f"http://127.0.0.1:{closed}/")
    at = app("pages/views/data.py")
    _load(at, "youtube_spam", shared_data / "youtube_spam", "youtube_spam")
    at.radio(key="load_kind").set_value("download").run()
    at.selectbox(key="download_name").set_value("RTE").run()
    at.button(key="download_button").click().run()
    _ok(at)
    message = shown(at.error[0].value)
    assert "Download failed" in message and "CSV" in message  # names the other ways to load data
    assert [s["name"] for s in _specs(tmp_path)] == ["youtube_spam"]


def _chart_figure(at, title_start: str):
    """The plotly figure of the page's chart whose title starts with ``title_start``."""
    figures = [plotly.io.from_json(c.proto.spec) for c in at.get("plotly_chart")]
    found = [f for f in figures if f.layout.title.text.startswith(title_start)]
    assert found, f"no chart titled {title_start!r}"
    return found[0]


def test_browse_reads_at_a_glance_on_rte(app, shared_data, tmp_path):
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"})])
    at = app("pages/views/data.py")
    hint = at.text_input(key="browse_query").placeholder
    assert hint.startswith("e.g. ") and hint != "e.g. subscribe"  # a word of RTE's own texts
    assert shown_columns(at.dataframe[0])[:4] == ["sentence1", "sentence2", "label", "split"]
    assert shown_columns(at.dataframe[0])[-1] == "example_id"
    assert set(at.dataframe[0].value["label"]) <= {"entailment", "not_entailment", "unlabeled"}
    assert len(at.dataframe[0].value) == 20  # a page of rows, not 500 behind a scroll bar

    def spam_rows(figure) -> int:
        return int(sum(sum(bar.y) for bar in figure.data))

    everything = spam_rows(_chart_figure(at, "Rows per class"))
    at.text_input(key="browse_query").input(hint.removeprefix("e.g. ")).run()
    filtered = spam_rows(_chart_figure(at, "Rows per class"))
    assert 0 < filtered < everything  # the class balance follows the search
    match = [c.value for c in at.caption if "rows match" in c.value][0]
    assert match.startswith(f"{filtered:,} of {everything:,}")
