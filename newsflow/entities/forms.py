"""How names are compared: the folded matching form of a text with offsets back into
the original, script detection, Russian stems, and the proclitics and suffixes a name
may carry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import ModuleType

from newsflow.core.normalize import normalize_for_matching, normalize_with_offsets


def _compiled_textscan() -> ModuleType | None:
    """The C loops of ``newsflow.entities._textscan`` when the optional extension was
    built, else None (the Python code here and in `tokens` then, same results)."""
    try:
        from newsflow.entities import _textscan
    except ImportError:
        return None
    return _textscan


TEXTSCAN = _compiled_textscan()

FIELDS: tuple[str, ...] = ("title", "lead", "body")


ENTITY_TYPES: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC")


LANGUAGES: tuple[str, ...] = ("ar", "fa", "en", "ru")


# Arabic proclitics, described once for every layer (gazetteer variants, tagger
# features, tagger spans, keywords): a conjunction (و ف) may come first, then a
# preposition (ب ل ك), then the article (ال), all written onto the next word; ل + ال is
# written لل. In the folded alphabet, since every layer strips them from folded text.
AR_CONJUNCTIONS: tuple[str, ...] = ("و", "ف")
AR_PREPOSITIONS: tuple[str, ...] = ("ب", "ل", "ك")
AR_ARTICLE = "ال"


def _longest_first(forms: set[str]) -> tuple[str, ...]:
    """Longest first, so "وبال" is tried before "و"; ties in a fixed order."""
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


# Conjunction and/or preposition, no article: "و", "ب", "وب", "فل"...
PROCLITICS: tuple[str, ...] = _longest_first(
    {c + p for c in ("", *AR_CONJUNCTIONS) for p in ("", *AR_PREPOSITIONS)} - {""}
)
# The article with what may precede it: "ال", "وال", "بال", "وبال", "لل", "ولل"... (the
# uncontracted "لال" too, which pages rarely write and which costs nothing to try).
ARTICLE_PROCLITICS: tuple[str, ...] = _longest_first(
    {c + p + AR_ARTICLE for c in ("", *AR_CONJUNCTIONS) for p in ("", *AR_PREPOSITIONS)}
    | {c + "لل" for c in ("", *AR_CONJUNCTIONS)}
)
# Every proclitic sequence, with or without the article.
ALL_PROCLITICS: tuple[str, ...] = _longest_first(set(PROCLITICS) | set(ARTICLE_PROCLITICS))
# The order a conjunction and/or preposition before a name is tried in: the shorter
# first, so a name that itself starts with a preposition's letter keeps it.
PROCLITICS_SHORTEST_FIRST: tuple[str, ...] = tuple(sorted(PROCLITICS, key=len))


# Persian suffixes after a name: plural, ezafe / indefinite yeh.
FA_SUFFIXES = ("هاي", "ها", "اي", "ي")


VOWEL_ENDINGS = ("ا", "و", "ه")


# Endings stripped from Russian words on both sides so inflected forms meet their alias.
_RU_ENDINGS = tuple(
    sorted(
        [
            "ями",
            "ами",
            "иями",
            "ией",
            "ого",
            "его",
            "ому",
            "ему",
            "ыми",
            "ими",
            "ия",
            "ии",
            "ию",
            "ие",
            "ий",
            "ей",
            "ой",
            "ый",
            "ом",
            "ем",
            "ам",
            "ям",
            "ах",
            "ях",
            "ов",
            "ев",
            "ую",
            "юю",
            "ая",
            "яя",
            "ое",
            "ее",
            "ые",
            "ых",
            "их",
            "ым",
            "им",
            "а",
            "я",
            "о",
            "е",
            "и",
            "ы",
            "у",
            "ю",
            "ь",
            "й",
        ],
        key=len,
        reverse=True,
    )
)


_EXTRA_FOLD: dict[str, str] = {"ё": "е", "’": "'", "‘": "'", "ʼ": "'", "\u00a0": " "}


_REWRITE_RE = re.compile(r"\s{2,}|[\t\n\r\f\v]|[а-яё]+")


_CYRILLIC_RE = re.compile(r"[а-яё]")


ACRONYM_MAX = 6


# Last words of a multi-word person name that must not become a coreference alias.
SURNAME_STOP = frozenset(
    normalize_for_matching(w)
    for w in [
        "الله",
        "الدين",
        "بن",
        "ابن",
        "أبو",
        "ابو",
        "آل",
        "ال",
        "الثاني",
        "الثالث",
        "السادس",
        "ثاني",
        "عشر",
        "الرابع",
        "زاده",
        "bin",
        "ibn",
        "al",
        "el",
        "von",
        "der",
        "de",
        "da",
        "II",
        "III",
        "VI",
        "Jr",
        "Sr",
    ]
)


SCRIPT_ARAB = "arab"


SCRIPT_LATN = "latn"


SCRIPT_CYRL = "cyrl"


_SCRIPT_OTHER = "other"


def script_of(text: str) -> str:
    for ch in text:
        cp = ord(ch)
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            return SCRIPT_ARAB
        if 0x0400 <= cp <= 0x04FF:
            return SCRIPT_CYRL
        if ch.isalpha() and cp < 0x0250:
            return SCRIPT_LATN
    return _SCRIPT_OTHER


@functools.lru_cache(maxsize=65536)
def _ru_stem(word: str) -> str:
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


_fold: Callable[[str], tuple[str, list[int]]] = (
    normalize_with_offsets if TEXTSCAN is None else TEXTSCAN.fold_offsets
)


@functools.lru_cache(maxsize=64)
def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize_with_offsets`, cached for the few fields of the article in hand.

    The entity, category and keyword stages all fold the same fields; callers must
    not mutate the returned list.
    """
    return _fold(text)


def match_form(text: str, *, fold_cache: bool = True) -> tuple[str, list[int]]:
    """Fold `text` for gazetteer matching and map each folded character to the original.

    On top of `normalize_with_offsets`: `ё`→`е`, typographic apostrophes, whitespace runs
    collapsed to one space, and Russian words cut to a crude stem so that `Путина`,
    `Путину` meet `Путин`. `offsets` has one extra entry, as in `normalize_with_offsets`.
    """
    norm, offsets = fold_with_offsets(text) if fold_cache else _fold(text)
    if TEXTSCAN is not None:
        rewritten: tuple[str, list[int]] = TEXTSCAN.match_rewrite(
            norm, offsets, _EXTRA_FOLD, _ru_stem
        )
        return rewritten
    return match_rewrite_python(norm, offsets)


def match_rewrite_python(norm: str, offsets: list[int]) -> tuple[str, list[int]]:
    """What `match_form` adds to the folding, in Python (``_textscan.match_rewrite`` is
    the same in C)."""
    # One replace per character present, not `str.translate`: translating looks up a
    # table entry per character of any non-ASCII text (a quarter of the cost of this
    # function on the corpus pages), while most texts hold none or one of these.
    for old, new in _EXTRA_FOLD.items():
        if old in norm:
            norm = norm.replace(old, new)
    if not _REWRITE_RE.search(norm):
        return norm, list(offsets)
    parts: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for m in _REWRITE_RE.finditer(norm):
        s, e = m.span()
        parts.append(norm[last:s])
        new_offsets.extend(offsets[last:s])
        token = m.group()
        if token[0].isspace():
            parts.append(" ")
            new_offsets.append(offsets[s])
        else:
            stem = _ru_stem(token)
            parts.append(stem)
            new_offsets.extend(offsets[s : s + len(stem)])
        last = e
    parts.append(norm[last:])
    new_offsets.extend(offsets[last:])
    return "".join(parts), new_offsets


@functools.lru_cache(maxsize=65536)
def mention_key(text: str) -> str:
    """The folded form mentions are compared by, across layers (gazetteer, tagger).

    Cached on its own: going through the small cache of whole fields would evict the
    article's fields that categories and keywords fold next."""
    return match_form(text, fold_cache=False)[0].strip()


def base_language(language: str | None) -> str | None:
    """The language without its region ("fa-IR" → "fa"), None when unknown."""
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None
