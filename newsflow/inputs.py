"""Pages from disk, for `newsflow publish` and `newsflow process` alike.

Accepted: single ``.html``/``.htm`` files (optionally ``.gz``), directories
(walked in sorted order), and JSON lines (``.jsonl``/``.ndjson``, optionally
``.gz``) of objects with at least ``url`` and ``html``. HTML files are carried
as their raw bytes (``body_b64``) so the parse stage, not the reader, decides the
charset — exactly what a crawler that does not decode should publish.

Input is bounded by ``max_bytes`` (callers pass ``NEWSFLOW_MAX_MESSAGE_BYTES``)
while it is read, never after: a plain file is refused by its size before it is
read, a gzip file is decompressed a chunk at a time and refused as soon as its
output passes the limit, and a JSON line longer than the limit is skipped to the
next newline without being held. Every failure is an `InputItem` with an error,
so one bad input never stops the others.

A page file's URL comes from ``--url`` (one file only), else from an index file
(``index.jsonl`` or ``expected.jsonl`` with ``{"file", "url"}`` lines) beside the
page or one folder up, else from the page's own ``<link rel="canonical">`` or
``og:url``. Every page URL must be absolute http(s)
(`newsflow.extraction.urls.page_url`).
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import re
import stat
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import orjson

from newsflow.core.errors import PipelineError
from newsflow.core.types import RawPageDict
from newsflow.extraction.urls import page_url
from newsflow.settings import Settings

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
INDEX_NAMES = ("index.jsonl", "expected.jsonl")
RAW_FIELDS = frozenset(RawPageDict.__annotations__)
DEFAULT_MAX_BYTES: int = Settings.max_message_bytes
CHUNK_BYTES = 256 * 1024  # one read or decompression step
INDEX_LINE_BYTES = 64 * 1024  # longer index lines are not {"file", "url"} rows
URL_HELP = 'pass --url or add an index.jsonl with {"file", "url"} lines beside the page'


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class InputItem:
    """One page read from disk, or the reason it could not be read."""

    origin: str  # path, or path:line for JSON lines
    raw: RawPageDict | None
    error: PipelineError | None = None


def _has_suffix(path: Path, suffixes: Sequence[str]) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in suffixes)


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _regular_file_size(path: Path) -> int:
    """Size of ``path``, refusing what is not a regular file (a FIFO would block, a
    device never end) before it is opened."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise PipelineError("input", "not a regular file")
    return info.st_size


def _too_large(what: str, limit: int) -> PipelineError:
    return PipelineError(
        "too_large", f"{what} more than {limit} bytes (NEWSFLOW_MAX_MESSAGE_BYTES)"
    )


def _gunzip(stream: io.BufferedReader, limit: int) -> bytes:
    """All of a gzip ``stream``, decompressed a chunk at a time and refused as soon as
    it passes ``limit`` bytes: memory holds about ``limit`` plus one chunk, however
    far the stream would expand."""
    out = io.BytesIO()  # getvalue() hands over its buffer: no second copy of the page
    with gzip.GzipFile(fileobj=stream, mode="rb") as gz:
        while chunk := gz.read(CHUNK_BYTES):
            if out.tell() + len(chunk) > limit:
                raise _too_large("the file decompresses to", limit)
            out.write(chunk)
    return out.getvalue()


def _read_page_file(path: Path, limit: int) -> bytes:
    """The page's bytes (decompressed for ``.gz``), within ``limit``."""
    size = _regular_file_size(path)
    if not _is_gzip(path) and size > limit:
        raise PipelineError(
            "too_large",
            f"the file has {size} bytes, more than {limit} (NEWSFLOW_MAX_MESSAGE_BYTES)",
        )
    with path.open("rb") as handle:
        if _is_gzip(path):
            return _gunzip(handle, limit)
        data = handle.read(size)
        if handle.read(1):
            raise PipelineError("input", "the file grew while it was read")
        return data


def _lines(stream: _Readable, cap: int) -> Iterator[tuple[int, bytearray | None]]:
    """``(line number, line)`` for every line of ``stream``; the line is None when it is
    longer than ``cap`` bytes, and such a line is skipped to its newline without ever
    being held whole (memory: ``cap`` plus one chunk)."""
    number = 0
    line = bytearray()
    overlong = False
    while chunk := stream.read(CHUNK_BYTES):
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            number += 1
            if not overlong:
                line += memoryview(chunk)[start:end]
            yield number, None if overlong or len(line) > cap else line
            line = bytearray()
            overlong = False
            start = end + 1
        if not overlong:
            line += memoryview(chunk)[start:]
            if len(line) > cap:
                overlong = True
                line = bytearray()
    if overlong or line:
        yield number + 1, None if overlong else line


@cache
def _index(directory: Path) -> dict[str, str]:
    """file name -> URL from an index file in ``directory`` (empty when none)."""
    mapping: dict[str, str] = {}
    for name in INDEX_NAMES:
        index = directory / name
        if not index.is_file():
            continue
        with index.open("rb") as handle:
            for _number, line in _lines(handle, INDEX_LINE_BYTES):
                try:
                    row = orjson.loads(line or b"")
                except orjson.JSONDecodeError:
                    continue
                if isinstance(row, dict) and isinstance(row.get("url"), str) and row.get("file"):
                    mapping[Path(str(row["file"])).name] = row["url"]
        if mapping:
            break
    return mapping


def _index_url(path: Path) -> str | None:
    """The URL an index file beside ``path`` or one folder up gives it, checked."""
    for directory in (path.parent, path.parent.parent):
        directory = directory.resolve()
        url = _index(directory).get(path.name)
        if url:
            try:
                page_url(url)
            except PipelineError as exc:
                raise PipelineError(
                    "url", f"the index in {directory} gives {path.name} a bad URL: {exc.message}"
                ) from None
            return url
    return None


# A <link> or <meta> tag and its attributes, in raw bytes. Each match starts at "<" and
# stops at the next "<" or after 2 KiB, so one scan is linear in the page.
_LINK_TAG = re.compile(rb"<(link|meta)\s([^<>]{0,2048})>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _self_links(page: bytes) -> Iterator[tuple[bool, str]]:
    """``(is_canonical, URL)`` for each ``<link rel=canonical href>`` and ``og:url``
    meta in ``page``, in page order, entities unescaped."""
    for tag in _LINK_TAG.finditer(page):
        attrs = {
            m[1].lower(): (m[2] if m[2] is not None else m[3] if m[3] is not None else m[4])
            for m in _ATTRIBUTE.finditer(tag[2])
        }
        if tag[1].lower() == b"link":
            if b"canonical" not in attrs.get(b"rel", b"").lower().split():
                continue
            canonical, value = True, attrs.get(b"href", b"")
        elif (attrs.get(b"property") or attrs.get(b"name") or b"").lower() == b"og:url":
            canonical, value = False, attrs.get(b"content", b"")
        else:
            continue
        try:
            yield canonical, html.unescape(value.decode("utf-8")).strip()
        except UnicodeDecodeError:
            continue


def own_url(page: bytes) -> str | None:
    """The page's own absolute http(s) URL: its first ``<link rel="canonical">``, else
    its first ``og:url``, that `page_url` accepts; a link to a site's root is skipped
    (a common CMS bug that would put every page on one id). The whole page is scanned
    (it is already bounded by ``max_bytes``): real heads put the canonical link past
    900 KB of inline script."""
    og_url = None
    for canonical, candidate in _self_links(page):
        if og_url is not None and not canonical:
            continue
        try:
            if urlsplit(page_url(candidate)).path in ("", "/"):
                continue
        except PipelineError:
            continue
        if canonical:
            return candidate
        og_url = candidate
    return og_url


def url_for(path: Path, page: bytes | None = None) -> str:
    """The http(s) URL a page file stands for: an index entry beside it or one folder up,
    else its own canonical link or ``og:url`` (see `own_url`) in ``page`` (its bytes,
    read from the file when None). Raises ``PipelineError("url")`` when there is none."""
    url = _index_url(path)
    if url:
        return url
    url = own_url(_read_page_file(path, DEFAULT_MAX_BYTES) if page is None else page)
    if url:
        return url
    raise PipelineError(
        "url",
        f"no URL for this page: no index entry and no http(s) canonical link or og:url; {URL_HELP}",
    )


def raw_page(
    url: str,
    *,
    now: datetime,
    source: str,
    html: str | None = None,
    body: bytes | None = None,
    charset: str | None = None,
    content_type: str | None = None,
) -> RawPageDict:
    """A RawPage with every field present, as the parse stage expects."""
    return {
        "schema_version": 1,
        "url": url,
        "html": html,
        "body_b64": None if body is None else base64.b64encode(body).decode("ascii"),
        "charset": charset,
        "content_type": content_type,
        "fetched_at": now.isoformat(),
        "status": 200,
        "headers": {},
        "source": source,
    }


def _from_json_line(line: bytes | bytearray, *, now: datetime, source: str) -> RawPageDict:
    try:
        row = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise PipelineError("decode", f"not a JSON object ({exc})") from None
    if not isinstance(row, dict):
        raise PipelineError("schema", "a JSON line must be an object with url and html")
    if not isinstance(row.get("url"), str):
        raise PipelineError("schema", "missing 'url'")
    if not isinstance(row.get("html"), str) and not isinstance(row.get("body_b64"), str):
        raise PipelineError("schema", "missing 'html' (or 'body_b64')")
    page_url(row["url"])
    page = raw_page(row["url"], now=now, source=str(row.get("source") or source))
    page.update({k: v for k, v in row.items() if k in RAW_FIELDS and v is not None})  # type: ignore[typeddict-item]
    return page


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.name in INDEX_NAMES:
                continue  # URL indexes describe pages; they are not pages themselves
            if child.is_file() and _has_suffix(child, HTML_SUFFIXES + JSONL_SUFFIXES):
                yield child
    else:
        yield path


def _json_lines(
    file: Path, origin: str, *, now: datetime, source: str, max_bytes: int
) -> Iterator[InputItem]:
    _regular_file_size(file)
    with file.open("rb") as handle:
        if _is_gzip(file):
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                yield from _json_items(stream, origin, now=now, source=source, cap=max_bytes)
        else:
            yield from _json_items(handle, origin, now=now, source=source, cap=max_bytes)


def _json_items(
    stream: _Readable, origin: str, *, now: datetime, source: str, cap: int
) -> Iterator[InputItem]:
    for number, line in _lines(stream, cap):
        where = f"{origin}:{number}"
        if line is None:
            yield InputItem(where, None, _too_large("the line has", cap))
        elif line.strip():
            try:
                yield InputItem(where, _from_json_line(line, now=now, source=source))
            except PipelineError as exc:
                yield InputItem(where, None, exc)


def _read_error(exc: BaseException) -> PipelineError:
    if isinstance(exc, EOFError):
        return PipelineError("input", "truncated gzip: the compressed stream ends early")
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return PipelineError("input", f"corrupt gzip: {exc}")
    if isinstance(exc, FileNotFoundError):
        return PipelineError("input", "no such file or directory")
    return PipelineError("input", f"cannot read: {exc}")


def iter_inputs(
    paths: Sequence[Path],
    *,
    now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
    url: str | None = None,
    source: str = "cli",
) -> Iterator[InputItem]:
    """Every page under ``paths`` in a stable order, each page or JSON line within
    ``max_bytes``; anything unreadable, too large or without an http(s) URL is an
    error item (kinds ``input``, ``too_large``, ``decode``, ``schema``, ``url``) and
    reading goes on. Only a usage error (``url`` with several files) raises, at the
    call, before anything is read."""
    files = [f for p in paths for f in _walk(p)]
    if url is not None and len(files) != 1:
        raise PipelineError("usage", "--url applies to exactly one page file")
    return _items(files, now=now, max_bytes=max_bytes, url=url, source=source)


def _items(
    files: list[Path], *, now: datetime, max_bytes: int, url: str | None, source: str
) -> Iterator[InputItem]:
    for file in files:
        origin = str(file)
        try:
            if _has_suffix(file, JSONL_SUFFIXES):
                yield from _json_lines(file, origin, now=now, source=source, max_bytes=max_bytes)
            elif _has_suffix(file, HTML_SUFFIXES):
                body = _read_page_file(file, max_bytes)
                if url is not None:
                    page_url(url)
                fetched = url or url_for(file, body)
                yield InputItem(origin, raw_page(fetched, now=now, source=source, body=body))
            elif not file.exists():
                yield InputItem(origin, None, PipelineError("input", "no such file or directory"))
            else:
                yield InputItem(
                    origin,
                    None,
                    PipelineError("input", "not a page file (.html, .html.gz, .jsonl, .ndjson)"),
                )
        except PipelineError as exc:
            yield InputItem(origin, None, exc)
        except (OSError, EOFError, zlib.error) as exc:
            yield InputItem(origin, None, _read_error(exc))
