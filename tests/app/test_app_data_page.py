"""The Home and Data pages, driven through Streamlit's AppTest on the real app script."""

from __future__ import annotations

import json


def _load(at, kind, path, name):
    at.expander[0]  # the load form is inside an expander that is open while nothing is loaded
    at.radio(key="load_kind").set_value(kind).run()
    at.text_input(key="load_path").input(str(path)).run()
    at.text_input(key="load_name").input(name).run()
    at.button(key="load_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_home_without_data_leads_the_user_to_load_some(app):
    at = app()
    assert any("No data yet" in i.value for i in at.info)


def test_load_youtube_spam_then_a_bad_path_keeps_what_was_loaded(app, shared_data, tmp_path):
    at = app("pages/views/data.py")
    _load(at, "youtube_spam", shared_data / "youtube_spam", "youtube_spam")
    assert any("Loaded 'youtube_spam': 1,956 rows" in s.value for s in at.success)
    _load(at, "youtube_spam", tmp_path / "nowhere", "broken")
    assert at.error and "nowhere" in at.error[0].value
    specs = json.loads((tmp_path / "workspace" / "datasets.json").read_text())
    assert [s["name"] for s in specs] == ["youtube_spam"]


def test_browse_search_and_define_a_task(app, tmp_path):
    csv = tmp_path / "reviews.csv"
    csv.write_text("body,stars,part\ngreat phone,pos,train\nawful battery,neg,train\ngreat screen,pos,valid\n")
    at = app("pages/views/data.py")
    at.radio(key="load_kind").set_value("table").run()
    at.text_input(key="load_path").input(str(csv)).run()
    at.multiselect(key="load_text_fields").set_value(["body"]).run()
    at.selectbox(key="load_label_field").set_value("stars").run()
    at.selectbox(key="load_split_field").set_value("part").run()
    at.text_input(key="load_name").input("reviews").run()
    at.button(key="load_button").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("3 rows (train, dev)" in s.value for s in at.success)

    at.text_input(key="browse_query").input("GREAT").run()
    assert any("Showing 2 of 2 matching rows" in c.value for c in at.caption)

    at.text_input(key="task_name").input("sentiment")
    at.multiselect(key="task_fields").set_value(["body"])
    at.text_input(key="task_label_names").input("neg, pos")
    at.button(key="task_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
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
    assert not at.exception, [e.message for e in at.exception]
    message = at.error[0].value
    assert "Download failed" in message and "CSV" in message  # names the other ways to load data
    specs = json.loads((tmp_path / "workspace" / "datasets.json").read_text())
    assert [s["name"] for s in specs] == ["youtube_spam"]
