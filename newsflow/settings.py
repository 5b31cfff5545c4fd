"""The one settings object, read from the environment in one place.

Precedence, everywhere in newsflow: command-line option > environment variable >
default below. Nothing reads the environment at import time: `Settings.from_env()`
is called by the CLI (or a test) and the result is passed down explicitly, so a
worker, a test and the demo can run side by side with different settings.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newsflow.extraction.options import DEFAULT_SITE_TIMEZONES

ENV_PREFIX = "NEWSFLOW_"


class SettingsError(ValueError):
    """An environment variable holds a value newsflow cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise SettingsError(f"{ENV_PREFIX}{name}={value} must be >= {minimum}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{ENV_PREFIX}{name}={raw!r} is not a boolean (1/0, true/false)")


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(ENV_PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}{name}={raw!r} is not a number") from None
    if value <= 0:
        raise SettingsError(f"{ENV_PREFIX}{name}={value} must be > 0")
    return value


def _str(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(ENV_PREFIX + name)
    return default if raw is None or raw == "" else raw


def _pairs(env: Mapping[str, str], name: str, form: str) -> dict[str, str]:
    """Parse ``key=value,key=value`` (keys lower-cased); ``form`` names the shape in errors."""
    pairs: dict[str, str] = {}
    raw = env.get(ENV_PREFIX + name, "")
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingsError(f"{ENV_PREFIX}{name} item {item!r} is not of the form {form}")
        pairs[key.strip().lower()] = value.strip()
    return pairs


def _site_timezones(env: Mapping[str, str]) -> dict[str, str]:
    """``host=Zone,host=Zone`` laid over the built-in defaults."""
    return {**DEFAULT_SITE_TIMEZONES, **_pairs(env, "SITE_TIMEZONES", "host=Area/City")}


def _tagger_models(env: Mapping[str, str]) -> dict[str, str]:
    """``lang=path,lang=path`` (models trained with `newsflow tagger train`), checked now."""
    models = _pairs(env, "TAGGER_MODELS", "lang=/path/model")
    for path in models.values():
        if not Path(path).is_file():
            raise SettingsError(f"{ENV_PREFIX}TAGGER_MODELS: no model file at {path}")
    return models


def mask_url(url: str) -> str:
    """Hide the password in a URL so settings can be logged and printed."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the environment variable that sets each field.

    Field metadata ``env`` names the variable (always prefixed ``NEWSFLOW_``);
    the README's configuration table is checked against this list by a test.
    """

    broker: str = field(
        default="kafka://127.0.0.1:9092",
        metadata={"env": "BROKER", "doc": "Kafka bootstrap servers (faust URL form)."},
    )
    data_dir: Path = field(
        default=Path("var"),
        metadata={
            "env": "DATA_DIR",
            "doc": "Where local state lives: database, broker, logs, caches.",
        },
    )
    database_url: str = field(
        default="",
        metadata={
            "env": "DATABASE_URL",
            "doc": "SQLAlchemy async URL of the sink; default SQLite file in DATA_DIR.",
        },
    )
    app_id: str = field(
        default="newsflow",
        metadata={"env": "APP_ID", "doc": "Faust app id: consumer group and changelog prefix."},
    )
    topic_prefix: str = field(
        default="",
        metadata={"env": "TOPIC_PREFIX", "doc": "Prepended to every topic name (isolation)."},
    )
    partitions: int = field(
        default=4,
        metadata={"env": "PARTITIONS", "doc": "Partitions of every newsflow topic."},
    )
    replication: int = field(
        default=1,
        metadata={"env": "REPLICATION", "doc": "Replication factor of created topics."},
    )
    web_port: int = field(
        default=6066,
        metadata={"env": "WEB_PORT", "doc": "Worker web port (tables as JSON)."},
    )
    web_host: str = field(
        default="127.0.0.1",
        metadata={"env": "WEB_HOST", "doc": "Worker web bind address (loopback by default)."},
    )
    web_token: str = field(
        default="",
        repr=False,
        metadata={
            "env": "WEB_TOKEN",
            "doc": "Bearer token for the worker web port; required for replay over the web.",
        },
    )
    routes_file: str = field(
        default="",
        metadata={
            "env": "ROUTES_FILE",
            "doc": "Routing rules (YAML) a worker follows until `newsflow routes apply` "
            "publishes a rule set; empty: the shipped rules.",
        },
    )
    store: str = field(
        default="memory://",
        metadata={"env": "STORE", "doc": "Faust table store; tables recover from changelogs."},
    )
    max_page_bytes: int = field(
        default=10_000_000,
        metadata={"env": "MAX_PAGE_BYTES", "doc": "Larger pages are dead-lettered too_large."},
    )
    max_message_bytes: int = field(
        default=64 * 1024 * 1024,
        metadata={"env": "MAX_MESSAGE_BYTES", "doc": "Producer/consumer message size ceiling."},
    )
    parse_timeout: float = field(
        default=10.0,
        metadata={"env": "PARSE_TIMEOUT", "doc": "Seconds before a page is dead-lettered timeout."},
    )
    enrich_timeout: float = field(
        default=30.0,
        metadata={
            "env": "ENRICH_TIMEOUT",
            "doc": "Seconds before an article is dead-lettered timeout by the enrich stage.",
        },
    )
    stage_memory_mb: int = field(
        default=4096,
        metadata={
            "env": "STAGE_MEMORY_MB",
            "doc": "Address-space cap of each stage process (parse, enrich); 0: none.",
        },
    )
    compiled_passes: bool = field(
        default=True,
        metadata={
            "env": "COMPILED_PASSES",
            "doc": "Compiled parse passes when built (0: the Python ones; same output).",
        },
    )
    processes: int = field(
        default_factory=lambda: os.cpu_count() or 1,
        metadata={
            "env": "PROCESSES",
            "doc": "Pipeline processes `newsflow worker` runs and supervises (default: cores).",
        },
    )
    producer_linger_ms: int = field(
        default=10,
        metadata={
            "env": "PRODUCER_LINGER_MS",
            "doc": "How long the producer gathers records into one request (0: none).",
        },
    )
    compression: str = field(
        default="none",
        metadata={
            "env": "COMPRESSION",
            "doc": "Compression of the records the worker produces: none, gzip, lz4 or zstd.",
        },
    )
    fetch_partition_bytes: int = field(
        default=4 * 1024 * 1024,
        metadata={
            "env": "FETCH_PARTITION_BYTES",
            "doc": "Bytes fetched per partition per request (a larger record still comes).",
        },
    )
    sink_batch_size: int = field(
        default=200,
        metadata={"env": "SINK_BATCH_SIZE", "doc": "Rows per sink transaction, at most."},
    )
    sink_flush_seconds: float = field(
        default=0.5,
        metadata={"env": "SINK_FLUSH_SECONDS", "doc": "Longest wait before a partial batch."},
    )
    site_timezones: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_SITE_TIMEZONES),
        metadata={
            "env": "SITE_TIMEZONES",
            "doc": "host=Area/City pairs, comma separated, added to the built-in list.",
        },
    )
    tagger_models: Mapping[str, str] = field(
        default_factory=dict,
        metadata={
            "env": "TAGGER_MODELS",
            "doc": "lang=/path/model.crfsuite pairs, comma separated: entity models trained "
            "with `newsflow tagger train`, used instead of the shipped ones.",
        },
    )
    local_broker: str = field(
        default="tansu",
        metadata={
            "env": "LOCAL_BROKER",
            "doc": "Broker `newsflow broker` and the demo start: tansu or kafka.",
        },
    )
    session_timeout: float = field(
        default=30.0,
        metadata={
            "env": "SESSION_TIMEOUT",
            "doc": "Seconds before the group drops a silent worker (faster restarts when lower).",
        },
    )
    log_level: str = field(
        default="info",
        metadata={"env": "LOG_LEVEL", "doc": "debug, info, warning or error."},
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read ``NEWSFLOW_*`` variables; keyword overrides (CLI options) win over them."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "broker": _str(env, "BROKER", cls.broker),
            "data_dir": Path(_str(env, "DATA_DIR", str(cls.data_dir))),
            "database_url": _str(env, "DATABASE_URL", ""),
            "app_id": _str(env, "APP_ID", cls.app_id),
            "topic_prefix": _str(env, "TOPIC_PREFIX", ""),
            "partitions": _int(env, "PARTITIONS", cls.partitions, minimum=1),
            "replication": _int(env, "REPLICATION", cls.replication, minimum=1),
            "web_port": _int(env, "WEB_PORT", cls.web_port, minimum=0),
            "web_host": _str(env, "WEB_HOST", cls.web_host),
            "web_token": _str(env, "WEB_TOKEN", cls.web_token),
            "routes_file": _str(env, "ROUTES_FILE", cls.routes_file),
            "store": _str(env, "STORE", cls.store),
            "max_page_bytes": _int(env, "MAX_PAGE_BYTES", cls.max_page_bytes, minimum=1),
            "max_message_bytes": _int(env, "MAX_MESSAGE_BYTES", cls.max_message_bytes, 1024),
            "parse_timeout": _float(env, "PARSE_TIMEOUT", cls.parse_timeout),
            "enrich_timeout": _float(env, "ENRICH_TIMEOUT", cls.enrich_timeout),
            "stage_memory_mb": _int(env, "STAGE_MEMORY_MB", cls.stage_memory_mb, minimum=0),
            "compiled_passes": _bool(env, "COMPILED_PASSES", cls.compiled_passes),
            "processes": _int(env, "PROCESSES", os.cpu_count() or 1, minimum=1),
            "producer_linger_ms": _int(env, "PRODUCER_LINGER_MS", cls.producer_linger_ms),
            "compression": _str(env, "COMPRESSION", cls.compression).lower(),
            "fetch_partition_bytes": _int(
                env, "FETCH_PARTITION_BYTES", cls.fetch_partition_bytes, minimum=1024
            ),
            "sink_batch_size": _int(env, "SINK_BATCH_SIZE", cls.sink_batch_size, minimum=1),
            "sink_flush_seconds": _float(env, "SINK_FLUSH_SECONDS", cls.sink_flush_seconds),
            "site_timezones": _site_timezones(env),
            "tagger_models": _tagger_models(env),
            "local_broker": _str(env, "LOCAL_BROKER", cls.local_broker).lower(),
            "session_timeout": _float(env, "SESSION_TIMEOUT", cls.session_timeout),
            "log_level": _str(env, "LOG_LEVEL", cls.log_level).lower(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Fail at start-up, not at the first message, on values that cannot work."""
        if not self.broker.startswith(("kafka://", "aiokafka://")):
            raise SettingsError(
                f"{ENV_PREFIX}BROKER={self.broker!r} must look like kafka://host:port[;host:port]"
            )
        if self.log_level not in {"debug", "info", "warning", "error"}:
            raise SettingsError(f"{ENV_PREFIX}LOG_LEVEL={self.log_level!r} is not a log level")
        if self.local_broker not in {"tansu", "kafka"}:
            raise SettingsError(
                f"{ENV_PREFIX}LOCAL_BROKER={self.local_broker!r}: use tansu or kafka"
            )
        if self.compression not in {"none", "gzip", "lz4", "zstd"}:
            raise SettingsError(
                f"{ENV_PREFIX}COMPRESSION={self.compression!r}: use none, gzip, lz4 or zstd"
            )
        if self.compression in {"lz4", "zstd"} and importlib.util.find_spec("cramjam") is None:
            raise SettingsError(
                f"{ENV_PREFIX}COMPRESSION={self.compression} needs the cramjam package: "
                "pip install 'newsflow[compression]'"
            )
        if self.max_page_bytes * 2 > self.max_message_bytes:
            raise SettingsError(
                f"{ENV_PREFIX}MAX_MESSAGE_BYTES must be at least twice MAX_PAGE_BYTES, so that an "
                "over-size page still reaches the parser and is dead-lettered, not refused"
            )

    @staticmethod
    def hard_time_limit(soft: float) -> float:
        """When a stage's process is killed: a little after the soft limit the stage
        checks itself (which fails the message without losing the warm process)."""
        return soft + max(1.0, soft * 0.2)

    @property
    def database(self) -> str:
        """The sink URL: explicit, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'newsflow.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        """Built artefacts that are safe to delete (the gazetteer, per version)."""
        return self.data_dir / "cache"

    @property
    def bootstrap_servers(self) -> str:
        """The broker list in the plain host:port,host:port form aiokafka wants."""
        hosts = self.broker.split("://", 1)[1]
        return ",".join(h.strip() for h in hosts.replace(";", ",").split(",") if h.strip())

    def to_env(self) -> dict[str, str]:
        """The ``NEWSFLOW_*`` variables that reproduce these settings in a child process."""
        env = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("site_timezones", "tagger_models"):
                value = ",".join(f"{k}={v}" for k, v in value.items())
            env[ENV_PREFIX + f.metadata["env"]] = str(value)
        return env

    def masked(self) -> dict[str, str]:
        """Every field as text, secrets hidden, for `newsflow config` and logs."""
        out: dict[str, str] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            text = (
                ",".join(f"{k}={v}" for k, v in value.items())
                if f.name in ("site_timezones", "tagger_models")
                else str(value)
            )
            if "url" in f.name or f.name == "broker":
                text = mask_url(text)
            if f.name == "web_token" and text:
                text = "***"
            out[f.name] = text
        out["database"] = mask_url(self.database)
        return out


def env_table() -> list[tuple[str, str, str]]:
    """(variable, default, description) rows for the README's configuration table."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default if f.default is not dataclasses.MISSING else "(built-in list)"
        if f.name == "processes":
            default = "(the number of cores)"
        if f.name == "tagger_models":
            default = "(the shipped models)"
        rows.append((ENV_PREFIX + f.metadata["env"], str(default), f.metadata["doc"]))
    return rows
