"""Discovery: one file at a time, errors with file and line, kinds, unique names, per-function source hashes."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mmtl_core.functions import load_functions

GOOD = '''
from snorkel.labeling import LabelingFunction, labeling_function
from snorkel.slicing import slicing_function
from mmtl_core.functions import KeywordLF, RegexSF

SPAM_WORDS = ["subscribe", "check out"]


@labeling_function()
def lf_spam_words(x):
    return 1 if any(w in x.text.lower() for w in SPAM_WORDS) else -1


@labeling_function()
def lf_short(x):
    return 0 if len(x.text) < 20 else -1


@slicing_function()
def sf_question(x):
    return x.text.endswith("?")


lf_plain = LabelingFunction("lf_plain", lambda x: -1)
kw_song = KeywordLF("kw_song", ["song", "music"], label=0)
rx_link = RegexSF("rx_link", r"https?://")
alias = lf_short  # the same object under a second name is one function
'''


def write(folder: Path, name: str, code: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(code))
    return path


def test_finds_labeling_slicing_and_template_functions_with_kind_and_line(tmp_path):
    write(tmp_path, "spam.py", GOOD)
    found = load_functions(tmp_path)
    assert found.errors == []
    kinds = {f.name: f.kind for f in found.functions}
    assert kinds == {"lf_spam_words": "labeling", "lf_short": "labeling", "sf_question": "slicing",
                     "lf_plain": "labeling", "kw_song": "labeling", "rx_link": "slicing"}
    lines = {f.name: f.line for f in found.functions}
    source = GOOD.splitlines()
    assert source[lines["lf_short"] - 1] == "@labeling_function()"
    assert source[lines["kw_song"] - 1].startswith("kw_song = KeywordLF(")
    assert all(f.path == (tmp_path / "spam.py").resolve() for f in found.functions)


def test_syntax_error_in_one_file_is_reported_with_line_and_the_other_file_loads(tmp_path):
    write(tmp_path, "a_good.py", GOOD)
    write(tmp_path, "b_broken.py", "from snorkel.labeling import labeling_function\n\n"
                                   "@labeling_function()\ndef lf_x(x):\n    return 1 if x.text else\n")
    found = load_functions(tmp_path)
    assert "lf_short" in found.names
    [error] = found.errors
    assert error.path.endswith("b_broken.py") and error.line == 5
    assert "b_broken.py, line 5" in str(error) and "syntax" in str(error)


def test_import_error_names_file_line_and_missing_module(tmp_path):
    write(tmp_path, "a_good.py", GOOD)
    write(tmp_path, "needs_pkg.py", "import os\nimport not_a_real_package_xyz\n")
    found = load_functions(tmp_path)
    [error] = found.errors
    assert error.line == 2 and "needs_pkg.py, line 2" in str(error)
    assert "not_a_real_package_xyz" in str(error)
    assert len(found.functions) == 6


def test_duplicate_name_across_files_names_both_files_and_keeps_the_first(tmp_path):
    write(tmp_path, "a.py", GOOD)
    write(tmp_path, "b.py", "from snorkel.labeling import labeling_function\n\n"
                            "@labeling_function()\ndef lf_short(x):\n    return -1\n")
    found = load_functions(tmp_path)
    [error] = found.errors
    assert "a.py" in str(error) and "b.py" in str(error) and "'lf_short'" in str(error)
    assert [f.path.name for f in found.functions if f.name == "lf_short"] == ["a.py"]


def test_function_name_that_is_not_an_identifier_is_an_error(tmp_path):
    write(tmp_path, "odd.py", "from snorkel.labeling import LabelingFunction\n"
                              "bad = LabelingFunction('has space', lambda x: -1)\n"
                              "ok = LabelingFunction('fine', lambda x: -1)\n")
    found = load_functions(tmp_path)
    assert found.names == ["fine"]
    [error] = found.errors
    assert "'has space'" in str(error) and error.line == 2


def test_editing_one_function_changes_only_its_hash_and_reload_runs_new_code(tmp_path):
    path = write(tmp_path, "spam.py", GOOD)
    before = {f.name: f for f in load_functions(tmp_path).functions}
    path.write_text(textwrap.dedent(GOOD).replace("len(x.text) < 20", "len(x.text) < 25"))
    after = {f.name: f for f in load_functions(tmp_path).functions}
    changed = {n for n in before if before[n].cache_key != after[n].cache_key}
    assert changed == {"lf_short"}
    row = type("R", (), {"text": "twenty-two characters!"})()
    assert before["lf_short"].obj(row) == -1 and after["lf_short"].obj(row) == 0


def test_changing_a_module_level_value_a_function_reads_changes_its_hash(tmp_path):
    path = write(tmp_path, "spam.py", GOOD)
    before = {f.name: f.cache_key for f in load_functions(tmp_path).functions}
    path.write_text(textwrap.dedent(GOOD).replace('"check out"]', '"check out", "my channel"]'))
    after = {f.name: f.cache_key for f in load_functions(tmp_path).functions}
    assert {n for n in before if before[n] != after[n]} == {"lf_spam_words"}


def test_files_argument_loads_only_those_and_reports_unknown_names(tmp_path):
    write(tmp_path, "a.py", GOOD)
    write(tmp_path, "b.py", "from mmtl_core.functions import KeywordSF\nkw_b = KeywordSF('kw_b', ['b'])\n")
    found = load_functions(tmp_path, files=["b.py", "nope.py"])
    assert found.names == ["kw_b"]
    assert len(found.errors) == 1 and "nope.py" in str(found.errors[0])


def test_a_template_with_a_bad_pattern_fails_its_file_with_the_line(tmp_path):
    write(tmp_path, "rx.py", "from mmtl_core.functions import RegexLF\n\nrx_bad = RegexLF('rx_bad', '(oops', 1)\n")
    [error] = load_functions(tmp_path).errors
    assert "rx.py, line 3" in str(error) and "not a valid regular expression" in str(error)


def test_functions_wrapping_library_code_belong_to_the_file_that_binds_them(tmp_path):
    write(tmp_path, "lib_based.py", "import operator\nfrom snorkel.labeling import LabelingFunction\n\n"
                                    "lf_truth = LabelingFunction('lf_truth', operator.truth)\n")
    [fn] = load_functions(tmp_path).functions
    assert fn.name == "lf_truth" and fn.path.name == "lib_based.py" and fn.line == 4


def test_wrapped_callables_hash_by_what_they_wrap_so_the_cache_cannot_mix_them_up():
    import functools
    import operator

    from snorkel.labeling import LabelingFunction

    from mmtl_core.functions import make_user_function

    def vote(x, label):
        return label

    class Voter:
        def __call__(self, x):
            return 1

    hashes = [make_user_function(LabelingFunction(f"lf_{i}", f)).cache_key for i, f in enumerate([
        functools.partial(vote, label=0), functools.partial(vote, label=1), operator.truth, operator.not_,
        Voter(), Voter()])]
    assert len(set(hashes)) == len(hashes)
    assert make_user_function(LabelingFunction("a", functools.partial(vote, label=0))).cache_key == hashes[0]
