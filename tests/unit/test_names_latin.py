"""Rules of `newsflow.entities.names_latin`: each test is one kind of evidence the module
reads (a title, a possessive, an organisation head, a place cue), or one way it must not
over-tag (headlines, sentence-initial words, other languages)."""

from __future__ import annotations

import itertools

import pytest

from newsflow.entities.names_latin import latin_name_spans


def names(text: str, language: str | None = "en") -> list[tuple[str, str]]:
    """(type, surface) of every span, in text order."""
    return [(kind, text[s:e]) for kind, s, e in latin_name_spans(text, language)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On Monday Prime Minister Keir Starmer met the unions.", ("PERSON", "Keir Starmer")),
        ("The deal was blessed by Mr. Smith yesterday.", ("PERSON", "Smith")),
        ("It was signed by Sen. Tim Scott of South Carolina.", ("PERSON", "Tim Scott")),
        ("We met Secretary of State Antony Blinken today.", ("PERSON", "Antony Blinken")),
        ("The plan was praised by striker Harry Kane after the game.", ("PERSON", "Harry Kane")),
        ("The money was lost, said Serene Gregg, a union official.", ("PERSON", "Serene Gregg")),
        ("The report was written by Holly Bowles, 19, of Melbourne.", ("PERSON", "Holly Bowles")),
    ],
)
def test_persons_from_titles_and_cues(text: str, expected: tuple[str, str]) -> None:
    assert expected in names(text)


def test_title_is_not_part_of_the_span() -> None:
    assert names("They heard from President Joe Biden on Friday.") == [("PERSON", "Joe Biden")]


def test_possessive_is_left_out_and_surname_follows_full_name() -> None:
    text = "Analysts said Vladimir Putin's speech was short. Later Putin’s aides denied it."
    assert names(text) == [("PERSON", "Vladimir Putin"), ("PERSON", "Putin")]


def test_employer_before_a_corporate_title() -> None:
    got = names("The statement came from Nvidia CEO Jensen Huang on Tuesday.")
    assert got == [("ORG", "Nvidia"), ("PERSON", "Jensen Huang")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shares of Acme Holdings rose after the Bank of England cut rates.", "Acme Holdings"),
        ("Shares of Acme Holdings rose after the Bank of England cut rates.", "Bank of England"),
        ("A spokesman for the Ministry of Defence declined to comment.", "Ministry of Defence"),
        ("Photos were supplied by Getty Images for the show.", "Getty Images"),
        (
            "Funding came from the Department of Health and Human Services.",
            "Department of Health and Human Services",
        ),
        ("The decision was reported by newspaper Dagens Nyheter first.", "Dagens Nyheter"),
    ],
)
def test_organisations_with_heads_and_suffixes(text: str, expected: str) -> None:
    assert ("ORG", expected) in names(text)


def test_two_organisations_joined_by_and_are_two() -> None:
    got = names(
        "The revised deal got House and Senate votes, said the Securities and Exchange Commission."
    )
    assert ("ORG", "Securities and Exchange Commission") in got
    assert all("House and Senate" not in surface for _, surface in got)


def test_defined_acronym_is_an_organisation() -> None:
    text = "The Office for Budget Responsibility (OBR) published it. The OBR said so."
    assert names(text) == [
        ("ORG", "Office for Budget Responsibility"),
        ("ORG", "OBR"),
        ("ORG", "OBR"),
    ]


def test_undefined_acronym_is_left_out() -> None:
    assert names("The GDP figures and the CEO pay were discussed.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police said the attack happened in Hialeah, Florida, on Sunday.", ("LOC", "Hialeah")),
        ("The crash happened in the city of Bila Tserkva overnight.", ("LOC", "Bila Tserkva")),
        ("A London-based fund bought it.", ("LOC", "London")),
        ("Voters in Orange County turned out early.", ("LOC", "Orange County")),
        ("Voters in Orange County turned out early.", ("LOC", "Orange County")),
        ("Talks with Russia and Sweden resumed.", ("GPE", "Sweden")),
        ("Storms hit the West Bank again.", ("LOC", "West Bank")),
    ],
)
def test_places(text: str, expected: tuple[str, str]) -> None:
    assert expected in names(text)


def test_the_united_nations_is_not_a_country() -> None:
    assert ("GPE", "United Nations") not in names("He spoke at the United Nations today.")


def test_headline_title_case_is_not_over_tagged() -> None:
    assert names("Republicans Are Following Trump to Nowhere") == []
    assert names("Russia Hits Kyiv With Ballistic Missile, Damages Buildings and Schools") == [
        ("GPE", "Russia")
    ]


def test_headline_gets_names_known_from_the_body() -> None:
    text = (
        "Holly Bowles Becomes Sixth to Die After Drinking Poisoned Cocktails\n"
        "The family of Australian teenager Holly Bowles said she had died."
    )
    assert names(text) == [("PERSON", "Holly Bowles"), ("PERSON", "Holly Bowles")]


@pytest.mark.parametrize(
    "text",
    [
        "Meanwhile the markets fell again.",
        "Police said nothing more.",
        "However, Officials Said Nothing.",
        "The Company said it would appeal.",
        "On Monday the Government announced it.",
    ],
)
def test_sentence_initial_common_words_are_not_names(text: str) -> None:
    assert names(text) == []


def test_sentence_initial_name_seen_elsewhere_is_kept() -> None:
    text = "Cameron Brooksbank, 17, was attacked. Doctors said Cameron Brooksbank recovered."
    assert names(text) == [("PERSON", "Cameron Brooksbank"), ("PERSON", "Cameron Brooksbank")]


def test_byline() -> None:
    assert names("By Jane Doe\nThe council met on Monday.") == [("PERSON", "Jane Doe")]


def test_agency_credit() -> None:
    assert names("LONDON (Reuters) - Prices fell.") == [("ORG", "Reuters")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die Bundesregierung und Präsident Emmanuel Macron sagten am Montag nichts.", "de"),
        ("Le Président de la République a parlé avec Madame Dupont à Paris.", "fr"),
        ("El Gobierno de España dijo que el Presidente Pedro Sánchez viajará.", "es"),
        ("Mr Smith said nothing.", None),
    ],
)
def test_other_languages_get_no_person_or_place(text: str, language: str | None) -> None:
    assert names(text, language) == []


def test_other_languages_keep_legal_forms() -> None:
    assert names("Die Aktie der Siemens Energy AG stieg am Montag.", "de") == [
        ("ORG", "Siemens Energy AG")
    ]
    assert names("Renault SA a publié ses résultats.", "fr") == [("ORG", "Renault SA")]


def test_region_tag_counts_as_english() -> None:
    assert names("They heard from President Joe Biden.", "en-GB") == [("PERSON", "Joe Biden")]


def test_empty_text() -> None:
    assert latin_name_spans("", "en") == []


def test_spans_are_sorted_and_disjoint() -> None:
    text = "Mr Smith of Acme Holdings met Dr. Jones in the city of Leeds. Smith left."
    spans = latin_name_spans(text, "en")
    assert spans == sorted(spans, key=lambda sp: sp[1])
    for (_, _, end), (_, start, _) in itertools.pairwise(spans):
        assert end <= start


def test_plural_business_noun_makes_an_organisation_not_a_person() -> None:
    assert names("A few days earlier, Whole Foods said prices would fall.") == [
        ("ORG", "Whole Foods")
    ]


def test_and_the_splits_two_organisations() -> None:
    got = names("It is a blow to Big Machine and The Carlyle Group this week.")
    assert ("ORG", "Carlyle Group") in got
    assert all(" and " not in surface for _, surface in got)


def test_events_and_non_name_words_are_left_out() -> None:
    assert names("He served in the Gulf War and later in the army.") == []
    assert names("“I think, Mr. Ranking Member, that would put us in a bind.”") == []
