"""One `faust.Record` per pipeline stage: the wire contract of every topic.

Field lists mirror the TypedDicts in `newsflow.core.types` (a unit test keeps
them equal). Namespaces are stable: renaming a record or changing a field's
meaning bumps `SCHEMA_VERSION` and the exported JSON Schema.
"""

from __future__ import annotations

import faust

SCHEMA_VERSION = 1
NAMESPACE = "newsflow.v1"


class RawPage(faust.Record, namespace=f"{NAMESPACE}.RawPage", serializer="json"):
    """A page as a crawler fetched it: decoded `html`, or raw bytes in `body_b64`."""

    url: str
    html: str | None = None
    body_b64: str | None = None
    charset: str | None = None
    content_type: str | None = None
    fetched_at: str | None = None
    status: int | None = None
    headers: dict[str, str] = {}  # noqa: RUF012
    source: str = "unknown"
    schema_version: int = SCHEMA_VERSION


class Article(faust.Record, namespace=f"{NAMESPACE}.Article", serializer="json"):
    """A parsed article; `id` is derived from the canonical URL."""

    schema_version: int
    id: str
    url: str
    canonical_url: str
    site: str
    site_name: str | None
    source: str
    language: str | None
    title: str | None
    lead: str | None
    body: str
    published_at: str | None
    published_raw: str | None
    published_tz_source: str | None
    calendar: str | None
    date_note: str | None
    modified_at: str | None
    authors: list[str]
    tags: list[str]
    section: str | None
    external_id: str | None
    images: list[str]
    fetched_at: str | None
    content_hash: str
    # How the page's bytes became text: the Python codec name ("utf-8", "cp1256",
    # "utf-16-le"…), "text" when the crawler sent decoded `html`, null in records
    # from releases before this field.
    encoding: str | None = None
    # Invalid byte sequences replaced by U+FFFD: the charset fitted all but these
    # (0 for a clean decode, and in records from releases before this field).
    encoding_errors: int = 0


class Mention(faust.Record, namespace=f"{NAMESPACE}.Mention", serializer="json"):
    """Where an entity occurs: half-open character offsets into one article field."""

    field: str
    start: int
    end: int
    text: str


class Entity(faust.Record, namespace=f"{NAMESPACE}.Entity", serializer="json"):
    """An entity with its canonical id, whatever the spelling on the page."""

    id: str
    name: str
    name_en: str | None
    type: str
    mentions: list[Mention]
    count: int
    salience: float


class EnrichedArticle(faust.Record, namespace=f"{NAMESPACE}.EnrichedArticle", serializer="json"):
    """The article plus entities, categories, keywords and the routes it goes to."""

    schema_version: int
    id: str
    article: Article
    entities: list[Entity]
    categories: list[str]
    keywords: list[str]
    routes: list[str]
    enriched_at: str
    # which gazetteer, tagger model and rules made `entities` (ids are stable across
    # versions; the version says which table a record came from); "" from releases before it
    extractor_version: str = ""
    # null: entities, categories and keywords were computed on the whole title, lead and
    # body; N: on the first N characters of each (cut back to the last space before N),
    # because a field was longer (enrich.MAX_ENRICH_CHARS); null in older records too
    enriched_chars: int | None = None


class DeadLetter(faust.Record, namespace=f"{NAMESPACE}.DeadLetter", serializer="json"):
    """A message a stage could not handle, with its bytes and where it came from."""

    schema_version: int
    id: str
    stage: str
    error_kind: str
    message: str
    original_b64: str
    original_key_b64: str | None
    source_topic: str
    source_partition: int
    source_offset: int
    source: str | None
    url: str | None
    failed_at: str
    # The original value's length and SHA-256. When the dead letter would not fit under
    # the broker's message limit, `original_b64` holds only the head of the value,
    # `original_truncated` is true and the full bytes are in `original_file` on the
    # worker that failed it (NEWSFLOW_DATA_DIR/dead-letters/). Defaults: older letters.
    original_size: int = 0
    original_sha256: str | None = None
    original_truncated: bool = False
    original_file: str | None = None


class StageEvent(faust.Record, namespace=f"{NAMESPACE}.StageEvent", serializer="json"):
    """One outcome of one input message of one stage, feeding the operators' counters.

    Keyed ``stage|topic|partition`` of the input; the input offset lets the counters
    skip an outcome they have already counted when a message is processed again.
    """

    stage: str
    source: str
    outcome: str  # "ok", "dead" or, for the sink, "unchanged" (the row was already stored)
    error_kind: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    at: float | None = None  # Unix time of the outcome


RECORDS: tuple[type[faust.Record], ...] = (
    RawPage,
    Article,
    EnrichedArticle,
    DeadLetter,
    StageEvent,
)
