"""`newsflow tagger train|eval`: CoNLL reading, training with newsflow's features, and
per-language models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.entities import models, ner
from newsflow.entities.tagger import shipped_model
from newsflow.entities.tagger_training import LabelledSentence, coarse, read_conll, to_iob2, train
from newsflow.settings import Settings, SettingsError

ARABIC = [
    ("قال", "O"),
    ("الرئيس", "O"),
    ("إبراهيم", "B-PERS"),
    ("رئيسي", "I-PERS"),
    ("في", "O"),
    ("طهران", "B-LOC"),
    ("إن", "O"),
    ("وزارة", "B-ORG"),
    ("الخارجية", "I-ORG"),
    ("تعمل", "O"),
    (".", "O"),
]


@pytest.mark.parametrize(
    ("line", "token", "tag"),
    [
        ("طهران B-LOC", "طهران", ("B", "LOC")),
        ("طهران\tI-LOC", "طهران", ("I", "LOC")),
        ("تهران|B_LOC", "تهران", ("B", "LOC")),
        ("3\tParis\tS-GPE\t-\tann", "Paris", ("B", "LOC")),
        ("Acme E-ORGANIZATION", "Acme", ("I", "ORG")),
        ("x B-MISC", "x", ("O", "")),
        ("x O", "x", ("O", "")),
    ],
)
def test_the_common_formats_and_class_names_are_read(
    tmp_path: Path, line: str, token: str, tag: tuple[str, str]
) -> None:
    path = tmp_path / "one.conll"
    path.write_text(f"# a comment\n{line}\n\n", encoding="utf-8")
    (sent,) = read_conll(path)
    assert sent.tokens == (token,)
    prefix, kind = tag
    assert sent.tags == (("O",) if prefix == "O" else (f"B-{kind}",))


def test_bioes_and_underscores_are_folded_onto_iob() -> None:
    assert [coarse(t) for t in ("S-PER", "E_ORG", "B_LOC", "LOC", "O")] == [
        ("B", "PER"),
        ("I", "ORG"),
        ("B", "LOC"),
        ("I", "LOC"),
        ("O", ""),
    ]


def test_iob2_repairs_a_chunk_that_starts_with_i() -> None:
    assert to_iob2([("I", "PER"), ("I", "PER"), ("O", ""), ("I", "LOC"), ("B", "LOC")]) == (
        "B-PER",
        "I-PER",
        "O",
        "B-LOC",
        "B-LOC",
    )


def test_a_class_can_be_mapped_and_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.conll"
    path.write_text("حزب B-POG\nالله I-POG\n\nbad\n", encoding="utf-8")
    sents = read_conll(path, {"POG": "ORG"})
    assert next(sents).tags == ("B-ORG", "I-ORG")
    with pytest.raises(ValueError, match=r"t.conll:4"):
        next(sents)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    lines = [f"{token} {tag}" for token, tag in ARABIC]
    path = tmp_path / "train.conll"
    path.write_text(("\n".join(lines) + "\n\n") * 30, encoding="utf-8")
    return path


@pytest.fixture
def no_user_models() -> Iterator[None]:
    yield
    ner.use_tagger_models({})


def test_a_user_model_is_trained_scored_and_used_for_its_language(
    corpus: Path, tmp_path: Path, no_user_models: None
) -> None:
    model = tmp_path / "fa.crfsuite"
    runner = CliRunner()
    done = runner.invoke(
        main,
        ["tagger", "train", "--lang", "fa", "--out", str(model), "--dev", str(corpus), str(corpus)],
    )
    assert done.exit_code == 0, done.output
    assert "trained on 30 sentences (90 names)" in done.output
    assert "micro P 1.000  R 1.000  F1 1.000" in done.output
    assert f"NEWSFLOW_TAGGER_MODELS=fa={model.resolve()}" in done.output

    assert ner.tagger_model("fa") == (shipped_model("fa"), True)  # the shipped one
    ner.use_tagger_models({"fa": model})
    assert ner.tagger_model("fa") == (model, True)
    assert "fa" in ner.trained_languages()
    spans = ner.entity_spans({"body": " ".join(t for t, _ in ARABIC)}, "fa")
    assert {"PERSON", "ORG"} <= {s.type for s in spans}


def test_a_language_without_a_model_may_borrow_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A borrowed model tags but does not decide (none is borrowed in the shipped set)."""
    assert ner.tagger_model("ur") is None
    monkeypatch.setattr(models, "BORROWED_MODELS", {"ur": "ar"})
    assert ner.tagger_model("ur") == (shipped_model("ar"), False)
    assert "ur" in ner.tagger_languages()
    assert "ur" not in ner.trained_languages()


def test_training_needs_sentences(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no sentences"):
        train([], "fa", tmp_path / "m.crfsuite")
    assert LabelledSentence(("a",), ("O",)).tokens == ("a",)


def test_the_setting_names_models_that_exist(tmp_path: Path) -> None:
    model = tmp_path / "m.crfsuite"
    model.write_bytes(b"")
    settings = Settings.from_env({"NEWSFLOW_TAGGER_MODELS": f"FA={model}"})
    assert settings.tagger_models == {"fa": str(model)}
    assert settings.to_env()["NEWSFLOW_TAGGER_MODELS"] == f"fa={model}"
    with pytest.raises(SettingsError, match="no model file"):
        Settings.from_env({"NEWSFLOW_TAGGER_MODELS": f"fa={tmp_path / 'missing'}"})
    with pytest.raises(SettingsError, match="lang=/path/model"):
        Settings.from_env({"NEWSFLOW_TAGGER_MODELS": "fa"})
