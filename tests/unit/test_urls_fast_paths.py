"""urls.py fast paths: each must return exactly what the general code returns."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.extraction.urls import join_url

_BASES = ["https://news.example.org/a/b.html?x=1#f", "http://h/", "", "ftp://f/d/", "//h/p"]
_PIECES = [
    "http://", "https://", "HTTP://", "h.example", "/", "//", "?", "#", ";", "[::1]", "]",
    ":8080", "a b", "\t", "\n", "\x00", " ", "é", "%20", "..", ".", "x=1", "@", "\\", "img.jpg",
]  # fmt: skip


@given(st.sampled_from(_BASES), st.lists(st.sampled_from(_PIECES), max_size=8))
def test_join_url_equals_urljoin(base: str, pieces: list[str]) -> None:
    url = "".join(pieces)
    try:
        want = urljoin(base, url)
    except ValueError:  # an unparsable link (http://[::1) is ignored, not fatal to the page
        assert join_url(base, url) == ""
        return
    assert join_url(base, url) == want


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.org/img/1.jpg",
        "http://h.example",
        "http://h/a/../b",
        "https://h//x",
        "http:///no-host",
        "https://h/p?",
        "https://h/p#",
        "https://h/p;",
        "https://[::1/x",
        " https://h/p",
        "https://h/p\n",
        "https://hé/p",
    ],
)
def test_join_url_edge_cases(url: str) -> None:
    for base in _BASES:
        try:
            want = urljoin(base, url)
        except ValueError:
            continue
        assert join_url(base, url) == want
