"""parse.py fast paths: each must return exactly what the general code returns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsflow.extraction.parse import _squash_spaces

_PIECES = [
    "word", "Wort", "كلمة", " ", "  ", "\n", "\n\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f",
    "\x85", "\xa0", "\u2009", "\u2028", "\u2029", "\u3000", "\u200c", "\xad", "\x00", "\ud800",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_squash_spaces_equals_split_and_join(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _squash_spaces(text) == " ".join(text.split())


@given(st.text(max_size=40))
def test_squash_spaces_on_any_text(text: str) -> None:
    assert _squash_spaces(text) == " ".join(text.split())
