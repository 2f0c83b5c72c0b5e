"""Slicing functions for YouTube comments (column ``text``): groups where a spam model is likely to slip.

Named apart from the labeling functions in ``youtube_spam.py`` (function names are unique across the folder):
a slice says which comments to look at, not what their label is.
"""

import re
import unicodedata

from snorkel.slicing import slicing_function

LINK = re.compile(r"https?://|www\.|\.(com|net|org|ly)\b", re.I)
SHORT_WORDS = 5  # "so good!!", "love this song": little text for a model to go on
LETTER = re.compile(r"[A-Za-z]")
LATIN_END = 0x24F  # last code point of Latin Extended-B


@slicing_function()
def short_text(x):
    """At most five words."""
    return len(x.text.split()) <= SHORT_WORDS


@slicing_function()
def contains_link(x):
    """A URL or web address: mostly spam, but some ham comments link the song too."""
    return bool(LINK.search(x.text))


@slicing_function()
def shouting(x):
    """Mostly capital letters (at least 10 letters, 70% or more upper case)."""
    letters = LETTER.findall(x.text)
    return len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) >= 0.7


@slicing_function()
def emoji_or_other_script(x):
    """Emoji and symbols, or letters outside the Latin alphabets: word heuristics built on English see little of
    it. (Not just "non-ASCII": most comments end in an invisible byte-order mark.)"""
    return any(unicodedata.category(c) == "So" or (ord(c) > LATIN_END and c.isalpha()) for c in x.text)
