"""Labeling functions for YouTube comment spam, in the style of Snorkel's spam tutorial.

HAM = 0 (a real comment about the video), SPAM = 1 (self-promotion, links, requests). Each function votes on the
comments it has an opinion about and abstains on the rest; the label model weighs them against each other.
Written by reading the four training videos' comments only (Psy, Katy Perry, LMFAO, Eminem); the fifth video
(Shakira) gives the dev and test rows.
TextBlob and spaCy (the tutorial's sentiment and person functions) are not used: plain text heuristics instead.
"""

import re

from snorkel.labeling import LabelingFunction, labeling_function
from snorkel.preprocess import preprocessor

ABSTAIN = -1
HAM = 0
SPAM = 1


# --- keywords and phrases that ask the reader to do something for the author -----------------------------------

@labeling_function()
def keyword_my(x):
    """Many spam comments talk about the author's own channel, video or music."""
    return SPAM if re.search(r"\bmy\b", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def keyword_subscribe(x):
    """'Subscribe' (and the common misspelling 'suscribe') is almost always a request."""
    return SPAM if re.search(r"su(b)?scri", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def keyword_please(x):
    return SPAM if re.search(r"\b(please|plz|pls)\b", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def regex_check_out(x):
    """'Check out', 'check my', 'take a look at': the classic promotion phrases."""
    return SPAM if re.search(r"check.*out|check (out )?my|take a look", x.text, flags=re.I) else ABSTAIN


def keyword_lookup(x, keywords, label):
    return label if any(word in x.text.lower() for word in keywords) else ABSTAIN


def make_keyword_lf(keywords, label=SPAM):
    return LabelingFunction(
        name=f"keyword_{keywords[0].replace(' ', '_')}",
        f=keyword_lookup,
        resources=dict(keywords=keywords, label=label),
    )


#: Channel promotion, money-making and follower schemes.
keyword_channel = make_keyword_lf(["channel", "my video", "my music", "my page", "follow", "sub me", "sub 4 sub",
                                   "like 4 like"])
keyword_money = make_keyword_lf(["money", "earn", "free", "gift card", "win ", "$"])


# --- links --------------------------------------------------------------------------------------------------------

LINK = re.compile(r"https?://|www\.|\.com\b|/watch\?|<a\s", flags=re.I)


@labeling_function()
def has_link(x):
    """A link in a comment is nearly always somewhere the author wants the reader to go."""
    return SPAM if LINK.search(x.text) else ABSTAIN


# --- ham: short reactions and talk about the song -----------------------------------------------------------------

@preprocessor()
def add_words(x):
    """Strip YouTube's HTML entities and tags and split into words. (Not memoized: that would keep a copy of
    every comment in memory to save a cheap regex.)"""
    text = re.sub(r"<[^>]+>|&[#\w]+;", " ", x.text)
    x.words = re.findall(r"[\w']+", text.lower())
    return x


@labeling_function(pre=[add_words])
def short_comment(x):
    """Ham comments are often short, such as 'cool video!'."""
    return HAM if len(x.words) < 5 and not LINK.search(x.text) else ABSTAIN


SONG_WORDS = {"song", "songs", "love", "lyrics", "dance", "beat", "voice", "best", "awesome", "amazing",
              "beautiful", "music", "rap", "legend"}
PROMOTION = re.compile(r"\b(my|subscribe|check|channel|http|www)\b", flags=re.I)


@labeling_function(pre=[add_words])
def talks_about_the_song(x):
    """Words about the song or the video itself, in a comment that promotes nothing."""
    return HAM if SONG_WORDS.intersection(x.words) and not PROMOTION.search(x.text) else ABSTAIN


@labeling_function()
def talks_about_view_count(x):
    """Viewers marvel at the view count ('2 billion views!'); spammers want views of their own video."""
    return HAM if re.search(r"views|billion|million", x.text, flags=re.I) and not LINK.search(x.text) else ABSTAIN
