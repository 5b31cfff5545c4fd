"""Where some lower-case keywords occur in a text, whatever its letter case, in one pass.

Searching a page's text keyword by keyword costs one scan of the whole text per
keyword, plus a lower-cased copy of the text for the case-insensitive ones; an
Aho-Corasick automaton (``ahocorasick-rs``, already used for the gazetteers)
finds every keyword's start in one scan of the original text. The automaton
holds every upper/lower spelling of each keyword's first few characters; each
hit is then checked against the whole keyword, so the result is what
``text.lower().find(keyword)`` finds (in the positions of ``text`` itself).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import ahocorasick_rs

# Characters of a keyword spelled in every case in the automaton (more would
# multiply its patterns by two per cased character).
_PREFIX = 4
# Characters other than a letter's own capital that lower-case into it.
_OTHER_CAPITALS = {"k": ("\u212a",)}  # KELVIN SIGN


def _spellings(ch: str) -> tuple[str, ...]:
    """``ch`` and every single character whose lower case is ``ch``."""
    out = [ch]
    up = ch.upper()
    if len(up) == 1 and up != ch and up.lower() == ch:
        out.append(up)
    out.extend(_OTHER_CAPITALS.get(ch, ()))
    return tuple(out)


class KeywordScan:
    """Case-insensitive starts of fixed lower-case keywords."""

    def __init__(self, keywords: Sequence[str]) -> None:
        self.keywords = tuple(keywords)
        by_prefix: dict[str, list[int]] = {}
        for n, kw in enumerate(self.keywords):
            if not kw or kw != kw.lower():
                raise ValueError(f"keyword {kw!r} is not a non-empty lower-case string")
            by_prefix.setdefault(kw[:_PREFIX], []).append(n)
        patterns: list[str] = []
        self._owners: list[tuple[int, ...]] = []
        for prefix, owners in by_prefix.items():
            for spelling in itertools.product(*map(_spellings, prefix)):
                patterns.append("".join(spelling))
                self._owners.append(tuple(owners))
        self._automaton = ahocorasick_rs.AhoCorasick(patterns)

    def starts(self, text: str) -> list[list[int]]:
        """For each keyword (in the order given), the ascending indexes in ``text``
        where it starts, compared in lower case."""
        found: list[list[int]] = [[] for _ in self.keywords]
        for pattern, start, _end in self._automaton.find_matches_as_indexes(text, overlapping=True):
            for n in self._owners[pattern]:
                kw = self.keywords[n]
                if text.startswith(kw, start) or text[start : start + len(kw)].lower() == kw:
                    found[n].append(start)
        for positions in found:
            positions.sort()
        return found
