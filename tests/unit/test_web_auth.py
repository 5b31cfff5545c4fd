"""newsflow.web.auth: which requests need the token, and how it is checked."""

from __future__ import annotations

import pytest

from newsflow.settings import Settings
from newsflow.web.auth import auth_headers, is_loopback, is_open, token_matches


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("", False)],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_probes_and_the_page_are_open_data_is_not() -> None:
    assert all(is_open(p) for p in ("/live", "/ready", "/", "/static/dashboard.js"))
    assert not any(is_open(p) for p in ("/api/overview", "/metrics", "/lag", "/counters/"))
    assert not is_open("/api/dlq/replay") and not is_open("/staticx")


def test_the_token_is_a_bearer_token_and_nothing_else() -> None:
    assert token_matches("Bearer s3cret", "s3cret")
    assert token_matches("bearer  s3cret ", "s3cret")
    assert not token_matches("Bearer s3cre", "s3cret")
    assert not token_matches("Basic s3cret", "s3cret")
    assert not token_matches(None, "s3cret") and not token_matches("", "s3cret")
    assert auth_headers("") == {} and auth_headers("t") == {"Authorization": "Bearer t"}


def test_the_token_comes_from_the_environment_and_is_masked() -> None:
    settings = Settings.from_env({"NEWSFLOW_WEB_TOKEN": "s3cret"})
    assert settings.web_token == "s3cret"
    assert settings.masked()["web_token"] == "***" and "s3cret" not in repr(settings)
    assert Settings.from_env({}).web_host == "127.0.0.1"
