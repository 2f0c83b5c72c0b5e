"""The example slicing functions are plain Snorkel SFs that fire on what their names promise."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from snorkel.slicing import SlicingFunction

from mmtl_core.functions import load_functions

# Not imported from conftest: several test folders have a conftest.py, and which one 'conftest' names depends
# on the order pytest loaded them.
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sfs():
    found = load_functions(REPO / "labeling_functions", ["rte_slices.py", "youtube_spam_slices.py"])
    assert not found.errors
    assert all(f.kind == "slicing" and isinstance(f.obj, SlicingFunction) for f in found.functions)
    return {f.name: f.obj for f in found.functions}


def pair(premise, hypothesis):
    return SimpleNamespace(sentence1=premise, sentence2=hypothesis)


@pytest.mark.parametrize(("name", "inside", "outside"), [
    ("dash_semicolon", pair("Prices rose - sharply; then fell.", "Prices rose."),
     pair("A disease-causing bacterium spread.", "Bacteria spread.")),  # a hyphen is not a dash
    ("multiple_pronouns", pair("She told him that they had left.", "He left."),
     pair("He said his car was stolen.", "His car was stolen.")),  # one person, several pronouns
    ("negation", pair("The bill did not pass.", "The bill passed."), pair("The bill passed.", "It passed.")),
    ("numbers", pair("Sales fell.", "Sales fell by 12%."), pair("Sales fell by 12%.", "Sales fell.")),
    ("long_premise", pair(" ".join(["word"] * 51), "x"), pair(" ".join(["word"] * 50), "x")),
    ("low_overlap", pair("The cat sat on the mat.", "A feline rested somewhere."),
     pair("The cat sat on the mat.", "The cat sat.")),
])
def test_rte_slices(sfs, name, inside, outside):
    assert sfs[name](inside) is True and sfs[name](outside) is False


@pytest.mark.parametrize(("name", "inside", "outside"), [
    ("short_text", "so good!!", "this song reminds me of the summer of 2012 with my friends"),
    ("contains_link", "check https://example.org now", "check my channel now"),
    ("shouting", "SUBSCRIBE TO MY CHANNEL NOW", "Subscribe to my channel now"),
    ("emoji_or_other_script", "love it \u2764", "love it\ufeff"),  # a byte-order mark is not an emoji
])
def test_youtube_slices(sfs, name, inside, outside):
    comment = sfs[name]
    assert comment(SimpleNamespace(text=inside)) is True and comment(SimpleNamespace(text=outside)) is False
