"""The records of the pipeline, written once: the shapes the pure stages pass around.

This module is the single source of every record's fields. The core never imports
Faust, so it speaks in these TypedDicts; `newsflow.schemas.records` derives one
`faust.Record` per shape from them (nested shapes become nested records) and
`newsflow.schemas.codec` exports the JSON Schemas from those records. A field a
producer may leave out carries its value in ``Annotated[..., Default(value)]``: the
decoder fills it in, so the core always sees every key. Each shape's docstring is the
record's description in its JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, NotRequired, TypedDict

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Default:
    """The value a record's field takes when the producer left it out (an older
    release, a crawler sending the minimum)."""

    value: object


class RawPageDict(TypedDict):
    """A page as a crawler fetched it: decoded `html`, or raw bytes in `body_b64`."""

    url: str
    html: Annotated[str | None, Default(None)]  # already-decoded text, when the crawler has it
    # raw response bytes (base64) when the crawler did not decode
    body_b64: Annotated[str | None, Default(None)]
    charset: Annotated[str | None, Default(None)]  # declared by the HTTP response, if any
    content_type: Annotated[str | None, Default(None)]
    fetched_at: Annotated[str | None, Default(None)]  # ISO 8601 with offset
    status: Annotated[int | None, Default(None)]
    headers: Annotated[dict[str, str], Default({})]
    source: Annotated[str, Default("unknown")]  # crawler or feed id
    schema_version: Annotated[int, Default(SCHEMA_VERSION)]


class ArticleDict(TypedDict):
    """A parsed article; `id` is derived from the canonical URL."""

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
    published_tz_source: str | None  # "page", "printed-day", "site-default", "utc-assumed"
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
    encoding: NotRequired[Annotated[str | None, Default(None)]]
    encoding_errors: NotRequired[Annotated[int, Default(0)]]
    # The page's breadcrumb trail, outermost first, without the home link and the
    # article's own title (JSON-LD BreadcrumbList, else the DOM's breadcrumb block);
    # categories read it as the page's own section labels. [] in older records.
    breadcrumbs: NotRequired[Annotated[list[str], Default([])]]


class MentionDict(TypedDict):
    """Where an entity occurs: half-open character offsets into one article field."""

    field: str  # "title", "lead" or "body"
    start: int
    end: int  # exclusive
    text: str


class EntityDict(TypedDict):
    """An entity with its canonical id, whatever the spelling on the page."""

    id: str
    name: str
    name_en: str | None
    type: str  # PERSON, ORG, GPE, LOC, EVENT
    mentions: list[MentionDict]
    count: int
    salience: float


class RoutingDict(TypedDict):
    """How the routing rules sent an enriched article: which rule set (its version), the
    topic of each route, tags added by ``tag`` rules, and whether a ``drop`` rule matched
    (`newsflow routes test` explains why)."""

    version: str
    topics: dict[str, str]  # route name -> topic name, without the deployment's prefix
    tags: list[str]
    dropped: bool


class EnrichedArticleDict(TypedDict):
    """The article plus entities, categories, keywords and the routes it goes to."""

    schema_version: int
    id: str
    article: ArticleDict
    entities: list[EntityDict]
    categories: list[str]
    keywords: list[str]
    routes: list[str]
    enriched_at: str
    # which gazetteer, tagger model and rules made `entities` (ids are stable across
    # versions; the version says which table a record came from); "" from older releases
    extractor_version: Annotated[str, Default("")]
    # None: entities, categories and keywords come from the whole title, lead and body;
    # N: from the first N characters of each (cut back to a space), the rest unread
    # (enrich.MAX_ENRICH_CHARS); None in older records too
    enriched_chars: Annotated[int | None, Default(None)]
    # Each category's score, 0..1: its share of the evidence (page signals and text,
    # `entities.enrich.categorize`); the keys of `categories` first and in their
    # order, then any other category with some evidence. {} in older records.
    category_scores: NotRequired[Annotated[dict[str, float], Default({})]]
    # which rule set routed it and how (None in records from before live rules)
    routing: NotRequired[Annotated[RoutingDict | None, Default(None)]]


class DeadLetterDict(TypedDict):
    """A message a stage could not handle, with its bytes and where it came from."""

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
    # The original value's length and SHA-256. When the dead letter would not fit under
    # the broker's message limit, `original_b64` holds only the head of the value,
    # `original_truncated` is true and the full bytes are in `original_file` on the
    # worker that failed it (NEWSFLOW_DATA_DIR/dead-letters/). Defaults: older letters.
    original_size: Annotated[int, Default(0)]
    original_sha256: Annotated[str | None, Default(None)]
    original_truncated: Annotated[bool, Default(False)]
    original_file: Annotated[str | None, Default(None)]


class ArticleQualityDict(TypedDict):
    """What the parse stage could fill for one page: the per-site quality table's input."""

    title: bool
    date: bool  # a trusted published_at
    authors: bool
    lead: bool
    body_chars: int
    language: str | None


class NamedIdDict(TypedDict):
    """A canonical id with the name to show for it (entities, categories, routes)."""

    id: str
    name: str
    type: Annotated[str | None, Default(None)]  # the entity type; None for categories, routes


class RulesMessageDict(TypedDict):
    """A routing rule set as `newsflow routes apply` publishes it on ``news.config``:
    its version, the rules, and who applied it when. Workers validate the rules again
    (and check the version against them) before they switch."""

    version: str
    source_name: str  # the file it was read from
    # the rule set as JSON text: {"format": 1, "version", "source", "rules": the parsed
    # file in canonical form (the shape of rules.schema.json)}
    rules: str
    applied_at: str
    applied_by: str


class StageOutcomeDict(TypedDict):
    """The outcome of one input message, inside a `StageEventDict`.

    Beyond the outcome itself, what the operators' tables need about the message, so
    they never read the (large) articles again: its site, size, how long since it was
    fetched, and per stage what it found (the parse stage's fill flags, the enrich
    stage's salient entities and categories, the route stage's routes). All default
    to empty: a message that failed before it was decoded has only its size.
    """

    offset: int | None  # the input offset; None: always counted (no replay check)
    source: str
    outcome: str  # "ok", "dead" or, for the sink, "unchanged" (the row was already stored)
    error_kind: Annotated[str | None, Default(None)]
    site: Annotated[str | None, Default(None)]  # the article's `site` (from its URL)
    bytes: Annotated[int, Default(0)]  # size of the input message value
    # seconds from the page's fetched_at to this outcome (None: fetch time unknown)
    latency_s: Annotated[float | None, Default(None)]
    # seconds from the article's published_at to this outcome (sink only; None: no date)
    age_s: Annotated[float | None, Default(None)]
    quality: Annotated[ArticleQualityDict | None, Default(None)]  # parse only
    entities: Annotated[list[NamedIdDict], Default([])]  # enrich: the most salient
    categories: Annotated[list[str], Default([])]  # enrich
    routes: Annotated[list[str], Default([])]  # route
    rules_version: Annotated[str | None, Default(None)]  # enrich, route: the rule set used


class StageEventDict(TypedDict):
    """The outcomes of consecutive input messages of one stage and input partition,
    feeding the operators' counters.

    Keyed ``stage|topic|partition`` of the input; each outcome's input offset lets the
    counters skip one they have already counted when a message is processed again. A
    stage sends one event per flush (a fraction of a second), not one per message: a
    message per message cost the broker and the counter process more CPU than parsing.
    """

    stage: str
    topic: str
    partition: int
    outcomes: list[StageOutcomeDict]
    at: Annotated[float | None, Default(None)]  # Unix time of the flush
