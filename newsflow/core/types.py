"""Plain typed shapes passed between the pure stages.

The core never imports Faust, so it speaks in TypedDicts; `schemas/` wraps the
same fields in `faust.Record` classes for the wire, and a unit test keeps the two
field lists identical.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class RawPageDict(TypedDict):
    """What a crawler publishes: the page as fetched, before any parsing."""

    schema_version: int
    url: str
    html: str | None  # already-decoded text, when the crawler has it
    body_b64: str | None  # raw response bytes (base64) when the crawler did not decode
    charset: str | None  # charset declared by the HTTP response, if any
    content_type: str | None
    fetched_at: str | None  # ISO 8601 with offset
    status: int | None
    headers: dict[str, str]
    source: str  # crawler or feed id


class ArticleDict(TypedDict):
    """One parsed article; `id` is derived from the canonical URL."""

    schema_version: int
    id: str
    url: str
    canonical_url: str
    site: str  # registrable domain, e.g. "mehrnews.com"
    site_name: str | None  # the publisher as the page names itself (og:site_name…)
    source: str
    language: str | None
    title: str | None
    lead: str | None
    body: str  # paragraphs separated by blank lines
    published_at: str | None  # ISO 8601 with UTC offset, null when unknown or untrusted
    published_raw: str | None  # the date exactly as printed on the page
    published_tz_source: str | None  # "page", "site-default", "utc-assumed"
    calendar: str | None  # "gregorian", "jalali", "hijri"
    date_note: str | None  # why published_at is null although a date was seen
    modified_at: str | None
    authors: list[str]
    tags: list[str]
    section: str | None
    external_id: str | None
    images: list[str]
    fetched_at: str | None
    content_hash: str
    # How the page's bytes became text (absent in records from before these fields):
    # the Python codec name ("utf-8", "cp1256", "utf-16-le"…), "text" when the
    # crawler sent decoded `html`; and how many invalid byte sequences were
    # replaced by U+FFFD (0 for a clean decode).
    encoding: NotRequired[str | None]
    encoding_errors: NotRequired[int]


class MentionDict(TypedDict):
    """One occurrence of an entity; offsets index the named article field."""

    field: str  # "title", "lead" or "body"
    start: int
    end: int  # exclusive
    text: str


class EntityDict(TypedDict):
    """An entity linked to one canonical id whatever spelling the page used."""

    id: str
    name: str
    name_en: str | None
    type: str  # PERSON, ORG, GPE, LOC, EVENT
    mentions: list[MentionDict]
    count: int
    salience: float


class EnrichedArticleDict(TypedDict):
    """The article plus what enrichment and routing added."""

    schema_version: int
    id: str
    article: ArticleDict
    entities: list[EntityDict]
    categories: list[str]
    keywords: list[str]
    routes: list[str]
    enriched_at: str
    extractor_version: str  # gazetteer + tagger model + rules that made `entities`
    # None: entities, categories and keywords come from the whole title, lead and body;
    # N: from the first N characters of each (cut back to a space), the rest unread
    enriched_chars: int | None


class DeadLetterDict(TypedDict):
    """A message that a stage could not handle, kept whole so it can be replayed."""

    schema_version: int
    id: str  # deterministic from source coordinates, so a replay does not duplicate it
    stage: str
    error_kind: str
    message: str
    original_b64: str  # the original message value, base64
    original_key_b64: str | None
    source_topic: str
    source_partition: int
    source_offset: int
    source: str | None
    url: str | None
    failed_at: str
    original_size: int  # bytes of the original value
    original_sha256: str | None
    original_truncated: bool  # original_b64 is only the head; the whole is original_file
    original_file: str | None  # where the worker wrote the full bytes, when truncated
