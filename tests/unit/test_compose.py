"""docker-compose.yml cannot be run here (no Docker engine), so its shape is checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from newsflow.settings import Settings, env_table

REPO = Path(__file__).parents[2]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return data


def test_services_and_health() -> None:
    services = compose()["services"]
    assert set(services) == {"kafka", "postgres", "worker"}
    for service in services.values():
        assert "healthcheck" in service
    depends = services["worker"]["depends_on"]
    assert depends == {
        "kafka": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }


def test_worker_environment_is_valid_settings() -> None:
    env = compose()["services"]["worker"]["environment"]
    known = {name for name, _, _ in env_table()}
    assert set(env) <= known, set(env) - known
    settings = Settings.from_env({k: str(v) for k, v in env.items()})
    assert settings.bootstrap_servers == "kafka:19092"
    assert settings.database.startswith("postgresql+asyncpg://")
    assert f"{settings.web_port}:{settings.web_port}" in compose()["services"]["worker"]["ports"]


def test_kafka_listeners_match_the_worker_and_the_host() -> None:
    kafka = compose()["services"]["kafka"]["environment"]
    assert "INTERNAL://kafka:19092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    assert "HOST://localhost:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    assert "9092:9092" in compose()["services"]["kafka"]["ports"]
    assert Settings.from_env({}).bootstrap_servers == "127.0.0.1:9092"  # host default
    # Large pages must reach the parser to be dead-lettered, not be refused by Kafka.
    assert int(kafka["KAFKA_MESSAGE_MAX_BYTES"]) >= Settings.from_env({}).max_message_bytes


def test_postgres_credentials_match_the_worker_url() -> None:
    pg = compose()["services"]["postgres"]["environment"]
    url = compose()["services"]["worker"]["environment"]["NEWSFLOW_DATABASE_URL"]
    assert (
        f"{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}" in url
    )
