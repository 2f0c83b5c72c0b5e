"""What a user meets when their code misbehaves, through AppTest on real YouTube spam data: the page keeps working,
says what went wrong where, keeps the last good results, and does not pay a time limit twice."""

from __future__ import annotations

import time

import markdown_it
import pytest

from app_helpers import messages, table_with

PAGE = "pages/views/labeling.py"


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
    at.selectbox(key="lf_file").set_value("youtube_spam_loops.py").run()
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


def test_a_save_that_breaks_a_module_keeps_the_last_results_marked_stale(app, youtube_workspace):
    at = app(PAGE)
    before = table_with(at, "Learned Weight")
    module = youtube_workspace / "youtube_spam.py"
    module.write_text(module.read_text() + "\n\ndef broken(:\n    pass\n")
    at.run()
    assert not at.exception
    stale = [w for w in messages(at.warning) if "last good save" in w]
    assert stale and "youtube_spam.py, line" in stale[0] and "syntax error" in stale[0]
    assert list(table_with(at, "Learned Weight").index) == list(before.index)  # the results stay on screen


def test_text_from_data_or_code_is_never_rendered_as_markdown(app, youtube_workspace):
    (youtube_workspace / "youtube_spam_md.py").write_text(
        "from snorkel.labeling import labeling_function\n\n@labeling_function()\ndef shouts(x):\n"
        "    raise ValueError('![p](http://attacker.example/x.png) [click](http://attacker.example)')\n")
    at = app(PAGE)
    [warning] = [w.value for w in at.warning if "attacker" in w.value]
    html = markdown_it.MarkdownIt("commonmark").render(warning)
    assert "<img" not in html and "<a " not in html and "attacker.example" in html
