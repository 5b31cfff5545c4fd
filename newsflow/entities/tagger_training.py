"""Train and measure an entity tagger from CoNLL-style files: `newsflow tagger train|eval`.

For users who hold labelled corpora newsflow may not ship (PEYMA, ArmanPerso and other
licensed newswire): they build a model with the project's own features (the same
`FeatureExtractor`, gazetteer matches as features, as the shipped models are trained),
then point the enrich stage at it with ``NEWSFLOW_TAGGER_MODELS=fa=/path/model``.

Files: one token per line with its tag in the last column (``token TAG``, tab- or
space-separated), ``token|TAG``, or CoNLL-U-like ``index token tag …`` lines; a blank
line between sentences; lines starting with ``#`` are comments. Tags may be IOB, IOB2
or BIOES, with ``-`` or ``_`` after the prefix (``B-PER``, ``B_PER``); classes are mapped
onto PER, LOC and ORG (GPE is LOC) and everything else is O, as the extractor reports.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]

from newsflow.entities.tagger import FeatureExtractor, Tagger, gazetteer_tags, iob_to_spans

TYPES: tuple[str, ...] = ("PER", "LOC", "ORG")
# Class names seen in the common corpora, upper-cased, onto the three types.
DEFAULT_CLASSES: Mapping[str, str] = {
    **dict.fromkeys(("PER", "PERS", "PERSON", "PEOPLE"), "PER"),
    **dict.fromkeys(("LOC", "LOCATION", "GPE"), "LOC"),
    **dict.fromkeys(("ORG", "ORGANIZATION", "ORGANISATION"), "ORG"),
}
# crfsuite's L-BFGS settings the shipped models are trained with.
DEFAULT_PARAMS: Mapping[str, float] = {"c1": 0.3, "c2": 0.01, "max_iterations": 150}


@dataclass(frozen=True)
class LabelledSentence:
    """Tokens and IOB2 tags over PER/LOC/ORG (``O`` elsewhere)."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def _token_and_tag(line: str) -> tuple[str, str]:
    if "|" in line and not any(ch.isspace() for ch in line.strip()):
        token, _, tag = line.strip().rpartition("|")
        return token, tag
    cols = line.split("\t") if "\t" in line else line.split()
    cols = [c.strip() for c in cols if c.strip()]
    if len(cols) >= 3 and cols[0].isdigit():
        return cols[1], cols[2]
    if len(cols) < 2:
        raise ValueError(f"expected a token and a tag, got {line!r}")
    return cols[0], cols[-1]


def coarse(tag: str, classes: Mapping[str, str] = DEFAULT_CLASSES) -> tuple[str, str]:
    """``(prefix, type)`` of one tag: ``("B", "PER")``, ``("O", "")``; BIOES folded onto IOB."""
    tag = tag.strip()
    if tag in ("", "O", "0", "_"):
        return "O", ""
    prefix, sep, label = tag.replace("_", "-", 1).partition("-")
    if not sep:  # a bare class: the token is inside a chunk of it
        prefix, label = "I", tag
    kind = classes.get(label.upper(), "")
    if not kind or prefix.upper() not in ("B", "I", "E", "S"):
        return "O", ""
    return ("B" if prefix.upper() in ("B", "S") else "I"), kind


def to_iob2(pairs: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """IOB2 tags: a chunk starts with ``B-``; an ``I-`` that continues nothing opens one."""
    out: list[str] = []
    previous = ""
    for prefix, kind in pairs:
        if prefix == "O":
            out.append("O")
            previous = ""
            continue
        begins = prefix == "B" or kind != previous
        out.append(("B-" if begins else "I-") + kind)
        previous = kind
    return tuple(out)


def read_conll(
    path: Path, classes: Mapping[str, str] = DEFAULT_CLASSES
) -> Iterator[LabelledSentence]:
    """Sentences of one file (see the module docstring for the formats)."""
    tokens: list[str] = []
    tags: list[tuple[str, str]] = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                if tokens:
                    yield LabelledSentence(tuple(tokens), to_iob2(tags))
                    tokens, tags = [], []
                continue
            if line.lstrip().startswith("#"):
                continue
            try:
                token, tag = _token_and_tag(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: {exc}") from None
            tokens.append(token)
            tags.append(coarse(tag, classes))
    if tokens:
        yield LabelledSentence(tuple(tokens), to_iob2(tags))


def train(
    sentences: Iterable[LabelledSentence],
    language: str,
    out: Path,
    *,
    params: Mapping[str, float] = DEFAULT_PARAMS,
    features: FeatureExtractor | None = None,
    gazetteer: bool = True,
) -> float:
    """Train a CRF on ``sentences`` featurized as ``language``; write it to ``out``.

    Returns the training time in seconds. The gazetteer's matches are features, as in the
    shipped models, unless ``gazetteer`` is False (the model is then tagged without them).
    """
    extractor = features or FeatureExtractor()
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for sent in sentences:
        gaz = gazetteer_tags(sent.tokens, language) if gazetteer else None
        trainer.append(extractor.sentence(sent.tokens, gaz, language), list(sent.tags))
        count += 1
    if not count:
        raise ValueError("no sentences to train on")
    trainer.set_params({**params, "feature.possible_transitions": True})
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    trainer.train(str(out))
    return time.perf_counter() - started


@dataclass
class Scores:
    """Span-exact counts per type (CoNLL): a span counts when type and both ends match."""

    true_pos: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    predicted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))
    gold: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TYPES, 0))

    def add(
        self, gold: Iterable[tuple[str, int, int]], pred: Iterable[tuple[str, int, int]]
    ) -> None:
        gold_set = {s for s in gold if s[0] in TYPES}
        pred_set = {s for s in pred if s[0] in TYPES}
        for kind, *_ in gold_set:
            self.gold[kind] += 1
        for kind, *_ in pred_set:
            self.predicted[kind] += 1
        for kind, *_ in gold_set & pred_set:
            self.true_pos[kind] += 1

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall, F1 of one type, or micro-averaged over the three."""
        kinds = TYPES if kind is None else (kind,)
        tp = sum(self.true_pos[k] for k in kinds)
        pred = sum(self.predicted[k] for k in kinds)
        gold = sum(self.gold[k] for k in kinds)
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(model: Path, sentences: Iterable[LabelledSentence], language: str) -> Scores:
    """The model's span scores on gold sentences (tokens as given, gazetteer as trained)."""
    tagger = Tagger(model)
    scores = Scores()
    for sent in sentences:
        scores.add(iob_to_spans(sent.tags), iob_to_spans(tagger.tag(list(sent.tokens), language)))
    return scores
