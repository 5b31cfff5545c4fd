"""The cheaper tests used on the hot path agree with what they stand in for."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsflow.core.normalize import normalize_for_matching
from newsflow.extraction import content, walk
from newsflow.extraction import selectors as sel


def _old_heading_words(text: str) -> list[str]:
    words = [w for w in sel.TAG_HEADING_WORDS if w in text]
    for word in sel.TAG_HEADING_WORDS_ANY_CASE:
        if word in text or word.capitalize() in text or word.upper() in text:
            words.append(word)
    return words


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no heading words here",
        "Tags: politics, economy",
        "TAGS and topics and Topics",
        "tAgs is not a spelling",
        "سمات: سياسة وسوم",
        "كلمات مفتاحية برچسب کلیدواژه كليدواژه",
        "topicstags",
        "وسومسمات",
    ],
)
def test_heading_words_equal_the_substring_scans(text: str) -> None:
    assert walk._heading_words(text) == _old_heading_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "Read the comments below",
        "KOMMENTARE und Nutzungsbedingungen",
        "Comentarios: normas",
        "COMENTARIO",
        "\u212aommentar",  # Kelvin sign: matched case-insensitively as "k"
        "commentaire",
        "تعليقات القراء",
        "نظرات کاربران",
        "دیدگاه شما",
        "ديدكاه",
        "the government said",
        "a moment later",
        "nothing here",
        "\u0130\u0131",
    ],
)
def test_comment_hint_is_necessary_for_comment_words(text: str) -> None:
    for norm in (text.lower(), text.casefold(), normalize_for_matching(text)):
        if sel.COMMENT_WORDS_RE.search(norm):
            assert content._has_comment_hint(norm)


@pytest.mark.parametrize(
    "text",
    [
        "في هذا المجال. /انتهى/",
        "في هذا المجال / انتهى .",
        "The market closed higher. (END)",
        "متن خبر پایان پیام",
        "(END) at the start, then a long sentence that goes on and on past the tail window",
        "no marker at all",
        "انتهى",
        "",
    ],
)
def test_tail_hint_is_necessary_for_tail_marker(text: str) -> None:
    for offset in (0, max(0, len(text) - 40), len(text)):
        if sel.END_MARKER_TAIL_RE.search(text, offset):
            assert content._has_tail_hint(text, offset)


@pytest.mark.parametrize(
    "markup",
    [
        "<div>a<!-- c -->b<br>c &amp; d&nbsp;e<span> f </span><template>t</template></div>",
        "<div><svg><title>s</title></svg><math>m</math><noscript>n</noscript>q</div>",
        "<div><textarea>x</textarea>\n  <p> p </p>\t<ul><li>1</li><li>2</li></ul></div>",
        "<div></div>",
    ],
)
def test_text_lexbor_equals_deep_text(markup: str) -> None:
    node = LexborHTMLParser(markup).css_first("div")
    assert node is not None
    assert node.text_lexbor() == node.text(deep=True)
