"""The gazetteer: every alias form of every entity in one Aho-Corasick automaton, built
on first use from `sources` and cached on disk (keyed by a hash of the data, the CLDR
release and the build rules); nothing is read at import time.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import ahocorasick_rs
import babel

from newsflow.entities.forms import SCRIPT_ARAB, SURNAME_STOP, VOWEL_ENDINGS, mention_key, script_of
from newsflow.entities.sources import case_rule, clitic_variants, merge_sources
from newsflow.entities.spans import EntityRecord

log = logging.getLogger(__name__)


class Pattern(NamedTuple):
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


@dataclass
class Gazetteer:
    """Entities plus one Aho–Corasick automaton over every folded alias form."""

    entities: list[EntityRecord]
    keys: list[str]
    patterns: list[tuple[Pattern, ...]]
    automaton: ahocorasick_rs.AhoCorasick
    strong_keys: dict[str, int] = field(default_factory=dict)  # folded alias -> entity
    blocked: frozenset[str] = frozenset()  # folded phrases that are never a name ("never")

    def find(self, norm: str) -> list[tuple[int, int, int]]:
        """All (pattern index, start, end) occurrences, overlapping ones included."""
        return self.automaton.find_matches_as_indexes(norm, overlapping=True)


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
    raw_entities, block_only, never = merge_sources()
    # "never" phrases block gazetteer matches and any other layer's spans; "block" ones
    # only shadow a shorter alias inside them ("New Jersey" is not Jersey)
    block = {
        lang: [*block_only.get(lang, ()), *never.get(lang, ())] for lang in {*block_only, *never}
    }
    entities: list[EntityRecord] = []
    # (key, pattern, claims): claims=True when an unconditional alias owns the key
    plain: list[tuple[str, Pattern]] = []
    weak: list[tuple[str, Pattern]] = []
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
                script = script_of(alias)
                pat = Pattern(
                    entity=idx,
                    weak=is_weak,
                    prefix=0,
                    skip_core=0,
                    script=script,
                    case=case_rule(alias, script),
                    alias=alias,
                    vowel_end=key.endswith(VOWEL_ENDINGS),
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
                    and words[-1] not in SURNAME_STOP
                    and words[-1] not in seen_surnames
                ):
                    seen_surnames.add(words[-1])
                    surname = alias.split()[-1]
                    weak.append(
                        (
                            words[-1],
                            Pattern(
                                entity=idx,
                                weak=True,
                                prefix=0,
                                skip_core=0,
                                script=script,
                                case=case_rule(surname, script),
                                alias=surname,
                                vowel_end=words[-1].endswith(VOWEL_ENDINGS),
                                only_lang=only,
                                context=(),
                            ),
                        )
                    )
    for lang, values in block.items():
        for alias in values:
            script = script_of(alias)
            plain.append(
                (
                    mention_key(alias),
                    Pattern(
                        -1, False, 0, 0, script, case_rule(alias, script), alias, False, lang, ()
                    ),
                )
            )

    table: dict[str, list[Pattern]] = {}
    owner: dict[str, int] = {}  # key -> entity that owns it unconditionally

    def add(key: str, pat: Pattern) -> None:
        holder = owner.get(key)
        if holder is not None and holder != pat.entity:
            return
        table.setdefault(key, []).append(pat)
        if not pat.context and pat.only_lang is None:
            owner[key] = pat.entity

    def ordered(items: list[tuple[str, Pattern]]) -> list[tuple[str, Pattern]]:
        # Higher priority first; conditional aliases before the unconditional ones they
        # shadow; blockers are always added.
        def rank(item: tuple[str, Pattern]) -> tuple[int, int]:
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
        if pat.script != SCRIPT_ARAB:
            continue
        etype = "BLOCK" if pat.entity < 0 else entities[pat.entity].type
        allow_article = etype == "ORG" and not key.startswith("ال")
        for variant, prefix, skip in clitic_variants(key, allow_article):
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


def _replace_prefix(pat: Pattern, prefix: int, skip: int) -> Pattern:
    return Pattern(
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
