"""How the entity layers cut text: tokens (words and single punctuation marks, clitics
left attached, as the training corpora do) by offsets into the original, and sentences
(cut after end punctuation, at line breaks, and every 80 tokens).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import NamedTuple

from newsflow.entities.forms import TEXTSCAN
from newsflow.entities.tagger_en import abbreviation_dot

# A word: letters/digits with combining marks, ZWNJ/ZWJ (Persian compounds) inside; any
# other visible character is a token of its own, as in the training corpora.
_TOKEN_RE = re.compile(r"[\w\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]+|[^\s\w]")


_SENTENCE_END = frozenset({".", "!", "?", "؟", "؛", ";", "…", "۔"})


_MAX_SENTENCE = 80  # tokens; longer runs (lists, unpunctuated text) are cut


class Token(NamedTuple):
    """One token of a field, by offsets into the field's original text (a tuple:
    thousands are made per article)."""

    start: int
    end: int
    text: str


def tokenize(text: str) -> list[Token]:
    """Words and single punctuation marks, clitics left attached (as the corpora do)."""
    if TEXTSCAN is not None:
        tokens: list[Token] = TEXTSCAN.tokenize(text, Token)
        return tokens
    return tokenize_python(text)


def tokenize_python(text: str) -> list[Token]:
    """`tokenize` in Python (``_textscan.tokenize`` is the same in C)."""
    # tuple.__new__ skips the NamedTuple's Python-level __new__: a quarter of this
    # function's time, on every token of every article.
    make = tuple.__new__
    return [make(Token, (m.start(), m.end(), m.group())) for m in _TOKEN_RE.finditer(text)]


def sentences(
    text: str, tokens: Sequence[Token], language: str | None = None
) -> list[tuple[int, int]]:
    """(first, end) token ranges of sentences: cut after end punctuation, at line breaks,
    and every `_MAX_SENTENCE` tokens so one unpunctuated page is not one CRF sequence.
    English: not after the full stop of an abbreviation or initial ("Mr. Smith").
    ``tokens`` in text order, as `tokenize` gives them.

    The places a sentence may end are found first (end marks by `map`, line breaks by
    `str.find`), then walked in order: no Python step per token."""
    n = len(tokens)
    words = list(map(_TEXT, tokens))
    ends = list(compress(range(n), map(_SENTENCE_END.__contains__, words)))
    if language == "en":
        ends = [i for i in ends if not abbreviation_dot(words, i)]
    breaks = _line_breaks(text, tokens)
    out: list[tuple[int, int]] = []
    first = 0
    for i in sorted({*ends, *breaks}):
        while i - first + 1 > _MAX_SENTENCE:  # a run too long is cut before
            out.append((first, first + _MAX_SENTENCE))
            first += _MAX_SENTENCE
        out.append((first, i + 1))
        first = i + 1
    while n - first >= _MAX_SENTENCE:
        out.append((first, first + _MAX_SENTENCE))
        first += _MAX_SENTENCE
    if first < n:
        out.append((first, n))
    return out


def _line_breaks(text: str, tokens: Sequence[Token]) -> list[int]:
    """The indices of the tokens (but the last) followed by a line break before the next."""
    out: list[int] = []
    n = len(tokens)
    if n < 2:
        return out
    starts = list(map(_START, tokens))
    last = starts[-1]
    at = text.find("\n")
    while 0 <= at < last:
        k = bisect_right(starts, at)  # tokens[k - 1] starts at or before the break
        if k and tokens[k - 1].end <= at:
            out.append(k - 1)
        at = text.find("\n", at + 1)
    return out


_START = itemgetter(0)
_TEXT = itemgetter(2)
