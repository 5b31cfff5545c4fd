"""Gazetteer matching over an article's fields: candidate spans from the automaton,
checked for boundaries, case, clitics, suffixes and context; overlaps resolved by
length, then priority, then type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsflow.entities.forms import (
    FA_SUFFIXES,
    FIELDS,
    SCRIPT_ARAB,
    SCRIPT_CYRL,
    base_language,
    match_form,
)
from newsflow.entities.gazetteer import Gazetteer, Pattern, gazetteer
from newsflow.entities.spans import TYPE_RANK, Span


def _case_ok(surface: str, pat: Pattern) -> bool:
    if not pat.case:
        return True
    if pat.case == "exact":
        letters = [ch for ch in surface if ch.isalpha()]
        alias_letters = [ch for ch in pat.alias if ch.isalpha()]
        n = min(len(letters), len(alias_letters))
        return all(letters[i] == alias_letters[i] for i in range(n))
    words = surface.split()
    alias_words = pat.alias.split()
    if len(words) != len(alias_words):
        return surface[:1].isupper() or not pat.alias[:1].isupper()
    return all(
        w[:1].isupper() or not a[:1].isupper() for w, a in zip(words, alias_words, strict=True)
    )


def _suffix_ok(text: str, norm: str, offsets: list[int], end: int, pat: Pattern) -> bool:
    """A Persian suffix may follow an Arabic-script name: `ایران‌ها`, `آمریکای`."""
    zwnj = offsets[end] > 0 and text[offsets[end] - 1] == "\u200c"
    for suf in FA_SUFFIXES:
        if not norm.startswith(suf, end):
            continue
        after = end + len(suf)
        if after < len(norm) and norm[after].isalnum():
            continue
        if zwnj or (suf == "ي" and pat.vowel_end):
            return True
    return False


@dataclass(slots=True)
class _Candidate:
    start: int  # folded-text span of the whole match (clitics included)
    end: int
    core: int  # folded-text start of the name itself
    pat: Pattern


class _Article:
    """Per-article state: folded fields and the lazily built context text."""

    def __init__(self, fields: Mapping[str, str], language: str | None) -> None:
        self.fields = {
            name: fields.get(name) or "" for name in (*FIELDS, *sorted(set(fields) - set(FIELDS)))
        }
        self.language = base_language(language)
        self.folded: dict[str, tuple[str, list[int]]] = {
            name: match_form(text) for name, text in self.fields.items() if text
        }
        self._context: str | None = None

    def context_has(self, terms: Sequence[str]) -> bool:
        if self._context is None:
            self._context = " ".join(norm for norm, _ in self.folded.values())
        return any(t in self._context for t in terms)


def _field_candidates(gaz: Gazetteer, art: _Article, name: str) -> list[_Candidate]:
    text = art.fields[name]
    norm, offsets = art.folded[name]
    n = len(norm)
    found: list[_Candidate] = []
    for idx, s, e in gaz.find(norm):
        if s > 0 and norm[s - 1].isalnum():
            continue
        right_ok = e >= n or not norm[e].isalnum()
        for pat in gaz.patterns[idx]:
            if pat.only_lang is not None and pat.only_lang != art.language:
                continue
            if not right_ok and not (
                pat.script == SCRIPT_ARAB and _suffix_ok(text, norm, offsets, e, pat)
            ):
                continue
            if pat.context and not art.context_has(pat.context):
                continue
            core = s + pat.skip_core
            surface = text[offsets[core] : offsets[e - 1] + 1]
            if not _case_ok(surface, pat):
                continue
            found.append(_Candidate(s, e, core, pat))
    return found


def _select(cands: list[_Candidate], gaz: Gazetteer) -> list[_Candidate]:
    """Greedy non-overlapping choice: longest name, then priority, type, fewer clitics."""

    def rank(c: _Candidate) -> tuple[int, int, int, int, int]:
        if c.pat.entity < 0:
            return (-(c.end - c.core), 0, -100, -1, c.pat.prefix)
        ent = gaz.entities[c.pat.entity]
        return (
            -(c.end - c.core),
            int(c.pat.weak),
            -ent.priority,
            TYPE_RANK.get(ent.type, 9),
            c.pat.prefix,
        )

    kept: list[_Candidate] = []
    taken = bytearray(max((c.end for c in cands), default=0))
    for c in sorted(cands, key=rank):
        if taken.find(1, c.start, c.end) != -1:
            continue
        kept.append(c)
        taken[c.start : c.end] = b"\x01" * (c.end - c.start)
    return kept


def _to_span(gaz: Gazetteer, art: _Article, name: str, c: _Candidate) -> Span:
    text = art.fields[name]
    norm, offsets = art.folded[name]
    start = offsets[c.core]
    end = offsets[c.end - 1] + 1
    if c.pat.script == SCRIPT_CYRL:  # the stem matched: take the inflected ending too
        while end < len(text) and text[end].isalpha():
            end += 1
    ent = gaz.entities[c.pat.entity]
    return Span(
        field=name,
        start=start,
        end=end,
        text=text[start:end],
        type=ent.type,
        entity=c.pat.entity,
        weak=c.pat.weak,
        source="context" if c.pat.context else "gazetteer",
        key=norm[c.core : c.end],
    )


def gazetteer_spans(fields: Mapping[str, str], language: str | None) -> list[Span]:
    """Every gazetteer mention in the article, weak ones included, before coreference."""
    gaz = gazetteer()
    art = _Article(fields, language)
    per_field: dict[str, list[_Candidate]] = {
        name: _field_candidates(gaz, art, name) for name in art.folded
    }
    # Which entities have a strong mention that survives the overlap choice on its own?
    strong: set[int] = set()
    for cands in per_field.values():
        for c in _select([c for c in cands if not c.pat.weak], gaz):
            if c.pat.entity >= 0:
                strong.add(c.pat.entity)
    spans: list[Span] = []
    for name, cands in per_field.items():
        usable = [c for c in cands if not c.pat.weak or c.pat.entity in strong]
        for c in _select(usable, gaz):
            if c.pat.entity >= 0:
                spans.append(_to_span(gaz, art, name, c))
    return spans
