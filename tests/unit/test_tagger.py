"""The CRF tagger's features, span decoding and (when the model is built) tagging."""

from __future__ import annotations

import pytest

from newsflow.core.tagger import (
    MODEL_PATH,
    Tagger,
    gazetteer_tags,
    iob_to_spans,
    sentence_features,
    strip_clitics,
)


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("وبالموسكو", "موسكو"),
        ("للحكومه", "حكومه"),
        ("والقاهره", "قاهره"),
        ("شهرها", "شهر"),  # Persian plural ها
        ("في", "في"),  # too short to strip
    ],
)
def test_strip_clitics(word: str, stem: str) -> None:
    assert strip_clitics(word) == stem


def test_iob_to_spans_follows_conll() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG", "I-ORG"]
    assert iob_to_spans(tags) == [("PER", 0, 2), ("LOC", 3, 4), ("LOC", 4, 5), ("ORG", 5, 7)]
    assert iob_to_spans([]) == []
    assert iob_to_spans(["O", "O"]) == []


def test_features_have_context_and_affixes() -> None:
    toks = ["قال", "الوزير", "بوتين", "اليوم"]
    feats = sentence_features(toks)
    assert len(feats) == len(toks)
    f = feats[2]
    assert f["n=بوتين"] == 1.0
    assert f["-1:n=الوزير"] == 1.0
    assert f["-1:stem=وزير"] == 1.0
    assert f["2:edge"] == 1.0
    assert f["p2=بو"] == 1.0
    assert "BOS" in feats[0] and "EOS" in feats[-1]
    assert not any(k.startswith("gaz") for k in f)


def test_gazetteer_tags_map_char_spans_to_tokens() -> None:
    toks = ["قال", "فلاديمير", "بوتين", "في", "موسكو"]
    tags = gazetteer_tags(toks, "ar")
    assert tags == ["O", "B-PER", "I-PER", "O", "B-LOC"]
    feats = sentence_features(toks, tags)
    assert feats[1]["gaztype=PER"] == 1.0
    assert feats[3]["-1:gaz=I-PER"] == 1.0
    assert gazetteer_tags([], "ar") == []


@pytest.mark.skipif(not MODEL_PATH.exists(), reason="model not trained")
def test_tagger_finds_a_person_and_a_place() -> None:
    tagger = Tagger()
    toks = ["وقال", "الرئيس", "الروسي", "فلاديمير", "بوتين", "في", "موسكو", "أمس"]
    tags = tagger.tag(toks, "ar")
    assert len(tags) == len(toks)
    spans = iob_to_spans(tags)
    assert ("PER", 3, 5) in spans
    assert ("LOC", 6, 7) in spans
    assert tagger.tag([], "ar") == []
