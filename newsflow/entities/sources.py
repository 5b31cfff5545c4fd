"""The gazetteer's sources, merged by id, highest priority first: the curated table
`newsflow/data/aliases.json`, country names from CLDR through babel (`iso:XX`), and
cities and continents from GeoNames (`newsflow/data/places.json`, `geonames:<id>`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from newsflow.entities.forms import (
    ACRONYM_MAX,
    LANGUAGES,
    PROCLITICS,
    SCRIPT_CYRL,
    SCRIPT_LATN,
    mention_key,
)
from newsflow.entities.spans import PRIORITY_COUNTRY, PRIORITY_CURATED, PRIORITY_PLACE


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


def merge_sources() -> tuple[list[dict[str, Any]], dict[str, list[str]], dict[str, list[str]]]:
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


def case_rule(alias: str, script: str) -> str:
    if script not in (SCRIPT_LATN, SCRIPT_CYRL):
        return ""
    letters = [ch for ch in alias if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) <= ACRONYM_MAX:
        return "exact"
    return "title" if any(ch.isupper() for ch in letters) else ""


def clitic_variants(key: str, allow_article: bool) -> list[tuple[str, int, int]]:
    """(folded form, prefix length, chars of the match left out of the mention)."""
    out: list[tuple[str, int, int]] = []
    if key.startswith("ال"):
        for p in PROCLITICS:
            if p.endswith("ل"):  # ل + ال -> لل : the alef goes
                out.append((p + key[1:], len(p), len(p) + 1))
            else:
                out.append((p + key, len(p), len(p)))
        return out
    for p in PROCLITICS:
        out.append((p + key, len(p), len(p)))
    if allow_article:
        for p in ("", "و", "ف", "ب", "ك", "وب", "فب"):
            out.append((p + "ال" + key, len(p) + 2, len(p) + 2))
        for p in ("ل", "ول", "فل"):
            out.append((p + "ل" + key, len(p) + 1, len(p) + 1))
    return out
