from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.core import normalize
from newsflow.core.normalize import normalize_for_matching, normalize_with_offsets, to_ascii_digits


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("پوتین", "پوتين"),  # Persian yeh meets Arabic yeh
        ("کرملین", "كرملين"),  # keheh meets kaf
        ("أحمد إبراهيم آمنة", "احمد ابراهيم امنه"),  # alef forms, teh marbuta
        ("مُحَمَّد", "محمد"),  # diacritics
        ("الـــرئيس", "الرييس"),  # tatweel; hamza on yeh folds too
        ("می\u200cخواهد", "ميخواهد"),  # ZWNJ
        ("١٩/٠٣/٢٠٢٤ ۱۴۰۳", "19/03/2024 1403"),  # both digit systems
        ("Путин PUTIN", "путин putin"),
    ],
)
def test_spelling_variants_fold_together(text: str, folded: str) -> None:
    assert normalize_for_matching(text) == folded


def test_casefold_can_be_kept_off() -> None:
    assert normalize_for_matching("Iran", casefold=False) == "Iran"


def test_digits_only_leaves_letters_alone() -> None:
    assert to_ascii_digits("رمز الخبر ١٩٤٢٥٧٤") == "رمز الخبر 1942574"


@given(st.text(alphabet=st.sampled_from("abcß ـ\u200cأإآةيیكکَُِّ٠١۲۳xyzİ"), max_size=60))
def test_offsets_map_every_folded_character_back(text: str) -> None:
    folded, offsets = normalize_with_offsets(text)
    assert folded == normalize_for_matching(text)
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(text)
    assert offsets == sorted(offsets)
    for i, ch in enumerate(folded):
        assert ch in normalize_for_matching(text[offsets[i]])


def _fold_fresh(text: str, casefold: bool) -> str:
    """The per-call fold the persistent tables replaced: one character at a time."""
    return "".join(normalize._fold_char(ch, casefold) for ch in text)


@given(
    st.text(alphabet=st.sampled_from("aBcßẞ ـ\u200c\u200fأإآةيیكکَُِّ٠١۲۳XyzİΣσﬁ\ufeff"), max_size=60),
    st.booleans(),
)
def test_persistent_tables_fold_like_a_fresh_one(text: str, casefold: bool) -> None:
    # Both tables are shared by every call: a character first seen with one
    # ``casefold`` value must not leak its fold into the other table.
    assert normalize_for_matching(text, casefold=casefold) == _fold_fresh(text, casefold)
    assert normalize_for_matching(text, casefold=not casefold) == _fold_fresh(text, not casefold)


def test_full_table_still_folds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "_MAX_TABLE", 0)
    text = "Ωmega \u0b95\u0bcd\u0bb7 ۱۲ ى"  # characters the tables have not seen yet
    assert normalize_for_matching(text) == _fold_fresh(text, True) == "ωmega க\u0bb7 12 ي"
