"""What a stage function returns: outputs to send, or a failure, as plain picklable data.

Stage functions run in a child process (see `newsflow.isolation`), so their
results cross a pipe. Exceptions do not pickle reliably (`PipelineError` takes two
arguments) and a failure is an expected result anyway: it travels as `Failure`.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

import orjson

from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleQualityDict, NamedIdDict

# Entities per article the trending table hears about: the most salient ones. A
# long article names dozens in passing; trends are about what articles are about.
TRENDING_ENTITIES = 5


class Facts(TypedDict, total=False):
    """What a stage learnt about a message that the operators' tables count (see
    `StageOutcomeDict`): plain data, so it crosses the stage process's pipe."""

    site: str
    fetched_at: float  # Unix time
    published_at: float  # Unix time
    quality: ArticleQualityDict
    entities: list[NamedIdDict]
    categories: list[str]
    routes: list[str]
    rules_version: str


def _epoch(value: object) -> float | None:
    """An ISO 8601 time with an offset as Unix time; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def article_facts(article: Mapping[str, Any]) -> Facts:
    """The site and the times of a parsed article (every stage after parse has one)."""
    facts = Facts(site=article.get("site") or "")
    fetched = _epoch(article.get("fetched_at"))
    if fetched is not None:
        facts["fetched_at"] = fetched
    published = _epoch(article.get("published_at"))
    if published is not None:
        facts["published_at"] = published
    return facts


def url_facts(url: str | None) -> Facts | None:
    """The site of a message that failed before its article was read, from its URL."""
    if not url:
        return None
    from newsflow.extraction.urls import site_of

    try:
        site = site_of(url)
    except Exception:  # noqa: BLE001 - a URL too broken to name a site
        return None
    return Facts(site=site) if site else None


def quality_of(article: Mapping[str, Any]) -> ArticleQualityDict:
    """The parse stage's fill flags for one article."""
    return {
        "title": bool(article.get("title")),
        "date": bool(article.get("published_at")),
        "authors": bool(article.get("authors")),
        "lead": bool(article.get("lead")),
        "body_chars": len(article.get("body") or ""),
        "language": article.get("language"),
    }


def salient_entities(entities: list[Mapping[str, Any]]) -> list[NamedIdDict]:
    """The `TRENDING_ENTITIES` most salient entities of an article, by canonical id."""
    ranked = sorted(entities, key=lambda e: (-float(e.get("salience") or 0.0), e["id"]))
    return [
        {"id": e["id"], "name": e.get("name") or e["id"], "type": e.get("type")}
        for e in ranked[:TRENDING_ENTITIES]
    ]


@dataclass(frozen=True, slots=True)
class Output:
    """One record to send: ``topic`` is a role of `streams.Topics` (``articles``,
    ``enriched``) or ``route:<name>``."""

    topic: str
    key: bytes | None
    value: bytes


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a message became a dead letter. ``detail`` holds a traceback when the
    failure is a bug (kind ``internal``), for the worker's log."""

    kind: str
    message: str
    detail: str | None = None

    @classmethod
    def of(cls, exc: BaseException) -> Failure:
        """Any exception as a failure: expected kinds as they are, the rest as a bug."""
        if isinstance(exc, PipelineError):
            cause = exc.__cause__
            detail = None
            if exc.kind == "internal" and cause is not None:
                detail = "".join(traceback.format_exception(cause))
            return cls(exc.kind, exc.message, detail)
        if isinstance(exc, MemoryError):
            return cls("memory", "the message needed more memory than a stage may use")
        return cls(
            "internal",
            f"{type(exc).__name__}: {exc}",
            "".join(traceback.format_exception(exc)),
        )

    def error(self) -> PipelineError:
        """The failure as the exception the dead-letter builder takes."""
        return PipelineError(self.kind, self.message)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one message: its outputs, or the failure; plus the source and URL
    for the counters and the dead letter."""

    outputs: tuple[Output, ...] = ()
    failure: Failure | None = None
    source: str | None = None
    url: str | None = None
    facts: Facts | None = None

    @classmethod
    def failed(cls, exc: BaseException, *, source: str | None, url: str | None) -> Outcome:
        """The outcome of a message whose stage function raised ``exc``."""
        return cls(failure=Failure.of(exc), source=source, url=url)


def peek(value: bytes | None, *fields: str) -> dict[str, str | None]:
    """Best-effort fields of a message that failed validation, for the dead letter
    (here, not in ``context``, so that a stage's child process need not import Faust)."""
    out: dict[str, str | None] = dict.fromkeys(fields)
    if not value:
        return out
    with contextlib.suppress(orjson.JSONDecodeError):
        data = orjson.loads(value)
        if isinstance(data, dict) and isinstance(data.get("article"), dict):
            data = {**data["article"], **data}  # enriched records nest the article
        if isinstance(data, dict):
            for name in fields:
                item = data.get(name)
                out[name] = item if isinstance(item, str) else None
    return out
