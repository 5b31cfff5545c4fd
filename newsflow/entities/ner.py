"""The layered entity extractor: gazetteer, statistical tagger, merge rules, coreference.

Why layered: the gazetteer is precise and gives canonical ids but only knows names
someone listed; the CRF tagger finds unseen names but gives no id and sometimes the
wrong extent.  So each layer does what it is good at::

    fields --gazetteer_spans--> linked spans (ids, types)
           --tokens, sentences--> CRF tagger (gazetteer hits as features) --> typed spans
           --merge: curated wins on conflict; a tagger span may widen a linked one of the
             same type, or replace place names inside a longer organisation--> spans
           --document consistency: a name tagged once is tagged everywhere--> spans
           --resolve_spans: alias table, "a later رئيسي joins إبراهيم رئيسي"--> ids
           --build_entities--> one EntityDict per canonical id

A CRF model tags a language when one exists for it (`tagger_languages`; shipped: Arabic,
Persian, English): its own model
(``newsflow/data/tagger-<lang>.crfsuite``, or one a user trained and configured with
NEWSFLOW_TAGGER_MODELS), which then decides extents and types, or a borrowed one
(`BORROWED_MODELS`) that only fills the gazetteer's gaps. Other Latin-script languages
get the capital-letter rules of `newsflow.entities.names_latin`; the rest (Russian…) have
the gazetteer layer alone.
"""

from __future__ import annotations

import functools
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from newsflow.core.types import EntityDict
from newsflow.entities.coref import build_entities, resolve_spans
from newsflow.entities.forms import (
    AR_CONJUNCTIONS,
    AR_PREPOSITIONS,
    PROCLITICS_SHORTEST_FIRST,
    mention_key,
)
from newsflow.entities.gazetteer import gazetteer, gazetteer_version
from newsflow.entities.matching import gazetteer_spans
from newsflow.entities.models import (
    BORROWED_MODELS,
    load_tagger,
    tagger_languages,
    tagger_model,
    trained_languages,
)
from newsflow.entities.names_latin import latin_name_spans
from newsflow.entities.rules_ar import (
    arabic_extent,
    arabic_proclitic,
    one_type_per_name,
)
from newsflow.entities.spans import PRIORITY_COUNTRY, PRIORITY_CURATED, Span
from newsflow.entities.tagger import (
    Tagger,
    iob_to_spans,
    span_iob,
    use_models,
)
from newsflow.entities.tagger_en import organisation_end
from newsflow.entities.tokens import Token, sentences, tokenize

__all__ = [
    "BORROWED_MODELS",
    "NON_LATIN_LANGUAGES",
    "RULES",
    "TEXT_WINDOW_CHARS",
    "Token",
    "entity_spans",
    "extract_entities",
    "extractor_version",
    "fill_gaps",
    "latin_spans",
    "merge_spans",
    "model_spans",
    "sentences",
    "tagger_languages",
    "tagger_model",
    "text_mentions",
    "text_windows",
    "tokenize",
    "trained_languages",
    "warm_up",
]

# How much of each field the tagger reads, by language (the rest: the gazetteer, the
# rules and document consistency). English pages are long (median 843 tokens on the
# corpus pages, mean 1,395) and the enrich budget is 5 ms per article.
TAGGER_CHARS: dict[str, int] = {"en": 6000}
# Languages not written in the Latin alphabet: the capital-letter rules of
# `names_latin` do not apply; every other language gets them (English fully, the rest
# only organisations with a legal-form suffix).
NON_LATIN_LANGUAGES: frozenset[str] = frozenset(
    {
        "ar",
        "fa",
        "ur",
        "ps",
        "ckb",
        "ku",
        "sd",
        "ug",
        "he",
        "yi",
        "ru",
        "uk",
        "be",
        "bg",
        "sr",
        "mk",
        "kk",
        "ky",
        "tg",
        "mn",
        "el",
        "hy",
        "ka",
        "am",
        "zh",
        "ja",
        "ko",
        "th",
        "lo",
        "km",
        "my",
        "hi",
        "mr",
        "ne",
        "bn",
        "pa",
        "gu",
        "ta",
        "te",
        "kn",
        "ml",
        "si",
        "",
    }
)
_FIELD_BREAK = "\n\n"  # between fields read as one text: ends any capitalised run
# The tagger's three types onto the extractor's; GPE vs LOC needs the gazetteer to decide.
_TAG_TYPE = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}
# Types a tagger span may carry when it widens or replaces gazetteer spans.
_PLACE_TYPES = frozenset({"GPE", "LOC"})

_MIN_PROPAGATE = 3  # folded characters a name needs before it is propagated
_MIN_STEM = 2  # folded characters left after clitics are cut from a tagger span
# Persian endings joined by a zero-width non-joiner: plural, ezafe, adjective, indefinite
_PERSIAN_TRAIL = re.compile(r"\u200c(?:های|ها|ای|ی|ایی|اش|شان)$")
# ...and the same endings written without one, in matching spelling, longest first: cut
# from a Persian tagger span only when what remains is a known name
_PERSIAN_SUFFIXES = ("هاي", "ها", "اي", "ي")
_MIN_ARTICLE_STEM = 5  # "ال" + three letters: shorter "وال…" words are whole words


# Bump when the merge, consistency or tokenisation rules here change what comes out.
NER_RULES = 2

# The rules applied after tagging, by name. For measurement only: bench/entities.py
# switches them off one at a time (``off=`` of `text_mentions`, `extract_entities`,
# `entity_spans`, `merge_spans`, `fill_gaps`) to see what each costs or earns; the
# enrich stage never passes ``off``, so by default every rule applies.
RULES: tuple[str, ...] = (
    "merge.blocked",  # merge_spans: a tagger span on a blocked phrase is dropped
    "merge.curated_wins",  # merge_spans: `_curated_wins` keeps the table's name and type
    "merge.split_known",  # merge_spans: a tagger span over two known names gives way to them
    "merge.inside_known",  # merge_spans: a known name inside a gazetteer span stays itself
    "merge.link",  # merge_spans: a tagger span takes the id and type of the one it overlaps
    "merge.drop_long_tail",  # entity_spans: unconfirmed GeoNames places are dropped
    "merge.tagger_decides",  # entity_spans: merge_spans, not fill_gaps, where trained
    "fill.blocked",  # fill_gaps: a tagger span on a blocked phrase is dropped
    "en.rules",  # entity_spans: Latin script: the rules' spans fill the model's gaps
    "model",  # entity_spans: no CRF model at all (Latin script: the rules instead)
    "propagate",  # entity_spans: `_propagate`, a tagger name found at its other occurrences
    "coref",  # entity_spans: `resolve_spans` (alias links, "رئيسي" joins "إبراهيم رئيسي")
    # Arabic span fixes (`_arabic_span`, `one_type_per_name`):
    "ar.proclitic",  # a proclitic before a known word leaves the span ("بريف دمشق"),
    # and `_propagate` finds names behind one ("وبنزيمة")
    "ar.junk",  # a person or place span across a function word is dropped
    "ar.roles",  # a person span stops before a role noun or organisation head
    "ar.curated_contains",  # merge_spans: a curated longer name of another type wins
    "ar.one_type",  # one type per unlinked name in an article
)
_NO_RULES_OFF: frozenset[str] = frozenset()


def _check_off(off: frozenset[str]) -> None:
    unknown = off - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)} (known: {', '.join(RULES)})")


def use_tagger_models(paths: Mapping[str, str | Path]) -> None:
    """Tag these languages with these model files (NEWSFLOW_TAGGER_MODELS); see
    `newsflow.entities.tagger.use_models`."""
    use_models(paths)
    load_tagger.cache_clear()
    extractor_version.cache_clear()


@functools.cache
def extractor_version() -> str:
    """``g<gazetteer>.t<models>.r<rules>``: changes whenever any layer could give other
    entities for the same text (carried by every enriched record). The model part hashes
    every model in use, per language, so a retrained or user-trained model shows."""
    digest = hashlib.sha256()
    for lang in sorted(tagger_languages()):
        found = tagger_model(lang)
        if found is not None:
            digest.update(lang.encode() + b"=" + found[0].read_bytes())
    return f"g{gazetteer_version()}.t{digest.hexdigest()[:8]}.r{NER_RULES}"


def warm_up() -> None:
    """Build (or load) the gazetteer and open the models now, not on the first article."""
    gazetteer()
    for lang in tagger_languages():
        found = tagger_model(lang)
        if found is not None:
            load_tagger(found[0])


def _tagger_spans(
    model: Tagger,
    fields: Mapping[str, str],
    gaz: Sequence[Span],
    language: str,
    rules: Sequence[Span] | None = None,
    off: frozenset[str] = _NO_RULES_OFF,
) -> list[Span]:
    """The tagger's spans over every sentence of every field, decoded in one pass.
    ``rules``: spans of the Latin rules, a second tag channel for the English model.
    Arabic: `arabic_extent` and `arabic_proclitic` (``off``: those `RULES` not applied)."""
    batch: list[list[str]] = []
    batch_gaz: list[list[str]] = []
    batch_rules: list[list[str]] = []
    where: list[tuple[str, str, list[Token]]] = []
    limit = TAGGER_CHARS.get(language)
    for field, text in fields.items():
        tokens = tokenize(text if limit is None else _head(text, limit))
        if not tokens:
            continue
        gaz_tags = span_iob(tokens, [g for g in gaz if g.field == field])
        rule_tags = span_iob(tokens, [r for r in rules or () if r.field == field])
        for first, end in sentences(text, tokens, language):
            batch.append([t.text for t in tokens[first:end]])
            batch_gaz.append(gaz_tags[first:end])
            batch_rules.append(rule_tags[first:end])
            where.append((field, text, tokens[first:end]))
    out: list[Span] = []
    tagged = model.tag_many(batch, language, batch_gaz, batch_rules if rules is not None else None)
    for (field, text, sent), tags in zip(where, tagged, strict=True):
        for kind, a, b in iob_to_spans(tags):
            etype = _TAG_TYPE.get(kind)
            if etype is None:
                continue
            if etype == "ORG" and language == "en":
                legal = organisation_end([t.text for t in sent[a:b]])
                b = a + legal if legal is not None else b
            if language == "ar":
                cut = arabic_extent(sent, a, b, etype, off)
                if cut is None:
                    continue
                a, b = cut
            span = _tagger_span(field, text, sent[a].start, sent[b - 1].end, etype, language)
            if language == "ar" and "ar.proclitic" not in off:
                span = arabic_proclitic(span, text)
            out.append(span)
    return out


def model_spans(
    fields: Mapping[str, str], language: str, model: Tagger | None = None
) -> list[Span]:
    """The CRF layer alone, reading the text as enrich does (its tokens, sentence cuts,
    read limit and, for Latin script, the rules channel): for benchmarks and training.
    ``model``: a model under training instead of the one that tags ``language``."""
    lang = _base(language)
    if model is None:
        found = tagger_model(lang)
        if found is None:
            return []
        model = load_tagger(found[0])
    present = {k: v for k, v in fields.items() if v}
    gaz = gazetteer_spans(present, lang)
    latin = latin_spans(present, lang) if lang not in NON_LATIN_LANGUAGES else None
    return _tagger_spans(model, present, gaz, lang, latin)


def _head(text: str, limit: int) -> str:
    """The text up to ``limit`` characters, cut after its last line break or sentence end
    (else space) before that: the part of a long field the tagger reads."""
    if len(text) <= limit:
        return text
    for pattern in _WINDOW_BREAKS:
        ends = [m.end() for m in pattern.finditer(text, limit // 2, limit)]
        if ends:
            return text[: ends[-1]]
    return text[:limit]


def _unclitic(first: str) -> Iterator[tuple[str, int]]:
    """Readings of a folded first word without its proclitics, the article kept first
    ("بالعراق" → "العراق", then "عراق"; "للعراق" → "العراق"), each with how many of
    its letters the mention leaves out ("للعراق" leaves out "لل" and reads "عراق")."""
    for conj in ("", *AR_CONJUNCTIONS):
        for prep in ("", *AR_PREPOSITIONS):
            pre = conj + prep
            if not pre or not first.startswith(pre):
                continue
            rest = first[len(pre) :]
            if prep == "ل" and rest.startswith("ل"):  # ل + ال is written لل
                yield "ا" + rest, len(pre) + 1
            yield rest, len(pre)


def _tagger_span(
    field: str, text: str, start: int, end: int, etype: str, language: str = ""
) -> Span:
    """A tagger span, its leading clitics dropped when what remains is a known name
    ("وبوتين" → "بوتين"), as gazetteer mentions are (the corpora tag the whole token);
    in Persian also a suffix written without a ZWNJ ("آمریکای" → "آمریکا")."""
    trail = _PERSIAN_TRAIL.search(text, start, end)
    if trail is not None and trail.start() > start:  # "روسیه‌ای": the suffix is no name
        end = trail.start()
    key = mention_key(text[start:end])
    strong = gazetteer().strong_keys
    if language == "fa" and key not in strong:
        for suffix in _PERSIAN_SUFFIXES:
            if key.endswith(suffix) and key[: -len(suffix)] in strong:
                cut = end
                left = len(suffix)
                while cut > start and left:  # marks the folding removed are skipped
                    cut -= 1
                    left -= len(mention_key(text[cut]))
                end, key = cut, key[: -len(suffix)]
                break
    if key not in strong:
        first, sep, rest = key.partition(" ")
        for stem, cut in _unclitic(first):
            known = stem + sep + rest in strong
            # unknown names too: a conjunction or preposition glued to the article
            # ("والشام", "بالقلمون") is never part of a name
            article = stem.startswith("ال") and len(stem) >= _MIN_ARTICLE_STEM
            if (len(stem) >= _MIN_STEM and known) or article:
                pos, seen = start, 0
                while pos < end and seen < cut:  # marks the folding removed are skipped
                    if mention_key(text[pos]):
                        seen += 1
                    pos += 1
                start, key = pos, stem + sep + rest
                break
    return Span(
        field=field,
        start=start,
        end=end,
        text=text[start:end],
        type=etype,
        source="tagger",
        key=key,
    )


def _compatible(tagger_type: str, gaz_type: str) -> bool:
    return tagger_type == gaz_type or (tagger_type in _PLACE_TYPES and gaz_type in _PLACE_TYPES)


def _curated_wins(g: Span, tsp: Span, contains: bool = False) -> bool:
    """Where the tagger's type contradicts the curated table's, the table wins when it
    has evidence the tagger's features do not see: an alias valid only beside its
    context words ("شنغهاي" is the SCO next to "تعاون"/"بريكس"), or a curated name matched
    with exactly the tagger's extent ("الدولة الإسلامية" is the organisation, not a
    place).  Long-tail GeoNames matches never win this way ("قنا" the news agency)."""
    if g.entity is None or g.weak or _compatible(tsp.type, g.type):
        return False
    if gazetteer().entities[g.entity].priority < PRIORITY_CURATED:
        return False
    if g.source == "context" or (g.start == tsp.start and g.end == tsp.end):
        return True
    # the tagger cut a longer curated name into pieces ("الدولة الإسلامية" and "الشام"
    # of "الدولة الإسلامية في العراق والشام"): the whole name wins
    return contains and g.start <= tsp.start and tsp.end <= g.end and len(g.key) > len(tsp.key)


def merge_spans(
    gaz: Sequence[Span],
    tagged: Sequence[Span],
    *,
    keep: int = 0,
    off: frozenset[str] = _NO_RULES_OFF,
) -> list[Span]:
    """One non-overlapping span list from the two layers: the tagger decides extents and
    types where it spoke, the gazetteer links and fills in where it was silent.

    Why this way round: the tagger was trained with the gazetteer's matches as features,
    so it has already learnt when a match is a name in context ("الملك عبدالله الثاني" is
    a title and a name; "قنا" here is a news agency, not the city).  The layered row of
    bench/entities.py measures the result against the tagger and the gazetteer alone.

    For each tagger span against the gazetteer spans it overlaps: none → kept, unlinked;
    one of a compatible type → the tagger's extent with the gazetteer's id and fine type
    (GPE vs LOC), unless the tagger span lies inside it and is a known name itself;
    several known ones → the gazetteer's (the tagger ran a coordination together); a
    curated name of another type matched in context or with the same extent → the
    gazetteer's (`_curated_wins`); otherwise → the tagger span unlinked (the alias table
    may still link it in `resolve_spans`), the gazetteer spans dropped.
    Gazetteer spans no tagger span touches are kept when their source priority is at
    least `keep` (`PRIORITY_COUNTRY`: curated names and countries, not the long tail of
    GeoNames places, whose one-word names collide with common words: "وجيزة", "لولا").
    ``off``: `RULES` named ``merge.*`` not applied (measurement only).
    """
    _check_off(off)
    by_field: dict[str, list[Span]] = {}
    for sp in gaz:
        by_field.setdefault(sp.field, []).append(sp)
    ends: dict[str, list[int]] = {}
    for field, spans in by_field.items():  # a field's gazetteer spans do not overlap
        spans.sort(key=lambda g: g.start)
        ends[field] = [g.end for g in spans]
    dropped: set[int] = set()
    out: list[Span] = []
    gaz_index = gazetteer()
    for tsp in tagged:
        if tsp.key in gaz_index.blocked and "merge.blocked" not in off:
            continue  # "فيروس كورونا": never a name, whatever the tagger thought
        field_spans = by_field.get(tsp.field, [])
        hits = []
        for g in field_spans[bisect_right(ends.get(tsp.field, []), tsp.start) :]:
            if g.start >= tsp.end:
                break
            hits.append(g)
        if (
            len(hits) == 1
            and "merge.curated_wins" not in off
            and _curated_wins(hits[0], tsp, "ar.curated_contains" not in off)
        ):
            continue
        known = sum(not g.weak and g.entity is not None for g in hits)
        if known > 1 and "merge.split_known" not in off:
            continue  # "منظمة شنغهاي للتعاون وبريكس": two known names the tagger ran together
        dropped.update(id(g) for g in hits)
        if len(hits) == 1:
            g = hits[0]
            # a context alias with the tagger's very extent is no name inside a match: the
            # table chose it by its context ("شانگهای" beside "بریکس" is the SCO), which the
            # bare key resolve_spans would link later does not know (the city)
            by_context = g.source == "context" and (g.start, g.end) == (tsp.start, tsp.end)
            inside = g.start <= tsp.start and tsp.end <= g.end and not by_context
            if inside and tsp.key in gazetteer().strong_keys and "merge.inside_known" not in off:
                pass  # a name of its own ("الأمم المتحدة" in "الجمعية العامة للأمم المتحدة")
            elif _compatible(tsp.type, g.type) and "merge.link" not in off:
                tsp = Span(
                    field=tsp.field,
                    start=tsp.start,
                    end=tsp.end,
                    text=tsp.text,
                    type=g.type,
                    entity=g.entity,
                    source="merged",
                    key=tsp.key,
                )
        out.append(tsp)
    entities = gazetteer().entities
    out.extend(
        g
        for g in gaz
        if id(g) not in dropped and g.entity is not None and entities[g.entity].priority >= keep
    )
    return out


def fill_gaps(
    gaz: Sequence[Span], tagged: Sequence[Span], *, off: frozenset[str] = _NO_RULES_OFF
) -> list[Span]:
    """Every gazetteer span, plus the tagger spans that touch none: for a language the
    model was not trained on, its extents and types are less reliable than the table's
    (Persian: "ولادیمیر" alone where the table has "ولادیمیر پوتین"). ``off``:
    ``"fill.blocked"`` keeps tagger spans on blocked phrases (measurement only)."""
    _check_off(off)
    taken: dict[str, list[tuple[int, int]]] = {}
    for g in gaz:
        taken.setdefault(g.field, []).append((g.start, g.end))
    blocked = gazetteer().blocked
    coverage = {field: _Coverage(spans) for field, spans in taken.items()}
    out = list(gaz)
    for t in tagged:
        if t.key in blocked and "fill.blocked" not in off:
            continue
        covered = coverage.get(t.field)
        if covered is None or not covered.overlaps(t.start, t.end):
            out.append(t)
    return out


class _Coverage:
    """Which ranges a set of (start, end) spans covers, asked in O(log n): spans sorted
    by start, with the running maximum of their ends (a linear scan per question made
    `_propagate` quadratic on long texts: 30 s of 36 on 1.2 M Arabic characters)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [a for a, _ in ordered]
        self._max_end: list[int] = []
        top = -1
        for _, b in ordered:
            top = max(top, b)
            self._max_end.append(top)

    def overlaps(self, start: int, end: int) -> bool:
        """True when some span (a, b) has a < end and start < b."""
        k = bisect_left(self._starts, end)  # the spans with a < end
        return k > 0 and self._max_end[k - 1] > start


def _propagate(
    fields: Mapping[str, str], spans: list[Span], proclitics: bool = False
) -> list[Span]:
    """Document consistency: a tagger name found once is found at every other whole-token
    occurrence in the article that no span covers yet (taggers miss repeats in
    sentences with weaker context; a reader would not). ``proclitics`` (Arabic): also
    behind a conjunction or preposition glued to it ("وبنزيمة"), which stays outside
    the span."""
    names: dict[str, str] = {}
    for sp in spans:
        if sp.source == "tagger" and len(sp.key) >= _MIN_PROPAGATE:
            names.setdefault(sp.text, sp.type)
    if not names:
        return spans
    occupied: dict[str, list[tuple[int, int]]] = {}
    for sp in spans:
        occupied.setdefault(sp.field, []).append((sp.start, sp.end))
    order = sorted(names, key=len, reverse=True)  # longest first, as an alternation
    glued = PROCLITICS_SHORTEST_FIRST if proclitics else ()
    extra: list[Span] = []
    for field, text in fields.items():
        covered = _Coverage(occupied.get(field, []))
        for s, e, name in _name_matches(text, order, glued):
            # matches do not overlap each other, so only the spans found before count
            if covered.overlaps(s, e):
                continue
            extra.append(
                Span(
                    field=field,
                    start=s,
                    end=e,
                    text=name,
                    type=names[name],
                    source="propagated",
                    key=mention_key(name),
                )
            )
    return spans + extra


def _name_matches(
    text: str, names: Sequence[str], proclitics: Sequence[str]
) -> list[tuple[int, int, str]]:
    """``(start, end, name)`` of each name where it stands as a whole token, perhaps
    behind one of ``proclitics`` (which stays outside): what ``re.finditer`` gives for
    ``(?<![\\w\u200c])(?:proclitics)?(names)(?![\\w\u200c])``, the alternatives tried in
    the order given, non-overlapping, left to right.

    Found with `str.find` instead: the expression differs for every article, and
    compiling it cost more than the search (re's parser is Python)."""
    n = len(text)
    found: list[tuple[int, int, int, int, str]] = []  # match start, preference, name
    for rank, name in enumerate(names):
        size = len(name)
        start = text.find(name)
        while start != -1:
            end = start + size
            if end == n or not _joins(text[end]):
                for pref, clitic in enumerate(proclitics):
                    at = start - len(clitic)
                    if text.startswith(clitic, at) and at >= 0 and _free_before(text, at):
                        found.append((at, pref, rank, start, name))
                if _free_before(text, start):
                    found.append((start, len(proclitics), rank, start, name))
            start = text.find(name, start + 1)
    out: list[tuple[int, int, str]] = []
    pos = 0
    for at, _, _, start, name in sorted(found):
        if at >= pos:  # the first match from here, its preferred reading
            out.append((start, start + len(name), name))
            pos = start + len(name)
    return out


def _joins(ch: str) -> bool:
    """A character that continues a token: ``[\\w\u200c]`` (a ZWNJ joins Persian
    compounds)."""
    return ch.isalnum() or ch == "_" or ch == "\u200c"


def _free_before(text: str, pos: int) -> bool:
    return pos == 0 or not _joins(text[pos - 1])


# What the tagger's spans get wrong in classes a rule can fix: a preposition or
# conjunction left in front of a name ("بريف دمشق"), spans run across function words
# ("البلاد أم بمصير البشير ام"), a person's title or the role after the name kept in the
# span, and one name typed two ways in one article (two entities instead of one). Each
# has a switch in `RULES` so bench/entities.py measures what it earns or costs.


def latin_spans(fields: Mapping[str, str], language: str) -> list[Span]:
    """`latin_name_spans` over the article's fields read as one text (so a surname in the
    headline meets the full name in the body), split back into per-field spans."""
    parts: list[tuple[str, int, int]] = []
    chunks: list[str] = []
    pos = 0
    for field, text in fields.items():
        if text:
            parts.append((field, pos, pos + len(text)))
            chunks.append(text)
            pos += len(text) + len(_FIELD_BREAK)
    joined = _FIELD_BREAK.join(chunks)
    out: list[Span] = []
    for etype, start, end in latin_name_spans(joined, language):
        for field, a, b in parts:
            if a <= start and end <= b:
                surface = joined[start:end]
                out.append(
                    Span(
                        field=field,
                        start=start - a,
                        end=end - a,
                        text=surface,
                        type=etype,
                        source="tagger",
                        key=mention_key(surface),
                    )
                )
                break
    return out


def _base(language: str | None) -> str:
    return (language or "").replace("_", "-").split("-")[0].lower()


def _positions_only(spans: Sequence[Span]) -> list[Span]:
    """`resolve_spans` without its linking (the ``coref`` ablation): one span per
    position, a linked one if any; unlinked spans stay unlinked."""
    by_position: dict[tuple[str, int, int], Span] = {}
    for sp in spans:
        held = by_position.get((sp.field, sp.start, sp.end))
        if held is None or (held.entity is None and sp.entity is not None):
            by_position[(sp.field, sp.start, sp.end)] = sp
    for sp in by_position.values():
        sp.key = sp.key or mention_key(sp.text)
    return list(by_position.values())


def entity_spans(
    fields: Mapping[str, str],
    language: str | None,
    *,
    tagger: bool = True,
    off: frozenset[str] = _NO_RULES_OFF,
) -> list[Span]:
    """Every mention of the article from all layers, linked where possible (`resolve_spans`
    has run), before grouping into entities.  `tagger=False` is the gazetteer alone;
    ``off`` names `RULES` not to apply (measurement only)."""
    _check_off(off)
    resolve = _positions_only if "coref" in off else resolve_spans
    gaz = gazetteer_spans(fields, language)
    lang = _base(language)
    present = {k: v for k, v in fields.items() if v}
    found = tagger_model(lang) if tagger and lang and "model" not in off else None
    if found is not None:
        model, own = found
        # Latin-script text: the rules' spans are a second channel the model reads
        latin = latin_spans(present, lang) if lang not in NON_LATIN_LANGUAGES else None
        tagged = _tagger_spans(load_tagger(model), present, gaz, lang, latin, off)
        # the model saw the gazetteer's matches: where it said "no name", believe it
        # for the long tail of places
        if own and "merge.tagger_decides" not in off:
            keep = 0 if "merge.drop_long_tail" in off else PRIORITY_COUNTRY
            merged = merge_spans(gaz, tagged, keep=keep, off=off)
        else:  # a model trained on another language: it only fills the gazetteer's gaps
            merged = fill_gaps(gaz, tagged, off=off)
        if latin is not None and "en.rules" not in off:
            # where the model said nothing (it saw the rules' spans), the rules may still
            # speak: they read the whole article (a surname after the full name)
            merged = fill_gaps(merged, latin, off=off)
        ar = lang == "ar" and "ar.proclitic" not in off
        spans = merged if "propagate" in off else _propagate(present, merged, ar)
        if lang == "ar" and "ar.one_type" not in off:
            spans = one_type_per_name(spans)
        return resolve(spans)
    if tagger and lang and lang not in NON_LATIN_LANGUAGES:
        # rules, not a model: they never saw the gazetteer, so its matches all stay
        merged = merge_spans(gaz, latin_spans(present, lang), off=off)
        return resolve(merged)
    return resolve(gaz)


def extract_entities(
    fields: Mapping[str, str],
    language: str | None,
    *,
    tagger: bool = True,
    off: frozenset[str] = _NO_RULES_OFF,
) -> list[EntityDict]:
    """Entities of one article, one record per canonical id, most salient first.

    `fields` maps "title"/"lead"/"body" to the original text; mention offsets index that
    text (end exclusive), so `fields[m["field"]][m["start"]:m["end"]] == m["text"]`.
    ``off``: `RULES` not to apply (measurement only).
    """
    return build_entities(entity_spans(fields, language, tagger=tagger, off=off), language)


# Longest text read as one document by `text_mentions`; a longer one is read in windows
# of at most this many characters (enrich's MAX_ENRICH_CHARS, measured the same way:
# about a second and 100 MB per window of Arabic, the slowest language).
TEXT_WINDOW_CHARS = 200_000
_WINDOW_BREAKS = (re.compile(r"\n\s*"), re.compile(r"[.!?؟۔]\s+"), re.compile(r"\s+"))


def text_windows(text: str, size: int = TEXT_WINDOW_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, window)`` pieces of ``text`` of at most ``size`` characters that join
    back into it: cut after the last line break in the second half of a window, else
    after the last sentence end, else at the last whitespace, else at ``size`` (names do
    not cross line breaks, so the first cut splits none). A text of at most ``size``
    characters is one window."""
    start = 0
    while len(text) - start > size:
        cut = start + size
        for pattern in _WINDOW_BREAKS:
            ends = [m.end() for m in pattern.finditer(text, start + size // 2, start + size)]
            if ends:
                cut = ends[-1]
                break
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def text_mentions(
    text: str,
    language: str | None,
    *,
    tagger: bool = True,
    off: frozenset[str] = _NO_RULES_OFF,
) -> list[dict[str, Any]]:
    """Every mention in one plain text as ``{"start", "end", "type", "id", "text"}``
    (offsets into ``text``, end exclusive), in text order: the ``newsflow entities``
    contract, so anyone can score the extractor against their own gold spans.

    A text longer than `TEXT_WINDOW_CHARS` is read in windows (`text_windows`), so time
    stays linear and memory bounded (5 MB of Arabic in one piece took 95 s and 730 MB);
    document consistency and coreference then work within each window. ``off``: `RULES`
    not to apply (measurement only)."""
    out: list[dict[str, Any]] = []
    for offset, window in text_windows(text, TEXT_WINDOW_CHARS):
        for ent in extract_entities({"body": window}, language, tagger=tagger, off=off):
            for m in ent["mentions"]:
                out.append(
                    {
                        "start": m["start"] + offset,
                        "end": m["end"] + offset,
                        "type": ent["type"],
                        "id": ent["id"],
                        "text": m["text"],
                    }
                )
    out.sort(key=lambda m: (m["start"], m["end"]))
    return out
