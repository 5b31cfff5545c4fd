"""Page URLs: `page_url` accepts only absolute http(s) URLs; `canonicalize_url` never raises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsflow.core.errors import PipelineError
from newsflow.extraction.parse import parse_page
from newsflow.extraction.urls import article_id, canonicalize_url, page_url
from newsflow.inputs import raw_page

JUNK = [
    "",
    "   ",
    "http://[::1",
    "http://[::1]]/",
    "https://[v1.x]/",
    "http://[1.2.3.4]/",
    "http://a:99999/",
    "http://a:x/",
    "http://\ud800.example/",
    "https://h.example/\udfff",
    "javascript:alert(1)",
    "mailto:x@y.z",
    "\x00\x01",
    "http://" + "a" * 70 + ".example/",
    "http://ex\uff0fample.com/",
    "::::",
    "[",
    "%",
]


@pytest.mark.parametrize("url", JUNK)
def test_canonicalize_url_never_raises_on_junk(url: str) -> None:
    assert isinstance(canonicalize_url(url), str)
    assert len(article_id(url)) == 20


_PIECES = [
    "http://", "https://", "HTTP://", "javascript:", "mailto:", "//", "h.example", "ایران.ir",
    "[", "]", "::1", ":8080", ":", "@", "/", "?", "#", "%", "%2F", " ", "\t", "\x00", "\ud800",
    "..", "a=1", "utm_source=x", "&",
]  # fmt: skip
URLISH = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)


@given(st.one_of(st.text(max_size=80), URLISH))
def test_canonicalize_url_and_page_url_contracts_hold_for_any_text(url: str) -> None:
    canonicalize_url(url)
    article_id(url)
    try:
        canon = page_url(url)
    except PipelineError as exc:
        assert exc.kind == "url" and exc.message
    else:
        assert canon.startswith(("http://", "https://")) and page_url(canon) == canon


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://ar.mehrnews.com/news/1942574/", "https://ar.mehrnews.com/news/1942574"),
        ("  HTTP://WWW.Example.COM:80/a/?utm_source=x#top ", "http://www.example.com/a"),
        ("https://user:pw@example.com:8443/a", "https://example.com:8443/a"),
        ("http://ایران.ir/خبر", "http://xn--mgba3a4f16a.ir/%D8%AE%D8%A8%D8%B1"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
        ("http://192.0.2.7/x", "http://192.0.2.7/x"),
        ("https://my_host.example./p", "https://my_host.example/p"),
    ],
)
def test_page_url_accepts_absolute_http_urls_and_canonicalizes(url: str, canonical: str) -> None:
    assert page_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "blank"),
        (" \t", "blank"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("javascript:void(0)", "scheme 'javascript'"),
        ("mailto:x@y.z", "scheme 'mailto'"),
        ("ftp://files.example/a", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("data:text/html,<p>x</p>", "scheme 'data'"),
        ("example.com/news/1", "no scheme"),
        ("//example.com/news/1", "no scheme"),
        ("/news/1", "no scheme"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://a.example:99999/", "Port out of range"),
        ("http:///news/1", "no host"),
        ("https://", "no host"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://a%20b.example/", "not a valid host name"),
        ("http://[v1.x]/", "not a valid host name"),
        ("http://[fe80::1%25eth0]/", "not a valid host name"),
        ("http://" + "a" * 64 + ".example/", "not a valid host name"),
        ("https://h.example/\ud800", "not valid Unicode"),
    ],
)
def test_page_url_refuses_with_a_clear_reason(url: str, says: str) -> None:
    with pytest.raises(PipelineError) as err:
        page_url(url)
    assert err.value.kind == "url" and says in err.value.message


def test_urls_that_used_to_collide_are_refused_not_merged() -> None:
    # Without the gate both became http://javascript/ and shared one article id.
    assert canonicalize_url("javascript:alert(1)") == canonicalize_url("javascript:void(0)")
    for url in ("javascript:alert(1)", "javascript:void(0)", "mailto:x@y.z", ""):
        with pytest.raises(PipelineError, match="url"):
            page_url(url)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "mailto:x@y.z", "", "http://[::1", "ftp://f.example/a"]
)
def test_a_raw_page_without_an_http_url_is_a_url_dead_letter(url: str) -> None:
    page = raw_page(
        url,
        now=datetime(2024, 3, 19, tzinfo=UTC),
        source="test",
        html="<html><body><h1>Title</h1><p>" + "Words of a body. " * 20 + "</p></body></html>",
    )
    with pytest.raises(PipelineError) as err:
        parse_page(page)
    assert err.value.kind == "url"
    page["url"] = "https://news.example/a/1"
    assert parse_page(page)["url"] == "https://news.example/a/1"
