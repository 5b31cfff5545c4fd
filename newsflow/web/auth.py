"""Who may use the worker's web port.

The port binds to loopback by default (NEWSFLOW_WEB_HOST). When an operator opens it
further, NEWSFLOW_WEB_TOKEN makes every request but the probes and the dashboard's
static files carry ``Authorization: Bearer <token>``; anything that changes state
(replaying dead letters) is refused unless a token is configured and given, whatever
the bind address. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger("newsflow.web")

# Paths anyone who reaches the port may read: liveness and readiness probes (they
# cannot always send headers), and the dashboard page and assets, which hold no data
# (the page asks for the token and sends it on every data request).
OPEN_PATHS = frozenset({"/live", "/ready", "/", "/favicon.ico"})
OPEN_PREFIXES = ("/static/",)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (``localhost`` included)."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_open(path: str) -> bool:
    """Whether ``path`` is served without the token."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def token_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` as a bearer token."""
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def middleware(token: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """An aiohttp middleware enforcing ``token`` (a no-op when it is empty)."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        needs = token and not is_open(request.path)
        if needs and not token_matches(request.headers.get("Authorization"), token):
            return web.json_response(
                {"error": "this worker needs a bearer token (NEWSFLOW_WEB_TOKEN)"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="newsflow"'},
            )
        return await handler(request)

    return check


def warn_if_exposed(host: str, token: str) -> None:
    """Say so when the port is reachable from other machines without a token."""
    if not token and not is_loopback(host):
        log.warning(
            "the web port binds to %s without NEWSFLOW_WEB_TOKEN: anyone who reaches it "
            "reads the tables (replay stays off without a token)",
            host,
        )


def auth_headers(token: str) -> dict[str, Any]:
    """Headers for a request to another process of the same worker."""
    return {"Authorization": f"Bearer {token}"} if token else {}
