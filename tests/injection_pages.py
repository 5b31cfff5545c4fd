"""SQL, script and Unicode injections in every field of a page, from the crawler's message to
the database and back; shared by the SQLite (unit) and PostgreSQL (integration) tests.

The pages go through the parse and enrich stage functions (in-process) and
`Store.write_articles`; dead letters carry the same strings. Read back through an engine of
our own, every stored text must be exactly what the stage produced, with one rule: NUL and
lone surrogates, which PostgreSQL text and the drivers cannot hold, are replaced one for one by
U+FFFD (`newsflow.store`); on SQLite too, so that both back ends store the same.
"""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from newsflow.agents.enrich import handle as enrich
from newsflow.agents.outcome import Outcome
from newsflow.agents.parse import handle as parse
from newsflow.core.deadletter import make_dead_letter
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict, DeadLetterDict, EnrichedArticleDict
from newsflow.extraction.parse import ParseOptions
from newsflow.store import Store, article_entities, articles, dead_letters
from tests.storage_helpers import fetch, make_article

SQL = [
    "'); DROP TABLE articles;--",
    '" OR 1=1 --',
    "' OR '1'='1",
    "'; DELETE FROM dead_letters WHERE ''='",
    "1; UPDATE articles SET title='pwned'",
    "\\",
    "\\'",
    "\\x00",
    "$$",
    "$1",
    "$tag$ x $tag$",
    "%s",
    "%(id)s",
    "{}",
    "{0}",
    ":id",
    "?",
    "/* comment",
    "E'\\\\'",
]
SCRIPT = [
    "<script>alert(1)</script>",
    "javascript:alert(document.cookie)",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "{{7*7}} ${7*7}",
]
UNICODE = [
    "\u202eevil\u202c",  # right-to-left override
    "\u2066isolate\u2069",
    "zero\u200bwidth",
    "\ufeffbom",
    "ａｄｍｉｎ",  # fullwidth
    "\ufb01nance",  # a ligature NFKC changes
    "\u0410pple",  # Cyrillic A
    "e\u0301",  # combining accent
    "👩\u200d👩\u200d👧",
    "\U000e0041\U000e0042",  # tag characters
    "\uffff\U0010fffd",  # a noncharacter, the last private-use code point
    "ي ی ك ک \u0640\u064b",  # Arabic and Persian letter forms, tatweel, a harakah
    "\u02bc\uff07",  # apostrophe look-alikes
]
PAYLOAD = " ".join(SQL + SCRIPT + UNICODE)
FETCHED = "2024-03-19T12:00:00+00:00"
SOURCE = "crawler'); DROP TABLE articles;-- \x00 <script>alert(1)</script> $$ %s"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_T = TypeVar("_T")


def storable(value: _T) -> _T:
    """The store's one rule, written independently: NUL and lone surrogates → U+FFFD."""
    if isinstance(value, str):
        return cast(_T, _UNSTORABLE.sub("\ufffd", value))
    if isinstance(value, dict):
        return cast(_T, {storable(k): storable(v) for k, v in value.items()})
    if isinstance(value, list):
        return cast(_T, [storable(v) for v in value])
    return value


def hostile_url(n: int) -> str:
    return (
        f"https://example.org/news/{n}/');DROP TABLE articles;--/<script>"
        f"?q=\" OR 1=1 --&s=$$%s{{}}&x=\\'&r=\u202eevil"
    )


def hostile_page(n: int) -> str:
    """Every field the parser fills, carrying the payloads: title and section through
    JSON-LD (with NUL, and ``</script>`` written as pages write it), lead through meta and
    the page, tags and authors through meta and JSON-LD, the body, links and images."""
    e = html.escape
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": f"Headline {n} {PAYLOAD} \x00 nul",
        "articleSection": f"Section \x00 {SQL[0]} {SCRIPT[0]}",
        "keywords": [*SQL[:5], SCRIPT[0], "tag\x00nul", UNICODE[0]],
        "author": [
            {"@type": "Person", "name": "Sean O'Neill"},
            {"@type": "Person", "name": SQL[2]},
        ],
        "datePublished": "2024-03-19T14:37:00+03:30",
        "image": f"https://example.org/img/{n}.jpg?x=');DROP TABLE articles;--",
    }
    ld_text = json.dumps(ld).replace("</", "<\\/")
    paragraphs = "".join(
        f"<p>Paragraph {i}: Vladimir Putin met Sean O'Neill in Tehran. {e(PAYLOAD)} "
        "and more words, so that this is a real paragraph of the story.</p>"
        for i in range(4)
    )
    return (
        "<!doctype html><html><head>"
        f"<title>{e(PAYLOAD)}</title>"
        f'<meta name="description" content="{e("Lead " + PAYLOAD)}">'
        f'<meta name="author" content="{e(SQL[0])}">'
        f'<meta property="article:tag" content="{e(SQL[1])}">'
        f'<meta property="article:section" content="{e(PAYLOAD)}">'
        f'<meta property="og:site_name" content="{e(SQL[0] + SCRIPT[0])}">'
        f'<script type="application/ld+json">{ld_text}</script>'
        "</head><body><article>"
        f'<p class="lead">{e("Lead " + PAYLOAD)}</p>{paragraphs}'
        '<a href="javascript:alert(1)">click</a><img src=x onerror=alert(1)>'
        '<script>script_element_text()</script><iframe src="javascript:x()">iframe_text</iframe>'
        "</article></body></html>"
    )


def hostile_message(n: int) -> bytes:
    return orjson.dumps(
        {"url": hostile_url(n), "html": hostile_page(n), "source": SOURCE, "fetched_at": FETCHED}
    )


def parse_and_enrich(value: bytes) -> tuple[ArticleDict, EnrichedArticleDict]:
    """The two stage functions as the worker runs them, in this process."""
    parsed = parse(value, ParseOptions())
    assert parsed.failure is None, parsed.failure
    article = cast(ArticleDict, orjson.loads(parsed.outputs[0].value))
    enriched = enrich(parsed.outputs[0].value, datetime(2024, 3, 19, 12, 0, tzinfo=UTC))
    assert enriched.failure is None, enriched.failure
    return article, cast(EnrichedArticleDict, orjson.loads(enriched.outputs[0].value))


def check_payloads_arrived(n: int, article: ArticleDict) -> None:
    """The test is only worth something if the strings really reached the fields."""
    title, lead, body = article["title"] or "", article["lead"] or "", article["body"]
    for text in (title, lead, body):
        for payload in (SQL[0], SQL[1], "$$", "%s", "{}", "\\'", SCRIPT[0], SCRIPT[3]):
            assert payload in text, (payload, text)
        assert "\u202eevil" in text and "\U000e0041" in text
    assert "\x00" in (article["section"] or ""), article["section"]
    assert SQL[0] in article["tags"] and "tag\x00nul" in article["tags"], article["tags"]
    assert "Sean O'Neill" in article["authors"], article["authors"]
    assert article["url"] == hostile_url(n)  # the fetched URL, verbatim
    assert "\x00" in article["source"] and SQL[0] in article["source"]
    assert "script_element_text" not in body and "iframe_text" not in body  # no page text


def letters(n: int) -> list[tuple[DeadLetterDict, bytes, str, str | None, str | None]]:
    """Two dead letters and what they must store: one from a real parse failure of a
    hostile message (its URL is a javascript: link), one whose error message is the payload."""
    now = datetime(2024, 3, 19, 12, 0, tzinfo=UTC)
    bad_url = f"javascript:alert('{n}'); DROP TABLE articles;-- \x00 $$ %s"
    value = orjson.dumps({"url": bad_url, "html": hostile_page(n), "source": SOURCE})
    failed: Outcome = parse(value, ParseOptions())
    assert failed.failure is not None and failed.failure.kind == "url", failed
    assert SQL[0] in failed.failure.message
    out = []
    for offset, (error, source, url) in enumerate(
        [
            (failed.failure.error(), failed.source, failed.url),
            (PipelineError("parse", f"{PAYLOAD} \x00 nul"), SOURCE, hostile_url(n)),
        ]
    ):
        letter = make_dead_letter(
            stage="parse",
            error=error,
            value=value,
            key=SQL[0].encode(),
            topic="news.raw",
            partition=0,
            offset=10 * n + offset,
            now=now,
            source=source,
            url=url,
        )
        out.append((letter, value, error.message, source, url))
    return out


async def table_names(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


def _json(value: Any) -> Any:
    """A JSON column as read by a plain engine: text on some drivers, decoded on others."""
    return json.loads(value) if isinstance(value, str) else value


async def check_injection_round_trip(store: Store, url: str) -> None:
    """The whole check, on whichever database ``store`` and ``url`` name."""
    tables = await table_names(url)
    assert {"articles", "article_entities", "dead_letters"} <= tables
    canary = make_article("canary")
    await store.write_articles([canary])

    pages = [parse_and_enrich(hostile_message(n)) for n in range(3)]
    for n, (article, _enriched) in enumerate(pages):
        check_payloads_arrived(n, article)
    result = await store.write_articles([enriched for _article, enriched in pages])
    assert result.inserted == 3
    all_letters = [item for n in range(3) for item in letters(n)]
    assert await store.write_dead_letters([letter for letter, *_ in all_letters]) == 6

    # Nothing was executed: the same tables, the canary as it was, only our rows.
    assert await table_names(url) == tables
    assert await store.get_article("canary") == canary
    assert await store.count_articles() == 4
    assert await store.count_dead_letters() == 6

    for article, enriched in pages:
        assert await store.get_article(article["id"]) == storable(enriched)
        (row,) = await fetch(url, sa.select(articles).where(articles.c.id == article["id"]))
        for name in ("url", "canonical_url", "site", "source", "language", "title", "lead"):
            assert getattr(row, name) == storable(article[name]), name
        assert row.body == storable(article["body"])
        for name in ("authors", "tags", "images"):
            assert _json(getattr(row, name)) == storable(article[name]), name  # type: ignore[literal-required]
        assert row.content_hash == article["content_hash"]
        assert _json(row.doc) == storable(enriched)
        assert _json(row.doc)["article"]["section"] == storable(article["section"])
        stored_entities = await fetch(
            url,
            sa.select(article_entities.c.entity_id, article_entities.c.name).where(
                article_entities.c.article_id == article["id"]
            ),
        )
        assert {tuple(r) for r in stored_entities} == {
            (e["id"], storable(e["name"])) for e in enriched["entities"]
        }
        assert enriched["entities"], "no entity: article_entities would not be exercised"

    for letter, value, message, source, letter_url in all_letters:
        (row,) = await fetch(url, sa.select(dead_letters).where(dead_letters.c.id == letter["id"]))
        assert row.message == storable(message)
        assert row.source == storable(source)
        assert row.url == storable(letter_url)
        assert base64.b64decode(row.original_b64) == value
        assert base64.b64decode(row.original_key_b64) == SQL[0].encode()
    assert any("\x00" in (m or "") for _l, _v, m, _s, _u in all_letters)  # the rule was exercised
