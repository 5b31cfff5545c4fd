"""The Faust app factory: settings and a role in, a configured app out.

A worker runs two apps (see `agents`): ``pipeline`` (parse, enrich, route,
sink; consumer group ``APP_ID``) and ``stats`` (counter tables and the web
view; group ``APP_ID-stats``). `create_app` is what the CLI, the demo and the
tests call. For the plain ``faust -A newsflow.app worker`` form there is a
module-level ``app`` (the pipeline), built lazily from the environment on first
access, not at import time.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import faust

from agents import PIPELINE_MODULES, STATS_MODULES
from agents.context import AgentContext
from newsflow.core.entities import use_cache_dir
from newsflow.settings import Settings
from schemas.codec import register_codec
from streams import declare

log = logging.getLogger("newsflow")


Role = Literal["pipeline", "stats"]


def app_id(settings: Settings, role: Role) -> str:
    """The consumer group of a role: the stats app never shares the pipeline's group."""
    return settings.app_id if role == "pipeline" else f"{settings.app_id}-stats"


def create_app(settings: Settings, role: Role = "pipeline") -> faust.App:
    """Build one app: topics from `streams`, the agents of ``role`` from `agents`."""
    register_codec()
    group = app_id(settings, role)
    web = role == "stats" and settings.web_port > 0
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
        web_enabled=web,
        web_port=settings.web_port or 6066,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        consumer_auto_offset_reset="earliest",
        processing_guarantee="at_least_once",
        key_serializer="raw",
        value_serializer="raw",
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=max(1.0, settings.session_timeout / 10),
        broker_commit_every=100,
        broker_commit_interval=1.0,
        table_cleanup_interval=60.0,
    )
    if role == "pipeline":  # the enrich agent's gazetteer, built once per version
        use_cache_dir(settings.cache_dir)
    topics = declare(app, settings)
    ctx = AgentContext(app=app, settings=settings, topics=topics)
    for module in PIPELINE_MODULES if role == "pipeline" else STATS_MODULES:
        module.register(app, ctx)
    return app


def __getattr__(name: str) -> Any:
    """Lazy ``app`` for ``faust -A newsflow.app``: reads the environment only when asked."""
    if name == "app":
        return create_app(Settings.from_env())
    raise AttributeError(name)
