"""What every entity layer produces: `Span` (a typed stretch of one field, with the
entity it links to, if any) and `EntityRecord` (one canonical entity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Ties between spans of equal length: a country beats an organisation beats a person beats
# a city (e.g. "Georgia", "Jordan").
TYPE_RANK = {"BLOCK": -1, "GPE": 0, "ORG": 1, "PERSON": 2, "LOC": 3}


PRIORITY_CURATED, PRIORITY_COUNTRY, PRIORITY_PLACE = 3, 2, 1


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """One canonical entity of the gazetteer."""

    id: str
    type: str
    names: Mapping[str, tuple[str, ...]]  # display names per language, preferred first
    name_en: str | None
    priority: int
    categories: tuple[str, ...] = ()


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
