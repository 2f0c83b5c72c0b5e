"""Slicing functions for RTE (premise ``sentence1``, hypothesis ``sentence2``): where entailment models go wrong.

The first two are the slices of Snorkel MeTaL's RTE submission (GLUE 2019), whose slice heads lifted them from
76.7 to 79.3 and 58.3 to 75.0 accuracy; the others are classic NLI trouble spots. Each returns True for the
examples in the slice. Plain text heuristics, no spaCy, so they apply fast to every split.
"""

import re

from snorkel.slicing import slicing_function

# Personal pronouns grouped by person: "he ... his" is one person, "he ... she" two.
PRONOUN_GROUPS = (
    ("i", "me", "my", "mine"),
    ("you", "your", "yours"),
    ("he", "him", "his"),
    ("she", "her", "hers"),
    ("we", "us", "our", "ours"),
    ("they", "them", "their", "theirs"),
)
# A dash used as punctuation (spaced, doubled, or an en/em dash), not the hyphen inside "disease-causing".
DASH_OR_SEMICOLON = re.compile(r"\s-+\s|--|[\u2013\u2014;]")
NEGATIONS = re.compile(r"\b(not|no|never|none|nobody|nothing|neither|nor|without)\b|n't\b", re.I)
NUMBER = re.compile(r"\d")
WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or but is are was were be been being has have had do does did "
    "it its this that these those as which who whom whose than then there their they he she his her him we our "
    "you your i me my not no s".split()
)
LONG_PREMISE_WORDS = 50  # about the longest quarter of RTE premises
LOW_OVERLAP = 0.5  # under half of the hypothesis's content words appear in the premise


def words(text):
    return WORD.findall(text.lower())


def content_words(text):
    return {w for w in words(text) if w not in STOPWORDS}


@slicing_function()
def dash_semicolon(x):
    """A dash or semicolon in either sentence: rare punctuation joining clauses the model reads as one."""
    return bool(DASH_OR_SEMICOLON.search(x.sentence1) or DASH_OR_SEMICOLON.search(x.sentence2))


@slicing_function()
def multiple_pronouns(x):
    """The premise mentions at least two different persons by pronoun: who did what becomes ambiguous."""
    tokens = set(words(x.sentence1))
    return sum(any(p in tokens for p in group) for group in PRONOUN_GROUPS) >= 2


@slicing_function()
def negation(x):
    """A negation in either sentence: it flips entailment, and bag-of-words overlap misses it."""
    return bool(NEGATIONS.search(x.sentence1) or NEGATIONS.search(x.sentence2))


@slicing_function()
def numbers(x):
    """The hypothesis has a number: entailment then hinges on the exact quantity or date."""
    return bool(NUMBER.search(x.sentence2))


@slicing_function()
def long_premise(x):
    """A long premise: the relevant fact is buried among many others."""
    return len(words(x.sentence1)) > LONG_PREMISE_WORDS


@slicing_function()
def low_overlap(x):
    """Few of the hypothesis's content words occur in the premise: the pair needs paraphrase or world knowledge."""
    hypothesis = content_words(x.sentence2)
    if not hypothesis:
        return False
    return len(hypothesis & content_words(x.sentence1)) / len(hypothesis) < LOW_OVERLAP
