"""Cache keys that cannot go stale: whatever a function's output depends on is in its key, or it is not cached.

Each test edits one thing a function depends on, in a real module file, and checks through the label cache that
the column is recomputed with the new answer (not served stale) while untouched functions stay cached.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.functions import LabelCache, apply_functions, load_functions

TEXTS = ["free stuff here", "make money fast", "hello there", "free money", "x" * 300 + " END"]


def dataset() -> Dataset:
    return Dataset("keys", pd.DataFrame({"example_id": [f"k:{i}" for i in range(len(TEXTS))], "split": "train",
                                         "text": TEXTS}))


def apply_file(folder: Path, code: str, cache: LabelCache, name: str = "lfs.py"):
    (folder / name).write_text(textwrap.dedent(code))
    found = load_functions(folder)
    assert not found.errors, found.errors
    return found, apply_functions(found.functions, dataset(), cache=cache)


@pytest.fixture
def setup(tmp_path):
    folder = tmp_path / "lfs"
    folder.mkdir()
    return folder, LabelCache(tmp_path / "cache")


def votes(applied, name):
    return applied.column(name).tolist()


FACTORY = '''
from snorkel.labeling import LabelingFunction

def lookup(x, word):
    return 1 if word in x.text else -1

def make(word):
    def lf(x):
        return 1 if word in x.text else -1
    return LabelingFunction(f"has_{word}", lf)

has_free = make("free")
has_money = make("money")
'''


def test_factory_functions_differ_by_their_closure(setup):
    folder, cache = setup
    found, applied = apply_file(folder, FACTORY, cache)
    keys = {f.name: f.cache_key for f in found.functions}
    assert keys["has_free"] != keys["has_money"]
    again = apply_functions(found.functions, dataset(), cache=cache)
    assert all(r.from_cache for r in again.reports.values())
    assert votes(again, "has_free") == [1, -1, -1, 1, -1] and votes(again, "has_money") == [-1, 1, -1, 1, -1]


DEFAULT_ARG = '''
from snorkel.labeling import labeling_function
WORDS = ("free",)

@labeling_function()
def kw(x, words=WORDS):
    return 1 if any(w in x.text for w in words) else -1

@labeling_function()
def other(x):
    return 0 if "hello" in x.text else -1
'''


def test_editing_a_default_argument_recomputes_that_column_only(setup):
    folder, cache = setup
    _, first = apply_file(folder, DEFAULT_ARG, cache)
    assert votes(first, "kw") == [1, -1, -1, 1, -1]
    _, second = apply_file(folder, DEFAULT_ARG.replace('("free",)', '("money",)'), cache)
    assert not second.reports["kw"].from_cache and second.reports["other"].from_cache
    assert votes(second, "kw") == [-1, 1, -1, 1, -1]


LONG_GLOBALS = '''
import re
from snorkel.labeling import labeling_function
PATTERN = re.compile("(?:" + "|".join(["zzz%03d" % i for i in range(60)]) + "|END)")
PHRASE = "y" * 250 + "END"

@labeling_function()
def by_pattern(x):
    return 1 if PATTERN.search(x.text) else -1

@labeling_function()
def by_phrase(x):
    return 1 if x.text[-3:] == PHRASE[-3:] else -1
'''


def test_an_edit_at_the_end_of_a_long_pattern_or_string_is_seen(setup):
    folder, cache = setup
    _, first = apply_file(folder, LONG_GLOBALS, cache)
    assert votes(first, "by_pattern") == [-1, -1, -1, -1, 1] and votes(first, "by_phrase") == [-1] * 4 + [1]
    edited = LONG_GLOBALS.replace('|END)")', '|hello)")').replace('+ "END"', '+ "ere"')
    _, second = apply_file(folder, edited, cache)
    assert not second.reports["by_pattern"].from_cache and not second.reports["by_phrase"].from_cache
    assert votes(second, "by_pattern") == [-1, -1, 1, -1, -1] and votes(second, "by_phrase") == [1, -1, 1, -1, -1]


ARRAY = '''
import numpy as np
from snorkel.labeling import labeling_function
WEIGHTS = np.zeros(5000)
WEIGHTS[4999] = {w}

@labeling_function()
def weighted(x):
    return 1 if WEIGHTS[-1] > 0 else -1
'''


def test_a_large_numpy_array_counts_by_its_bytes(setup):
    folder, cache = setup
    _, first = apply_file(folder, ARRAY.format(w=1.0), cache)
    _, second = apply_file(folder, ARRAY.format(w=-1.0), cache)
    assert not second.reports["weighted"].from_cache
    assert votes(first, "weighted") == [1] * 5 and votes(second, "weighted") == [-1] * 5


HELPERS = '''
from snorkel.labeling import labeling_function

def normalise(text):
    return text.lower()

def mentions(text, word):
    return word in normalise(text)

@labeling_function()
def says_free(x):
    return 1 if mentions(x.text, "free") else -1

@labeling_function()
def says_hello(x):
    return 0 if "hello" in x.text else -1
'''


def test_editing_a_helper_two_calls_away_recomputes_the_functions_that_use_it(setup):
    folder, cache = setup
    _, first = apply_file(folder, HELPERS, cache)
    assert votes(first, "says_free") == [1, -1, -1, 1, -1]
    _, second = apply_file(folder, HELPERS.replace("return text.lower()", "return text.upper()"), cache)
    assert not second.reports["says_free"].from_cache and second.reports["says_hello"].from_cache
    assert votes(second, "says_free") == [-1] * 5


def test_a_helper_in_a_sibling_module_used_as_module_attribute_is_followed(setup):
    folder, cache = setup
    import sys
    (folder / "_words.py").write_text("WORDS = ['free']\n")
    sys.path.insert(0, str(folder))
    try:
        code = ("import _words\nfrom snorkel.labeling import labeling_function\n\n@labeling_function()\n"
                "def from_module(x):\n    return 1 if any(w in x.text for w in _words.WORDS) else -1\n")
        found, first = apply_file(folder, code, cache)
        (folder / "_words.py").write_text("WORDS = ['money']\n")
        sys.modules.pop("_words")
        _, second = apply_file(folder, code, cache)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("_words", None)
    assert votes(first, "from_module") == [1, -1, -1, 1, -1]
    assert not second.reports["from_module"].from_cache and votes(second, "from_module") == [-1, 1, -1, 1, -1]


RESOURCES_AND_PRE = '''
from snorkel.labeling import labeling_function
from snorkel.preprocess import preprocessor

@preprocessor()
def add_words(x):
    x.words = set(x.text.{case}().split())
    return x

@labeling_function(pre=[add_words], resources={{"word": "{word}"}})
def has_word(x, word):
    return 1 if word in x.words else -1
'''


def test_resources_and_preprocessors_are_in_the_key(setup):
    folder, cache = setup
    _, first = apply_file(folder, RESOURCES_AND_PRE.format(case="lower", word="free"), cache)
    _, by_resource = apply_file(folder, RESOURCES_AND_PRE.format(case="lower", word="money"), cache)
    _, by_pre = apply_file(folder, RESOURCES_AND_PRE.format(case="upper", word="money"), cache)
    assert votes(first, "has_word") == [1, -1, -1, 1, -1]
    assert not by_resource.reports["has_word"].from_cache and votes(by_resource, "has_word") == [-1, 1, -1, 1, -1]
    assert not by_pre.reports["has_word"].from_cache and votes(by_pre, "has_word") == [-1] * 5


def test_renaming_or_moving_a_function_keeps_its_column(setup):
    folder, cache = setup
    apply_file(folder, DEFAULT_ARG, cache)
    moved = "\n\n# a comment that moves every line down\n" + DEFAULT_ARG
    _, again = apply_file(folder, moved, cache)
    assert all(r.from_cache for r in again.reports.values())


UNFINGERPRINTABLE = '''
import threading
from snorkel.labeling import labeling_function
LOCK = threading.Lock()

@labeling_function()
def locked(x):
    with LOCK:
        return 1 if "free" in x.text else -1

@labeling_function()
def plain(x):
    return 1 if "money" in x.text else -1
'''


def test_a_dependency_that_cannot_be_fingerprinted_is_never_cached_and_says_why(setup):
    folder, cache = setup
    found, first = apply_file(folder, UNFINGERPRINTABLE, cache)
    locked = next(f for f in found.functions if f.name == "locked")
    assert locked.cache_key is None and "LOCK" in locked.not_cached and "lock" in locked.not_cached.lower()
    _, again = apply_file(folder, UNFINGERPRINTABLE, cache)
    assert not again.reports["locked"].from_cache and again.reports["plain"].from_cache
    assert votes(again, "locked") == [1, -1, -1, 1, -1]


def test_identical_functions_in_two_files_share_a_column_and_different_ones_do_not():
    from snorkel.labeling import LabelingFunction

    from mmtl_core.functions import make_user_function

    values = [np.arange(3), np.arange(3), np.arange(4)]
    keys = [make_user_function(LabelingFunction(f"f{i}", lambda x, v=v: int(v.sum()))).cache_key
            for i, v in enumerate(values)]
    assert keys[0] == keys[1] != keys[2]
