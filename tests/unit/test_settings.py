from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.settings import Settings, SettingsError, env_table, mask_url


def test_defaults_need_no_environment() -> None:
    s = Settings.from_env({})
    assert s.broker == "kafka://127.0.0.1:9092"
    assert s.database.startswith("sqlite+aiosqlite:///")
    assert s.database.endswith("var/newsflow.db")
    assert s.site_timezones["mehrnews.com"] == "Asia/Tehran"


def test_environment_overrides_defaults_and_options_override_environment() -> None:
    env = {"NEWSFLOW_BROKER": "kafka://k1:9092;k2:9092", "NEWSFLOW_PARTITIONS": "8"}
    s = Settings.from_env(env)
    assert s.bootstrap_servers == "k1:9092,k2:9092"
    assert s.partitions == 8
    assert Settings.from_env(env, partitions=2).partitions == 2
    assert Settings.from_env(env, partitions=None).partitions == 8  # unset option: env wins


def test_site_timezones_extend_the_built_in_list() -> None:
    s = Settings.from_env({"NEWSFLOW_SITE_TIMEZONES": "example.ir=Asia/Tehran, x.eg=Africa/Cairo"})
    assert s.site_timezones["example.ir"] == "Asia/Tehran"
    assert s.site_timezones["x.eg"] == "Africa/Cairo"
    assert "mehrnews.com" in s.site_timezones


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSFLOW_PARTITIONS": "many"},
        {"NEWSFLOW_PARTITIONS": "0"},
        {"NEWSFLOW_BROKER": "localhost:9092"},
        {"NEWSFLOW_SITE_TIMEZONES": "nozone"},
        {"NEWSFLOW_LOG_LEVEL": "loud"},
        {"NEWSFLOW_MAX_PAGE_BYTES": "50000000"},
        {"NEWSFLOW_SINK_FLUSH_SECONDS": "-1"},
        {"NEWSFLOW_COMPRESSION": "brotli"},
        {"NEWSFLOW_PROCESSES": "0"},
    ],
)
def test_bad_values_fail_at_start_with_the_variable_named(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="NEWSFLOW_"):
        Settings.from_env(env)


def test_secrets_are_masked() -> None:
    url = "postgresql+asyncpg://news:s3cret@db:5432/newsflow"
    assert mask_url(url) == "postgresql+asyncpg://news:***@db:5432/newsflow"
    s = Settings.from_env({"NEWSFLOW_DATABASE_URL": url})
    assert "s3cret" not in str(s.masked())


def test_to_env_round_trips() -> None:
    s = Settings.from_env({}, partitions=3, data_dir=Path("/tmp/x"), topic_prefix="t.")
    assert Settings.from_env(s.to_env()) == s


def test_every_variable_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name, _default, _doc in env_table():
        assert f"`{name}`" in readme, name


def test_compiled_passes_flag() -> None:
    assert Settings.from_env({}).compiled_passes is True
    assert Settings.from_env({"NEWSFLOW_COMPILED_PASSES": "0"}).compiled_passes is False
    assert Settings.from_env({"NEWSFLOW_COMPILED_PASSES": "true"}).compiled_passes is True
    roundtrip = Settings.from_env(Settings.from_env({"NEWSFLOW_COMPILED_PASSES": "0"}).to_env())
    assert roundtrip.compiled_passes is False
    with pytest.raises(SettingsError):
        Settings.from_env({"NEWSFLOW_COMPILED_PASSES": "maybe"})


def test_worker_tuning_settings() -> None:
    s = Settings.from_env(
        {
            "NEWSFLOW_PROCESSES": "3",
            "NEWSFLOW_COMPRESSION": "LZ4",
            "NEWSFLOW_PRODUCER_LINGER_MS": "0",
            "NEWSFLOW_FETCH_PARTITION_BYTES": "65536",
        }
    )
    assert (s.processes, s.compression, s.producer_linger_ms) == (3, "lz4", 0)
    assert s.fetch_partition_bytes == 65536
    assert Settings.from_env({}).processes >= 1
