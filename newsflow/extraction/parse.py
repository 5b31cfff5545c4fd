"""The parse stage: one ``RawPageDict`` in, one ``ArticleDict`` out, or a ``PipelineError``.

Pure and synchronous; the agent calls it in an executor. Steps: size and type
checks → base64 (pybase64 when installed) → ``decode_html`` → one Lexbor tree →
``extract.analyze`` (metadata from the untouched tree, invisible markup stripped,
one classification pass, one walk into text blocks) → field extraction with the
fallback chains documented in ``extract`` → main text → date decision (below).

Timeout: no worker thread or process. The page is capped at ``max_bytes``
before parsing, markup the Lexbor tree builder is super-linear on (depth, attributes,
names, formatting clones) is refused first (``too_complex``, ``markup.check_markup``),
text fed to regular expressions is
capped, and every Python loop over elements checks a monotonic ``Deadline`` of
``timeout_s``, raising ``PipelineError("timeout")``.

Date selection (which string is the publication date) is ``pubdate``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import importlib
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from newsflow.core.errors import PipelineError
from newsflow.core.normalize import normalize_for_matching, to_ascii_digits
from newsflow.core.types import ArticleDict, RawPageDict
from newsflow.extraction import dates, pubdate
from newsflow.extraction import extract as ex
from newsflow.extraction.datelines import drop_date_lines
from newsflow.extraction.decode import Decoded, decode_html
from newsflow.extraction.language import detect_language
from newsflow.extraction.options import DEFAULT_SITE_TIMEZONES, ParseOptions
from newsflow.extraction.urls import article_id, canonicalize_url, join_url, page_url, site_of

__all__ = ["DEFAULT_SITE_TIMEZONES", "ParseOptions", "parse_page"]

DEFAULT_OPTIONS = ParseOptions()  # frozen: safe to share as a default

SCHEMA_VERSION = 1


def _base64_decoder() -> Callable[[str], bytes]:
    """pybase64 (SIMD, about 20× faster on a 300 KB body) when installed, else the
    standard library; both discard characters outside the alphabet."""
    try:
        fast = importlib.import_module("pybase64")
    except ImportError:
        return lambda text: base64.b64decode(text, validate=False)
    decode: Callable[..., bytes] = fast.b64decode

    def lenient(text: str) -> bytes:
        # Strict decoding takes pybase64's SIMD path (4x faster); only text with
        # characters outside the alphabet (line breaks…) needs the filtering one.
        try:
            return decode(text, validate=True)
        except (binascii.Error, ValueError):
            return decode(text, validate=False)

    return lenient


_b64decode = _base64_decoder()
_StrOrBytes = TypeVar("_StrOrBytes", str, bytes)
_EASTERN_DIGIT = re.compile(r"[\u0660-\u0669\u06f0-\u06f9]")

_NOT_HTML_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_MAX_TEXT_CHARS = 20_000_000


def _blank(value: str | bytes) -> bool:
    """``not value.strip()`` without copying a page-sized value."""
    return not value or value.isspace()


def _lstripped_head(value: _StrOrBytes, size: int) -> _StrOrBytes:
    """``value.lstrip()[:size]``, stripping a short prefix instead of copying the page."""
    head = value[: size + 4096].lstrip()
    if len(head) < size and len(value) > size + 4096:
        head = value.lstrip()
    return head[:size]


def _check_content_type(content_type: str | None) -> None:
    if not content_type:
        return
    ct = content_type.split(";")[0].strip().lower()
    if not ct:
        return
    if ct.startswith(_NOT_HTML_TYPES) or ct in ("application/json", "text/css", "text/javascript"):
        raise PipelineError("not_html", f"content type {ct} is not HTML")
    if ct == "text/plain":
        raise PipelineError("not_html", "content type text/plain is not HTML")


def _page_text(raw: RawPageDict, options: ParseOptions) -> tuple[Decoded, bytes | None]:
    """The decoded page (text, codec, bytes replaced) and the page's bytes when they
    are exactly the UTF-8 encoding of the text (no byte-order mark, nothing replaced):
    Lexbor reads UTF-8, so the tree is then built from them instead of encoding the
    text again. Raises empty/too_large/not_html/charset."""
    html = raw.get("html")
    if html is not None:
        if len(html) > options.max_bytes:
            raise PipelineError("too_large", f"page has {len(html)} characters")
        if _blank(html):
            raise PipelineError("empty", "page text is empty")
        return Decoded(html, "text", 0), None
    b64 = raw.get("body_b64")
    if not b64:
        raise PipelineError("empty", "page has neither html nor body_b64")
    if len(b64) > options.max_bytes * 4 // 3 + 8:
        raise PipelineError("too_large", f"body_b64 has {len(b64)} characters")
    try:
        body = _b64decode(b64)
    except (binascii.Error, ValueError) as exc:
        raise PipelineError("decode", f"body_b64 is not base64: {exc}") from exc
    if len(body) > options.max_bytes:
        raise PipelineError("too_large", f"page has {len(body)} bytes")
    if _blank(body):
        raise PipelineError("empty", "page body is empty")
    if _lstripped_head(body, 8).startswith(_BINARY_MAGIC):
        raise PipelineError("not_html", "body is a binary file")
    decoded = decode_html(
        body, declared_charset=raw.get("charset"), content_type=raw.get("content_type")
    )
    clean_utf8 = decoded.encoding == "utf-8" and not decoded.errors
    utf8 = body if clean_utf8 and not body.startswith(codecs.BOM_UTF8) else None
    return decoded, utf8


def _looks_like_html(text: str) -> bool:
    head = _lstripped_head(text, 2048)
    if head.startswith(("{", "[")) and "<" not in head[:200]:
        return False
    return "<" in head or "<" in text[:65536]


def _canonical(pm: ex.PageMeta, url: str) -> str:
    """``<link rel=canonical>`` → ``og:url`` → the fetched URL; a canonical pointing at
    the site root for a deeper URL is ignored (a common CMS bug)."""
    base = pm.base_url or url
    for cand in (pm.canonical, pm.first(("og:url",))):
        if not cand:
            continue
        absu = join_url(base, cand.strip())
        if not absu.startswith(("http://", "https://")):
            continue
        if urlsplit(absu).path in ("", "/") and urlsplit(url).path not in ("", "/"):
            continue
        return canonicalize_url(absu)
    return canonicalize_url(url)


def _squash_spaces(text: str) -> str:
    """``" ".join(text.split())``, without splitting text that only needs its line
    breaks turned into spaces: ``title\n\nparagraph\n\nparagraph`` from clean
    paragraphs, nearly every page. ``isprintable`` is False for every whitespace
    character but the space (all are in categories Cc/Zs/Zl/Zp), so a printable
    result with no double, leading or trailing space is what the split would give."""
    flat = text.replace("\n\n", " ").replace("\n", " ")
    if flat.isprintable() and "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
        return flat
    return " ".join(text.split())


def _content_hash(title: str | None, body: str) -> str:
    """SHA-256 of title and body after NFKC, case folding, ASCII digits and one space
    per whitespace run: the same text re-served with other markup hashes the same.
    (Cheaper than ``normalize_for_matching``, which would cost more than the parse.)
    """
    text = f"{title or ''}\n{body}"
    if not unicodedata.is_normalized("NFKC", text):  # the quick check is 3x cheaper
        text = unicodedata.normalize("NFKC", text)
    norm = _squash_spaces(text.casefold())
    data = norm.encode("utf-8")
    # Eastern digits (U+0660–0669, U+06F0–06F9) are encoded after a 0xD9 or 0xDB
    # byte: text without either (most non-Arabic-script pages) skips the search.
    # Folding the digits after the case and space folding changes nothing.
    if (b"\xd9" in data or b"\xdb" in data) and _EASTERN_DIGIT.search(norm):
        data = to_ascii_digits(norm).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _parse(raw: RawPageDict, options: ParseOptions) -> ArticleDict:
    page_url(raw.get("url") or "")  # a fetched URL that is not absolute http(s): kind "url"
    deadline = ex.Deadline(options.timeout_s)
    url = raw.get("url") or ""
    _check_content_type(raw.get("content_type"))
    decoded, utf8 = _page_text(raw, options)
    text = decoded.text
    if len(text) > _MAX_TEXT_CHARS:
        raise PipelineError("too_large", f"page has {len(text)} characters")
    if not _looks_like_html(text):
        raise PipelineError("not_html", "no markup in the page")
    tree = ex.parse_tree(text, utf8)
    deadline.check()
    analysis = ex.analyze(tree, url, deadline, compiled=options.compiled)
    pm, hints, page, body_text = analysis.meta, analysis.hints, analysis.page, analysis.body_text
    if _blank(body_text) and not pm.title_tag:
        raise PipelineError("empty", "page has no text content")
    canonical = _canonical(pm, url)
    site = site_of(canonical) or site_of(url)
    host = site_of(url) or site
    title = ex.extract_title(pm, site)
    lead, printed_lead = ex.extract_lead(hints, pm)
    anchor = pubdate.find_anchor(tree.body, title)
    authors = ex.extract_authors(
        hints,
        pm,
        site,
        body=tree.body,
        anchor=anchor.node if anchor is not None else None,
        texts=page.texts,
        title=title,
    )
    tags = ex.extract_tags(hints, pm)
    breadcrumbs = ex.extract_breadcrumbs(hints, pm, title)
    section = ex.extract_section(pm, breadcrumbs)
    cands = pubdate.date_candidates(hints, pm, url, anchor)
    deadline.check()
    external_id = ex.extract_external_id(body_text[:500_000], canonical or url)
    hint = pm.html_lang or pm.first(("og:locale", "content-language", "language"))
    roots = ex.find_content_roots(page, deadline)
    paragraphs = ex.extract_body(page, roots, deadline, drop=(title or "", printed_lead or ""))
    dom_chars = sum(len(p) for p in paragraphs)
    ld_paragraphs = ex.ld_body_paragraphs(pm, longer_than=ex.LD_BODY_RATIO * dom_chars)
    if ex.prefer_ld_body(paragraphs, ld_paragraphs):
        paragraphs = ld_paragraphs
    if not paragraphs:
        paragraphs = ex.all_text_body(page)
    if (
        printed_lead
        and paragraphs
        and normalize_for_matching(paragraphs[0]) == normalize_for_matching(printed_lead)
    ):
        paragraphs = paragraphs[1:]
    paragraphs = drop_date_lines(paragraphs)
    body = "\n\n".join(paragraphs)
    if not body and not title:
        raise PipelineError("parse", "no article content found")
    language = detect_language(body or title or "", hint=hint)
    zones = options.site_timezones
    site_tz = dates.site_timezone(host, zones) or dates.site_timezone(site, zones)
    fetched_at = dates.parse_fetched_at(raw.get("fetched_at"))
    dout = pubdate.decide_dates(
        cands.pub,
        cands.mod,
        site_tz=site_tz,
        fetched_at=fetched_at,
        day_first=pubdate.day_first(language, pm.html_lang),
        language=language,
        fallback=lambda: pubdate.fallback_candidates(tree.body, anchor, cands.weak, text, deadline),
    )
    body_root = page.boxes[roots[0]].node if roots else None
    images = ex.extract_images(pm, body_root, pm.base_url or canonical or url)
    deadline.check()
    return ArticleDict(
        schema_version=SCHEMA_VERSION,
        id=article_id(canonical),
        url=url,
        canonical_url=canonical,
        site=site,
        site_name=ex.site_name(pm),
        source=raw.get("source") or "",
        language=language,
        title=title,
        lead=lead,
        body=body,
        published_at=dout.published_at,
        published_raw=dout.published_raw,
        published_tz_source=dout.tz_source,
        calendar=dout.calendar,
        date_note=dout.note,
        modified_at=dout.modified_at,
        authors=authors,
        tags=tags,
        section=section,
        breadcrumbs=breadcrumbs,
        external_id=external_id,
        images=images,
        fetched_at=raw.get("fetched_at"),
        content_hash=_content_hash(title, body),
        encoding=decoded.encoding,
        encoding_errors=decoded.errors,
    )


def parse_page(raw: RawPageDict, options: ParseOptions = DEFAULT_OPTIONS) -> ArticleDict:
    """Parse one fetched page into an article; only ``PipelineError`` escapes.

    Kinds: ``url``, ``empty``, ``too_large``, ``too_complex``, ``charset``,
    ``not_html``, ``parse``, ``timeout`` (and ``decode`` for a ``body_b64`` that is not
    base64). Any unexpected exception is a bug: it is wrapped as ``internal`` with the
    original as its cause, so one bad page never kills a worker and its traceback
    reaches the worker's log at ERROR with the dead letter (`agents.outcome.Failure`).
    """
    try:
        return _parse(raw, options)
    except PipelineError:
        raise
    except RecursionError as exc:
        raise PipelineError("too_complex", "document nested too deeply") from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise PipelineError("internal", f"{type(exc).__name__}: {exc}") from exc
