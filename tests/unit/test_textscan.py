"""The compiled loops of ``newsflow.entities._textscan`` give what their Python
counterparts give, character for character and offset for offset: an install without
a compiler must find the same entities."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsflow.core.normalize import normalize_with_offsets
from newsflow.entities import forms, tokens
from newsflow.entities.enrich import count_words_python, find_words_python

TEXTSCAN = forms.TEXTSCAN
needs_compiled = pytest.mark.skipif(
    TEXTSCAN is None, reason="newsflow.entities._textscan not built (make test requires it)"
)

# What the loops treat apart: folds to none or several characters, the extra folds,
# whitespace of every kind, Cyrillic words, Arabic marks, joiners, other planes.
_SAMPLES = (
    "ab XY_1 ß İ ﬁ é\u0301 ёЁ ’‘ʼ \u00a0\t\n\r\x0b\x0c\u2009\u3000\x1c\x85 Путина ПУТИН "
    "٤۵ أإآ یيك ة \u064b\u0670\u06d6\u06ed \u200c\u200d\u0640\ufeff . ، ! 😀 \U0001d400"
)
texts = st.text(alphabet=st.sampled_from(_SAMPLES), max_size=60) | st.text(max_size=30)

# Pages the corpus holds: a headline, Arabic with diacritics and a ZWNJ, Russian.
_PAGES = (
    "Putin’s  visit:\tU.S. officials\n\nsaid ‘no’ — 42 %",
    "قالَ الرئيسُ إنّ «موسكو» ستردّ… می‌خواهد ١٢٣",
    "Президент  Путин\nвстретился с ёлкой",
)


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(texts)
def test_compiled_folding_gives_normalize_with_offsets(text: str) -> None:
    assert TEXTSCAN is not None
    assert TEXTSCAN.fold_offsets(text) == normalize_with_offsets(text)


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(texts)
def test_compiled_matching_form_gives_the_python_one(text: str) -> None:
    assert TEXTSCAN is not None
    norm, offsets = normalize_with_offsets(text)
    compiled = TEXTSCAN.match_rewrite(norm, offsets, forms._EXTRA_FOLD, forms._ru_stem)
    assert compiled == forms.match_rewrite_python(norm, offsets)


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(texts)
def test_compiled_tokens_are_the_python_tokens(text: str) -> None:
    assert TEXTSCAN is not None
    compiled = TEXTSCAN.tokenize(text, tokens.Token)
    assert compiled == tokens.tokenize_python(text)
    assert all(type(t) is tokens.Token for t in compiled)


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(texts)
def test_compiled_word_counts_are_the_python_ones(text: str) -> None:
    assert TEXTSCAN is not None
    compiled = TEXTSCAN.count_words(text)
    expected = count_words_python(text)
    assert compiled == expected
    assert list(compiled) == list(expected)  # the same order: first occurrence


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(texts, st.lists(st.text(alphabet=st.sampled_from("ab_1éß\u0628Пё"), min_size=1, max_size=4)))
def test_compiled_word_search_finds_what_the_python_one_finds(text: str, words: list[str]) -> None:
    assert TEXTSCAN is not None
    found = set(words) | set(re.findall(r"\w+", text)[:2])  # words that occur, too
    assert TEXTSCAN.find_words(text, found) == find_words_python(text, found)


@needs_compiled
@pytest.mark.parametrize("text", _PAGES)
def test_compiled_and_python_agree_on_page_text(text: str) -> None:
    assert TEXTSCAN is not None
    norm, offsets = normalize_with_offsets(text)
    assert TEXTSCAN.fold_offsets(text) == (norm, offsets)
    assert TEXTSCAN.match_rewrite(
        norm, offsets, forms._EXTRA_FOLD, forms._ru_stem
    ) == forms.match_rewrite_python(norm, offsets)
    assert TEXTSCAN.tokenize(text, tokens.Token) == tokens.tokenize_python(text)
    assert list(TEXTSCAN.count_words(norm).items()) == list(count_words_python(norm).items())


def test_matching_form_maps_back_to_the_text() -> None:
    """Whichever loop runs: runs of whitespace are one space, Russian words stems, and
    each folded character points at the character it came from."""
    text = "Путина  встретил\tPutin’s"
    norm, offsets = forms.match_form(text, fold_cache=False)
    assert norm == "путин встретил putin's"
    assert len(offsets) == len(norm) + 1 and offsets[-1] == len(text)
    assert text[offsets[norm.index("putin")]] == "P"
