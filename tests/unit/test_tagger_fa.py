"""Persian tagger features (newsflow.entities.tagger_fa), the Persian model, and the false
entities the demo's Persian pages used to show."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.core.types import ArticleDict
from newsflow.entities import tagger_fa
from newsflow.entities.ner import extract_entities, tagger_model, trained_languages
from newsflow.entities.tagger import Tagger, gazetteer_tags, lexicon, shipped_model
from newsflow.extraction.parse import parse_page
from newsflow.inputs import raw_page

ROOT = Path(__file__).resolve().parents[2]
FA_MODEL = shipped_model("fa")
CORPUS = ROOT.parent / "shared" / "corpus"


def feats(word: str, groups: frozenset[str] = tagger_fa.FA_GROUPS) -> set[str]:
    own, classes, far = tagger_fa.word_features(word, lexicon(), groups)
    return {*own, *classes, *(f"far:{c}" for c in far)}


def test_fold_keeps_zwnj_and_unifies_letters() -> None:
    assert tagger_fa.fa_fold("مي\u200c\u200cكنند") == "می\u200cکنند"
    assert tagger_fa.fa_fold("\u200cخانهٔ\u200c") == "خانه"
    assert tagger_fa.split_zwnj("می\u200cکنند") == ("می", "کنند", "")
    assert tagger_fa.split_zwnj("کرده\u200cاند") == ("", "کرده", "اند")
    assert tagger_fa.split_zwnj("دموکراتیک\u200cتر") == ("", "دموکراتیک", "تر")
    assert tagger_fa.split_zwnj("تهران") == ("", "تهران", "")


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("برشمرد", "past"),  # preverb بر + شمرد
        ("دیدند", "past"),
        ("دریافتند", "past"),
        ("نرفت", "past"),
        ("نداشت", "light"),
        ("می\u200cکنند", "light"),
        ("میشود", "light"),
        ("کرده\u200cاند", "perfect"),
        ("گرفتن", "inf"),
        ("بگوید", "present"),
        ("می\u200cتپند", "present"),  # not in the stem list: the ZWNJ prefix says so
        ("است", "aux"),
        ("باید", "aux"),
    ],
)
def test_verb_forms(word: str, kind: str) -> None:
    assert tagger_fa.verb_analysis(tagger_fa.fa_fold(word)) == kind


@pytest.mark.parametrize("word", ["رشت", "تهران", "روحانی", "زند", "رود", "نوید", "فرهاد", "مجلس"])
def test_names_and_nouns_are_no_verbs(word: str) -> None:
    assert tagger_fa.verb_analysis(tagger_fa.fa_fold(word)) is None


def test_possessive_comparative_and_plural_endings_on_known_words() -> None:
    assert {"fa_suf=شان", "fa_commonsuf"} <= feats("عملکردشان")
    assert {"fa_suf=ش", "fa_commonsuf"} <= feats("سخنانش")
    assert {"fa_zwnj", "fa_zsuf=تر", "fa_commonsuf"} <= feats("دموکراتیک\u200cتر")
    assert "fa_suf=ها" in feats("کتاب\u200cها")
    assert not any(f.startswith("fa_suf") for f in feats("روحانی"))
    assert not any(f.startswith("fa_suf") for f in feats("تهران"))


def test_heads_roles_and_name_classes() -> None:
    assert {"fa_orghead", "far:fa_orghead"} <= feats("وزارت")
    assert "fa_orgword" in feats("خارجه")
    assert "fa_role" in feats("آقای")
    assert "fa_role" in feats("حجت\u200cالاسلام")
    assert "fa_placehead" in feats("استان")
    assert "fa_surend=زاده" in feats("حسن\u200cزاده")
    assert "fa_given=rare" in feats("فرهاد") or "fa_given=mid" in feats("فرهاد")
    assert "fa_given=common" in feats("حمایت")  # the name list holds common words too
    assert "fa_given=common.fa" in feats("حمایت")
    assert feats("وزارت", frozenset({"fa_verb"})) == set()  # one group at a time
    assert feats("،") == set()


def test_persian_features_only_for_persian() -> None:
    from newsflow.entities.tagger import FeatureExtractor

    fx = FeatureExtractor()
    fa = fx.sentence(["وزارت", "برشمرد"], language="fa")
    ar = fx.sentence(["وزارت", "برشمرد"], language="ar")
    assert "fa_verb" in fa[1] and "1:fa_verb" in fa[0] and "-1:fa_orghead" in fa[1]
    assert not any("fa_" in f for toks in ar for f in toks)


needs_model = pytest.mark.skipif(not FA_MODEL.exists(), reason="Persian model not trained")


@needs_model
def test_persian_model_is_used_and_decodes_as_crfsuite() -> None:
    """The Persian model decides in Persian, and the compiled decoder gives crfsuite's own
    labels on every ParsTwiNER dev sentence."""
    from bench.nercorpus import CORPORA, DEFAULT_NER_DIR

    assert "fa" in trained_languages()
    assert tagger_model("fa") == (FA_MODEL, True)  # its own model, no longer the Arabic one
    tagger = Tagger(FA_MODEL)
    corpus = CORPORA["parstwiner"]
    if not corpus.available(DEFAULT_NER_DIR):
        pytest.skip("ParsTwiNER not present")
    sentences = [list(s.tokens) for s in corpus.sentences("dev", DEFAULT_NER_DIR)]
    gaz = [gazetteer_tags(s, "fa") for s in sentences]
    want = [tagger.tag_crfsuite(s, "fa", g) for s, g in zip(sentences, gaz, strict=True)]
    assert tagger.tag_many(sentences, "fa", gaz) == want
    assert sum(t != "O" for tags in want for t in tags) > 500


# --- the demo's Persian pages ----------------------------------------------------------

# (page, what a reader sees in it that is no name). Each was an entity once: a verb
# (برشمرد LOC, آنان دیدند), a month (ماه مبارک رمضان as a PERSON), abstract nouns and
# adjectives (حمایت و عدم‌حمایت, دموکراتیک‌تر, ردصلاحیت LOC), and spans that ran a name
# into the possessive noun after it (مجلس عملکردشان, روحانی سخنانش).
DEMO_PAGES = {
    "mehrnews": (
        ROOT / "examples" / "pages" / "mehrnews-fa-6062918.html",
        "https://www.mehrnews.com/news/6062918/",
    ),
    "khabaronline": (
        CORPUS / "arfa-dev" / "pages" / "htmldate_mc_1523806243.html.gz",
        "https://www.khabaronline.ir/news/1353889/",
    ),
}
# (page, the false entity, the words of it that are no name and must be in no mention:
# "روحانی" alone may well be a PERSON, it is Hassan Rouhani; "روحانی سخنانش" is no name).
FALSE_ENTITIES = [
    ("mehrnews", "برشمرد", ("برشمرد",)),
    ("mehrnews", "مبارک رمضان", ("مبارک", "رمضان")),
    ("khabaronline", "آنان دیدند", ("آنان", "دیدند")),
    ("khabaronline", "حمایت و عدم\u200cحمایت", ("حمایت",)),
    ("khabaronline", "دموکراتیک\u200cتر", ("دموکراتیک",)),
    ("khabaronline", "ردصلاحیت", ("ردصلاحیت",)),
    ("khabaronline", "مجلس عملکردشان", ("عملکردشان",)),
    ("khabaronline", "روحانی سخنانش", ("سخنانش",)),
]


def _article(name: str) -> ArticleDict:
    path, url = DEMO_PAGES[name]
    if not path.is_file():
        pytest.skip(f"{path} not present")
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    page = raw_page(url, now=datetime.now(UTC), source="test", body=data, content_type="text/html")
    return parse_page(page)


Mentions = dict[str, tuple[str, list[tuple[str, str]]]]


@pytest.fixture(scope="module")
def demo_mentions() -> Mentions:
    """Each demo page's text and the (surface, type) of every entity mention on it."""
    out: Mentions = {}
    for name in DEMO_PAGES:
        art = _article(name)
        assert art["language"] == "fa"
        fields = {"title": art["title"] or "", "lead": art["lead"] or "", "body": art["body"]}
        mentions = [
            (m["text"], ent["type"])
            for ent in extract_entities(fields, "fa")
            for m in ent["mentions"]
        ]
        out[name] = ("\n".join(fields.values()), mentions)
    return out


@needs_model
@pytest.mark.parametrize(("page", "phrase", "words"), FALSE_ENTITIES)
def test_demo_false_entities_are_gone(
    demo_mentions: Mentions, page: str, phrase: str, words: tuple[str, ...]
) -> None:
    text, mentions = demo_mentions[page]
    assert phrase in text and mentions  # the phrase is still on the page
    for surface, etype in mentions:
        assert not any(w in surface for w in words), (surface, etype)


@needs_model
def test_demo_pages_keep_their_names(demo_mentions: Mentions) -> None:
    found = {m for _, mentions in demo_mentions.values() for m in mentions}
    for want in [
        ("پوتین", "PERSON"),
        ("رئیسی", "PERSON"),
        ("روسیه", "GPE"),
        ("مسکو", "LOC"),
        ("شانگهای", "ORG"),  # the SCO beside بریکس, not the city
        ("ایران", "GPE"),
        ("مجلس شورای اسلامی", "ORG"),
        ("شهیندخت مولاوردی", "PERSON"),
    ]:
        assert want in found, want
