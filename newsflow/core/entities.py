"""Multilingual entity extraction, first layer: gazetteer matching and coreference.

The pipeline for one article is::

    field text --_MatchText--> folded text + offsets into the original
               --Aho-Corasick over every alias form--> candidate spans
               --boundary / case / clitic / suffix / context checks--> valid spans
               --overlaps: longest, then priority, then type--> kept spans
               --weak aliases kept only next to a strong mention--> coreference
               --> one EntityDict per canonical id

Spans are plain `Span` records with an optional entity, so a statistical tagger (the next
layer) can add its own typed spans: `resolve_spans` links an unlinked span to an entity
already found in the article when its words end one of that entity's mentions (a later
"Putin" joins "Vladimir Putin"), or gives it an `nf:` id of its own.

Gazetteer sources, merged by id, highest priority first: the curated table
`newsflow/data/aliases.json`, country names from CLDR through babel (`iso:XX`), and cities
and continents from GeoNames (`newsflow/data/places.json`, `geonames:<id>`). It is built on
first use and kept in memory; nothing is read at import time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick_rs
import babel

from newsflow.core.normalize import normalize_for_matching, normalize_with_offsets
from newsflow.core.types import EntityDict, MentionDict

log = logging.getLogger(__name__)

FIELDS: tuple[str, ...] = ("title", "lead", "body")
ENTITY_TYPES: tuple[str, ...] = ("PERSON", "ORG", "GPE", "LOC")
LANGUAGES: tuple[str, ...] = ("ar", "fa", "en", "ru")

# Ties between spans of equal length: a country beats an organisation beats a person beats
# a city (e.g. "Georgia", "Jordan").
_TYPE_RANK = {"BLOCK": -1, "GPE": 0, "ORG": 1, "PERSON": 2, "LOC": 3}
PRIORITY_CURATED, PRIORITY_COUNTRY, PRIORITY_PLACE = 3, 2, 1
_FIELD_WEIGHT = {"title": 3.0, "lead": 2.0, "body": 1.0}

# Arabic proclitics (conjunctions, prepositions) that attach to the next word.
_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "فك")
# Persian suffixes after a name: plural, ezafe / indefinite yeh.
_FA_SUFFIXES = ("هاي", "ها", "اي", "ي")
_VOWEL_ENDINGS = ("ا", "و", "ه")
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
_EXTRA_FOLD = str.maketrans({"ё": "е", "’": "'", "‘": "'", "ʼ": "'", "\u00a0": " "})
_REWRITE_RE = re.compile(r"\s{2,}|[\t\n\r\f\v]|[а-яё]+")
_CYRILLIC_RE = re.compile(r"[а-яё]")
_ACRONYM_MAX = 6

# Last words of a multi-word person name that must not become a coreference alias.
_SURNAME_STOP = frozenset(
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

_SCRIPT_ARAB = "arab"
_SCRIPT_LATN = "latn"
_SCRIPT_CYRL = "cyrl"
_SCRIPT_OTHER = "other"


def _script_of(text: str) -> str:
    for ch in text:
        cp = ord(ch)
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
            return _SCRIPT_ARAB
        if 0x0400 <= cp <= 0x04FF:
            return _SCRIPT_CYRL
        if ch.isalpha() and cp < 0x0250:
            return _SCRIPT_LATN
    return _SCRIPT_OTHER


@functools.lru_cache(maxsize=65536)
def _ru_stem(word: str) -> str:
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@functools.lru_cache(maxsize=64)
def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`normalize_with_offsets`, cached for the few fields of the article in hand.

    The entity, category and keyword stages all fold the same fields; callers must
    not mutate the returned list.
    """
    return normalize_with_offsets(text)


def match_form(text: str, *, fold_cache: bool = True) -> tuple[str, list[int]]:
    """Fold `text` for gazetteer matching and map each folded character to the original.

    On top of `normalize_with_offsets`: `ё`→`е`, typographic apostrophes, whitespace runs
    collapsed to one space, and Russian words cut to a crude stem so that `Путина`,
    `Путину` meet `Путин`. `offsets` has one extra entry, as in `normalize_with_offsets`.
    """
    norm, offsets = fold_with_offsets(text) if fold_cache else normalize_with_offsets(text)
    norm = norm.translate(_EXTRA_FOLD)
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


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """One canonical entity of the gazetteer."""

    id: str
    type: str
    names: Mapping[str, tuple[str, ...]]  # display names per language, preferred first
    name_en: str | None
    priority: int
    categories: tuple[str, ...] = ()


class _Pattern(NamedTuple):
    """How one alias form matches (a tuple: tens of thousands are built and cached)."""

    entity: int  # index into Gazetteer.entities; -1 for a blocker
    weak: bool
    prefix: int  # clitic characters before the name in the folded text
    skip_core: int  # folded chars of the match that the mention leaves out (prefix)
    script: str
    case: str  # "" (none), "title" (capitalised words), "exact" (acronym)
    alias: str  # the alias as written, for the case check
    vowel_end: bool
    only_lang: str | None
    context: tuple[str, ...]


@dataclass(slots=True)
class Span:
    """A mention candidate: from the gazetteer, or (later) from a statistical tagger."""

    field: str
    start: int  # offsets into the original field text, end exclusive
    end: int
    text: str
    type: str
    entity: int | None = None  # gazetteer index, None when not linked
    weak: bool = False
    # "gazetteer"; "context" (an alias that counts only beside its context words);
    # "tagger", "merged" (tagger extent, gazetteer id), "propagated" (a repeat of a tagged name)
    source: str = "gazetteer"
    key: str = ""  # folded surface, for coreference


@dataclass
class Gazetteer:
    """Entities plus one Aho–Corasick automaton over every folded alias form."""

    entities: list[EntityRecord]
    keys: list[str]
    patterns: list[tuple[_Pattern, ...]]
    automaton: ahocorasick_rs.AhoCorasick
    strong_keys: dict[str, int] = field(default_factory=dict)  # folded alias -> entity
    blocked: frozenset[str] = frozenset()  # folded phrases that are never a name ("never")

    def find(self, norm: str) -> list[tuple[int, int, int]]:
        """All (pattern index, start, end) occurrences, overlapping ones included."""
        return self.automaton.find_matches_as_indexes(norm, overlapping=True)


# ---------------------------------------------------------------------------------------
# Building the gazetteer


def _read_data(name: str) -> Any:
    ref = resources.files("newsflow").joinpath("data", name)
    return json.loads(ref.read_text(encoding="utf-8"))


_CLDR_EXCLUDE = frozenset(
    ["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "CQ"]
)
# CLDR names that are also common words once folded (Arabic "مالي" financial, "بنين" sons…);
# the curated table adds safer long forms.
_CLDR_DROP = {
    "ar": {"مالي", "بنين", "عمان", "توغو"},
    "fa": {"مالی", "عمان", "بنین"},
    "en": {"Jersey", "Chad", "Guernsey"},
    "ru": {"Того", "Джерси"},
}


def _cldr_countries() -> list[dict[str, Any]]:
    from babel import Locale  # heavy import, only on first use

    by_code: dict[str, dict[str, list[str]]] = {}
    for lang in LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) != 2 or not code.isalpha() or code in _CLDR_EXCLUDE:
                continue
            variants = [name]
            if "(" in name:
                head, _, rest = name.partition("(")
                variants = [head.strip(), rest.rstrip(")").strip(), name]
            kept = [v for v in variants if v and v not in _CLDR_DROP.get(lang, ())]
            if lang == "fa":
                # Persian "-یه" folds onto the Arabic feminine adjective "-ية" (روسیه ~ روسية
                # "Russian"): such names count only in Persian articles.
                kept = [f"!{v}" if mention_key(v).endswith("يه") else v for v in kept]
            if kept:
                by_code.setdefault(code, {})[lang] = kept
    return [
        {"id": f"iso:{code}", "type": "GPE", "names": names}
        for code, names in sorted(by_code.items())
    ]


def _merge_sources() -> tuple[list[dict[str, Any]], dict[str, list[str]], dict[str, list[str]]]:
    aliases = _read_data("aliases.json")
    # CLDR first so that a country's display name is its CLDR name; priority is the
    # highest of the sources that mention the id.
    sources: list[tuple[int, list[dict[str, Any]]]] = [
        (PRIORITY_COUNTRY, _cldr_countries()),
        (PRIORITY_CURATED, aliases["entities"]),
        (PRIORITY_PLACE, _read_data("places.json")),
    ]
    merged: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for priority, entries in sources:
        for raw in entries:
            eid = raw["id"]
            if eid not in merged:
                merged[eid] = {
                    "id": eid,
                    "type": raw["type"],
                    "names": {},
                    "priority": priority,
                    "categories": list(raw.get("categories", ())),
                    "noweak": bool(raw.get("noweak")),
                    "replace": bool(raw.get("replace")),
                    "context": list(raw.get("context", ())),
                    "ctx_names": set(),
                }
                order.append(eid)
            target = merged[eid]
            if target["replace"] and priority < target["priority"]:
                continue
            target["priority"] = max(target["priority"], priority)
            target["replace"] = target["replace"] or bool(raw.get("replace"))
            target["noweak"] = target["noweak"] or bool(raw.get("noweak"))
            for lang, names in raw["names"].items():
                bucket = target["names"].setdefault(lang, [])
                for name in names:
                    if name not in bucket:
                        bucket.append(name)
                    if raw.get("context"):
                        target["ctx_names"].add(name)
            for cat in raw.get("categories", ()):
                if cat not in target["categories"]:
                    target["categories"].append(cat)
            if raw.get("context") and not target["context"]:
                target["context"] = list(raw["context"])
    return [merged[eid] for eid in order], aliases.get("block", {}), aliases.get("never", {})


def _case_rule(alias: str, script: str) -> str:
    if script not in (_SCRIPT_LATN, _SCRIPT_CYRL):
        return ""
    letters = [ch for ch in alias if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) <= _ACRONYM_MAX:
        return "exact"
    return "title" if any(ch.isupper() for ch in letters) else ""


def _clitic_variants(key: str, allow_article: bool) -> list[tuple[str, int, int]]:
    """(folded form, prefix length, chars of the match left out of the mention)."""
    out: list[tuple[str, int, int]] = []
    if key.startswith("ال"):
        for p in _PROCLITICS:
            if p.endswith("ل"):  # ل + ال -> لل : the alef goes
                out.append((p + key[1:], len(p), len(p) + 1))
            else:
                out.append((p + key, len(p), len(p)))
        return out
    for p in _PROCLITICS:
        out.append((p + key, len(p), len(p)))
    if allow_article:
        for p in ("", "و", "ف", "ب", "ك", "وب", "فب"):
            out.append((p + "ال" + key, len(p) + 2, len(p) + 2))
        for p in ("ل", "ول", "فل"):
            out.append((p + "ل" + key, len(p) + 1, len(p) + 1))
    return out


# Bump when a change to the build code changes what the gazetteer holds (the data files and
# the CLDR release are hashed into the version anyway).
GAZETTEER_RULES = 1
_CACHE_FORMAT = 2
_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Keep the built gazetteer in `path` between processes (the app and the CLI pass
    `Settings.data_dir / "cache"`); None builds it in memory in every process."""
    global _cache_dir
    _cache_dir = path


@functools.lru_cache(maxsize=1)
def gazetteer_version() -> str:
    """Names what the gazetteer was built from: the shipped data files, the CLDR release
    (babel) and the build rules.  Canonical ids are stable across versions; the version
    tells a consumer which table produced a record."""
    digest = hashlib.sha256(f"rules={GAZETTEER_RULES};babel={babel.__version__};".encode())
    for name in ("aliases.json", "places.json"):
        digest.update(resources.files("newsflow").joinpath("data", name).read_bytes())
    return digest.hexdigest()[:12]


def _cache_file() -> Path | None:
    if _cache_dir is None:
        return None
    return _cache_dir / f"gazetteer-{gazetteer_version()}.pickle"


def _load_cached() -> Gazetteer | None:
    """The cached build for this version, or None (absent, other format, unreadable)."""
    path = _cache_file()
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            fmt, version, entities, keys, patterns, strong, blocked = pickle.load(fh)
    except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        log.warning("gazetteer cache %s unreadable (%s); rebuilding it", path, exc)
        return None
    if fmt != _CACHE_FORMAT or version != gazetteer_version():
        return None
    automaton = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
    return Gazetteer(entities, keys, patterns, automaton, strong, blocked)


def _store_cached(gaz: Gazetteer) -> None:
    """Write the build next to older versions' files, atomically; failure only costs time."""
    path = _cache_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = (
            _CACHE_FORMAT,
            gazetteer_version(),
            gaz.entities,
            gaz.keys,
            gaz.patterns,
            gaz.strong_keys,
            gaz.blocked,
        )
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(fh.name, path)
    except OSError as exc:
        log.warning("gazetteer cache %s not written (%s); it is rebuilt per process", path, exc)


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The merged gazetteer and its automaton: once per process, from the cache directory
    when a build of this version is there, else built from the data and cached."""
    cached = _load_cached()
    if cached is not None:
        return cached
    gaz = _build_gazetteer()
    _store_cached(gaz)
    return gaz


def _build_gazetteer() -> Gazetteer:
    """Build the merged gazetteer from the alias table, CLDR countries and GeoNames places."""
    raw_entities, block_only, never = _merge_sources()
    # "never" phrases block gazetteer matches and any other layer's spans; "block" ones
    # only shadow a shorter alias inside them ("New Jersey" is not Jersey)
    block = {
        lang: [*block_only.get(lang, ()), *never.get(lang, ())] for lang in {*block_only, *never}
    }
    entities: list[EntityRecord] = []
    # (key, pattern, claims): claims=True when an unconditional alias owns the key
    plain: list[tuple[str, _Pattern]] = []
    weak: list[tuple[str, _Pattern]] = []
    for idx, raw in enumerate(raw_entities):
        names: dict[str, tuple[str, ...]] = {}
        for lang, values in raw["names"].items():
            display = tuple(v.lstrip("~!") for v in values if not v.startswith("~"))
            if display:
                names[lang] = display
        name_en = names["en"][0] if "en" in names else None
        entities.append(
            EntityRecord(
                id=raw["id"],
                type=raw["type"],
                names=names,
                name_en=name_en,
                priority=raw["priority"],
                categories=tuple(raw["categories"]),
            )
        )
        context = tuple(mention_key(c) for c in raw["context"])
        seen_surnames: set[str] = set()
        for lang, values in raw["names"].items():
            for value in values:
                is_weak = value.startswith("~")
                only = lang if value.startswith("!") else None
                alias = value.lstrip("~!")
                key = mention_key(alias)
                if not key:
                    continue
                script = _script_of(alias)
                pat = _Pattern(
                    entity=idx,
                    weak=is_weak,
                    prefix=0,
                    skip_core=0,
                    script=script,
                    case=_case_rule(alias, script),
                    alias=alias,
                    vowel_end=key.endswith(_VOWEL_ENDINGS),
                    only_lang=only,
                    context=context if value in raw["ctx_names"] else (),
                )
                (weak if is_weak else plain).append((key, pat))
                words = key.split(" ")
                if (
                    raw["type"] == "PERSON"
                    and not is_weak
                    and not raw["noweak"]
                    and len(words) >= 2
                    and len(words[-1]) >= 3
                    and words[-1] not in _SURNAME_STOP
                    and words[-1] not in seen_surnames
                ):
                    seen_surnames.add(words[-1])
                    surname = alias.split()[-1]
                    weak.append(
                        (
                            words[-1],
                            _Pattern(
                                entity=idx,
                                weak=True,
                                prefix=0,
                                skip_core=0,
                                script=script,
                                case=_case_rule(surname, script),
                                alias=surname,
                                vowel_end=words[-1].endswith(_VOWEL_ENDINGS),
                                only_lang=only,
                                context=(),
                            ),
                        )
                    )
    for lang, values in block.items():
        for alias in values:
            script = _script_of(alias)
            plain.append(
                (
                    mention_key(alias),
                    _Pattern(
                        -1, False, 0, 0, script, _case_rule(alias, script), alias, False, lang, ()
                    ),
                )
            )

    table: dict[str, list[_Pattern]] = {}
    owner: dict[str, int] = {}  # key -> entity that owns it unconditionally

    def add(key: str, pat: _Pattern) -> None:
        holder = owner.get(key)
        if holder is not None and holder != pat.entity:
            return
        table.setdefault(key, []).append(pat)
        if not pat.context and pat.only_lang is None:
            owner[key] = pat.entity

    def ordered(items: list[tuple[str, _Pattern]]) -> list[tuple[str, _Pattern]]:
        # Higher priority first; conditional aliases before the unconditional ones they
        # shadow; blockers are always added.
        def rank(item: tuple[str, _Pattern]) -> tuple[int, int]:
            pat = item[1]
            prio = 99 if pat.entity < 0 else entities[pat.entity].priority
            conditional = 1 if (pat.context or pat.only_lang) else 0
            return (-prio, -conditional)

        return sorted(items, key=rank)

    for key, pat in ordered(plain):
        add(key, pat)
    strong_keys = {k: v for k, v in owner.items() if v >= 0}
    for key, pat in ordered(weak):
        add(key, pat)
    # Arabic clitic forms come last, so a real word never loses to clitic + another name.
    for key, pat in ordered(plain + weak):
        if pat.script != _SCRIPT_ARAB:
            continue
        etype = "BLOCK" if pat.entity < 0 else entities[pat.entity].type
        allow_article = etype == "ORG" and not key.startswith("ال")
        for variant, prefix, skip in _clitic_variants(key, allow_article):
            add(variant, _replace_prefix(pat, prefix, skip))

    keys = list(table)
    automaton = ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
    return Gazetteer(
        entities=entities,
        keys=keys,
        patterns=[tuple(table[k]) for k in keys],
        automaton=automaton,
        strong_keys=strong_keys,
        blocked=frozenset(mention_key(a) for values in never.values() for a in values),
    )


def _replace_prefix(pat: _Pattern, prefix: int, skip: int) -> _Pattern:
    return _Pattern(
        pat.entity,
        pat.weak,
        prefix,
        skip,
        pat.script,
        pat.case,
        pat.alias,
        pat.vowel_end,
        pat.only_lang,
        pat.context,
    )


# ---------------------------------------------------------------------------------------
# Matching


def _case_ok(surface: str, pat: _Pattern) -> bool:
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


def _suffix_ok(text: str, norm: str, offsets: list[int], end: int, pat: _Pattern) -> bool:
    """A Persian suffix may follow an Arabic-script name: `ایران‌ها`, `آمریکای`."""
    zwnj = offsets[end] > 0 and text[offsets[end] - 1] == "\u200c"
    for suf in _FA_SUFFIXES:
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
    pat: _Pattern


class _Article:
    """Per-article state: folded fields and the lazily built context text."""

    def __init__(self, fields: Mapping[str, str], language: str | None) -> None:
        self.fields = {
            name: fields.get(name) or "" for name in (*FIELDS, *sorted(set(fields) - set(FIELDS)))
        }
        self.language = _base_language(language)
        self.folded: dict[str, tuple[str, list[int]]] = {
            name: match_form(text) for name, text in self.fields.items() if text
        }
        self._context: str | None = None

    def context_has(self, terms: Sequence[str]) -> bool:
        if self._context is None:
            self._context = " ".join(norm for norm, _ in self.folded.values())
        return any(t in self._context for t in terms)


def _base_language(language: str | None) -> str | None:
    if not language:
        return None
    return language.replace("_", "-").split("-")[0].lower() or None


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
                pat.script == _SCRIPT_ARAB and _suffix_ok(text, norm, offsets, e, pat)
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
            _TYPE_RANK.get(ent.type, 9),
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
    if c.pat.script == _SCRIPT_CYRL:  # the stem matched: take the inflected ending too
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


# ---------------------------------------------------------------------------------------
# Coreference and output


def resolve_spans(candidates: Iterable[Span]) -> list[Span]:
    """Link unlinked spans (from a tagger) to entities of the same article.

    An unlinked span takes the id of a gazetteer alias when its folded text is one, else
    joins a linked entity of a compatible type whose mention ends with the same words,
    else another unlinked span with the same folded text (first seen keeps the cluster).
    """
    gaz = gazetteer()
    by_position: dict[tuple[str, int, int], Span] = {}
    for sp in candidates:  # the same span from two sources: keep one, a linked one if any
        pos = (sp.field, sp.start, sp.end)
        held = by_position.get(pos)
        if held is None or (held.entity is None and sp.entity is not None):
            by_position[pos] = sp
    spans = list(by_position.values())
    linked_words: dict[int, list[tuple[str, ...]]] = {}
    # entities by the last word of their mentions (in first-seen order): only those can
    # have a mention ending with a span's words
    by_last: dict[str, list[int]] = {}
    for sp in spans:
        if sp.entity is not None:
            words = tuple(sp.key.split())
            linked_words.setdefault(sp.entity, []).append(words)
            if words:
                owners = by_last.setdefault(words[-1], [])
                if sp.entity not in owners:
                    owners.append(sp.entity)
    order = {ent: i for i, ent in enumerate(linked_words)}
    for owners in by_last.values():
        owners.sort(key=order.__getitem__)
    for sp in spans:
        if sp.entity is not None:
            continue
        key = sp.key or mention_key(sp.text)
        sp.key = key
        if key in gaz.strong_keys:
            sp.entity = gaz.strong_keys[key]
            sp.type = gaz.entities[sp.entity].type
            continue
        words = tuple(key.split())
        if not words:
            continue
        for ent_idx in by_last.get(words[-1], ()):
            mentions = linked_words[ent_idx]
            ent = gaz.entities[ent_idx]
            if ent.type != sp.type and sp.type not in ("", "MISC"):
                continue
            if any(len(m) > len(words) and m[-len(words) :] == words for m in mentions):
                sp.entity = ent_idx
                sp.type = ent.type
                break
    # Still unlinked: a short span joins a longer unlinked one of the same type that ends
    # with the same words ("Example" -> "Peter Example").
    unlinked = [sp for sp in spans if sp.entity is None]
    longest_first = sorted(unlinked, key=lambda sp: -len(sp.key.split()))
    # by last word, which a key keeps when it is replaced by a longer one ending with it
    ending: dict[str, list[Span]] = {}
    for other in longest_first:
        if other.key:
            ending.setdefault(other.key.split()[-1], []).append(other)
    for sp in unlinked:
        words = tuple(sp.key.split())
        if not words:
            continue
        for other in ending.get(words[-1], ()):
            other_words = tuple(other.key.split())
            if (
                other.type == sp.type
                and len(other_words) > len(words)
                and other_words[-len(words) :] == words
            ):
                sp.key = other.key
                break
    _first_names(spans)
    return spans


def _first_names(spans: list[Span]) -> None:
    """A one-word person mention still on its own joins the one person of the article
    whose full name starts with that word ("Cameron" after "Cameron Brooksbank"); with
    two such people it stays apart rather than guess."""
    owners: dict[str, set[tuple[int | None, str]]] = {}
    for sp in spans:
        words = sp.key.split()
        if sp.type == "PERSON" and len(words) > 1 and not sp.weak:
            owners.setdefault(words[0], set()).add((sp.entity, sp.key))
    if not owners:
        return
    full_keys = {key for found in owners.values() for _, key in found}
    for sp in spans:
        if sp.type != "PERSON" or sp.entity is not None or " " in sp.key:
            continue
        found = owners.get(sp.key)
        if found is None or len(found) != 1 or sp.key in full_keys:
            continue
        ((entity, key),) = found
        sp.entity, sp.key = entity, key


def _slug(text: str) -> str:
    folded = normalize_for_matching(text)
    return re.sub(r"[^\w]+", "-", folded).strip("-") or "x"


def _display_name(ent: EntityRecord | None, language: str | None, mentions: list[Span]) -> str:
    if ent is not None and ent.priority == PRIORITY_PLACE:
        # GeoNames' alternate names carry no language and some noise ("د مشق"): in the
        # article's language, a place is named as the page itself writes it
        if language in (None, "en") and ent.name_en:
            return ent.name_en
        return Counter(sp.text for sp in mentions).most_common(1)[0][0]
    if ent is not None and language and language in ent.names:
        return ent.names[language][0]
    if ent is not None and language in (None, "en") and ent.name_en:
        return ent.name_en
    named = [sp for sp in mentions if not sp.weak] or list(mentions)
    # the fullest form a reader would use: most words first ("Jeffrey Epstein", not the
    # "Epstein" of later mentions), then the most frequent spelling of it
    most = max(len(sp.text.split()) for sp in named)
    surfaces = Counter(sp.text for sp in named if len(sp.text.split()) == most)
    return surfaces.most_common(1)[0][0]


def _salience(mentions: list[Span], top_score: float) -> float:
    score = sum(_FIELD_WEIGHT.get(sp.field, 1.0) for sp in mentions)
    fields = {sp.field for sp in mentions}
    value = 0.5 * (score / top_score if top_score else 0.0)
    value += 0.3 * ("title" in fields) + 0.2 * ("lead" in fields)
    return round(min(1.0, max(0.0, value)), 4)


def build_entities(spans: Sequence[Span], language: str | None) -> list[EntityDict]:
    """Group linked (and tagger) spans into EntityDicts, most salient first."""
    gaz = gazetteer()
    lang = _base_language(language)
    groups: dict[str, list[Span]] = {}
    meta: dict[str, tuple[EntityRecord | None, str]] = {}
    for sp in spans:
        if sp.entity is not None:
            record = gaz.entities[sp.entity]
            gid = record.id
            meta.setdefault(gid, (record, record.type))
        else:
            gid = f"nf:{sp.type.lower()}:{_slug(sp.key or sp.text)}"
            meta.setdefault(gid, (None, sp.type))
        groups.setdefault(gid, []).append(sp)
    field_order = {name: i for i, name in enumerate(FIELDS)}

    def position(sp: Span) -> tuple[int, int]:
        return (field_order.get(sp.field, len(FIELDS)), sp.start)

    scores = {
        gid: sum(_FIELD_WEIGHT.get(sp.field, 1.0) for sp in items) for gid, items in groups.items()
    }
    top = max(scores.values(), default=0.0)
    out: list[EntityDict] = []
    for gid, items in groups.items():
        items.sort(key=position)
        ent, etype = meta[gid]
        mentions: list[MentionDict] = [
            {"field": sp.field, "start": sp.start, "end": sp.end, "text": sp.text} for sp in items
        ]
        out.append(
            {
                "id": gid,
                "name": _display_name(ent, lang, items),
                "name_en": ent.name_en if ent is not None else None,
                "type": etype,
                "mentions": mentions,
                "count": len(mentions),
                "salience": _salience(items, top),
            }
        )
    firsts = {gid: position(items[0]) for gid, items in groups.items()}
    out.sort(key=lambda e: (-e["salience"], firsts[e["id"]]))
    return out


def entity_categories(entity_id: str) -> tuple[str, ...]:
    """Category hints that the curated table attaches to an entity (for routing)."""
    gaz = gazetteer()
    idx = _entity_index().get(entity_id)
    return gaz.entities[idx].categories if idx is not None else ()


@functools.lru_cache(maxsize=1)
def _entity_index() -> dict[str, int]:
    return {ent.id: i for i, ent in enumerate(gazetteer().entities)}
