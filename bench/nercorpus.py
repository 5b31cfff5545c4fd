"""Readers for the labelled named-entity corpora in ``../shared/ner`` (dev tooling only).

Why here and not in ``newsflow``: the corpora are measuring and training material, never
read at run time, and one of them (ArmanPersoNER) may not ship in any form. Both
``bench/entities.py`` and the future training script import this module, so the tag
mapping and the dev split are defined exactly once.

Conventions
-----------
* Every reader yields :class:`Sentence` objects whose tags are coarse IOB tags over
  ``PER``, ``LOC`` (GPE folded in) and ``ORG``; every other class becomes ``O``, because
  the corpora disagree on what the other classes mean (MISC, products, facilities,
  events, vehicles...) and the extractor does not produce them.
* Tags are repaired the way conlleval reads them: an ``I-X`` that does not continue an
  ``X`` chunk starts one (``B-X``), so spans are well formed whatever the source did.
* Spans are CoNLL-style exact spans ``(type, start, end)`` over token indices with
  ``end`` exclusive; a prediction counts only when type and both ends match.
* The dev split is decided per sentence by :func:`is_dev` (sha1 of the sentence text,
  tokens joined by single spaces, ``mod 10 == 0``): stable across runs and machines,
  independent of file order, and it sends duplicate sentences to the same side, so a
  sentence repeated in training can never leak into dev. Training must drop every
  sentence for which :func:`is_dev` is true.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_NER_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "ner"
TYPES: tuple[str, ...] = ("PER", "LOC", "ORG")
SENTENCE_END: frozenset[str] = frozenset({".", "!", "?", "؟"})
# Bidirectional marks that some exports glue to tokens; they are not part of the word.
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")
# A chunk prefix, tolerant of the typos found in the files: lower case, a doubled
# hyphen, or no hyphen at all (``IPERS``).
_TAG_RE = re.compile(r"^([BI])-*([A-Z_][A-Z0-9_-]*)$", re.IGNORECASE)

Span = tuple[str, int, int]  # (type, first token, one past the last token)
Split = Literal["dev", "train", "all"]


@dataclass(frozen=True)
class Sentence:
    """One sentence with coarse, repaired IOB tags (same length as ``tokens``)."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """The text the extractor sees and the split hashes: tokens joined by spaces."""
        return " ".join(self.tokens)

    @property
    def spans(self) -> list[Span]:
        """Gold spans of the sentence."""
        return iob_spans(self.tags)


# ---------------------------------------------------------------------------------------
# Tag mapping. Keys are upper-cased class names (the part after ``B-``/``I-``); a class
# missing from its corpus table maps to O.

ANERCORP_CLASSES: Mapping[str, str] = {
    "PERS": "PER",
    "PER": "PER",
    "ERS": "PER",  # typo seen as B-ERS
    "LOC": "LOC",
    "ORG": "ORG",
    "PRG": "ORG",  # typos seen as I-PRG, B-ORF, B-OEG
    "ORF": "ORG",
    "OEG": "ORG",
    # MISC and the unreadable B-LOCI-PERS fall through to O.
}

AQMAR_CLASSES: Mapping[str, str] = {
    "PER": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    # MIS0-MIS3 (and their malformed spellings, B-ENGLISH, B-SPANISH) fall through to O.
}

ARMAN_CLASSES: Mapping[str, str] = {
    "PERS": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    # fac, pro and event fall through to O: facilities, products and events are not
    # among the types measured.
}

NEWSFANE_CLASSES: Mapping[str, str] = {
    # People: the taxonomy splits persons by occupation; Police holds named officials
    # (chiefs of staff, ministers), so it is a person class too.
    "POLITICIAN": "PER",
    "ATHLETE": "PER",
    "ARTIST": "PER",
    "SCIENTIST": "PER",
    "BUSINESSPERSON": "PER",
    "LAWYER": "PER",
    "ENGINEER": "PER",
    "POLICE": "PER",
    "RELIGIOUS_PER": "PER",
    "OTHER_PER": "PER",
    # Group is nationalities and peoples (العرب, المسلمين), not named persons: O, as
    # CoNLL would put them in MISC.
    # Organisations.
    "GOVERNMENT": "ORG",
    "NON-GOVERNMENTAL": "ORG",
    "COMMERCIAL": "ORG",
    "EDUCATIONAL": "ORG",
    "MEDIA": "ORG",
    "SPORTS": "ORG",
    "RELIGIOUS_ORG": "ORG",
    "MEDICAL-SCIENCE": "ORG",
    "ENTERTAINMENT": "ORG",
    # Geo-political entities (countries, cities, provinces, districts, groupings of
    # states, continents): folded into LOC.
    "NATION": "LOC",
    "POPULATION-CENTER": "LOC",
    "STATE-OR-PROVINCE": "LOC",
    "COUNTY-OR-DISTRICT": "LOC",
    "GPE-CLUSTER": "LOC",
    "CONTINENT": "LOC",
    # Natural locations.
    "WATER-BODY": "LOC",
    "LAND-REGION-NATURAL": "LOC",
    # Everything else falls through to O: facilities (Building-Grounds, Airport, Path,
    # Plant, Subarea-Facility), vehicles (Air, Land, Water), weapons (Projectile,
    # Shooting), products (Book, Movie, Software, Hardware, Drug, Food).
}


def coarse_tag(raw: str, classes: Mapping[str, str]) -> str:
    """Map one source tag to ``O``, ``B-T`` or ``I-T`` with T in :data:`TYPES`."""
    match = _TAG_RE.match(raw.strip())
    if match is None:
        return "O"  # O, o, OO, .O and anything unreadable
    coarse = classes.get(match.group(2).upper())
    return f"{match.group(1).upper()}-{coarse}" if coarse else "O"


def repair_iob(tags: Sequence[str]) -> list[str]:
    """Make every chunk start with B-: an I-X after O or after another type becomes B-X."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def iob_spans(tags: Sequence[str]) -> list[Span]:
    """Exact spans of repaired IOB tags, in order."""
    spans: list[Span] = []
    start = -1
    kind = ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and not (tag.startswith("I-") and tag[2:] == kind):
            spans.append((kind, start, i))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and start < 0):
            start, kind = i, tag[2:]
    return spans


# ---------------------------------------------------------------------------------------
# Split and offsets


def is_dev(text: str) -> bool:
    """True when a sentence (tokens joined by single spaces) belongs to the dev split."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 10 == 0


def token_offsets(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character offsets (start, end exclusive) of each token in ``" ".join(tokens)``."""
    offsets: list[tuple[int, int]] = []
    pos = 0
    for tok in tokens:
        offsets.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return offsets


def char_to_token_span(
    start: int, end: int, offsets: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """Tokens touched by the character span [start, end), as (first, one past last).

    A span that covers only part of a token (a clitic left outside, a suffix cut off)
    still counts as covering that token: what is scored is the tokens it touches. None
    when it touches no token (only spaces, or out of range).
    """
    if end <= start or not offsets:
        return None
    ends = [e for _, e in offsets]
    first = bisect.bisect_right(ends, start)  # first token ending after `start`
    starts = [s for s, _ in offsets]
    last = bisect.bisect_left(starts, end)  # one past the last token starting before `end`
    return (first, last) if first < last else None


# ---------------------------------------------------------------------------------------
# Readers


def _is_tag(field: str) -> bool:
    return field.upper() in ("O", "OO") or _TAG_RE.match(field) is not None


def _split_line(line: str, sep: str | None) -> tuple[str, str] | None:
    """(token, raw tag) of one line; None for a blank line (a sentence break)."""
    parts = [p for p in line.translate(_BIDI_MARKS).strip().split(sep) if p.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0].strip(), "O"
    token, tag = " ".join(p.strip() for p in parts[:-1]), parts[-1].strip()
    if not _is_tag(tag) and _is_tag(parts[0].strip()):
        token, tag = " ".join(p.strip() for p in parts[1:]), parts[0].strip()  # swapped
    return token, tag


def read_conll(
    lines: Iterable[str],
    classes: Mapping[str, str],
    *,
    sep: str | None = None,
    cut_at_punctuation: bool = False,
) -> Iterator[Sentence]:
    """Sentences of a token-per-line file.

    ``sep`` None splits on any whitespace, the last field being the tag (a token with a
    stray space keeps it); ``"\\t"`` for tab-separated files. With ``cut_at_punctuation``
    (for files without blank lines) a sentence also ends after a sentence-final
    punctuation token.
    """
    tokens: list[str] = []
    tags: list[str] = []

    def flush() -> Sentence | None:
        if not tokens:
            return None
        sent = Sentence(tuple(tokens), tuple(repair_iob(tags)))
        tokens.clear()
        tags.clear()
        return sent

    for line in lines:
        item = _split_line(line, sep)
        if item is None:
            if (sent := flush()) is not None:
                yield sent
            continue
        tokens.append(item[0])
        tags.append(coarse_tag(item[1], classes))
        if cut_at_punctuation and item[0] in SENTENCE_END and (sent := flush()) is not None:
            yield sent
    if (sent := flush()) is not None:
        yield sent


@dataclass(frozen=True)
class Corpus:
    """Where one corpus lives under the NER directory and how to read it."""

    name: str
    language: str  # BCP 47 base language, as ArticleDict["language"] carries it
    path: str  # relative to the NER directory
    classes: Mapping[str, str]
    sep: str | None = None
    cut_at_punctuation: bool = False

    def read(self, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Every sentence of the corpus."""
        with (root / self.path).open(encoding="utf-8") as fh:
            return list(
                read_conll(
                    fh, self.classes, sep=self.sep, cut_at_punctuation=self.cut_at_punctuation
                )
            )

    def load(self, split: Split, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Sentences of one split ("dev", "train" or "all")."""
        keep: Callable[[Sentence], bool] = {
            "dev": lambda s: is_dev(s.text),
            "train": lambda s: not is_dev(s.text),
            "all": lambda s: True,
        }[split]
        return [s for s in self.read(root) if keep(s)]


CORPORA: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus("anercorp", "ar", "anercorp-train.txt", ANERCORP_CLASSES, cut_at_punctuation=True),
        Corpus(
            "newsfane", "ar", "newsfane/NewsFANE_Gold_2014_filtered.txt", NEWSFANE_CLASSES, "\t"
        ),
        Corpus("aqmar", "ar", "aqmar/AQMAR_Arabic_NER_corpus-1.0.txt", AQMAR_CLASSES),
        Corpus("arman", "fa", "arman/train_fold1.txt", ARMAN_CLASSES),
    )
}
