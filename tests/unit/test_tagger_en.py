"""The English tagger: its features, its sentence cuts, and the shipped model decoded."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.entities.ner import extract_entities, sentences, tokenize
from newsflow.entities.tagger import Tagger, shipped_model
from newsflow.entities.tagger_en import (
    _first_word,
    _line_style,
    _word_class,
    abbreviation_dot,
    context_attrs,
    context_tags,
    word_features,
)


def own(word: str) -> set[str]:
    return set(word_features(word)[0])


def test_word_features_say_case_frequency_and_classes() -> None:
    f = own("Siemens")
    assert {"bias", "lw=siemens", "cs=title", "sh=Xxx"} <= f
    assert "trig=legal" in own("AG") and "trig=orgtail" in own("AG")
    assert "trig=title" in own("Mr.")
    assert any(x.startswith("given=") for x in own("John"))
    assert any(x.startswith("sur=") for x in own("Froomkin")) is False  # not a census name
    # a frequent lower-case form is the evidence against a name
    assert "zf=7" in own("The") and "zf=0" in own("TotalEnergies")
    assert "cs=camel" in own("eBay") and "cs=upper" in own("NATO")


def test_neighbours_get_the_word_and_its_classes() -> None:
    _, lent = word_features("said")  # lent to -2, -1, +1, +2
    assert "-1:lw=said" in lent[1] and "-1:trig=said" in lent[1]
    assert "1:trig=said" in lent[2]
    assert "2:trig=said" in lent[3]


def test_context_marks_the_first_word_and_headline_lines() -> None:
    tags = context_tags(["The", "man", "from", "Paris"], ["O", "O", "O", "B-LOC"], None)
    assert tags[0].startswith("en|O|O|i:title:")
    assert tags[1] == "en|O|O|"
    assert tags[3] == "en|B-LOC|O|"
    headline = ["Markets", "Rally", "After", "Central", "Bank", "Decision"]
    assert all(t.split("|")[3].startswith(("i:", "T:")) for t in context_tags(headline, None, None))
    caps = ["WASHINGTON", "(", "AP", ")"]
    assert context_tags(caps, None, None)[2].split("|")[3].startswith("A:upper:")
    attrs = context_attrs("en|B-LOC|B-PER|")
    assert "gr=LOC:PER" in attrs[0] and "-1:gaz=B-LOC" in attrs[-1] and "1:rule=B-PER" in attrs[1]


def test_english_sentences_do_not_end_after_an_abbreviation() -> None:
    text = "Mr. Smith of the U.S. Army met Dr. Jones. Then he left."
    toks = tokenize(text)
    cuts = sentences(text, toks, "en")
    assert [" ".join(t.text for t in toks[a:b]) for a, b in cuts] == [
        "Mr . Smith of the U . S . Army met Dr . Jones .",
        "Then he left .",
    ]
    assert len(sentences(text, toks)) > 2  # other languages: every full stop
    assert abbreviation_dot(["Inc", "."], 1) and not abbreviation_dot(["left", "."], 1)


def _en_tagger() -> Tagger:
    return Tagger(shipped_model("en"))


@pytest.mark.parametrize(
    "text",
    [
        "Siemens AG and TotalEnergies signed the deal in Paris, Reuters reported.",
        "Prime Minister Keir Starmer told the BBC that the Labour Party would win.",
        "where can I get morcillas in tampa bay , I will like the argentinian type",
        "WASHINGTON (AP) - President Joe Biden met Chancellor Olaf Scholz on Friday.",
    ],
)
def test_decoding_matches_crfsuite_on_the_shipped_english_model(text: str) -> None:
    tagger = _en_tagger()
    tokens = [t.text for t in tokenize(text)]
    gaz = ["O"] * len(tokens)
    rules = ["B-PER" if t == "Starmer" else "O" for t in tokens]
    ctx = context_tags(tokens, gaz, rules)
    want = tagger._tagger.tag(tagger.features.sentence(tokens, gaz, "en", extra=rules))
    assert tagger._crf.tag(tokens, ctx, "en") == want
    assert tagger.tag_many([tokens], "en", [gaz], [rules]) == [want]


def test_siemens_ag_and_totalenergies_are_found_on_an_english_page() -> None:
    text = (
        "Siemens AG will supply turbines to TotalEnergies for a wind farm off the coast "
        "of Scotland, the companies said on Tuesday."
    )
    found = {(e["name"], e["type"]) for e in extract_entities({"body": text}, "en")}
    assert ("Siemens AG", "ORG") in found
    assert ("TotalEnergies", "ORG") in found
    assert any(name == "Scotland" for name, _ in found)


def _context_tags_token_by_token(
    tokens: list[str], gaz: list[str] | None, rules: list[str] | None
) -> list[str]:
    """`context_tags` as it was written first, one step per token: the reference."""
    style = _line_style(tokens)
    first = _first_word(tokens)
    gaz = gaz if gaz is not None else ["O"] * len(tokens)
    rules = rules if rules is not None else ["O"] * len(tokens)
    out = []
    for i, tok in enumerate(tokens):
        g, r = gaz[i], rules[i]
        flag = "i" if i == first else style
        if flag:
            case, zf = _word_class(tok)
            out.append(f"en|{g}|{r}|{flag}:{case}:{min(zf, 6)}")
        else:
            out.append(f"en|{g}|{r}|")
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["The", "man", "PARIS", "Paris", "from", "Biden", ",", "42", "said"]),
            st.sampled_from(["O", "O", "O", "B-LOC", "I-PER"]),
            st.sampled_from(["O", "O", "O", "B-ORG", "I-LOC"]),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_context_tags_are_those_of_a_token_by_token_walk(
    rows: list[tuple[str, str, str]], channels: bool
) -> None:
    tokens = [t for t, _, _ in rows]
    gaz = [g for _, g, _ in rows] if channels else None
    rules = [r for _, _, r in rows] if channels else None
    assert context_tags(tokens, gaz, rules) == _context_tags_token_by_token(tokens, gaz, rules)
