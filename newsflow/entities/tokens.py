"""How the entity layers cut text: tokens (words and single punctuation marks, clitics
left attached, as the training corpora do) by offsets into the original, and sentences
(cut after end punctuation, at line breaks, and every 80 tokens).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    English: not after the full stop of an abbreviation or initial ("Mr. Smith")."""
    out: list[tuple[int, int]] = []
    first = 0
    words = [t.text for t in tokens] if language == "en" else None
    for i, tok in enumerate(tokens):
        cut = tok.text in _SENTENCE_END or i - first + 1 >= _MAX_SENTENCE
        if cut and words is not None and i - first + 1 < _MAX_SENTENCE:
            cut = not abbreviation_dot(words, i)
        if not cut and i + 1 < len(tokens):
            cut = "\n" in text[tok.end : tokens[i + 1].start]
        if cut:
            out.append((first, i + 1))
            first = i + 1
    if first < len(tokens):
        out.append((first, len(tokens)))
    return out
