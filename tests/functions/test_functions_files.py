"""Saving function files: only plain names, atomic writes, previous versions kept and restorable."""

from __future__ import annotations

import os

import pytest

from mmtl_core.errors import FunctionError, WorkspaceError
from mmtl_core.functions import (check_syntax, list_function_files, load_functions, previous_versions,
                                 restore_version, save_function_file)
from mmtl_core.functions import files as files_module


@pytest.mark.parametrize("name", ["../escape.py", "/abs/x.py", "sub/x.py", "x.txt", "1x.py", "class.py", "x",
                                  "_private.py", "..py", "a.b.py", "sub\\x.py"])
def test_names_that_are_not_plain_module_files_are_rejected(tmp_path, name):
    with pytest.raises(FunctionError, match="not a valid function file name") as info:
        save_function_file(tmp_path / "lfs", name, "x = 1\n")
    assert repr(name) in str(info.value)
    assert not (tmp_path / "escape.py").exists() and not list(tmp_path.rglob("*.py"))


def test_each_save_keeps_the_previous_text_and_restore_brings_it_back(tmp_path):
    folder = tmp_path / "lfs"
    path = save_function_file(folder, "spam.py", "A = 1\n")
    save_function_file(folder, "spam.py", "A = 2\n")
    save_function_file(folder, "spam.py", "A = 2\n")  # unchanged: no new version
    save_function_file(folder, "spam.py", "A = 3\n")
    versions = previous_versions(folder, "spam.py")
    assert [v.read_text() for v in versions] == ["A = 2\n", "A = 1\n"]
    restore_version(folder, "spam.py", versions[1])
    assert path.read_text() == "A = 1\n"
    assert previous_versions(folder, "spam.py")[0].read_text() == "A = 3\n"
    assert list_function_files(folder) == [path]  # history and temporary files are not function files
    with pytest.raises(FunctionError, match="not a saved version"):
        restore_version(folder, "spam.py", tmp_path / "elsewhere.20250101T000000000000Z.py")


def test_only_the_newest_versions_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "HISTORY_KEPT", 3)
    for i in range(7):
        save_function_file(tmp_path, "lfs.py", f"A = {i}\n")
    assert [v.read_text() for v in previous_versions(tmp_path, "lfs.py")] == ["A = 5\n", "A = 4\n", "A = 3\n"]


def test_a_file_with_a_syntax_error_is_saved_and_its_error_reported(tmp_path):
    code = "from snorkel.labeling import labeling_function\n\ndef broken(:\n"
    with pytest.raises(FunctionError, match=r"draft.py, line 3") as info:
        check_syntax(code, "draft.py")
    assert info.value.line == 3
    path = save_function_file(tmp_path, "draft.py", code)
    assert path.read_text() == code
    assert load_functions(tmp_path).errors[0].line == 3
    check_syntax("x = 1\n", "fine.py")  # valid code passes silently


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = save_function_file(tmp_path, "lfs.py", "A = 1\n")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_module.os, "replace", fail)
    with pytest.raises(WorkspaceError, match="No space left"):
        save_function_file(tmp_path, "lfs.py", "A = 2\n")
    assert path.read_text() == "A = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".save.lock") == [".history", "lfs.py"]


def test_a_save_over_a_file_changed_since_it_was_opened_is_refused_with_both_texts(tmp_path):
    from mmtl_core.errors import SaveConflict
    from mmtl_core.functions.files import file_digest, read_function_file

    save_function_file(tmp_path, "lfs.py", "A = 1\n")
    opened = file_digest(read_function_file(tmp_path, "lfs.py"))  # two sessions open the same text
    save_function_file(tmp_path, "lfs.py", "A = 2  # first session\n", expected=opened)
    with pytest.raises(SaveConflict, match="changed on disk") as info:
        save_function_file(tmp_path, "lfs.py", "A = 3  # second session\n", expected=opened)
    assert info.value.mine == "A = 3  # second session\n" and info.value.theirs == "A = 2  # first session\n"
    assert read_function_file(tmp_path, "lfs.py") == "A = 2  # first session\n"  # nothing overwritten
    # Overwriting on purpose keeps the other text in the history: neither is lost.
    save_function_file(tmp_path, "lfs.py", info.value.mine)
    assert previous_versions(tmp_path, "lfs.py")[0].read_text() == "A = 2  # first session\n"
    # Saving the very text the file now holds is no conflict.
    save_function_file(tmp_path, "lfs.py", info.value.mine, expected=opened)


def test_new_module_refuses_an_existing_name_and_copies_get_a_free_name(tmp_path):
    from mmtl_core.functions.files import create_function_file, free_copy_name

    create_function_file(tmp_path, "mine.py", "A = 1\n")
    with pytest.raises(FunctionError, match="already exists"):
        create_function_file(tmp_path, "mine.py", "TEMPLATE = True\n")
    assert (tmp_path / "mine.py").read_text() == "A = 1\n"
    assert free_copy_name(tmp_path, "mine.py") == "mine_copy.py"
    create_function_file(tmp_path, "mine_copy.py", "A = 1\n")
    assert free_copy_name(tmp_path, "mine.py") == "mine_copy2.py"


def test_temporary_files_of_interrupted_saves_are_removed(tmp_path):
    from mmtl_core.functions.files import HISTORY_DIR

    save_function_file(tmp_path, "lfs.py", "A = 1\n")
    dead = 2**22 + 12345  # above any pid this machine hands out (pid_max is at most 2**22)
    leftovers = [tmp_path / f".lfs.py.{dead}.0badc0de.tmp.py",
                 tmp_path / HISTORY_DIR / f".lfs.x.py.{dead}.00000000.tmp.py"]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_text("half a save")
    mine = tmp_path / f".other.py.{os.getpid()}.12345678.tmp.py"  # a write in progress in a live process
    mine.write_text("being written")
    save_function_file(tmp_path, "lfs.py", "A = 2\n")
    assert not any(p.exists() for p in leftovers) and mine.exists()


def test_history_versions_can_be_read_and_compared(tmp_path):
    from mmtl_core.functions.files import read_version, text_diff, version_time

    save_function_file(tmp_path, "lfs.py", "A = 1\nB = 1\n")
    save_function_file(tmp_path, "lfs.py", "A = 1\nB = 2\n")
    [version] = previous_versions(tmp_path, "lfs.py")
    assert read_version(tmp_path, "lfs.py", version.name) == "A = 1\nB = 1\n"
    diff = text_diff(read_version(tmp_path, "lfs.py", version.name), "A = 1\nB = 2\n", "saved", "current")
    assert "-B = 1" in diff and "+B = 2" in diff and "-A = 1" not in diff
    assert version_time(version).year >= 2024
