"""Arabic span fixes after tagging (issue 10): a conjunction or preposition glued to a
name leaves the span ("بريف دمشق" → "ريف دمشق"), junk spans across function words are
dropped, person spans stop at role nouns, one type per name in an article. Each rule
has its switch in `ner.RULES` (``ar.*``) for the benchmark's ablation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from newsflow.core.normalize import normalize_for_matching
from newsflow.entities.forms import (
    PROCLITICS,
    mention_key,
)
from newsflow.entities.spans import Span
from newsflow.entities.tagger import (
    lexicon,
)
from newsflow.entities.tokens import Token

_MIN_CLITIC_STEM_ZIPF2 = 7  # a stem left by `arabic_proclitic`: Zipf 3.5 or more


_AR_FUNCTION_WORDS = frozenset(
    normalize_for_matching(w)
    for w in [
        "هل",
        "أو",
        "أم",
        "في",
        "من",
        "عن",
        "إلى",
        "قد",
        "لم",
        "لن",
        "ثم",
        "حتى",
        "لكن",
        "بل",
        "الذي",
        "التي",
        "الذين",
        "هو",
        "هي",
    ]
)


# Titles before a name that the corpora leave out of the name (not "الشيخ", "الملك",
# "الإمام", "البابا", "آية": those are part of names there, and of the gazetteer's).
_AR_TITLES = frozenset(
    normalize_for_matching(w)
    for w in [
        "الدكتور",
        "الدكتورة",
        "الرئيس",
        "الرئيسة",
        "الوزير",
        "الوزيرة",
        "السيد",
        "السيدة",
        "المهندس",
        "الأستاذ",
        "المستشار",
        "السفير",
        "اللواء",
        "العميد",
        "العقيد",
        "الفريق",
        "المشير",
        "الجنرال",
        "النائب",
        "الزعيم",
    ]
)


# Role nouns and organisation heads that end a person's name where they follow it
# ("حسام الدين عبد الفتاح عميد كلية الهندسة"); role words that are also surnames
# ("السيد", "الشيخ", "الأمير", "إمام") are left out.
_AR_ROLE_NOUNS = frozenset(
    normalize_for_matching(w)
    for w in [
        "عميد",
        "وزير",
        "الوزير",
        "رئيس",
        "الرئيس",
        "مدير",
        "المدير",
        "نائب",
        "المتحدث",
        "الناطق",
        "سفير",
        "السفير",
        "مبعوث",
        "المبعوث",
        "مستشار",
        "المستشار",
        "مدرب",
        "المدرب",
        "لاعب",
        "اللاعب",
        "محافظ",
        "المحافظ",
        "قائد",
        "القائد",
        "مندوب",
        "المندوب",
        "وزارة",
        "جامعة",
        "كلية",
        "شركة",
        "حزب",
        "منظمة",
        "مجلس",
        "هيئة",
        "وكالة",
        "جمعية",
        "بنك",
        "نادي",
        "مؤسسة",
        "اتحاد",
        "حركة",
        "جبهة",
        "صندوق",
        "مركز",
        "معهد",
        "محكمة",
        "لجنة",
        "جيش",
        "قوات",
        "صحيفة",
    ]
)


def arabic_extent(
    sent: Sequence[Token], a: int, b: int, etype: str, off: frozenset[str]
) -> tuple[int, int] | None:
    """The token range an Arabic tagger span keeps: None for a person or place span of
    three or more tokens with a function word inside (``ar.junk``); a person span without
    a leading title and cut before a role noun or organisation head (``ar.roles``)."""
    norms = [normalize_for_matching(t.text) for t in sent[a:b]]
    if (
        "ar.junk" not in off
        and etype in ("PERSON", "LOC")
        and b - a >= 3
        and any(n in _AR_FUNCTION_WORDS for n in norms[1:])
    ):
        return None
    if "ar.roles" not in off and etype == "PERSON":
        first = 0
        while b - (a + first) > 1 and norms[first] in _AR_TITLES:
            first += 1
        for i in range(first + 1, len(norms)):
            if norms[i] in _AR_ROLE_NOUNS:
                b = a + i
                break
        a += first
    return a, b


def arabic_proclitic(span: Span, text: str) -> Span:
    """A tagger span without the conjunction or preposition glued to its first word when
    what remains is a more frequent word and the whole is no known name ("بريف دمشق" →
    "ريف دمشق", "وجامعة القاهرة" → "جامعة القاهرة"; "كمال", "فيصل" stay whole)."""
    first, sep, rest = span.key.partition(" ")
    if len(first) < 4 or first[0] not in "وفبلك":
        return span
    lex = lexicon()
    if first in lex.given or first in lex.surname:
        return span
    whole = lex.zipf2(first, "ar")
    for pre in PROCLITICS:  # longest first
        stem = first[len(pre) :]
        if not first.startswith(pre) or len(stem) < 3 or stem.startswith("ال"):
            continue  # an article after the clitic is _tagger_span's case
        if lex.zipf2(stem, "ar") > whole and lex.zipf2(stem, "ar") >= _MIN_CLITIC_STEM_ZIPF2:
            pos, seen = span.start, 0
            while pos < span.end and seen < len(pre):  # marks the folding removed
                if mention_key(text[pos]):
                    seen += 1
                pos += 1
            return Span(
                field=span.field,
                start=pos,
                end=span.end,
                text=text[pos : span.end],
                type=span.type,
                source=span.source,
                key=stem + sep + rest,
            )
    return span


def one_type_per_name(spans: list[Span]) -> list[Span]:
    """A name the tagger found carries one type in an article: the type most of its
    mentions have (the first mention's on a tie), so "جامعة القاهرة" is not an
    organisation in one sentence and a place in the next (two entities). Spans the tagger
    gave an extent to count (unlinked, or ``merged``: linked to a gazetteer name they
    overlap); one that changes type loses that link ("جامعة القاهرة" as a place had taken
    Cairo's id). Gazetteer matches keep their table's type."""
    by_key: dict[str, list[Span]] = {}
    for sp in spans:
        if sp.key and (sp.entity is None or sp.source == "merged"):
            by_key.setdefault(sp.key, []).append(sp)
    for group in by_key.values():
        types = Counter(_TYPE_CLASS.get(sp.type, sp.type) for sp in group)
        if len(types) > 1:
            first = min(group, key=lambda sp: (sp.field != "title", sp.start))
            head = _TYPE_CLASS.get(first.type, first.type)
            best = max(types.items(), key=lambda kv: (kv[1], kv[0] == head))[0]
            for sp in group:
                if _TYPE_CLASS.get(sp.type, sp.type) != best:
                    sp.type, sp.entity, sp.source = best, None, "tagger"
    return spans


_TYPE_CLASS = {"GPE": "LOC"}  # a place is one type here, whichever the table gave it
