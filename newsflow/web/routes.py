"""What the pipeline app serves on the worker's web port.

Readiness and liveness (`newsflow.agents.health`), the counter and table views, the
consumer lag, Prometheus metrics, the dashboard and dead-letter replay. The tables
live in the stats app (its own consumer group, see `newsflow.agents`), which listens
on a loopback port of its own; this app relays and combines its answers so operators
use one port per worker. With several pipeline processes (``peers``: the others'
loopback URLs), ``/ready`` is ready only when all of them are.

Paths:
  /            the dashboard (static page from the package; reads /api/overview)
  /static/*    its assets
  /api/overview            everything the dashboard shows, one JSON document
  /api/stages, /api/sites, /api/quality, /api/trending, /api/dead-letters
                           one part of it each
  POST /api/dlq/replay     re-publish dead letters (needs the token, see `auth`)
  /counters/, /lag, /metrics, /ready, /live
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from newsflow.agents.health import Health
from newsflow.settings import Settings
from newsflow.web import HEADERS, INDEX, asset
from newsflow.web.auth import auth_headers

Lag = Callable[[], Awaitable[dict[str, Any]]]
# The parts of /api/overview that have an endpoint of their own: path -> key.
PARTS = {
    "stages": "stages",
    "sites": "sites",
    "quality": "quality",
    "trending": "trending",
    "dead-letters": "dead_letters",
}
LAG_TIMEOUT_S = 10.0
INTERNAL_TOPIC = "__assignor-__leader"
REPLAYED_BY = "web"  # what a replay's record says about who asked for it
REPLAY_BODY = 'the body must be JSON: {"ids": ["<dead letter id>", ...], "note": "why"}'


def overview(
    tables: dict[str, Any], ready: dict[str, Any], lag: dict[str, Any] | None, rules: dict[str, Any]
) -> dict[str, Any]:
    """The dashboard's document from its sources (pure: tested without a worker)."""
    processes = ready.get("processes") or [ready]
    assigned: dict[str, list[int]] = {}
    for process in processes:
        for topic, parts in (process.get("assigned") or {}).items():
            if INTERNAL_TOPIC in topic:
                continue  # Faust's leader-election topic: not work an operator tracks
            assigned[topic] = sorted({*assigned.get(topic, []), *parts})
    error = tables.get("error")
    return {
        "generated_at": time.time(),
        "worker": {
            "ready": bool(ready.get("ready")),
            "reasons": list(ready.get("reasons") or []),
            "uptime_s": ready.get("uptime_s"),
            "assigned": dict(sorted(assigned.items())),
            "processes": [
                {
                    "ready": bool(p.get("ready")),
                    "rules_version": p.get("rules_version"),
                    "assigned": {
                        topic: parts
                        for topic, parts in (p.get("assigned") or {}).items()
                        if INTERNAL_TOPIC not in topic
                    },
                }
                for p in processes
            ],
        },
        "tables_error": error,
        "rules": rules,
        "stages": tables.get("stages") or [],
        "sites": tables.get("sites") or [],
        "quality": tables.get("quality") or [],
        "trending": tables.get("trending")
        or {"hours": [], "entities": [], "categories": [], "routes": []},
        "lag": lag if lag is not None else {"error": "lag unavailable"},
        "dead_letters": tables.get("dead_letters") or [],
    }


def register_web(
    app: Any,
    settings: Settings,
    health: Health,
    stats_url: str | None,
    peers: tuple[str, ...] = (),
    lag: Lag | None = None,
    rules_info: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Declare every path of the module docstring on the pipeline app ``app``.

    ``rules_info`` tells the active routing rule set of this process (`agents.rules`).
    """
    headers = auth_headers(settings.web_token)

    def rules() -> dict[str, Any]:
        if rules_info is None:
            return {"version": None, "routes": []}
        return rules_info()

    async def whole() -> dict[str, Any]:
        snap = health.snapshot()
        snap["rules_version"] = rules()["version"]
        if peers:
            others = [await fetch_json(f"{peer}/ready", headers) for peer in peers]
            snap["processes"] = [dict(snap), *others]
            for n, other in enumerate(others, start=2):
                if not other.get("ready"):
                    snap["ready"] = False
                    reasons = other.get("reasons") or [other.get("error", "not ready")]
                    snap["reasons"] = [*snap["reasons"], *(f"process {n}: {r}" for r in reasons)]
        return snap

    async def tables() -> dict[str, Any]:
        if stats_url is None:
            return {"error": "no stats app runs with this worker"}
        answer = await fetch_json(f"{stats_url}/api/tables", headers)
        if "stages" not in answer:
            return {"error": answer.get("error") or "the stats app gave no tables"}
        return answer

    async def lagging() -> dict[str, Any] | None:
        if lag is None:
            return None
        with contextlib.suppress(Exception):
            return await asyncio.wait_for(lag(), timeout=LAG_TIMEOUT_S)
        return None

    @app.page("/ready")  # type: ignore[untyped-decorator]
    async def ready(web: Any, request: Any) -> Any:
        snap = await whole()
        return web.json(snap, status=200 if snap["ready"] else 503)

    @app.page("/live")  # type: ignore[untyped-decorator]
    async def live(web: Any, request: Any) -> Any:
        return web.json({"live": True})

    @app.page("/api/overview")  # type: ignore[untyped-decorator]
    async def api_overview(web: Any, request: Any) -> Any:
        table_view, snap, lag_view = await asyncio.gather(tables(), whole(), lagging())
        return web.json(overview(table_view, snap, lag_view, rules()))

    def part(path: str, key: str) -> None:
        async def view(web: Any, request: Any) -> Any:
            table_view = await tables()
            if "error" in table_view:
                return web.json({"error": table_view["error"]}, status=503)
            return web.json({key: table_view[key], "generated_at": table_view["generated_at"]})

        view.__name__ = view.__qualname__ = f"api_{key}"
        app.page(f"/api/{path}")(view)

    for path, key in PARTS.items():
        part(path, key)

    @app.page("/metrics")  # type: ignore[untyped-decorator]
    async def metrics(web: Any, request: Any) -> Any:
        """Prometheus text format: the tables, the lag and readiness (`agents.metrics`)."""
        from newsflow.agents.metrics import render

        table_view, snap, lag_view = await asyncio.gather(tables(), whole(), lagging())
        body = render(None if "error" in table_view else table_view, lag_view, snap)
        return web.bytes(body, content_type="text/plain")  # exposition format 0.0.4

    @app.page("/lag")  # type: ignore[untyped-decorator]
    async def lag_view(web: Any, request: Any) -> Any:
        """Consumer lag of the worker's groups, computed from committed and end offsets."""
        if lag is None:
            return web.json({"error": "lag is not served here"}, status=404)
        try:
            return web.json(await asyncio.wait_for(lag(), timeout=LAG_TIMEOUT_S))
        except Exception as exc:  # noqa: BLE001 - the broker may be away: say so
            return web.json({"error": f"lag unavailable: {exc!r}"}, status=503)

    @app.page("/counters/")  # type: ignore[untyped-decorator]
    async def counters(web: Any, request: Any) -> Any:
        if stats_url is None:
            return web.json({"error": "no stats app runs with this worker"}, status=404)
        answer = await fetch_json(f"{stats_url}/counters/", headers)
        if "by_stage" not in answer:
            return web.json({"error": answer.get("error", "no answer")}, status=503)
        return web.json(answer)

    from faust import web as faust_web

    class Replay(faust_web.View):
        """Re-publish dead letters to their source topics (``{"ids": [...], "note": ...}``).

        Changes state, so it needs a configured token even on loopback (the
        middleware has already checked that the request carries it).
        """

        async def post(self, request: Any) -> Any:
            if not settings.web_token:
                return self.json(
                    {"error": "replay over the web needs NEWSFLOW_WEB_TOKEN set on the worker"},
                    status=403,
                )
            try:
                body = await request.json()
                ids = [str(i) for i in body["ids"]]
                note = str(body.get("note") or "")
            except Exception:  # noqa: BLE001 - any malformed body gets the same answer
                return self.json({"error": REPLAY_BODY}, status=400)
            from newsflow.dlq import replay_letters

            try:
                done = await replay_letters(settings, ids, note=note, by=REPLAYED_BY)
            except Exception as exc:  # noqa: BLE001 - say why (DlqError, the database away)
                return self.json({"error": f"replay failed: {exc}"}, status=503)
            return self.json({"results": done})

    app.page("/api/dlq/replay")(Replay)

    @app.page("/")  # type: ignore[untyped-decorator]
    async def dashboard(web: Any, request: Any) -> Any:
        body, content_type = asset(INDEX)
        return web.bytes(body, headers={**HEADERS, "Content-Type": content_type})

    @app.page("/static/{name}")  # type: ignore[untyped-decorator]
    async def static(web: Any, request: Any, name: str) -> Any:
        try:
            body, content_type = asset(name)
        except FileNotFoundError:
            return web.json({"error": f"no asset {name!r}"}, status=404)
        # The type carries its charset, which aiohttp takes only as a header.
        return web.bytes(body, headers={**HEADERS, "Content-Type": content_type})


async def fetch_json(url: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """Another process's JSON answer, or why there is none (it is starting, or died)."""
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers=headers or {}) as resp,
        ):
            data = await resp.json(content_type=None)
            return data if isinstance(data, dict) else {"ready": False, "error": "bad answer"}
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return {"ready": False, "error": f"{url} does not answer: {exc!r}"}
