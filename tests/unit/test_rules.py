"""The routing rule language: loading, every error message, evaluation, the shipped files,
the wire form and the `newsflow routes` commands."""

from __future__ import annotations

import gzip
import json
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
import pytest
import yaml
from click.testing import CliRunner

from newsflow.cli import main
from newsflow.core.rules import (
    CONDITIONS,
    RulesError,
    RuleSet,
    default_rules,
    evaluate,
    load_document,
    load_file,
    load_text,
    schema,
)
from newsflow.core.rules.loader import regex_risk
from newsflow.core.types import EnrichedArticleDict, EntityDict
from newsflow.extraction.parse import ParseOptions
from newsflow.inputs import raw_page
from newsflow.pipeline import process_page
from tests.articles import make_article

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "routes" / "entities-and-languages.yaml"
SEED_PAGE = REPO / "examples" / "pages" / "mehrnews-ar-1942574.html"
NOW = datetime(2024, 3, 19, 15, 0, tzinfo=UTC)

ISSUE_EXAMPLE = """\
routes:
  - name: iran-russia
    topic: news.topic.iran-russia
    when:
      any:
        - entity: iso:IR
        - entity: iso:RU
"""


def rules(text: str) -> RuleSet:
    return load_text(textwrap.dedent(text), "rules.yaml")


def errors(text: str) -> list[str]:
    with pytest.raises(RulesError) as info:
        rules(text)
    return [str(i) for i in info.value.issues]


def entity(eid: str, salience: float = 0.8, etype: str = "GPE") -> EntityDict:
    return {
        "id": eid,
        "name": eid,
        "name_en": None,
        "type": etype,
        "mentions": [],
        "count": 1,
        "salience": salience,
    }


def record(
    *,
    entities: list[EntityDict] | None = None,
    categories: list[str] | None = None,
    **article: Any,
) -> EnrichedArticleDict:
    article.setdefault("title", "Headline")
    return {
        "schema_version": 1,
        "id": "a1",
        "article": make_article(**article),
        "entities": entities or [],
        "categories": categories or [],
        "keywords": [],
        "routes": [],
        "enriched_at": NOW.isoformat(),
        "extractor_version": "",
        "enriched_chars": None,
    }


def routes_of(rule_set: RuleSet, rec: object) -> tuple[str, ...]:
    return evaluate(rule_set, rec, NOW).routes


# --- the issue's example and the seed page -------------------------------------------------


@pytest.fixture(scope="module")
def seed_record() -> EnrichedArticleDict:
    """The seed-style Arabic page, through the real parse and enrich."""
    raw = raw_page(
        "https://ar.mehrnews.com/news/1942574/",
        now=NOW,
        source="test",
        body=SEED_PAGE.read_bytes(),
    )
    enriched = process_page(raw, options=ParseOptions(), now=NOW)
    assert "entities" in enriched
    return enriched  # type: ignore[return-value]


def test_the_issue_example_loads_as_it_is_and_routes_the_seed_page(
    seed_record: EnrichedArticleDict,
) -> None:
    rule_set = load_text(ISSUE_EXAMPLE, "rules.yaml")
    assert [r.name for r in rule_set.routes] == ["iran-russia", "general"]
    assert rule_set.route("iran-russia").topic == "news.topic.iran-russia"
    assert {"iso:IR", "iso:RU"} <= {e["id"] for e in seed_record["entities"]}
    decision = evaluate(rule_set, seed_record, NOW, explain=True)
    assert decision.routes == ("iran-russia",)
    assert decision.version == rule_set.version and rule_set.version.startswith("sha256:")
    assert decision.explain[0].startswith("iran-russia: send to news.topic.iran-russia (entity")


def test_the_example_file_routes_the_seed_page(seed_record: EnrichedArticleDict) -> None:
    rule_set = load_file(EXAMPLE)
    assert rule_set.default_route == "everything-else"
    decision = evaluate(rule_set, seed_record, NOW)
    assert decision.routes == ("iran-russia", "mehr-news")
    assert rule_set.route("mehr-news").topic == "news.agency.mehr"
    assert rule_set.route("iran-russia").partitions == 4


def test_the_example_file_covers_entity_language_site_and_place_routes() -> None:
    rule_set = load_file(EXAMPLE)
    fa_econ = record(language="fa", categories=["economy"])
    assert "fa-economy" in routes_of(rule_set, fa_econ)
    assert "fa-economy" not in routes_of(rule_set, record(language="ar", categories=["economy"]))
    karabakh = record(
        title="Clashes near Stepanakert",
        categories=["politics"],
        entities=[entity("nf:nagorno-karabakh", 0.5, "LOC")],
    )
    assert "caucasus-conflict" in routes_of(rule_set, karabakh)
    minor = record(categories=["conflict"], entities=[entity("iso:AM", 0.1)])
    assert "caucasus-conflict" not in routes_of(rule_set, minor)
    assert evaluate(rule_set, record(title=None), NOW).dropped  # no title: dropped
    fresh = record(title="عاجل: انفجار", published_at=(NOW - timedelta(hours=1)).isoformat())
    assert "breaking" in routes_of(rule_set, fresh)
    stale = record(title="عاجل: انفجار", published_at=(NOW - timedelta(hours=9)).isoformat())
    assert "breaking" not in routes_of(rule_set, stale)
    opinion = evaluate(rule_set, record(title="Opinion: the week"), NOW)
    assert opinion.tags == ("opinion",) and opinion.routes == ("everything-else",)


# --- the packaged rules reproduce today's routing ----------------------------------------


def test_default_rules_declare_todays_routes() -> None:
    rule_set = default_rules()
    assert rule_set.default_route == "general"
    assert set(rule_set.topics) == {
        "politics",
        "economy",
        "conflict",
        "science_tech",
        "health",
        "sports",
        "culture",
        "general",
    }
    assert all(t == f"news.topic.{n}" for n, t in rule_set.topics.items())


def _corpus_records(corpus: Path) -> Iterator[EnrichedArticleDict]:
    from newsflow.core.errors import PipelineError

    options = ParseOptions()
    for index in sorted(corpus.glob("*/expected.jsonl")):
        for line in index.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            body = gzip.decompress((index.parent / row["file"]).read_bytes())
            url = row.get("url") or f"https://corpus.invalid/{index.parent.name}/{row['id']}"
            raw = raw_page(url, now=NOW, source="corpus", body=body)
            try:
                yield process_page(raw, options=options, now=NOW)  # type: ignore[misc]
            except PipelineError:
                continue


def test_shipped_rules_route_every_corpus_page_like_its_categories(corpus: Path) -> None:
    """The shipped file reproduces the routing newsflow had before rules were files (it
    gave the same route sets on all 480 corpus pages when it replaced that code): every
    category is a route, the entity rules add theirs, `general` only when nothing did."""
    rule_set = default_rules()
    seen = 0
    for rec in _corpus_records(corpus):
        seen += 1
        routes = set(routes_of(rule_set, rec))
        assert set(rec["categories"]) <= routes, rec["article"]["url"]
        assert ("general" in routes) == (routes == {"general"}), rec["article"]["url"]
        assert routes == set(rec["routes"])  # what enrichment itself decided
    assert seen > 400


# --- conditions ---------------------------------------------------------------------------


def test_category_presence_and_score_with_rank_fallback() -> None:
    rs = rules(
        """
        routes:
          - name: econ
            when: {category: economy}
          - name: econ-strong
            when: {category: {name: economy, min_score: 0.9}}
          - name: any-of
            when: {category: [health, sports]}
        """
    )
    assert routes_of(rs, record(categories=["politics", "economy"])) == ("econ",)
    assert routes_of(rs, record(categories=["economy"])) == ("econ", "econ-strong")
    scored = record(categories=["economy"])
    scored["category_scores"] = {"economy": 0.5}
    assert routes_of(rs, scored) == ("econ",)
    scored["category_scores"] = {"economy": 0.95}
    assert routes_of(rs, scored) == ("econ", "econ-strong")
    assert routes_of(rs, record(categories=["sports"])) == ("any-of",)


def test_language_site_source() -> None:
    rs = rules(
        """
        routes:
          - name: persian
            when: {language: [fa]}
          - name: irna
            when: {site: irna.ir}
          - name: feed
            when: {source: [rss-1, rss-2]}
        """
    )
    assert routes_of(rs, record(language="fa-IR")) == ("persian",)
    assert routes_of(rs, record(site="en.irna.ir")) == ("irna",)
    assert routes_of(rs, record(site="IRNA.ir")) == ("irna",)
    assert routes_of(rs, record(site="notirna.ir")) == ("general",)
    assert routes_of(rs, record(source="rss-2")) == ("feed",)


def test_entity_and_entity_type_with_salience() -> None:
    rs = rules(
        """
        routes:
          - name: iran
            when: {entity: {id: [iso:IR], min_salience: 0.5}}
          - name: people
            when: {entity_type: {type: PERSON, min_salience: 0.3}}
          - name: any-iran
            when: {entity: iso:IR}
        """
    )
    assert routes_of(rs, record(entities=[entity("iso:IR", 0.6)])) == ("iran", "any-iran")
    assert routes_of(rs, record(entities=[entity("iso:IR", 0.1)])) == ("any-iran",)
    assert routes_of(rs, record(entities=[entity("p", 0.3, "PERSON")])) == ("people",)
    assert routes_of(rs, record(entities=[entity("p", 0.2, "PERSON")])) == ("general",)


def test_words_are_whole_folded_words_phrases_and_prefixes() -> None:
    rs = rules(
        """
        routes:
          - name: oil
            when: {words: {in: [title], any: [oil, نفط, "crude price"]}}
          - name: stems
            when: {words: [sanction*]}
          - name: both
            when: {words: {all: [iran, russia]}}
        """
    )
    assert routes_of(rs, record(title="OIL rises")) == ("oil",)
    assert routes_of(rs, record(title="Boiling point")) == ("general",)
    assert routes_of(rs, record(title="اسعار النّفط")) == ("oil",)  # shadda folded away
    assert routes_of(rs, record(title="the crude   price!")) == ("oil",)
    assert routes_of(rs, record(body="oil only in the body")) == ("general",)
    assert routes_of(rs, record(lead="New sanctions on...")) == ("stems",)
    assert routes_of(rs, record(title="Iran", body="and Russia")) == ("both",)
    assert routes_of(rs, record(title="Iran alone")) == ("general",)


def test_persian_and_arabic_spellings_meet() -> None:
    rs = rules(
        """
        routes:
          - name: president
            when: {words: [رئیس‌جمهور]}
          - name: pattern
            when: {pattern: {in: [body], regex: "ك.?ر"}}
        """
    )
    # Persian yeh/keheh and ZWNJ in the rule, Arabic forms in the text, and back.
    assert routes_of(rs, record(title="رئيسجمهور")) == ("president",)
    assert routes_of(rs, record(body="کار")) == ("pattern",)


def test_pattern_is_case_insensitive_and_bounded() -> None:
    rs = rules(
        """
        routes:
          - name: nuclear
            when: {pattern: {in: [title, body], regex: "\\\\bnucle(ar|us)\\\\b"}}
        """
    )
    assert routes_of(rs, record(title="NUCLEAR talks")) == ("nuclear",)
    far = record(body="x " * 10_000 + "nuclear")
    assert routes_of(rs, far) == ("general",)  # past MAX_PATTERN_CHARS: not scanned


def test_age_uses_published_at_and_now() -> None:
    rs = rules(
        """
        routes:
          - name: fresh
            when: {age: {max_hours: 24}}
          - name: old
            when: {age: {min_hours: 48}}
        """
    )
    at = (NOW - timedelta(hours=2)).isoformat()
    assert routes_of(rs, record(published_at=at)) == ("fresh",)
    assert routes_of(rs, record(published_at="2020-01-01T00:00:00+00:00")) == ("old",)
    assert routes_of(rs, record(published_at="2024-03-19T10:00:00")) == ("fresh",)  # no offset
    assert routes_of(rs, record(published_at=None)) == ("general",)
    assert routes_of(rs, record(published_at="yesterday")) == ("general",)


def test_all_any_not_and_several_keys() -> None:
    rs = rules(
        """
        routes:
          - name: a
            when:
              language: ar
              not: {category: sports}
          - name: b
            when:
              all:
                - any: [{language: fa}, {language: ar}]
                - not: {not: {category: sports}}
        """
    )
    assert routes_of(rs, record(language="ar", categories=["politics"])) == ("a",)
    assert routes_of(rs, record(language="ar", categories=["sports"])) == ("b",)


def test_actions_precedence_drop_wins_and_tags_accumulate() -> None:
    rs = rules(
        """
        default: rest
        routes:
          - name: ar
            when: {language: ar}
          - name: t1
            action: tag
            tags: [arabic, news]
            when: {language: ar}
          - name: t2
            action: tag
            tags: news
          - name: spam
            action: drop
            when: {site: spam.example}
          - name: rest
        """
    )
    d = evaluate(rs, record(language="ar"), NOW)
    assert (d.routes, d.tags, d.dropped) == (("ar",), ("arabic", "news"), False)
    d = evaluate(rs, record(language="ar", site="spam.example"), NOW, explain=True)
    assert (d.routes, d.dropped, d.dropped_by) == ((), True, "spam")
    assert d.explain[-1] == "=> dropped by spam"
    d = evaluate(rs, record(language="en"), NOW)
    assert d.routes == ("rest",) and d.tags == ("news",)


def test_explain_names_every_rule_and_the_outcome() -> None:
    rs = rules(ISSUE_EXAMPLE)
    d = evaluate(rs, record(entities=[entity("iso:FR")]), NOW, explain=True)
    assert d.explain == [
        "iran-russia: no (none of: no entity iso:IR; no entity iso:RU)",
        "=> general (default: no send rule matched)",
    ]
    assert evaluate(rs, record(), NOW).explain == []


def test_route_without_when_always_matches_and_topic_defaults() -> None:
    rs = rules(
        """
        routes:
          - name: all-news
        """
    )
    assert rs.route("all-news").topic == "news.topic.all-news"
    assert routes_of(rs, {}) == ("all-news",)


# --- the version and the wire form --------------------------------------------------------


def test_version_ignores_comments_and_shorthands_but_not_meaning() -> None:
    a = rules("routes:\n  - name: x\n    when: {entity: iso:IR}\n")
    b = rules(
        """
        # a comment
        routes:
          - name: x
            topic: news.topic.x
            action: send
            when:
              entity: {id: [iso:IR], min_salience: 0}
        """
    )
    c = rules("routes:\n  - name: x\n    when: {entity: iso:RU}\n")
    assert a.version == b.version != c.version
    assert a == b and len(a.version) == len("sha256:") + 12


def test_wire_round_trip_and_tampering() -> None:
    rs = load_file(EXAMPLE)
    again = RuleSet.from_json(rs.to_json())
    assert again.version == rs.version and again.source_name == str(EXAMPLE)
    assert [r.name for r in again.routes] == [r.name for r in rs.routes]
    doc = orjson.loads(rs.to_json())
    doc["rules"]["routes"][0]["when"] = {"entity": {"id": ["iso:FR"]}}
    with pytest.raises(RulesError, match="is not the rules' version"):
        RuleSet.from_json(orjson.dumps(doc))
    doc["rules"]["routes"][0]["when"] = {"entitty": "iso:FR"}
    with pytest.raises(RulesError, match='unknown condition "entitty"'):
        RuleSet.from_json(orjson.dumps(doc))
    with pytest.raises(RulesError, match="not JSON"):
        RuleSet.from_json(b"{")
    with pytest.raises(RulesError, match="unknown rule set format"):
        RuleSet.from_json(b'{"format": 9}')


def test_load_document_names_the_source_without_lines() -> None:
    with pytest.raises(RulesError) as info:
        load_document({"routes": [{"name": "x", "when": {"langauge": "ar"}}]}, "news.config")
    assert str(info.value).startswith('news.config: route "x": unknown condition "langauge"')


# --- the JSON Schema agrees with the loader --------------------------------------------


@pytest.fixture(scope="module")
def validate() -> Any:
    return fastjsonschema.compile(schema())


def test_shipped_files_and_canonical_forms_pass_the_schema(validate: Any) -> None:
    for path in (REPO / "newsflow" / "data" / "routes.yaml", EXAMPLE):
        validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        validate(load_file(path).canonical())
    validate(yaml.safe_load(ISSUE_EXAMPLE))


def test_schema_lists_the_same_conditions() -> None:
    conds = schema()["definitions"]["condition"]["properties"]
    assert tuple(conds) == CONDITIONS


BAD_DOCUMENTS = [
    {"routes": []},
    {"routes": [{"topic": "x"}]},
    {"routes": [{"name": "Bad"}]},
    {"routes": [{"name": "x", "when": {"entitty": "iso:IR"}}]},
    {"routes": [{"name": "x", "when": {}}]},
    {"routes": [{"name": "x", "when": {"category": "polotics"}}]},
    {"routes": [{"name": "x", "when": {"entity": {"id": "iso:IR", "min_salience": 2}}}]},
    {"routes": [{"name": "x", "action": "tag"}]},
    {"routes": [{"name": "x", "action": "drop", "topic": "t"}]},
    {"routes": [{"name": "x", "partitions": 0}]},
    {"routes": [{"name": "x", "when": {"words": {"in": ["titel"], "any": ["a"]}}}]},
    {"routes": [{"name": "x", "when": {"age": {}}}]},
    {"routes": [{"name": "x"}], "extra": 1},
]


@pytest.mark.parametrize("doc", BAD_DOCUMENTS)
def test_schema_and_loader_both_refuse(doc: dict[str, Any], validate: Any) -> None:
    with pytest.raises(fastjsonschema.JsonSchemaException):
        validate(doc)
    with pytest.raises(RulesError):
        load_document(doc)


# --- every error message ------------------------------------------------------------------

ERROR_CASES: list[tuple[str, str]] = [
    # the message of the brief, with a suggestion
    (
        """
        routes:
          - name: iran-russia
            when:
              any:
                - entitty: iso:IR
        """,
        'rules.yaml:6: route "iran-russia": unknown condition "entitty" (did you mean '
        '"entity"? expected one of: all, any, not, category, language, site, source, '
        "entity, entity_type, words, pattern, age)",
    ),
    ("", "rules.yaml: the file is empty (expected a mapping with `routes:`)"),
    ("routes: [\n", "rules.yaml:2: not valid YAML:"),
    ("a: 1\n---\nb: 2\n", "rules.yaml:3: more than one YAML document (one `---` too many)"),
    ("- 1\n", "rules.yaml:1: expected a mapping, got a list"),
    ("routs: []\n", 'rules.yaml:1: unknown top-level key "routs" (did you mean "routes"?'),
    ("default: x\n", 'rules.yaml:1: missing "routes:" (a list of routes)'),
    ("routes: []\n", 'rules.yaml:1: "routes" must be a non-empty list of routes, got an empty'),
    ("routes: 3\n", 'rules.yaml:1: "routes" must be a non-empty list of routes, got the number'),
    (
        "default: a\ndefault_route: a\nroutes:\n  - name: a\n",
        'rules.yaml:2: give either "default" or "default_route", not both',
    ),
    (
        "default: genral\nroutes:\n  - name: general\n",
        'rules.yaml:1: default route "genral" is not one of the routes (did you mean "general"?',
    ),
    (
        "default: a\nroutes:\n  - name: a\n    action: drop\n",
        'rules.yaml:3: route "a": the default route must send, not drop',
    ),
    (
        "default: a\nroutes:\n  - name: a\n    when: {language: ar}\n",
        'rules.yaml:3: route "a": the default route takes the articles no rule sent; '
        'it cannot have "when"',
    ),
    (
        "routes:\n  - name: x\n    topic: news.topic.general\n",
        'rules.yaml: the implicit default route "general" needs topic news.topic.general, '
        'which route "x" uses',
    ),
    ("routes:\n  - 3\n", "rules.yaml:2: route #1: expected a mapping, got the number 3"),
    ("routes:\n  - topic: t\n", "rules.yaml:2: route #1: missing name"),
    ("routes:\n  - name: ~\n", "rules.yaml:2: route #1: name must be text, got nothing (null)"),
    ("routes:\n  - name: ''\n", "rules.yaml:2: route #1: name must not be empty"),
    (
        "routes:\n  - name: Big\n",
        'rules.yaml:2: route "Big": name must be lower-case letters, digits, - or _',
    ),
    (
        "routes:\n  - name: a\n  - name: a\n",
        'rules.yaml:3: route "a" is declared twice (first at line 2)',
    ),
    (
        "routes:\n  - name: a\n    name: b\n",
        'rules.yaml:3: route "b": "name" is given twice (first at line 2)',
    ),
    (
        "routes:\n  - name: a\n    topik: t\n",
        'rules.yaml:3: route "a": unknown key "topik" (did you mean "topic"?',
    ),
    (
        "routes:\n  - name: a\n    action: sned\n",
        'rules.yaml:3: route "a": unknown action "sned" (did you mean "send"? '
        "expected one of: send, drop, tag)",
    ),
    (
        "routes:\n  - name: a\n    topic: bad topic\n",
        'rules.yaml:3: route "a": topic "bad topic" is not a Kafka topic name',
    ),
    (
        "routes:\n  - name: a\n    topic: news.dlq\n",
        'rules.yaml:3: route "a": topic news.dlq belongs to the pipeline; choose another',
    ),
    (
        "routes:\n  - name: a\n    topic: t\n  - name: b\n    topic: t\n",
        'rules.yaml:5: route "b": topic t is already the topic of route "a"',
    ),
    (
        "routes:\n  - name: a\n    partitions: two\n",
        'rules.yaml:3: route "a": partitions must be a whole number from 1 to 10000, '
        'got the text "two"',
    ),
    (
        "routes:\n  - name: a\n    partitions: true\n",
        'rules.yaml:3: route "a": partitions must be a whole number from 1 to 10000, '
        "got the boolean true",
    ),
    (
        "routes:\n  - name: a\n    action: drop\n    partitions: 3\n",
        'rules.yaml:4: route "a": "partitions" applies to action send only, not drop',
    ),
    (
        "routes:\n  - name: a\n    action: tag\n",
        'rules.yaml:2: route "a": action tag needs "tags: [...]"',
    ),
    (
        "routes:\n  - name: a\n    tags: [x]\n",
        'rules.yaml:3: route "a": "tags" applies to action tag only',
    ),
    (
        "routes:\n  - name: a\n    action: tag\n    tags: ['  x']\n",
        'rules.yaml:4: route "a": tag "  x" must be at most 100 characters',
    ),
    (
        "routes:\n  - name: a\n    action: tag\n    tags: []\n",
        'rules.yaml:4: route "a": a tag must list at least one value',
    ),
    (
        "routes:\n  - name: a\n    description: [x]\n",
        'rules.yaml:3: route "a": description must be text, got a list',
    ),
    (
        "routes:\n  - name: a\n    when: entity\n",
        'rules.yaml:3: route "a": a condition must be a mapping such as `entity: iso:IR`, '
        'got the text "entity"',
    ),
    (
        "routes:\n  - name: a\n    when: {}\n",
        'rules.yaml:3: route "a": empty condition (to match every article, leave out `when`)',
    ),
    (
        "routes:\n  - name: a\n    when: {any: []}\n",
        'rules.yaml:3: route "a": any needs a non-empty list of conditions, got an empty list',
    ),
    (
        "routes:\n  - name: a\n    when: {all: {language: ar}}\n",
        'rules.yaml:3: route "a": all needs a non-empty list of conditions, got a mapping',
    ),
    (
        "routes:\n  - name: a\n    when: {not: [x]}\n",
        'rules.yaml:3: route "a": not: a condition must be a mapping',
    ),
    (
        "routes:\n  - name: a\n    when:\n      category: polotics\n",
        'rules.yaml:4: route "a": unknown category "polotics" (did you mean "politics"?',
    ),
    (
        "routes:\n  - name: a\n    when:\n      category: {min_score: 0.3}\n",
        'rules.yaml:4: route "a": category needs `name:`',
    ),
    (
        "routes:\n  - name: a\n    when:\n      category: {name: economy, min_score: high}\n",
        'rules.yaml:4: route "a": category: min_score must be a number, got the text "high"',
    ),
    (
        "routes:\n  - name: a\n    when:\n      category: {name: economy, min: 1}\n",
        'rules.yaml:4: route "a": category: unknown key "min" (expected one of: name, min_score)',
    ),
    (
        "routes:\n  - name: a\n    when:\n      language: Farsi\n",
        'rules.yaml:4: route "a": language "farsi" is not a language code such as ar, fa or en',
    ),
    (
        "routes:\n  - name: a\n    when:\n      site: https://irna.ir/\n",
        'rules.yaml:4: route "a": site "https://irna.ir/" is not a domain such as irna.ir',
    ),
    (
        "routes:\n  - name: a\n    when:\n      source: []\n",
        'rules.yaml:4: route "a": source must list at least one value',
    ),
    (
        "routes:\n  - name: a\n    when:\n      entity: [iso:IR, IR]\n",
        'rules.yaml:4: route "a": entity "IR" is not an entity id such as iso:IR or nf:hamas',
    ),
    (
        "routes:\n  - name: a\n    when:\n      entity: {id: iso:IR, min_salience: 1.5}\n",
        'rules.yaml:4: route "a": entity: min_salience must be between 0 and 1, got 1.5',
    ),
    (
        "routes:\n  - name: a\n    when:\n      entity_type: PLACE\n",
        'rules.yaml:4: route "a": unknown entity type "PLACE" (expected one of: PERSON, ORG, '
        "GPE, LOC, EVENT)",
    ),
    (
        "routes:\n  - name: a\n    when:\n      words: {any: [a], all: [b]}\n",
        'rules.yaml:4: route "a": words: give exactly one of `any:` or `all:` (the words)',
    ),
    (
        "routes:\n  - name: a\n    when:\n      words: ['...']\n",
        'rules.yaml:4: route "a": words: "..." has no letters or digits to match',
    ),
    (
        "routes:\n  - name: a\n    when:\n      words: ['a*b']\n",
        'rules.yaml:4: route "a": words: "a*b": "*" may only end a word (a prefix)',
    ),
    (
        "routes:\n  - name: a\n    when:\n      words: {in: [titel], any: [x]}\n",
        'rules.yaml:4: route "a": words: unknown field "titel" (did you mean "title"?',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: {in: [body]}\n",
        'rules.yaml:4: route "a": pattern: needs `regex:`',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: '(unclosed'\n",
        'rules.yaml:4: route "a": pattern: invalid regex "(unclosed": missing ), unterminated '
        "subpattern at position 0",
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: '(a+)+$'\n",
        'rules.yaml:4: route "a": pattern: regex "(a+)+$" refused: a repeat inside a repeat',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: '(a)x\\1'\n",
        'rules.yaml:4: route "a": pattern: regex "(a)x\\1" refused: back-references are not',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: '.*iran'\n",
        'rules.yaml:4: route "a": pattern: regex ".*iran" refused: it starts with .* or the like',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: 'x?'\n",
        'rules.yaml:4: route "a": pattern: regex "x?" refused: it matches the empty text',
    ),
    (
        "routes:\n  - name: a\n    when:\n      pattern: " + "x" * 1001 + "\n",
        'rules.yaml:4: route "a": pattern: regex longer than 1000 characters',
    ),
    (
        "routes:\n  - name: a\n    when:\n      age: {}\n",
        'rules.yaml:4: route "a": age: give min_hours, max_hours or both',
    ),
    (
        "routes:\n  - name: a\n    when:\n      age: {max_hours: -1}\n",
        'rules.yaml:4: route "a": age: max_hours must be at least 0, got -1',
    ),
    (
        "routes:\n  - name: a\n    when:\n      age: {min_hours: 5, max_hours: 1}\n",
        'rules.yaml:4: route "a": age: min_hours 5 is above max_hours 1',
    ),
    (
        "routes:\n  - name: a\n    when:\n      age: {max_days: 1}\n",
        'rules.yaml:4: route "a": age: unknown key "max_days" '
        "(expected one of: min_hours, max_hours)",
    ),
    ("routes:\n  - name: !!python/object x\n", "rules.yaml:2: unsupported YAML tag"),
    ("routes:\n  - name: a\n    when: {language: ar, language: fa}\n", '"language" is given twice'),
]


@pytest.mark.parametrize(("text", "message"), ERROR_CASES)
def test_every_error_message(text: str, message: str) -> None:
    found = errors(text)
    assert any(m.startswith(message) or message in m for m in found), found


def test_all_errors_are_reported_in_file_order() -> None:
    found = errors(
        """
        routes:
          - name: a
            when: {entitty: iso:IR}
          - name: b
            when: {category: polotics}
          - name: a
        """
    )
    assert [m.split(":")[1] for m in found] == ["4", "6", "7"]


def test_deep_nesting_and_alias_bombs_are_refused() -> None:
    deep = "routes:\n  - name: a\n    when: " + "{not: " * 40 + "{language: ar}" + "}" * 40
    assert any("nested more than 32 deep" in m for m in errors(deep))
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for i in range(1, 7):
        bomb += f"{'abcdefg'[i]}: &{'abcdefg'[i]} [" + ", ".join([f"*{'abcdefg'[i - 1]}"] * 10)
        bomb += "]\n"
    assert any("expands to more than" in m for m in errors(bomb))


def test_yaml_one_one_booleans_stay_text_where_text_is_expected() -> None:
    rs = rules("routes:\n  - name: nor\n    when: {language: [no, 'on']}\n")
    assert routes_of(rs, record(language="no")) == ("nor",)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_file(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"routes:\n  - name: caf\xe9\n")
    with pytest.raises(RulesError, match=r"latin1.yaml:2: not UTF-8 text"):
        load_file(bad)


def test_regex_risk_allows_ordinary_patterns() -> None:
    for ok in (r"\bnucle(ar|us)\b", r"(ab|cd)+x", r"\d+ killed", r"a.*b", "عاجل|فوری"):
        assert regex_risk(ok) is None, ok


# --- command line ---------------------------------------------------------------------------


def test_cli_check_ok_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "rules.yaml"
    good.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["routes", "check", str(good), str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    version = load_text(ISSUE_EXAMPLE).version
    assert lines[0] == f"{good}: ok, 2 route(s) (2 send), default general, version {version}"
    bad = tmp_path / "bad.yaml"
    bad.write_text(ISSUE_EXAMPLE.replace("entity: iso:RU", "entitty: iso:RU"), encoding="utf-8")
    result = runner.invoke(main, ["routes", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert f'{bad}:7: route "iran-russia": unknown condition "entitty"' in result.output
    assert f"{bad}: 1 problem(s)" in result.output


def test_cli_test_on_enriched_records(tmp_path: Path, seed_record: EnrichedArticleDict) -> None:
    records = tmp_path / "enriched.jsonl"
    other = record(title="Nothing here")
    records.write_bytes(orjson.dumps(seed_record) + b"\n\n" + orjson.dumps(other) + b"\n[1]\n")
    runner = CliRunner()
    result = runner.invoke(main, ["routes", "test", str(EXAMPLE), str(records), "--json"])
    assert result.exit_code == 1  # the third line is not a record
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert rows[0]["routes"] == ["iran-russia", "mehr-news"]
    assert rows[0]["topics"] == ["news.topic.iran-russia", "news.agency.mehr"]
    assert rows[0]["origin"] == f"{records}:1"
    assert rows[1]["routes"] == ["everything-else"] and rows[1]["origin"] == f"{records}:3"
    assert rows[2]["error"]["kind"] == "schema"
    text = runner.invoke(main, ["routes", "test", str(EXAMPLE), str(records)])
    assert "-> iran-russia (news.topic.iran-russia), mehr-news (news.agency.mehr)" in text.output
    assert "iran-russia: send to news.topic.iran-russia (entity iso:IR" in text.output


def test_cli_test_refuses_invalid_rules(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["routes", "test", str(bad), str(SEED_PAGE)])
    assert result.exit_code == 1
    assert f"{bad}:1:" in result.output


def test_the_words_enrichment_hands_over_are_the_words_rules_would_fold(corpus: Path) -> None:
    """The enrich stage gives routing the words it has folded already (`field_words`);
    they must be the words the rules fold themselves, on every corpus page, and the
    decisions the same with and without them."""
    from newsflow.core.rules.conditions import Facts
    from newsflow.entities.enrich import _mention_spans, field_words

    words_rules = load_text(
        "routes:\n  - name: w\n"
        "    when: {words: [iran, nuclear deal, oil, نفط, ایران, sanction*]}\n"
    )
    seen = 0
    for rec in _corpus_records(corpus):
        spans = _mention_spans(rec["entities"])
        given: dict[str, frozenset[str]] = {}
        for name in ("title", "lead", "body"):
            text = rec["article"].get(name)
            if not isinstance(text, str) or not text.strip():
                continue
            given[name] = field_words(text, spans.get(name, ()))
            assert given[name] == Facts(rec, NOW).words(name), (rec["article"]["url"], name)
        for rules in (default_rules(), words_rules):
            assert evaluate(rules, rec, NOW, words=given) == evaluate(rules, rec, NOW)
        seen += 1
    assert seen > 400
