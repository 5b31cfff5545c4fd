"""A CRF sequence tagger for names the gazetteer does not know.

The gazetteer only finds names someone listed; most misses on newswire are
people and organisations never seen before.  A linear-chain CRF over cheap
token features (affixes, clitic-stripped forms, context, gazetteer hits)
generalises to those from a small labelled corpus and tags thousands of
sentences per second, with a model file small enough to ship.

Nothing here reads files at import: the model is opened by ``Tagger``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]

from newsflow.core.entities import gazetteer_spans
from newsflow.core.normalize import normalize_for_matching

__all__ = [
    "MODEL_PATH",
    "Tagger",
    "gazetteer_tags",
    "iob_to_spans",
    "sentence_features",
    "strip_clitics",
]

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "tagger-ar.crfsuite"

# Proclitic sequences, longest first, so "وبال" is tried before "و".  They are
# combinations of conjunction (و ف), preposition (ب ل ك) and article (ال);
# written in the normalized alphabet because stripping runs on the folded form.
_PROCLITICS: tuple[str, ...] = tuple(
    sorted(
        {
            c + p + a
            for c in ("", "و", "ف")
            for p in ("", "ب", "ل", "ك")
            for a in ("", "ال")
            if c + p + a
        }
        | {"لل", "ولل", "فلل"},  # ل + ال contracts to لل
        key=len,
        reverse=True,
    )
)
# Persian plural and ezafe/indefinite endings (ZWNJ is already dropped by the folding).
_SUFFIXES: tuple[str, ...] = ("هاي", "ها", "ي")
_MIN_STEM = 3  # short words are more often whole words than clitic + stem

# Gazetteer types folded onto the three types the corpora annotate.
_GAZ_TYPE = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def strip_clitics(norm: str) -> str:
    """The stem under Arabic proclitics and Persian suffixes, so ``وبموسكو`` meets ``موسكو``."""
    stem = norm
    for pre in _PROCLITICS:
        if stem.startswith(pre) and len(stem) - len(pre) >= _MIN_STEM:
            stem = stem[len(pre) :]
            break
    for suf in _SUFFIXES:
        if stem.endswith(suf) and len(stem) - len(suf) >= _MIN_STEM:
            stem = stem[: -len(suf)]
            break
    return stem


def _shape(word: str) -> str:
    """A coarse class: Latin capitals mark names, digits mark numbers and dates."""
    if word.isdigit():
        return "digit"
    if any(ch.isdigit() for ch in word):
        return "hasdigit"
    if word.isascii() and word.isalpha():
        if word.isupper():
            return "upper"
        if word[0].isupper():
            return "title"
        return "lower"
    if all(not ch.isalnum() for ch in word):
        return "punct"
    return "other"


def gazetteer_tags(tokens: Sequence[str], language: str | None) -> list[str]:
    """IOB tags from gazetteer matches on the joined sentence, ``O`` where nothing matched.

    A match is given to every token its character span overlaps, so a match
    inside a cliticised token (``بموسكو``) still marks that token.
    """
    starts: list[int] = []
    pos = 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    text = " ".join(tokens)
    tags = ["O"] * len(tokens)
    if not text.strip():
        return tags
    for span in gazetteer_spans({"body": text}, language):
        kind = _GAZ_TYPE.get(span.type)
        if kind is None:
            continue
        first = True
        for i, s in enumerate(starts):
            e = s + len(tokens[i])
            if s < span.end and e > span.start and tags[i] == "O":
                tags[i] = ("B-" if first else "I-") + kind
                first = False
    return tags


def _token_features(word: str) -> dict[str, str]:
    norm = normalize_for_matching(word)
    stem = strip_clitics(norm)
    feats = {
        "w": word,
        "n": norm,
        "stem": stem,
        "shape": _shape(word),
        "len": str(min(len(norm), 8)),
    }
    for k in (1, 2, 3):
        if len(norm) > k:
            feats[f"p{k}"] = norm[:k]
            feats[f"s{k}"] = norm[-k:]
    if stem != norm:
        feats["clitic"] = norm[: len(norm) - len(stem)] if norm.endswith(stem) else "x"
    return feats


def sentence_features(
    tokens: Sequence[str], gaz: Sequence[str] | None = None
) -> list[dict[str, float]]:
    """Features for each token: its own, ±2 neighbours' forms, and gazetteer tags if given."""
    own = [_token_features(t) for t in tokens]
    out: list[dict[str, float]] = []
    n = len(tokens)
    for i, f in enumerate(own):
        feats: dict[str, float] = {"bias": 1.0}
        for k, v in f.items():
            feats[k + "=" + v] = 1.0
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                feats[f"{d}:n={own[j]['n']}"] = 1.0
                feats[f"{d}:stem={own[j]['stem']}"] = 1.0
                if abs(d) == 1:
                    feats[f"{d}:shape={own[j]['shape']}"] = 1.0
            else:
                feats[f"{d}:edge"] = 1.0
        if i == 0:
            feats["BOS"] = 1.0
        if i == n - 1:
            feats["EOS"] = 1.0
        if gaz is not None:
            g = gaz[i]
            feats["gaz=" + g] = 1.0
            if g != "O":
                feats["gaztype=" + g[2:]] = 1.0
            for d in (-1, 1):
                j = i + d
                if 0 <= j < n:
                    feats[f"{d}:gaz={gaz[j]}"] = 1.0
        out.append(feats)
    return out


def iob_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) token spans, end exclusive; a stray ``I-`` opens a span (CoNLL rule)."""
    spans: list[tuple[str, int, int]] = []
    kind: str | None = None
    start = 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and label == kind
        if kind is not None and not continues:
            spans.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and label and not continues:
            kind, start = label, i
    return spans


class Tagger:
    """A trained crfsuite model; ``use_gazetteer`` must match how it was trained."""

    def __init__(self, path: str | Path = MODEL_PATH, *, use_gazetteer: bool = True) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(path))
        self.use_gazetteer = use_gazetteer

    def tag(
        self,
        tokens: Sequence[str],
        language: str | None = None,
        gaz: Sequence[str] | None = None,
    ) -> list[str]:
        """IOB tags (``B-PER``, ``I-LOC``, ``O``…) for one sentence of tokens; `gaz` are
        the tokens' gazetteer IOB tags when the caller already has them."""
        if not tokens:
            return []
        if not self.use_gazetteer:
            gaz = None
        elif gaz is None:
            gaz = gazetteer_tags(tokens, language)
        tags: list[str] = self._tagger.tag(sentence_features(tokens, gaz))
        return tags
