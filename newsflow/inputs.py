"""Pages from disk, for `newsflow publish` and `newsflow process` alike.

Accepted: single ``.html``/``.htm`` files (optionally ``.gz``), directories
(walked in sorted order), and JSON lines (``.jsonl``/``.ndjson``, optionally
``.gz``) of objects with at least ``url`` and ``html``. HTML files are carried
as their raw bytes (``body_b64``) so the parse stage, not the reader, decides the
charset — exactly what a crawler that does not decode should publish.

A page file's URL comes from ``--url`` (one file only), else from an index file
(``index.jsonl`` or ``expected.jsonl`` with ``{"file", "url"}`` lines) beside the
page or one folder up, else ``file://<absolute path>`` so that the page's own
canonical link can still name it.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import orjson

from newsflow.core.errors import PipelineError
from newsflow.core.types import RawPageDict

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
INDEX_NAMES = ("index.jsonl", "expected.jsonl")
RAW_FIELDS = frozenset(RawPageDict.__annotations__)


@dataclass(frozen=True)
class InputItem:
    """One page read from disk, or the reason it could not be read."""

    origin: str  # path, or path:line for JSON lines
    raw: RawPageDict | None
    error: PipelineError | None = None


def _has_suffix(path: Path, suffixes: Sequence[str]) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in suffixes)


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        return gzip.decompress(data)
    return data


@cache
def _index(directory: Path) -> dict[str, str]:
    """file name -> URL from an index file in ``directory`` (empty when none)."""
    mapping: dict[str, str] = {}
    for name in INDEX_NAMES:
        index = directory / name
        if not index.is_file():
            continue
        for line in index.read_bytes().splitlines():
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("url"), str) and row.get("file"):
                mapping[Path(str(row["file"])).name] = row["url"]
        if mapping:
            break
    return mapping


def url_for(path: Path) -> str:
    """The URL a page file stands for: from an index beside it or above it, else file://."""
    for directory in (path.parent, path.parent.parent):
        url = _index(directory.resolve()).get(path.name)
        if url:
            return url
    return path.resolve().as_uri()


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


def _from_json_line(line: bytes, *, now: datetime, source: str) -> RawPageDict:
    try:
        row = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise PipelineError("decode", f"not a JSON object ({exc})") from None
    if not isinstance(row, dict):
        raise PipelineError("schema", "a JSON line must be an object with url and html")
    if not isinstance(row.get("url"), str) or not row["url"]:
        raise PipelineError("schema", "missing 'url'")
    if not isinstance(row.get("html"), str) and not isinstance(row.get("body_b64"), str):
        raise PipelineError("schema", "missing 'html' (or 'body_b64')")
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


def iter_inputs(
    paths: Sequence[Path], *, now: datetime, url: str | None = None, source: str = "cli"
) -> Iterator[InputItem]:
    """Every page under ``paths`` in a stable order; unreadable input is an error item."""
    files = [f for p in paths for f in _walk(p)]
    if url is not None and len(files) != 1:
        raise PipelineError("usage", "--url applies to exactly one page file")
    for file in files:
        origin = str(file)
        try:
            if _has_suffix(file, JSONL_SUFFIXES):
                opener = gzip.open if file.name.lower().endswith(".gz") else open
                with opener(file, "rb") as handle:
                    for number, line in enumerate(handle, start=1):
                        if not line.strip():
                            continue
                        where = f"{origin}:{number}"
                        try:
                            yield InputItem(where, _from_json_line(line, now=now, source=source))
                        except PipelineError as exc:
                            yield InputItem(where, None, exc)
            elif _has_suffix(file, HTML_SUFFIXES):
                body = _read_bytes(file)
                page_url = url or url_for(file)
                yield InputItem(origin, raw_page(page_url, now=now, source=source, body=body))
            elif not file.exists():
                yield InputItem(origin, None, PipelineError("input", "no such file or directory"))
            else:
                yield InputItem(
                    origin,
                    None,
                    PipelineError("input", "not a page file (.html, .html.gz, .jsonl, .ndjson)"),
                )
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield InputItem(origin, None, PipelineError("input", f"cannot read: {exc}"))
