"""enrich: Article → EnrichedArticle (entities, categories, keywords, routes).

`handle` runs in the enrich stage's child process, which loads the gazetteer and
the tagger once when it starts (`warm`), under the enrich time limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsflow.agents.outcome import Outcome, Output, article_facts, peek, salient_entities
from newsflow.core.rules import RuleSet
from newsflow.entities.enrich import enrich_article
from newsflow.entities.gazetteer import use_cache_dir
from newsflow.entities.ner import use_tagger_models, warm_up
from newsflow.schemas.codec import decode, encode
from newsflow.schemas.records import Article

if TYPE_CHECKING:  # the stage's child process runs `warm` and `handle` only: no Faust there
    import faust

    from newsflow.agents.context import AgentContext

STAGE = "enrich"


def warm(cache_dir: Path, tagger_models: Mapping[str, str]) -> None:
    """Load the gazetteer (built once per version into ``cache_dir``) and the tagger
    models (the shipped ones, or those NEWSFLOW_TAGGER_MODELS names)."""
    use_cache_dir(cache_dir)
    use_tagger_models(tagger_models)
    warm_up()


# Rule sets this process has compiled, by version (a handful over a process's life).
_RULES: dict[str, RuleSet] = {}


def compiled(version: str, document: bytes) -> RuleSet:
    """The rule set of ``version``, compiled once per process (the parent sends its JSON
    with every message; compiling it each time would cost more than routing)."""
    rules = _RULES.get(version)
    if rules is None:
        if len(_RULES) > 8:
            _RULES.clear()
        rules = _RULES[version] = RuleSet.from_json(document)
    return rules


def handle(value: bytes | None, now: datetime, rules: tuple[str, bytes] | None = None) -> Outcome:
    """Decode and validate the article, enrich and route it, encode the enriched record.

    ``rules`` is the (version, JSON) of the rule set the worker follows as it handed
    this message over: the article is routed by that one, whatever changes meanwhile
    (None: the shipped rules).
    """
    try:
        article = decode(Article, value)
        ruleset = compiled(*rules) if rules is not None else None
        enriched = enrich_article(article, now=now, rules=ruleset)  # type: ignore[arg-type]
        output = Output("enriched", enriched["id"].encode(), encode(enriched))
        facts = article_facts(article)
        facts["entities"] = salient_entities(enriched["entities"])  # type: ignore[arg-type]
        facts["categories"] = list(enriched["categories"])
        routing = enriched.get("routing")
        if routing:
            facts["rules_version"] = routing["version"]
        return Outcome(outputs=(output,), source=article["source"], url=article["url"], facts=facts)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a dead letter
        hint = peek(value, "source", "url")
        return Outcome.failed(exc, source=hint["source"], url=hint["url"])


def register(app: faust.App, ctx: AgentContext) -> None:
    """Declare the enrich stage on ``app``."""
    from newsflow.agents.context import utcnow
    from newsflow.agents.runner import Stage, register_stage

    settings = ctx.settings
    rules = ctx.rules
    assert rules is not None, "the rules agent registers before enrich"
    register_stage(
        app,
        ctx,
        Stage(
            name=STAGE,
            input="articles",
            handle=handle,
            args=lambda: (utcnow(), rules.payload()),
            wait=rules.loaded.wait,
            time_limit=settings.hard_time_limit(settings.enrich_timeout),
            warm=warm,
            warm_args=(settings.cache_dir, dict(settings.tagger_models)),
        ),
    )
