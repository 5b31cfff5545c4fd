"""parse_page end to end: the example pages field by field, error kinds, fuzzing."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from newsflow import inputs
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict, RawPageDict
from newsflow.extraction import dom
from newsflow.extraction import extract as ex
from newsflow.extraction.parse import ParseOptions, parse_page
from newsflow.extraction.urls import article_id

PAGES = Path(__file__).parents[2] / "examples" / "pages"
SEED_DIR = Path(__file__).parents[2] / ".." / "shared" / "seeds"
FETCHED = "2024-03-19T12:00:00+00:00"


def raw_page(
    html: str | None = None,
    *,
    body: bytes | None = None,
    url: str = "https://ar.mehrnews.com/news/1942574/",
    **kw: Any,
) -> RawPageDict:
    page = inputs.raw_page(
        url,
        now=datetime.fromisoformat(FETCHED),
        source="test",
        html=html,
        body=body,
        content_type="text/html; charset=utf-8",
    )
    page.update(kw)  # type: ignore[typeddict-item]
    return page


def parse_example(name: str, url: str) -> ArticleDict:
    return parse_page(raw_page((PAGES / name).read_text(encoding="utf-8"), url=url))


@pytest.fixture(scope="module")
def ar() -> ArticleDict:
    return parse_example("mehrnews-ar-1942574.html", "https://ar.mehrnews.com/news/1942574/")


def test_ar_every_field_present(ar: ArticleDict) -> None:
    assert set(ar) == set(ArticleDict.__annotations__)


def test_ar_identity(ar: ArticleDict) -> None:
    assert ar["schema_version"] == 1
    assert ar["canonical_url"].startswith("https://ar.mehrnews.com/news/1942574/%D8%A7")
    assert ar["id"] == article_id(ar["canonical_url"])
    assert ar["site"] == "ar.mehrnews.com"
    assert ar["site_name"] == "وكالة مهر للأنباء"
    assert ar["source"] == "test" and ar["fetched_at"] == FETCHED
    assert ar["external_id"] == "1942574"
    assert ar["language"] == "ar"
    assert len(ar["content_hash"]) == 64


def test_ar_title_lead_section_tags(ar: ArticleDict) -> None:
    assert ar["title"] == (
        "الرئيس الإيراني والروسي يؤكدان على اهمية توسيع العلاقات الثنائية"
        " والتعاون في القضايا الدولية"
    )
    assert ar["lead"] is not None and ar["lead"].startswith("اعتبر الرئيس الإيراني، خلال محادثة")
    assert ar["section"] == "السياسة"
    assert ar["tags"] == ["إيران", "روسيا", "إبراهيم رئيسي", "فلاديمير بوتين"]
    assert ar["authors"] == []  # the agency is not a person
    assert ar["images"][0] == "https://media.mehrnews.com/d/2024/03/19/4/4712345.jpg"


def test_ar_date_to_the_minute(ar: ArticleDict) -> None:
    assert ar["published_at"] == "2024-03-19T14:37:00+03:30"
    assert ar["published_raw"] == "١٩/٠٣/٢٠٢٤، ٢:٣٧ م"
    assert ar["calendar"] == "gregorian"
    assert ar["published_tz_source"] == "page"
    assert ar["date_note"] is None
    assert ar["modified_at"] == "2024-03-19T14:41:12+03:30"


def test_ar_printed_date_alone_uses_site_default() -> None:
    html = (PAGES / "mehrnews-ar-1942574.html").read_text(encoding="utf-8")
    html = html.replace('"datePublished": "2024-03-19T14:37:00+03:30",', "")
    art = parse_page(raw_page(html))
    assert art["published_at"] == "2024-03-19T14:37:00+03:30"
    assert art["published_tz_source"] == "site-default"
    assert art["published_raw"] == "١٩/٠٣/٢٠٢٤، ٢:٣٧ م"
    no_tz = parse_page(raw_page(html), ParseOptions(site_timezones={}))
    assert no_tz["published_at"] == "2024-03-19T14:37:00+00:00"
    assert no_tz["published_tz_source"] == "utc-assumed"


def test_ar_body(ar: ArticleDict) -> None:
    body = ar["body"]
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("وأفادت وكالة مهر للأنباء، أنّه هنأ الرئيس الإيراني")
    assert paragraphs[-1].endswith("مستعدة للتعاون بشكل أكثر فعالية مع إيران في هذا المجال.")
    assert len(paragraphs) == 7
    for unwanted in (
        "انتهى",
        "تابعوا آخر الأخبار",  # after the end marker
        "رمز الخبر",
        "سمات",
        "تعليقك",
        "You are replying to",
        "captcha",
        "أخبار ذات صلة",
        "بوتين يفوز بولاية",
        "شارك",
        "ملفات تعريف الارتباط",
        "الأكثر قراءة",
        "جميع الحقوق",
        "خلال اتصال هاتفی",  # pre-title
        "اعتبر الرئيس الإيراني، خلال محادثة",  # the lead is not repeated in the body
    ):
        assert unwanted not in body, unwanted


def test_ar_body_matches_seed_text(ar: ArticleDict) -> None:
    seed_files = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []
    if not seed_files:
        pytest.skip("shared seeds not present")
    seed = seed_files[0].read_text(encoding="utf-8")
    for para in ar["body"].split("\n\n"):
        assert para in seed


def test_fa_example() -> None:
    art = parse_example("mehrnews-fa-6062918.html", "https://www.mehrnews.com/news/6062918/")
    assert art["language"] == "fa"
    assert art["title"] == "رئیسی و پوتین بر گسترش روابط دوجانبه تأکید کردند"
    assert art["published_at"] == "2024-03-19T14:37:00+03:30"
    assert art["published_raw"] == "۲۹ اسفند ۱۴۰۲ - ۱۴:۳۷"
    assert art["calendar"] == "jalali"
    assert art["published_tz_source"] == "site-default"
    assert art["external_id"] == "6062918"
    assert art["tags"] == ["ابراهیم رئیسی", "ولادیمیر پوتین", "ایران و روسیه"]
    assert art["section"] == "سیاست خارجی"
    paragraphs = art["body"].split("\n\n")
    assert "تأکید بر توقف جنایات در غزه" in paragraphs  # heading is its own paragraph
    assert paragraphs[-1].endswith("خبر داد.")
    assert "پایان پیام" not in art["body"] and "نظر شما" not in art["body"]


def test_en_example() -> None:
    art = parse_example(
        "newsagency-en-20240319.html",
        "https://en.newsagency.example/news/20240319/raisi-putin-phone-call",
    )
    assert art["language"] == "en"
    assert (
        art["canonical_url"] == "https://en.newsagency.example/news/20240319/raisi-putin-phone-call"
    )
    assert art["title"] == "Raisi and Putin stress expansion of bilateral ties in phone call"
    assert art["authors"] == ["Jane Example"]
    assert art["published_at"] == "2024-03-19T11:07:00+00:00"
    assert art["tags"] == ["Iran", "Russia"] and art["section"] == "Politics"
    assert art["body"].endswith("pointed to a 77% rise in trade in goods.")
    assert "Reporting by" not in art["body"] and "Share on" not in art["body"]
    assert "Gaza and the Caucasus" in art["body"].split("\n\n")


def test_same_story_same_id_whatever_the_url_spelling(ar: ArticleDict) -> None:
    html = (PAGES / "mehrnews-ar-1942574.html").read_text(encoding="utf-8")
    again = parse_page(
        raw_page(html, url="https://AR.mehrnews.com/news/1942574?utm_source=telegram")
    )
    assert again["id"] == ar["id"] and again["content_hash"] == ar["content_hash"]


# ----------------------------------------------------------------------------- dates


def _dated(
    date_html: str, *, fetched: str = FETCHED, url: str = "https://example.org/a/1"
) -> ArticleDict:
    html = (
        f"<html lang='ar'><body><article><div class='date'>{date_html}</div>"
        f"<h1>عنوان الخبر هنا</h1><p>{'نص الخبر في هذه الفقرة الطويلة. ' * 10}</p>"
        "</article></body></html>"
    )
    return parse_page(raw_page(html, url=url, fetched_at=fetched))


def test_relative_date_against_fetched_at() -> None:
    art = _dated("منذ ساعتين")
    assert art["published_at"] == "2024-03-19T10:00:00+00:00"
    assert art["published_raw"] == "منذ ساعتين"


def test_future_date_is_null_with_note() -> None:
    art = _dated("25/03/2024 10:00")
    assert art["published_at"] is None
    assert art["date_note"] is not None and "after fetched_at" in art["date_note"]
    assert art["published_raw"] == "25/03/2024 10:00"


def test_ambiguous_date_is_null_with_note() -> None:
    html = (
        "<html lang='en'><body><article><div class='date'>03/04/2024</div>"
        f"<h1>A headline here</h1><p>{'The text of the article is here. ' * 10}</p>"
        "</article></body></html>"
    )
    art = parse_page(raw_page(html, url="https://example.org/a/1"))
    assert art["published_at"] is None
    assert art["date_note"] is not None and "order" in art["date_note"]


def test_hijri_printed_date() -> None:
    art = _dated("الثلاثاء 9 رمضان 1445 هـ")
    assert art["calendar"] == "hijri" and (art["published_at"] or "").startswith("2024-03-19")


# ----------------------------------------------------------------------------- errors


def _kind(raw: RawPageDict, options: ParseOptions | None = None) -> str:
    with pytest.raises(PipelineError) as err:
        parse_page(raw, options or ParseOptions())
    return err.value.kind


def test_error_kinds() -> None:
    assert _kind(raw_page(None)) == "empty"
    assert _kind(raw_page("   \n ")) == "empty"
    assert _kind(raw_page(body=b"")) == "empty"
    assert _kind(raw_page("<html><body>   </body></html>")) == "empty"
    assert _kind(
        raw_page("<html><head><title></title></head><body><script>x()</script></body></html>")
    ) in (
        "empty",
        "parse",
    )
    assert _kind(raw_page("<p>" + "x" * 2000 + "</p>"), ParseOptions(max_bytes=1000)) == "too_large"
    assert _kind(raw_page(body=b"x" * 2000), ParseOptions(max_bytes=1000)) == "too_large"
    assert _kind(raw_page(body=b"%PDF-1.7 ...", content_type=None)) == "not_html"
    assert _kind(raw_page("<p>hi</p>", content_type="application/pdf")) == "not_html"
    assert _kind(raw_page('{"json": true}', content_type=None)) == "not_html"
    arabic = "<html><body><p>" + "الرئيس الإيراني " * 3 + "</p></body></html>"
    garbage = bytes(b | 0x80 for b in range(256)) * 8
    assert (
        _kind(raw_page(body=b"<html><body>" + garbage + b"</body></html>", content_type=None))
        == "charset"
    )
    art = parse_page(raw_page(body=arabic.encode("cp1256"), charset="windows-1256"))
    assert "الرئيس الإيراني" in art["body"] or "الرئيس الإيراني" in (art["title"] or "")


def test_no_article_content_is_parse_error() -> None:
    assert _kind(raw_page("<html><body><nav><a href='/'>Home</a></nav></body></html>")) in (
        "parse",
        "empty",
    )


class _CountingDeadline(ex.Deadline):
    """A budget of ``allowed`` checks instead of seconds: work measured in steps."""

    allowed = 1_000_000
    checks = 0

    def check(self) -> None:
        type(self).checks += 1
        if type(self).checks > self.allowed:
            raise PipelineError("timeout", "budget spent")


@pytest.fixture
def counting_deadline(monkeypatch: pytest.MonkeyPatch) -> type[_CountingDeadline]:
    monkeypatch.setattr(ex, "Deadline", _CountingDeadline)
    _CountingDeadline.checks = 0
    _CountingDeadline.allowed = 1_000_000
    return _CountingDeadline


def test_deadline_is_spent_by_its_clock() -> None:
    with pytest.raises(PipelineError) as exc:
        ex.Deadline(-1.0).check()
    assert exc.value.kind == "timeout"
    ex.Deadline(3600.0).check()


def test_timeout_is_enforced(counting_deadline: type[_CountingDeadline]) -> None:
    html = "<html><body>" + "<div><p>word word word, word.</p></div>" * 20000 + "</body></html>"
    counting_deadline.allowed = 5
    assert _kind(raw_page(html), ParseOptions(timeout_s=0.01)) == "timeout"
    # the parse stops at the first check past the budget: nothing runs on after it
    assert counting_deadline.checks == counting_deadline.allowed + 1


def test_unexpected_exception_is_wrapped_as_internal(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsflow.extraction import extract

    def boom(*_a: Any, **_k: Any) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(extract, "extract_tags", boom)
    assert _kind(raw_page("<html><body><h1>t</h1><p>text text</p></body></html>")) == "internal"


def test_windows_1256_page_with_meta_decodes() -> None:
    html = (PAGES / "mehrnews-ar-1942574.html").read_text(encoding="utf-8")
    html = html.replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
    body = html.encode("cp1256", errors="replace")
    art = parse_page(raw_page(body=body, content_type="text/html"))
    assert art["title"] is not None and art["title"].startswith("الرئيس الإيراني والروسي")
    assert art["published_at"] == "2024-03-19T14:37:00+03:30"
    assert (art["encoding"], art["encoding_errors"]) == ("cp1256", 0)


_AR_HTML = (PAGES / "mehrnews-ar-1942574.html").read_text(encoding="utf-8")
_AR_LAST = "في هذا المجال."  # in the body's last paragraph, once in the page
_AR_BAD_BYTE = _AR_HTML.encode().replace(_AR_LAST.encode(), b"\xff" + _AR_LAST.encode())


@pytest.mark.parametrize(
    ("body", "content_type", "encoding", "errors"),
    [
        (_AR_HTML.encode(), "text/html; charset=utf-8", "utf-8", 0),
        (_AR_HTML.encode("utf-16-le"), "text/html", "utf-16-le", 0),  # no byte-order mark
        (_AR_HTML.encode("utf-16-be"), "text/html; charset=utf-16be", "utf-16-be", 0),
        (_AR_BAD_BYTE, "text/html", "utf-8", 1),
        (_AR_BAD_BYTE, "text/html; charset=utf-8", "utf-8", 1),
    ],
    ids=["utf-8", "utf-16-le no BOM", "utf-16-be declared", "one bad byte", "one bad byte+http"],
)
def test_page_bytes_give_the_same_article_and_say_how_they_were_decoded(
    ar: ArticleDict, body: bytes, content_type: str, encoding: str, errors: int
) -> None:
    art = parse_page(raw_page(body=body, content_type=content_type))
    assert (art["encoding"], art["encoding_errors"]) == (encoding, errors)
    assert art["title"] == ar["title"] and art["published_at"] == ar["published_at"]
    assert art["body"] == ar["body"].replace(_AR_LAST, "\ufffd" * errors + _AR_LAST)
    assert "<p>" not in art["body"] and "\x00" not in art["body"]


def test_decoded_html_from_the_crawler_is_encoding_text(ar: ArticleDict) -> None:
    assert (ar["encoding"], ar["encoding_errors"]) == ("text", 0)


# ----------------------------------------------------------------------------- fuzzing

_TAGS = st.sampled_from(
    [
        "p",
        "div",
        "span",
        "a",
        "h1",
        "h2",
        "script",
        "style",
        "article",
        "form",
        "li",
        "ul",
        "br",
        "time",
        "meta",
    ]
)
_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abc <>/=\"'&;#:-.,٠١٢ ۱۴۰۳ انتهى سمات رمز الخبر 2024/03/19 منذ ساعتين \n\t")
    ),
    max_size=60,
)


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(_TAGS)
        attrs = draw(
            st.sampled_from(
                [
                    "",
                    ' class="item-text"',
                    ' class="date"',
                    ' class="tags"',
                    ' itemprop="articleBody"',
                    ' style="display:none"',
                ]
            )
        )
        if draw(st.booleans()):
            parts.append(f"<{tag}{attrs}>{draw(_TEXT)}</{tag}>")
        else:
            parts.append(draw(_TEXT) + f"<{tag}{attrs}>")
    if draw(st.booleans()):
        parts.insert(0, '<script type="application/ld+json">' + draw(_TEXT) + "</script>")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_soup())
def test_fuzzed_html_only_raises_pipeline_error(markup: str) -> None:
    trees: list[int] = []
    real = LexborHTMLParser

    def counted(data: bytes) -> Any:
        trees.append(len(data))
        return real(data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dom, "LexborHTMLParser", counted)
        mp.setattr(ex, "Deadline", _CountingDeadline)
        _CountingDeadline.checks = 0
        _CountingDeadline.allowed = 1_000_000
        try:
            art = parse_page(raw_page(markup))
        except PipelineError as exc:
            assert exc.kind in {"empty", "too_large", "charset", "not_html", "parse", "timeout"}
        else:
            assert isinstance(art["body"], str)
            assert set(art) == set(ArticleDict.__annotations__)
    # bounded work: one tree per page, and the loops' budget checks grow with the page
    assert len(trees) <= 1
    assert _CountingDeadline.checks <= 2 * len(markup) + 100


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([None, "utf-8", "windows-1256", "bogus"]))
def test_fuzzed_bytes_only_raise_pipeline_error(body: bytes, charset: str | None) -> None:
    with contextlib.suppress(PipelineError):
        parse_page(raw_page(body=body, charset=charset, content_type=None))


def test_meta_description_equal_to_first_paragraph_stays_in_body() -> None:
    first = "The first paragraph of the story says what happened and where it happened."
    html = (
        f'<html><head><meta name="description" content="{first}"></head><body><article>'
        f"<h1>A headline for the story</h1><p>{first}</p>"
        f"<p>{'The second paragraph adds the details of the story. ' * 4}</p>"
        "</article></body></html>"
    )
    art = parse_page(raw_page(html, url="https://example.org/a/1"))
    assert art["lead"] == first
    assert art["body"].startswith(first)


def test_deeply_nested_page_fails_before_its_tree_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    html = "<html><body>" + "<div>" * 50_000 + "x" + "</div>" * 50_000 + "</body></html>"

    def no_tree(data: bytes) -> None:
        raise AssertionError("the tree of a page over the limits was built")

    monkeypatch.setattr(dom, "LexborHTMLParser", no_tree)
    assert _kind(raw_page(html)) == "too_complex"


def _hash_digits_first(title: str | None, body: str) -> str:
    """The content hash as first defined: digits folded before case and spaces."""
    import hashlib
    import unicodedata

    from newsflow.core.normalize import to_ascii_digits

    text = unicodedata.normalize("NFKC", f"{title or ''}\n{body}")
    norm = " ".join(to_ascii_digits(text).casefold().split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@given(
    st.none() | st.text(alphabet="aÀ ١۲٣۹0ﬁ\u00a0\n", max_size=10),
    st.text(alphabet="aBß \t\n\u00a0\u2003١٢۳۴5ـپ\u0640ﬁ①", max_size=40),
)
def test_content_hash_keeps_its_definition(title: str | None, body: str) -> None:
    from newsflow.extraction import parse

    assert parse._content_hash(title, body) == _hash_digits_first(title, body)
