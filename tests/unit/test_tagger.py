"""The CRF tagger's features, span decoding and (when the model is built) tagging."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.core.normalize import normalize_for_matching
from newsflow.entities.spans import Span
from newsflow.entities.tagger import (
    BASE_FEATURE_GROUPS,
    DEFAULT_FEATURE_GROUPS,
    FEATURE_GROUPS,
    MODEL_PATH,
    FeatureExtractor,
    Lexicon,
    Tagger,
    gazetteer_tags,
    iob_to_spans,
    lexicon,
    model_groups,
    sentence_features,
    span_iob,
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


@pytest.mark.parametrize(
    "word",
    [
        "فلاديمير",  # not ف + ل + اديمير: the stems are no words
        "لبنان",  # not ل + بنان: the whole word is the more frequent one
        "وزير",  # not و + زير
        "فلسطين",
    ],
)
def test_strip_clitics_keeps_known_words_whole(word: str) -> None:
    assert strip_clitics(word) == word


def test_strip_clitics_prefers_the_best_known_stem() -> None:
    assert strip_clitics("ولبنان") == "لبنان"  # و + لبنان, not ول + بنان
    assert strip_clitics("فقال") == "قال"
    assert strip_clitics("بالعراق") == "عراق"


def test_strip_clitics_is_conservative_on_unknown_words() -> None:
    lex = Lexicon(given=frozenset(), surname=frozenset(), zipf_ar={}, zipf_fa={})
    assert strip_clitics("والزيلنسكي", lex) == "زيلنسكي"  # an article sequence goes
    assert strip_clitics("فلاديمير", lex) == "فلاديمير"  # a lone ف + ل does not
    assert strip_clitics("وكذا", lex) == "وكذا"


def test_strip_clitics_persian_takes_no_arabic_proclitics() -> None:
    assert strip_clitics("والرييس", language="fa") == "والرييس"
    assert strip_clitics("كتابهاي", language="fa") == "كتاب"


def test_lexicon_knows_names_and_frequencies() -> None:
    lex = lexicon()
    assert "محمد" in lex.given
    assert normalize_for_matching("فرهاد") in lex.given  # Persian given names
    assert lex.zipf2("في", "ar") > lex.zipf2(normalize_for_matching("فلاديمير"), "ar") > 0
    assert lex.zipf2("qqqxz") == 0


def test_features_transfer_classes() -> None:
    feats = sentence_features(["قال", "الرئيس", "محمد", "مرسي"], language="ar")
    assert feats[1]["trig=PER"] == 1.0
    assert feats[2]["-1:trig=PER"] == 1.0
    assert feats[2]["given"] == 1.0
    assert any(k.startswith("zf=") for k in feats[0])
    assert "given" not in sentence_features(["الوزير"], language="ar")[0]  # ال + name
    fa = sentence_features(["آقای", "روحانی"], language="fa")
    assert fa[0]["trig=PER"] == 1.0 and fa[1]["-1:trig=PER"] == 1.0


def test_feature_groups_can_be_left_out() -> None:
    words = FeatureExtractor(groups=("words",)).sentence(["الرئيس", "بوتين"], language="ar")
    assert "n=بوتين" in words[1] and "-1:stem=رييس" in words[1]
    assert not any(f.startswith(("trig", "zf", "given", "-1:trig")) for f in words[1])
    bare = FeatureExtractor(groups=()).sentence(["الرئيس", "بوتين"], language="ar")
    assert not any(f.startswith(("n=", "w=", "-1:n=", "p1=")) for f in bare[1])
    with pytest.raises(ValueError, match="unknown"):
        FeatureExtractor(groups=("nope",))


def test_features_cut_to_a_models_attributes() -> None:
    fx = FeatureExtractor(known={"n=بوتين", "-1:n=قال", "trig=PER"})
    feats = fx.sentence(["قال", "بوتين"], language="ar")
    assert sorted(feats[1]) == sorted(
        ["bias", "n=بوتين", "-1:n=قال", "-2:edge", "1:edge", "2:edge", "EOS"]
    )
    assert "trig=PER" not in feats[0] and "n=قال" not in feats[0]


def test_transfer_languages_get_no_word_forms() -> None:
    fx = FeatureExtractor(transfer={"fa"})
    fa = fx.sentence(["آقای", "روحانی"], language="fa")
    assert not any(f.startswith(("n=", "w=", "stem=", "-1:n=", "p2=")) for f in fa[1])
    assert "-1:trig=PER" in fa[1]
    ar = fx.sentence(["الرئيس", "بوتين"], language="ar")
    assert "n=بوتين" in ar[1]
    assert not any(f.startswith("n=") for f in fx.sentence(["بوتين"], "ar", delex=True)[0])


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
    # Precomputed gazetteer tags give the same result as the tagger's own matching.
    assert tagger.tag(toks, "ar", gaz=gazetteer_tags(toks, "ar")) == tags
    with pytest.raises(ValueError, match="gazetteer tags"):
        tagger.tag(toks, "ar", gaz=["O"])


def test_decoding_from_rows_gives_crfsuites_labels() -> None:
    """`Tagger.tag` decodes from cached per-word rows (newsflow.entities.crf); it must give
    what crfsuite gives from the feature strings, sentence by sentence and in a batch."""
    seed = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seed.glob("*.txt"))]
    texts.append(
        "وقال وزير الخارجية الإيراني حسين أمير عبد اللهيان في طهران إن منظمة شنغهاي "
        "للتعاون ستعقد قمتها في أستانا ، بينما زار الرئيس الصيني شي جين بينغ موسكو ."
    )
    sentences = [s.split() for text in texts for s in text.replace("\n", " . ").split(" . ")]
    sentences = [s for s in sentences if s][:120]
    assert len(sentences) > 10
    tagger = Tagger()
    want = [tagger.tag_crfsuite(s, "ar") for s in sentences]
    assert [tagger.tag(s, "ar") for s in sentences] == want
    assert tagger.tag_many(sentences, "ar") == want
    assert any(t != "O" for tags in want for t in tags)


def test_decoder_matches_crfsuite_on_every_dev_sentence() -> None:
    """The claim behind `DecomposedCRF`: on all dev sentences of the four corpora, with
    the gazetteer tags the model is trained with, its labels are crfsuite's own."""
    from bench.nercorpus import CORPORA, DEFAULT_NER_DIR

    tagger = Tagger()
    compared = 0
    for corpus in CORPORA.values():
        if not (DEFAULT_NER_DIR / corpus.path).is_file():
            pytest.fail(f"{corpus.path} missing under {DEFAULT_NER_DIR}")
        sentences = [list(s.tokens) for s in corpus.load("dev", DEFAULT_NER_DIR)]
        gaz = [gazetteer_tags(s, corpus.language) for s in sentences]
        want = [
            tagger.tag_crfsuite(s, corpus.language, g) for s, g in zip(sentences, gaz, strict=True)
        ]
        assert tagger.tag_many(sentences, corpus.language, gaz) == want, corpus.path
        compared += len(sentences)
    assert compared > 1500


# --- Arabic feature groups (issue 10; measured, not in the shipped model) -------------


def test_arabic_name_pattern_classes() -> None:
    fx = FeatureExtractor(FEATURE_GROUPS)
    toks = ["محمد", "بن", "عبدالله", "الأيوبي", "صلاح", "الدين"]
    feats = fx.sentence(toks, language="ar")
    assert "np=link" in feats[1]  # بن
    assert "np=abd" in feats[2]  # عبد + a divine name
    assert "np=nisba" in feats[3]  # ال…ي
    assert "-1:np=link" in feats[2] and "1:np=abd" in feats[1]
    assert "np=second" in feats[5]  # the second half of "صلاح الدين"
    assert "np=rarename" in feats[0] or "np=commonname" in feats[0]


def test_arabic_features_stay_out_of_other_languages() -> None:
    fx = FeatureExtractor(FEATURE_GROUPS)
    fa = fx.sentence(["محمد", "بن", "عبدالله"], language="fa")
    assert not any(
        f.split(":")[-1].startswith(("np=", "atrig=", "p4=", "s4=")) for s in fa for f in s
    )


def test_triggers_reach_three_tokens_and_the_gazetteer_two() -> None:
    fx = FeatureExtractor(FEATURE_GROUPS)
    toks = ["قال", "المتحدث", "باسم", "وزارة", "الخارجية", "في", "موسكو"]
    feats = fx.sentence(toks, gazetteer_tags(toks, "ar"), language="ar")
    assert "-2:trig=PER" in feats[3]  # المتحدث, two before وزارة
    assert "-3:trig=PER" in feats[4]  # and three before الخارجية
    assert "2:gaz=B-LOC" in feats[4]  # موسكو, two after الخارجية


def test_a_model_is_tagged_with_the_groups_it_was_trained_with() -> None:
    """The groups are read off the model's attributes: a model without the Arabic groups
    (the shipped one) is tagged with the default groups (the base ones and Persian's, which
    touch Persian tokens only) and the ±2 window, a variant trained with some of them with
    those."""
    assert model_groups(["n=x", "-2:trig=PER", "1:gaz=O"]) == DEFAULT_FEATURE_GROUPS
    assert DEFAULT_FEATURE_GROUPS >= BASE_FEATURE_GROUPS
    assert model_groups(["-3:trig=PER", "np=link", "2:gaz=O"]) == DEFAULT_FEATURE_GROUPS | {
        "window3",
        "namepat",
        "gazwide",
    }
    shipped = Tagger()
    assert shipped.features.groups == DEFAULT_FEATURE_GROUPS
    assert shipped.features.offsets == (-2, -1, 1, 2)


def _span_iob_token_by_token(bounds: list[tuple[int, int]], spans: list[Span]) -> list[str]:
    """`span_iob` as it was written first, walking the tokens one by one: the reference."""
    kinds = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}
    tags = ["O"] * len(bounds)
    j = 0
    for sp in sorted(spans, key=lambda s: s.start):
        kind = kinds.get(sp.type)
        if kind is None:
            continue
        while j < len(bounds) and bounds[j][1] <= sp.start:
            j += 1
        first = True
        k = j
        while k < len(bounds) and bounds[k][0] < sp.end:
            if tags[k] == "O":
                tags[k] = ("B-" if first else "I-") + kind
                first = False
            k += 1
    return tags


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 6)), max_size=30),
    st.lists(
        st.tuples(
            st.integers(0, 120),
            st.integers(1, 15),
            st.sampled_from(["PERSON", "ORG", "GPE", "LOC", "MISC"]),
        ),
        max_size=8,
    ),
)
def test_gazetteer_tags_are_those_of_a_token_by_token_walk(
    gaps: list[tuple[int, int]], found: list[tuple[int, int, str]]
) -> None:
    bounds: list[tuple[int, int]] = []
    pos = 0
    for gap, size in gaps:  # tokens in text order
        bounds.append((pos + gap, pos + gap + size))
        pos += gap + size
    spans = [Span("body", a, a + n, "x" * n, kind) for a, n, kind in found]
    assert span_iob(bounds, spans) == _span_iob_token_by_token(bounds, spans)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["O", "O", "O", "B-PER", "I-PER", "I-LOC", "B-ORG", "I-", "B-", "X"]))
)
def test_name_spans_from_tags_as_a_walk_over_every_tag_reads_them(tags: list[str]) -> None:
    """`iob_to_spans` reads only the tags that are not "O": the same as the full walk."""
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
    assert iob_to_spans(tags) == spans
