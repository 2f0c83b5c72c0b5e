"""What a user meets when their code misbehaves, through AppTest on real YouTube spam data: the page keeps working,
says what went wrong where, keeps the last good results, and does not pay a time limit twice."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import markdown_it
import pytest

from app_helpers import messages, table_with

PAGE = "pages/views/labeling.py"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def short_limits(monkeypatch):
    # The page's function host follows the environment: a host with short limits for these tests.
    monkeypatch.setenv("MMTL_IMPORT_TIMEOUT", "2")
    monkeypatch.setenv("MMTL_FUNCTION_TIMEOUT", "2")


def test_modules_that_exit_loop_or_interrupt_at_import_are_reported_and_the_page_works(app, youtube_workspace,
                                                                                       short_limits):
    (youtube_workspace / "youtube_spam_exits.py").write_text("import os\n\nos._exit(1)\n")
    (youtube_workspace / "youtube_spam_loops.py").write_text("x = 0\nwhile True:\n    x += 1\n")
    (youtube_workspace / "youtube_spam_stops.py").write_text("raise KeyboardInterrupt\n")
    at = app(PAGE)
    errors = messages(at.error)
    assert any("youtube_spam_exits.py, line 3" in e and "os._exit(1)" in e for e in errors), errors
    assert any("youtube_spam_loops.py, line" in e and "did not finish importing within 2 s" in e for e in errors)
    assert any("youtube_spam_stops.py, line 1" in e and "KeyboardInterrupt" in e for e in errors)
    assert "keyword_subscribe" in table_with(at, "Learned Weight").index  # the other modules still count
    # The editor stays reachable, on the broken module itself.
    at.selectbox(key="lf_file_youtube_spam_youtube_spam").set_value("youtube_spam_loops.py").run()
    assert not at.exception, [e.message for e in at.exception]
    # The hang is remembered: the next analysis does not wait for it again, and offers to run it again.
    assert any(b.label == "Run again" for b in at.button)


def test_a_timed_out_function_is_remembered_with_run_again(app, youtube_workspace, short_limits):
    (youtube_workspace / "youtube_spam_slow.py").write_text(
        "from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef spins(x):\n"
        "    while True:\n        pass\n")
    first = app(PAGE)
    assert any("spins" in w and "stopped after 2 s" in w for w in messages(first.warning))
    started = time.monotonic()
    at = app(PAGE)  # another session opens the page: the timeout is not paid again
    assert time.monotonic() - started < 60 and any("spins" in w and "remembered" in w for w in messages(at.warning))
    [rerun] = [b for b in at.button if b.label == "Run again"]
    rerun.click().run()
    assert not at.exception
    assert any("spins" in w and "stopped after 2 s" in w and "remembered" not in w for w in messages(at.warning))


def test_text_from_data_or_code_is_never_rendered_as_markdown(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_md.py").write_text(
        "from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef shouts(x):\n"
        "    raise ValueError('![p](http://attacker.example/x.png) [click](http://attacker.example)')\n")
    at = app(PAGE)
    [warning] = [w.value for w in at.warning if "attacker" in w.value]
    html = markdown_it.MarkdownIt("commonmark").render(warning)
    assert "<img" not in html and "<a " not in html and "attacker.example" in html


def test_functions_of_another_dataset_raising_on_every_row_make_one_grouped_line(app, tmp_path, shared_data):
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"})])
    functions = tmp_path / "functions"
    functions.mkdir()
    shutil.copy(REPO / "labeling_functions" / "youtube_spam.py", functions)  # reads x.text: RTE has no 'text'
    at = app(PAGE)
    at.multiselect(key="lf_modules_RTE_RTE").set_value(["youtube_spam.py"]).run()  # the user applies them to RTE
    grouped = [w for w in messages(at.warning) if "functions raised" in w]
    assert len(grouped) == 1 and "on most rows" in grouped[0] and "keyword_subscribe" in grouped[0]
    assert not any("keyword_subscribe raised" in w for w in messages(at.warning))  # not one line per function
    assert any(e.label.startswith("Tracebacks of") for e in at.expander)


def test_history_restore_new_module_names_and_the_sandbox_panel(app, youtube_workspace):
    from mmtl_core.functions import save_function_file

    module = youtube_workspace / "youtube_spam.py"
    original = module.read_text()
    save_function_file(youtube_workspace, "youtube_spam.py", original + "\n# second version\n")
    at = app(PAGE)
    assert any(e.label.startswith("Sandbox: ") and "protections active" in e.label for e in at.expander)
    assert any(e.label == "History (1 earlier version)" for e in at.expander)
    at.radio(key="lf_editor_version_show").set_value("Its text").run()
    at.button(key="lf_editor_restore").click().run()
    assert not at.exception and module.read_text() == original
    assert any(e.label == "History (2 earlier versions)" for e in at.expander)  # the replaced text is kept

    chooser = "lf_file_youtube_spam_youtube_spam"
    at.selectbox(key=chooser).set_value("+ New module").run()
    at.text_input(key=f"{chooser}_new_name").input("youtube_spam.py").run()
    at.button(key=f"{chooser}_create").click().run()
    assert any("'youtube_spam.py' exists already" in e for e in messages(at.error))
    assert module.read_text() == original  # not replaced by the template
