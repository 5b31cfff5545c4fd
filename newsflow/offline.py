"""`newsflow process`: the worker's stage functions, offline, under the same limits.

Each page goes through exactly what the parse and enrich agents run (`agents.parse.handle`
and `agents.enrich.handle`: decode, validate, work, encode), each stage in its own child
process with the stage's time limit and memory cap, so one hostile page is reported and
the run goes on instead of hanging or dying.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from newsflow.agents.outcome import Failure, Outcome
from newsflow.core.errors import PipelineError
from newsflow.extraction.options import ParseOptions
from newsflow.inputs import InputItem
from newsflow.isolation import ByName, StagePool
from newsflow.settings import Settings

Stage = Literal["parse", "enrich"]
# The stage functions by name: the children import them, this process never does (it
# would import the entity models and Faust for nothing; see `ByName`).
PARSE = "newsflow.agents.parse"
ENRICH = "newsflow.agents.enrich"


def process_items(
    items: Iterable[InputItem], settings: Settings, stage: Stage = "enrich"
) -> Iterator[tuple[InputItem, bytes | Failure]]:
    """For each input: the encoded record it becomes, or why it failed."""
    options = ParseOptions(
        max_bytes=settings.max_page_bytes,
        site_timezones=dict(settings.site_timezones),
        timeout_s=settings.parse_timeout,
        compiled=settings.compiled_passes,
    )
    parse_pool = StagePool(
        "parse",
        time_limit=settings.hard_time_limit(settings.parse_timeout),
        memory_mb=settings.stage_memory_mb,
        log_level=settings.log_level,
        warm=ByName(f"{PARSE}:warm"),
        warm_args=(options,),
    )
    enrich_pool = StagePool(
        "enrich",
        time_limit=settings.hard_time_limit(settings.enrich_timeout),
        memory_mb=settings.stage_memory_mb,
        log_level=settings.log_level,
        warm=ByName(f"{ENRICH}:warm"),
        warm_args=(settings.cache_dir, dict(settings.tagger_models)),
    )
    try:
        for item in items:
            if item.raw is None:
                error = item.error or PipelineError("input", "unreadable")
                yield item, Failure(error.kind, error.message)
                continue
            outcome = _stage(parse_pool, ByName(f"{PARSE}:handle"), orjson.dumps(item.raw), options)
            if outcome.failure is None and stage == "enrich":
                article = outcome.outputs[0].value
                handle = ByName(f"{ENRICH}:handle")
                outcome = _stage(enrich_pool, handle, article, datetime.now(UTC))
            if outcome.failure is not None:
                yield item, outcome.failure
            else:
                yield item, outcome.outputs[0].value
    finally:
        parse_pool.close()
        enrich_pool.close()


def _stage(
    pool: StagePool, handle: Callable[[bytes, Any], Outcome], value: bytes, arg: Any
) -> Outcome:
    """One stage function in its pool; a time limit or a crash is a failed outcome."""
    try:
        return pool.run_sync(handle, value, arg)
    except PipelineError as exc:
        return Outcome(failure=Failure(exc.kind, exc.message))
