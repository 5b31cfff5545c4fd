"""The Faust app factory: settings and a role in, a configured app out.

A worker runs two apps (see `agents`): ``pipeline`` (parse, enrich, route, sink;
consumer group ``APP_ID``) and ``stats`` (counter tables; group ``APP_ID-stats``).
The pipeline app owns the worker's web port (``/ready``, ``/live``, and
``/counters/`` relayed from the stats app, which listens on a loopback port of its
own). `create_app` is what the CLI, the demo and the tests call. For the plain
``faust -A newsflow.app worker`` form there is a module-level ``app`` (the
pipeline), built lazily from the environment on first access, not at import time.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import faust

from newsflow.agents import PIPELINE_MODULES, STATS_MODULES, modules
from newsflow.agents.context import AgentContext
from newsflow.agents.health import Health
from newsflow.schemas.codec import register_codec
from newsflow.settings import Settings
from newsflow.streams import declare
from newsflow.web.auth import middleware, warn_if_exposed

log = logging.getLogger("newsflow")

Role = Literal["pipeline", "stats"]
# Events buffered per agent ahead of processing. Faust's default (4096) holds 4096
# whole pages per stage in memory; a few hundred keep every stage busy.
STREAM_BUFFER = 256
# How soon a topic created by someone else (or re-created) is seen by the consumer.
METADATA_MAX_AGE_MS = 5_000


def app_id(settings: Settings, role: Role) -> str:
    """The consumer group of a role: the stats app never shares the pipeline's group."""
    return settings.app_id if role == "pipeline" else f"{settings.app_id}-stats"


def create_app(
    settings: Settings,
    role: Role = "pipeline",
    *,
    stats_url: str | None = None,
    peers: tuple[str, ...] = (),
) -> faust.App:
    """Build one app: topics from `streams`, the agents of ``role`` from `agents`.

    ``stats_url`` is where the pipeline app finds the stats app's ``/counters/``;
    ``peers`` are the worker's other pipeline processes, whose ``/ready`` its own
    ``/ready`` includes.
    """
    register_codec()
    group = app_id(settings, role)
    datadir = settings.data_dir / "faust" / group
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        group,
        broker=settings.broker,
        store=settings.store,
        autodiscover=False,
        datadir=str(datadir),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication,
        topic_allow_declare=True,
        web_enabled=settings.web_port > 0,
        web_port=settings.web_port or 6066,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        producer_max_request_size=settings.max_message_bytes,
        # Per partition and request; a record larger than this still comes whole
        # (Kafka returns the first batch of a partition even when it is larger), so
        # this bounds the fetch buffers, not the size of a page.
        consumer_max_fetch_size=settings.fetch_partition_bytes,
        producer_linger=settings.producer_linger_ms / 1000.0,
        producer_compression_type=None if settings.compression == "none" else settings.compression,
        consumer_auto_offset_reset="earliest",
        consumer_metadata_max_age_ms=METADATA_MAX_AGE_MS,
        producer_metadata_max_age_ms=METADATA_MAX_AGE_MS,
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=max(1.0, settings.session_timeout / 10),
        broker_commit_every=100,
        broker_commit_interval=1.0,
        table_cleanup_interval=60.0,
        stream_buffer_maxsize=STREAM_BUFFER,
        # Agents ack by hand once outputs are confirmed (agents.runner): waiting for
        # "empty streams" at shutdown or rebalance would wait on messages that are
        # being abandoned unacked, i.e. forever. Unacked messages are redelivered.
        stream_wait_empty=False,
        # The token check (a no-op without NEWSFLOW_WEB_TOKEN), see newsflow.web.auth.
        web_application_options={"middlewares": [middleware(settings.web_token)]},
    )
    if settings.web_port > 0:
        # Faust's own pages (/router, /table/..., its index at /) would expose raw
        # table contents past the views below and take the dashboard's path.
        from faust.web.base import BlueprintManager

        app.web.blueprints = BlueprintManager([])
    topics = declare(app, settings)
    health = Health()
    rules = None
    if role == "pipeline":
        from newsflow.agents.rules import RulesState, initial_rules

        rules = RulesState(*initial_rules(settings))
    ctx = AgentContext(app=app, settings=settings, topics=topics, health=health, rules=rules)
    _watch_group(app, health)
    for module in modules(PIPELINE_MODULES if role == "pipeline" else STATS_MODULES):
        module.register(app, ctx)
    if role == "pipeline" and settings.web_port > 0:
        from newsflow.kafka import PIPELINE_INPUTS, STATS_INPUTS, worker_lag
        from newsflow.web.routes import register_web

        groups = {
            app_id(settings, "pipeline"): PIPELINE_INPUTS,
            app_id(settings, "stats"): STATS_INPUTS,
        }

        async def lag() -> dict[str, Any]:
            return await worker_lag(settings, groups)

        warn_if_exposed(settings.web_host, settings.web_token)
        register_web(app, settings, health, stats_url, peers, lag, rules.info if rules else None)
    return app


def _watch_group(app: faust.App, health: Health) -> None:
    """Keep `Health` in step with the consumer group (assignment, rebalances)."""

    # Receivers get (sender, *signal arguments).
    async def revoked(*_args: Any, **_kwargs: Any) -> None:
        health.on_rebalance(True)

    async def assigned(*args: Any, **_kwargs: Any) -> None:
        health.on_assigned(args[1])

    async def complete(*_args: Any, **_kwargs: Any) -> None:
        health.on_rebalance(False)

    app.on_partitions_revoked.connect(revoked, weak=False)
    app.on_partitions_assigned.connect(assigned, weak=False)
    app.on_rebalance_complete.connect(complete, weak=False)


def __getattr__(name: str) -> Any:
    """Lazy ``app`` for ``faust -A newsflow.app``: reads the environment only when asked."""
    if name == "app":
        return create_app(Settings.from_env())
    raise AttributeError(name)
