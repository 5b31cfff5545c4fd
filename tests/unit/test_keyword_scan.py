from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.core.normalize import to_ascii_digits
from newsflow.extraction import extract as ex
from newsflow.extraction import fields
from newsflow.extraction import selectors as sel
from newsflow.extraction.keyword_scan import KeywordScan


def _lower_find(text: str, keywords: tuple[str, ...]) -> list[list[int]]:
    """The keyword-by-keyword search the scan replaces, in ``text.lower()``."""
    low = text.lower()
    out: list[list[int]] = []
    for kw in keywords:
        found: list[int] = []
        i = low.find(kw)
        while i >= 0:
            found.append(i)
            i = low.find(kw, i + 1)
        out.append(found)
    return out


def _old_external_id(page_text: str, url: str) -> str | None:
    low = page_text.lower()
    for kw in sel.EXTERNAL_ID_KEYWORDS:
        i = low.find(kw)
        while i >= 0:
            m = sel.EXTERNAL_ID_RE.match(low, i, i + len(kw) + 30)
            if m:
                return to_ascii_digits(m.group(1))
            i = low.find(kw, i + 1)
    path = urlsplit(url).path
    for rx in sel.EXTERNAL_ID_URL_RES:
        m2 = rx.search(path)
        if m2 and not fields._YYYYMMDD.match(m2.group(1)):
            return m2.group(1)
    return None


_KEYWORDS = ("news id", "newsid", "ok", "a", "كد خبر", "کد خبر", "абв")


def test_starts_in_any_case_and_overlapping() -> None:
    scan = KeywordScan(_KEYWORDS)
    text = "NEWS ID Newsid newsID O\u212a aA كد خبر/کد خبر АБВ"
    assert scan.starts(text) == _lower_find(text, _KEYWORDS)
    assert scan.starts("newsnewsid")[1] == [4]


def test_rejects_keywords_not_in_lower_case() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        KeywordScan(("News",))


@given(st.text(alphabet=st.sampled_from("newsNEWS idIDokOK\u212aaA كدکخبر АБВабвİ"), max_size=40))
def test_starts_where_lower_find_does(text: str) -> None:
    # Without İ (whose lower case is two characters) the positions are the same.
    if "İ" in text:
        return
    assert KeywordScan(_KEYWORDS).starts(text) == _lower_find(text, _KEYWORDS)


_ID_PIECES = st.sampled_from(
    [" ", ": ", "：", "#", "\n", "news", "NEWS", "News", " id", "ID", "code", "Story", " id ",
     "رمز الخبر", "کد خبر", "كد خبر", "شماره خبر", "123", "٤٥٦٧", "۱۲۳۴", "9", "İ", "x", "é"]
)  # fmt: skip


@given(st.lists(_ID_PIECES, max_size=14).map("".join), st.sampled_from(["", "/news/123456"]))
def test_external_id_as_the_lower_case_search(text: str, path: str) -> None:
    url = "https://example.org" + path
    assert ex.extract_external_id(text, url) == _old_external_id(text, url)
