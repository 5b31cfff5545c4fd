"""DecomposedCRF gives crfsuite's own labels, from cached rows instead of strings."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pycrfsuite  # type: ignore[import-untyped]
import pytest

from newsflow.entities.crf import (
    DecomposedCRF,
    OffsetAttrs,
    _compiled_emissions,
    _compiled_viterbi,
)

OFFSETS = (-2, -1, 0, 1, 2)
WORDS = ["al", "bo", "ci", "Da", "Eb", "fu", "Gi", "ha", "x1", "yy"]


def word_attrs(word: str, language: str | None = None) -> OffsetAttrs:
    out: dict[int, list[str]] = {0: [f"w={word}", f"cap={word[0].isupper()}", f"s1={word[-1]}"]}
    for d in (-2, -1, 1, 2):
        out[d] = [f"{d}:w={word}"]
    out[1].append(f"1:cap={word[0].isupper()}")
    return out


def gaz_attrs(tag: str) -> OffsetAttrs:
    return {0: [f"gaz={tag}"], -1: [f"-1:gaz={tag}"], 1: [f"1:gaz={tag}"]}


def position_attrs(before: int, after: int) -> Sequence[str]:
    attrs = ["bias"]
    attrs += [f"{d}:edge" for d in (-2, -1) if before < -d]
    attrs += [f"{d}:edge" for d in (1, 2) if after < d]
    return attrs + (["BOS"] if before == 0 else []) + (["EOS"] if after == 0 else [])


def features(tokens: Sequence[str], gaz: Sequence[str]) -> list[list[str]]:
    """The same attributes written the ordinary way, token by token."""
    n = len(tokens)
    out: list[list[str]] = []
    for i in range(n):
        attrs = list(position_attrs(i, n - 1 - i))
        for j in range(n):
            attrs += word_attrs(tokens[j]).get(j - i, [])
            attrs += gaz_attrs(gaz[j]).get(j - i, [])
        out.append(attrs)
    return out


def labels_for(tokens: Sequence[str], gaz: Sequence[str]) -> list[str]:
    tags = []
    for i, tok in enumerate(tokens):
        if tok[0].isupper():
            tags.append("I-PER" if i and tokens[i - 1][0].isupper() else "B-PER")
        elif gaz[i] != "O":
            tags.append("B-LOC")
        else:
            tags.append("O")
    return tags


def sentence(rng: random.Random) -> tuple[list[str], list[str]]:
    tokens = [rng.choice(WORDS) for _ in range(rng.randint(1, 12))]
    gaz = [rng.choice(["O", "O", "O", "B-LOC"]) for _ in tokens]
    return tokens, gaz


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    trainer = pycrfsuite.Trainer(verbose=False)
    for _ in range(300):
        tokens, gaz = sentence(rng)
        labels = labels_for(tokens, gaz)
        if rng.random() < 0.1:  # some noise, so the weights are not trivially separable
            labels[rng.randrange(len(labels))] = "O"
        trainer.append(features(tokens, gaz), labels)
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 60})
    path = tmp_path_factory.mktemp("crf") / "toy.crfsuite"
    trainer.train(str(path))
    return path


def decoders(model: Path, compiled: bool | None = None) -> tuple[Any, DecomposedCRF]:
    """crfsuite's own tagger (the reference) and ours, on the same model file."""
    ref = pycrfsuite.Tagger()
    ref.open(str(model))
    crf = DecomposedCRF(
        model,
        offsets=OFFSETS,
        word_attrs=word_attrs,
        gaz_attrs=gaz_attrs,
        position_attrs=position_attrs,
        compiled=compiled,
    )
    return ref, crf


@pytest.mark.parametrize("compiled", [False, True], ids=["numpy", "compiled"])
def test_same_labels_as_crfsuite(model: Path, compiled: bool) -> None:
    if compiled and _compiled_viterbi() is None:
        pytest.skip("newsflow.entities._viterbi not built (make test requires it)")
    ref, crf = decoders(model, compiled)
    rng = random.Random(11)
    batch = [sentence(rng) for _ in range(200)]
    want = [ref.tag(features(toks, gaz)) for toks, gaz in batch]
    got = crf.tag_many([t for t, _ in batch], [g for _, g in batch])
    assert got == want
    # one at a time, and again from warm caches
    assert [crf.tag(t, g) for t, g in batch[:20]] == want[:20]
    assert crf.tag_many([t for t, _ in batch], [g for _, g in batch]) == want


def test_empty_input(model: Path) -> None:
    _, crf = decoders(model)
    assert crf.tag([]) == []
    assert crf.tag_many([]) == []


def test_a_full_word_cache_is_forgotten_between_calls_not_within(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsflow.entities.crf as crf_module

    monkeypatch.setattr(crf_module, "_CACHE_LIMIT", 8)
    ref, crf = decoders(model)
    rng = random.Random(5)
    for _ in range(30):
        batch = [sentence(rng) for _ in range(3)]
        want = [ref.tag(features(toks, gaz)) for toks, gaz in batch]
        assert crf.tag_many([t for t, _ in batch], [g for _, g in batch]) == want


@pytest.mark.parametrize("with_gaz", [True, False], ids=["gazetteer", "words-only"])
def test_compiled_sums_are_the_numpy_sums_to_the_bit(model: Path, with_gaz: bool) -> None:
    """The decoder's scores summed in C (`_viterbi.emissions`) are NumPy's, bit for bit,
    whatever the sentence lengths (one token, longer than the reach, empty)."""
    sums = _compiled_emissions()
    if sums is None:
        pytest.skip("newsflow.entities._viterbi not built with its sums (make test requires it)")
    _, crf = decoders(model, True)
    rng = random.Random(3)
    batch = [sentence(rng) for _ in range(150)] + [([], []), (["al"], ["O"])]
    rng.shuffle(batch)
    tokens = [t for t, _ in batch]
    gaz = [g for _, g in batch] if with_gaz else None
    want, _, _ = crf.emissions(tokens, gaz)
    got, lengths = crf._emissions_compiled(sums, tokens, gaz, None)
    assert got.tobytes() == want.tobytes()
    assert lengths.tolist() == [len(t) for t in tokens]
