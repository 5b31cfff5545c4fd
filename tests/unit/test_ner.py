"""The layered extractor's own rules: tokens, sentences, merging the layers, consistency."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.entities.coref import build_entities, resolve_spans
from newsflow.entities.forms import PROCLITICS_SHORTEST_FIRST, mention_key
from newsflow.entities.gazetteer import gazetteer
from newsflow.entities.matching import gazetteer_spans
from newsflow.entities.ner import (
    Token,
    _name_matches,
    _propagate,
    entity_spans,
    extract_entities,
    merge_spans,
    sentences,
    text_mentions,
    tokenize,
)
from newsflow.entities.rules_ar import arabic_extent, arabic_proclitic, one_type_per_name
from newsflow.entities.spans import Span
from newsflow.entities.tagger_en import abbreviation_dot


def tagger_span(text: str, surface: str, etype: str, field: str = "body") -> Span:
    start = text.index(surface)
    return Span(field, start, start + len(surface), surface, etype, source="tagger")


def test_tokens_keep_clitics_split_punctuation_and_map_back() -> None:
    text = "وقال بوتين، إن «موسكو» ستردّ. می‌خواهد U.S."
    toks = tokenize(text)
    assert [t.text for t in toks] == [
        "وقال",
        "بوتين",
        "،",
        "إن",
        "«",
        "موسكو",
        "»",
        "ستردّ",
        ".",
        "می‌خواهد",
        "U",
        ".",
        "S",
        ".",
    ]
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_sentences_cut_at_end_marks_line_breaks_and_length() -> None:
    text = "أ ب. ج د؟ هـ\nو ز"
    toks = tokenize(text)
    got = [" ".join(t.text for t in toks[a:b]) for a, b in sentences(text, toks)]
    assert got == ["أ ب .", "ج د ؟", "هـ", "و ز"]
    long = " ".join(["كلمة"] * 200)
    spans = sentences(long, tokenize(long))
    assert max(b - a for a, b in spans) <= 80
    assert spans[0][0] == 0 and spans[-1][1] == 200


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab وكلم.؟\n،\u200c\u064e")))
def test_tokens_and_sentences_cover_every_visible_character(text: str) -> None:
    toks = tokenize(text)
    visible = [i for i, ch in enumerate(text) if not ch.isspace()]
    covered = [i for t in toks for i in range(t.start, t.end)]
    assert covered == visible
    cuts = sentences(text, toks)
    assert [i for a, b in cuts for i in range(a, b)] == list(range(len(toks)))


def _sentences_token_by_token(
    text: str, tokens: list[Token], language: str | None
) -> list[tuple[int, int]]:
    """`sentences` as it was written first, one step per token: the reference."""
    out: list[tuple[int, int]] = []
    first = 0
    words = [t.text for t in tokens] if language == "en" else None
    for i, tok in enumerate(tokens):
        cut = tok.text in ".!?؟؛;…۔" or i - first + 1 >= 80
        if cut and words is not None and i - first + 1 < 80:
            cut = not abbreviation_dot(words, i)
        if not cut and i + 1 < len(tokens):
            cut = "\n" in text[tok.end : tokens[i + 1].start]
        if cut:
            out.append((first, i + 1))
            first = i + 1
    if first < len(tokens):
        out.append((first, len(tokens)))
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Mr", "U", "word", "كلمة", ".", "?", "؟", ";", ",", "!"]), max_size=400
    ),
    st.lists(st.sampled_from([" ", " ", " ", "\n", " \n ", "\n\n"]), max_size=400),
    st.sampled_from(["en", "ar", None]),
    st.integers(0, 400),
)
def test_sentences_cut_where_a_token_by_token_walk_cuts(
    parts: list[str], gaps: list[str], language: str | None, head: int
) -> None:
    text = "".join(p + (gaps[i] if i < len(gaps) else " ") for i, p in enumerate(parts))
    tokens = tokenize(text)[:head]  # the tagger may read only the head of a field
    assert sentences(text, tokens, language) == _sentences_token_by_token(text, tokens, language)


def test_tagger_extent_wins_and_keeps_the_gazetteer_id() -> None:
    text = "استقبل الملك عبدالله الثاني الوفد"
    gaz = gazetteer_spans({"body": text}, "ar")
    gaz_only = [g for g in gaz if "عبدالله" in g.text]
    assert gaz_only, "the table knows the king"
    merged = merge_spans(gaz_only, [tagger_span(text, "عبدالله الثاني", "PERSON")])
    assert [(m.text, m.entity is not None) for m in merged] == [("عبدالله الثاني", True)]


def test_tagger_span_widens_a_linked_name() -> None:
    text = "قال الرئيس فلاديمير بوتين"
    gaz = [g for g in gazetteer_spans({"body": text}, "ar") if g.text == "بوتين"]
    if not gaz:  # the table matches the full name: make the short one by hand
        full = gazetteer_spans({"body": text}, "ar")[0]
        start = text.index("بوتين")
        gaz = [Span("body", start, start + 5, "بوتين", "PERSON", entity=full.entity)]
    merged = merge_spans(gaz, [tagger_span(text, "فلاديمير بوتين", "PERSON")])
    assert len(merged) == 1
    assert merged[0].text == "فلاديمير بوتين" and merged[0].entity == gaz[0].entity
    assert merged[0].source == "merged"


def test_an_organisation_replaces_the_place_inside_it() -> None:
    text = "أعلنت جامعة طهران"
    gaz = gazetteer_spans({"body": text}, "ar")
    assert [g.type for g in gaz] == ["LOC"]
    merged = merge_spans(gaz, [tagger_span(text, "جامعة طهران", "ORG")])
    assert [(m.text, m.type, m.entity) for m in merged] == [("جامعة طهران", "ORG", None)]


def test_two_names_the_tagger_ran_together_stay_two() -> None:
    text = "في منظمة شنغهاي للتعاون وبريكس"
    gaz = gazetteer_spans({"body": text}, "ar")
    assert len(gaz) == 2
    merged = merge_spans(gaz, [tagger_span(text, "منظمة شنغهاي للتعاون وبريكس", "ORG")])
    assert sorted(m.text for m in merged) == sorted(g.text for g in gaz)


def test_a_context_alias_the_tagger_confirms_keeps_the_entity_its_context_chose() -> None:
    text = "حضور ایران و روسیه در سازمان‌های منطقه‌ای مانند شانگهای و بریکس"
    gaz = gazetteer_spans({"body": text}, "fa")
    sco = [g for g in gaz if g.text == "شانگهای"]
    assert len(sco) == 1 and sco[0].source == "context"  # the SCO, by its neighbour بریکس
    merged = merge_spans(gaz, [tagger_span(text, "شانگهای", "ORG")])
    assert [(m.type, m.entity) for m in merged if m.text == "شانگهای"] == [
        ("ORG", sco[0].entity)
    ]  # not left unlinked for resolve_spans to give it the city of that name
    ids = {m["id"] for m in text_mentions(text, "fa") if m["text"] == "شانگهای"}
    assert ids == {"nf:sco"}


def test_unconfirmed_long_tail_places_are_dropped_curated_names_kept() -> None:
    text = "زار بوتين جيزة"
    gaz = gazetteer_spans({"body": text}, "ar")
    ents = gazetteer().entities
    kept = merge_spans(gaz, [], keep=2)
    assert all(ents[g.entity].priority >= 2 for g in kept if g.entity is not None)
    assert len(merge_spans(gaz, [], keep=0)) == len(gaz)


def test_a_tagged_name_is_found_again_elsewhere_in_the_article() -> None:
    fields = {
        "title": "زيارة زيد الخالدي",
        "body": "أعلن وزير الخارجية زيد الخالدي أمس عن زيارة. وكان زيد الخالدي قد التقى نظيره.",
    }
    spans = entity_spans(fields, "ar")
    texts = {(sp.field, sp.text) for sp in spans if sp.type == "PERSON"}
    if ("body", "زيد الخالدي") in texts:  # the model found him somewhere: everywhere then
        count = sum(1 for sp in spans if sp.text == "زيد الخالدي")
        assert count == 3


def test_clitic_on_a_tagged_known_name_is_left_out_of_the_mention() -> None:
    for text, surface in (("وصل وفد بالعراق اليوم", "العراق"), ("رسالة للعراق", "عراق")):
        mentions = text_mentions(text, "ar")
        assert [m["text"] for m in mentions if m["id"] == "iso:IQ"] == [surface], text


def test_without_tagger_is_the_gazetteer_layer() -> None:
    text = "التقى الرئيس الإيراني إبراهيم رئيسي نظيره فلاديمير بوتين في طهران"
    plain = extract_entities({"body": text}, "ar", tagger=False)
    layered = extract_entities({"body": text}, "ar")
    assert {e["id"] for e in plain} <= {e["id"] for e in layered}


def test_offsets_hold_for_every_layer() -> None:
    fields = {
        "title": "بوتين يستقبل رئيسي في موسكو",
        "body": "واستقبل الرئيس الروسي فلاديمير بوتين نظيره الإيراني ابراهيم رئيسي في الكرملين، "
        "وقال مسؤول في وزارة الخارجية الروسية إن المحادثات تناولت الوضع في سوريا واليمن.",
    }
    for ent in extract_entities(fields, "ar"):
        for m in ent["mentions"]:
            assert fields[m["field"]][m["start"] : m["end"]] == m["text"]


def test_first_name_joins_the_one_full_name_and_display_is_the_full_form() -> None:
    text = "Cameron Brooksbank, 25, was found. Cameron had left. Brooksbank was known."
    spans = [
        Span("body", 0, 18, "Cameron Brooksbank", "PERSON", source="tagger"),
        Span("body", 35, 42, "Cameron", "PERSON", source="tagger"),
        Span("body", 53, 63, "Brooksbank", "PERSON", source="tagger"),
    ]
    assert [text[sp.start : sp.end] for sp in spans] == [sp.text for sp in spans]
    people = build_entities(resolve_spans(spans), "en")
    assert len(people) == 1
    assert people[0]["id"] == "nf:person:cameron-brooksbank"
    assert people[0]["name"] == "Cameron Brooksbank"
    assert people[0]["count"] == 3


def test_a_first_name_shared_by_two_people_stays_apart() -> None:
    spans = [
        Span("body", 0, 10, "Anna Smith", "PERSON", source="tagger", key="Anna Smith"),
        Span("body", 20, 30, "Anna Jones", "PERSON", source="tagger", key="Anna Jones"),
        Span("body", 40, 44, "Anna", "PERSON", source="tagger", key="Anna"),
    ]
    resolved = {sp.start: sp.key for sp in resolve_spans(spans)}
    assert resolved[40] == "Anna"


def test_never_names_are_dropped_from_every_layer() -> None:
    text = "وقال الطبيب إن فيروس كورونا ينتشر في موسكو"
    spans = [tagger_span(text, "فيروس كورونا", "PERSON")]
    spans[0].key = "فيروس كورونا"
    merged = merge_spans(gazetteer_spans({"body": text}, "ar"), spans)
    assert "فيروس كورونا" not in {m.text for m in merged}
    assert "موسكو" in {m.text for m in merged}


def test_unknown_names_lose_a_glued_conjunction_before_the_article() -> None:
    from newsflow.entities.ner import _tagger_span

    text = "سيطروا على مناطق والقلمون"
    start = text.index("والقلمون")
    span = _tagger_span("body", text, start, start + len("والقلمون"), "LOC")
    assert span.text == "القلمون"


def test_a_place_is_named_as_the_page_writes_it() -> None:
    text = "وصل الوفد إلى دمشق أمس، وغادر دمشق اليوم"
    (ent,) = [e for e in extract_entities({"body": text}, "ar") if e["id"].startswith("geo")]
    assert ent["name"] == "دمشق"
    assert ent["name_en"] == "Damascus"


# --- Arabic span fixes (issue 10): one test per class of error seen on the demo pages ---


def _tokens_of(text: str, surface: str) -> tuple[list[Token], int, int]:
    toks = tokenize(text)
    first = next(i for i, t in enumerate(toks) if t.start == text.index(surface))
    last = next(i for i, t in enumerate(toks) if t.end == text.index(surface) + len(surface))
    return toks, first, last + 1


def test_arabic_preposition_glued_to_a_name_leaves_the_mention() -> None:
    """Clitic class: "بريف دمشق" is "ريف دمشق" behind "ب"; a name that starts with one of
    those letters ("كمال", "فيصل", "بريطانيا") keeps it."""
    for text, surface, want in (
        ("سيطروا على مخازن بريف دمشق", "بريف دمشق", "ريف دمشق"),
        ("وقع عقدا وجامعة القاهرة", "وجامعة القاهرة", "جامعة القاهرة"),
        ("قال كمال الجنزوري", "كمال الجنزوري", "كمال الجنزوري"),
        ("قال فيصل القاسم", "فيصل القاسم", "فيصل القاسم"),
        ("زار بريطانيا", "بريطانيا", "بريطانيا"),
    ):
        start = text.index(surface)
        span = arabic_proclitic(
            Span(
                "body",
                start,
                start + len(surface),
                surface,
                "LOC",
                source="tagger",
                key=mention_key(surface),
            ),
            text,
        )
        assert span.text == want, text
        assert text[span.start : span.end] == span.text


def test_arabic_span_across_a_function_word_is_dropped() -> None:
    """Junk class: "البلاد أم بمصير البشير ام" runs over "أم" (or): no name does."""
    text = "مرتبط بالتوترات في البلاد أم بمصير البشير ام بلعبة المصالح"
    toks, a, b = _tokens_of(text, "البلاد أم بمصير البشير ام")
    assert arabic_extent(toks, a, b, "LOC", frozenset()) is None
    assert arabic_extent(toks, a, b, "LOC", frozenset({"ar.junk"})) == (a, b)
    toks, a, b = _tokens_of("زار أم درمان", "أم درمان")  # a first "أم" is a name's
    assert arabic_extent(toks, a, b, "LOC", frozenset()) == (a, b)


def test_arabic_person_span_leaves_out_the_title_and_the_role_after_it() -> None:
    """Extent class: "الدكتور حسام الدين عبد الفتاح عميد كلية" is "حسام الدين عبد الفتاح"."""
    text = "برئاسة الدكتور حسام الدين عبد الفتاح عميد كلية الهندسة"
    toks, a, b = _tokens_of(text, "الدكتور حسام الدين عبد الفتاح عميد كلية")
    got = arabic_extent(toks, a, b, "PERSON", frozenset())
    assert got is not None
    assert " ".join(t.text for t in toks[got[0] : got[1]]) == "حسام الدين عبد الفتاح"
    toks, a, b = _tokens_of("قال محمد السيد", "محمد السيد")  # a surname that is a title
    assert arabic_extent(toks, a, b, "PERSON", frozenset()) == (a, b)


def test_arabic_name_has_one_type_in_an_article() -> None:
    """Grouping class: "جامعة القاهرة" tagged ORG twice and LOC once is one organisation."""
    text = "جامعة القاهرة وجامعة القاهرة وجامعة القاهرة"
    spans = []
    for i, etype in enumerate(("ORG", "LOC", "ORG")):
        start = [m.start() for m in re.finditer("جامعة القاهرة", text)][i]
        spans.append(
            Span(
                "body",
                start,
                start + 13,
                "جامعة القاهرة",
                etype,
                source="tagger",
                key=mention_key("جامعة القاهرة"),
            )
        )
    assert {sp.type for sp in one_type_per_name(spans)} == {"ORG"}
    ents = build_entities(resolve_spans(spans), "ar")
    assert len(ents) == 1 and ents[0]["count"] == 3


def test_one_type_per_name_unlinks_a_place_reading_linked_to_a_city_inside_it() -> None:
    """The demo page: "جامعة القاهرة" tagged as an organisation in the title and as a
    place in the lead, where merging had linked it to Cairo (a gazetteer name inside it):
    one organisation, no Cairo entity from it. A gazetteer match keeps its type."""
    text = "مع جامعة القاهرة. وكلية الهندسة جامعة القاهرة في القاهرة"
    starts = [m.start() for m in re.finditer("جامعة القاهرة", text)]
    key = mention_key("جامعة القاهرة")
    org = Span("title", starts[0], starts[0] + 13, "جامعة القاهرة", "ORG", source="tagger", key=key)
    loc = Span(
        "lead",
        starts[1],
        starts[1] + 13,
        "جامعة القاهرة",
        "LOC",
        entity=7,
        source="merged",
        key=key,
    )
    city = Span("lead", len(text) - 7, len(text), "القاهرة", "LOC", entity=7, key="القاهره")
    out = one_type_per_name([org, loc, city])
    assert [(sp.type, sp.entity) for sp in out] == [("ORG", None), ("ORG", None), ("LOC", 7)]


def test_a_curated_name_the_tagger_cut_into_pieces_wins() -> None:
    """Type class: "الدولة الإسلامية" (LOC to the tagger) inside the curated
    "الدولة الإسلامية في العراق والشام" is the organisation."""
    text = 'ومقاتلي ما يعرف بـ"الدولة الإسلامية في العراق والشام" وجبهة النصرة'
    gaz = gazetteer_spans({"body": text}, "ar")
    isis = [g for g in gaz if g.text == "الدولة الإسلامية في العراق والشام"]
    assert isis and isis[0].type == "ORG"
    tagged = [tagger_span(text, "الدولة الإسلامية", "LOC"), tagger_span(text, "الشام", "LOC")]
    for sp in tagged:
        sp.key = mention_key(sp.text)
    merged = merge_spans(gaz, tagged)
    assert ("الدولة الإسلامية في العراق والشام", "ORG") in {(m.text, m.type) for m in merged}
    assert "الشام" not in {m.text for m in merged}
    off = merge_spans(gaz, tagged, off=frozenset({"ar.curated_contains"}))
    assert "الشام" in {m.text for m in off}


def test_a_repeated_name_is_found_behind_a_conjunction() -> None:
    text = "سجل كريم بنزيمة الهدف الأول. ثم مرر زيدان وكريم بنزيمة الكرة"
    start = text.index("كريم بنزيمة")
    first = Span(
        "body",
        start,
        start + 11,
        "كريم بنزيمة",
        "PERSON",
        source="tagger",
        key=mention_key("كريم بنزيمة"),
    )
    found = _propagate({"body": text}, [first], proclitics=True)
    assert [sp.text for sp in found] == ["كريم بنزيمة", "كريم بنزيمة"]
    assert text[found[1].start - 1] == "و"
    assert len(_propagate({"body": text}, [first])) == 1


_SEARCH_ALPHABET = "وبلفكان\u200c .ab_1"


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_SEARCH_ALPHABET), max_size=40),
    st.lists(
        st.text(alphabet=st.sampled_from(_SEARCH_ALPHABET), min_size=1, max_size=4), min_size=1
    ),
    st.booleans(),
)
def test_propagation_finds_what_its_regular_expression_found(
    text: str, names: list[str], proclitics: bool
) -> None:
    """`_propagate` searches with `str.find`; its matches are those of the alternation it
    replaced, proclitics tried shortest first and names longest first."""
    order = sorted(dict.fromkeys(names), key=len, reverse=True)
    glued = PROCLITICS_SHORTEST_FIRST if proclitics else ()
    pattern = re.compile(
        r"(?<![\w\u200c])"
        + ("(?:" + "|".join(glued) + ")?" if glued else "")
        + "("
        + "|".join(re.escape(n) for n in order)
        + r")(?![\w\u200c])"
    )
    expected = [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(text)]
    assert _name_matches(text, order, glued) == expected


def test_the_demo_pages_show_none_of_these_errors() -> None:
    """The Arabic demo page (CNN Arabic, arfa-dev) end to end: no "بريف" mention, "الدولة
    الإسلامية" an organisation."""
    import gzip
    from datetime import UTC, datetime
    from pathlib import Path

    from newsflow.extraction.parse import ParseOptions, parse_page
    from newsflow.inputs import raw_page

    page = (
        Path(__file__).resolve().parents[2].parent
        / "shared/corpus/arfa-dev/pages/newspaper4k_arabic_cnn.html.gz"
    )
    raw = raw_page(
        "https://arabic.cnn.com/demo",
        now=datetime.now(UTC),
        source="test",
        body=gzip.decompress(page.read_bytes()),
    )
    art = parse_page(raw, ParseOptions())
    ents = extract_entities({k: art[k] or "" for k in ("title", "lead", "body")}, "ar")
    texts = {m["text"] for e in ents for m in e["mentions"]}
    assert not any(t.startswith("بريف") for t in texts)
    assert all(e["type"] == "ORG" for e in ents if "الدولة الإسلامية" in e["name"])
