"""The Faust app factory: settings in, a configured app with every agent out.

`create_app(settings)` is what the CLI, the demo and the tests call. For the
plain ``faust -A newsflow.app worker`` form there is a module-level ``app``,
built lazily from the environment on first access (not at import time).
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from agents import AGENT_MODULES
from agents.context import AgentContext
from newsflow.settings import Settings
from schemas.codec import register_codec
from streams import declare

log = logging.getLogger("newsflow")


def create_app(settings: Settings) -> faust.App:
    """Build the app: topics from `streams`, agents from `agents.AGENT_MODULES`."""
    register_codec()
    datadir = settings.data_dir / "faust" / settings.app_id
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
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
    topics = declare(app, settings)
    ctx = AgentContext(app=app, settings=settings, topics=topics)
    for module in AGENT_MODULES:
        module.register(app, ctx)
    return app


def __getattr__(name: str) -> Any:
    """Lazy ``app`` for ``faust -A newsflow.app``: reads the environment only when asked."""
    if name == "app":
        return create_app(Settings.from_env())
    raise AttributeError(name)
