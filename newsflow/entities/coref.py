"""From spans to entities: coreference (a later "Putin" joins "Vladimir Putin"; an
unlinked span gets an `nf:` id of its own), display names, salience, one `EntityDict`
per canonical id, and the categories an entity hints at.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from newsflow.core.normalize import normalize_for_matching
from newsflow.core.types import EntityDict, MentionDict
from newsflow.entities.forms import FIELDS, base_language, mention_key
from newsflow.entities.gazetteer import gazetteer
from newsflow.entities.spans import PRIORITY_PLACE, EntityRecord, Span

_FIELD_WEIGHT = {"title": 3.0, "lead": 2.0, "body": 1.0}


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


@functools.lru_cache(maxsize=65536)
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
    lang = base_language(language)
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
