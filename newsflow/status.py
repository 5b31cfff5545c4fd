"""`newsflow status`: a running worker's overview as tables in the terminal.

The worker serves everything its dashboard shows as one JSON document,
``GET /api/overview``; this module fetches it (`fetch_overview`) and turns it into
``rich`` tables (`render_status`, pure, so a sample overview can be rendered in a test
and compared as text). Every part of the document may be empty or missing (a worker that
has just started, an older worker): each section then says so instead of failing.
"""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import orjson
from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from newsflow.settings import Settings

EXIT_UNREACHABLE: Final = 2
EXIT_UNAUTHORIZED: Final = 3
TOP_SITES: Final = 20
TOP_ENTITIES: Final = 10
WORST_PARTITIONS: Final = 5
RECENT_LETTERS: Final = 10
_SPARKS: Final = "▁▂▃▄▅▆▇█"


class StatusError(Exception):
    """The overview could not be had; ``exit_code`` tells scripts why (2: unreachable or
    not an overview, 3: the worker wants a token)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def default_url(settings: Settings) -> str:
    """The worker's web address from its own settings; a wildcard bind means this host."""
    host = settings.web_host
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.web_port}"


def fetch_overview(url: str, token: str | None, timeout: float = 10.0) -> dict[str, Any]:
    """``GET <url>/api/overview`` with the bearer token when there is one."""
    endpoint = url.rstrip("/") + "/api/overview"
    request = urllib.request.Request(endpoint, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            hint = (
                "the token was refused"
                if token
                else "pass --token or set NEWSFLOW_WEB_TOKEN to the worker's token"
            )
            raise StatusError(
                f"{endpoint} answered {exc.code} {exc.reason}: {hint}", EXIT_UNAUTHORIZED
            ) from None
        raise StatusError(
            f"{endpoint} answered {exc.code} {exc.reason} (a worker too old for "
            "/api/overview, or not a newsflow worker?)",
            EXIT_UNREACHABLE,
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StatusError(
            f"cannot reach the worker at {url} ({reason}); is `newsflow worker` running "
            "there? (--url, NEWSFLOW_WEB_HOST/NEWSFLOW_WEB_PORT)",
            EXIT_UNREACHABLE,
        ) from None
    try:
        overview = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise StatusError(f"{endpoint} did not answer JSON", EXIT_UNREACHABLE) from None
    if not isinstance(overview, dict):
        raise StatusError(f"{endpoint} did not answer an overview object", EXIT_UNREACHABLE)
    return overview


# ------------------------------------------------------------------ small formatters


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _bytes(value: Any) -> str:
    if not isinstance(value, int | float):
        return "-"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover - the loop returns at GB


def _age(then: Any, now: Any) -> str:
    """How long before the overview was made, e.g. ``12s``, ``3m``, ``2h``."""
    if not isinstance(then, int | float) or not isinstance(now, int | float):
        return "-"
    seconds = max(0.0, float(now) - float(then))
    if seconds < 90:
        return f"{seconds:.0f}s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f}m ago"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f}h ago"
    return f"{seconds / 86400:.0f}d ago"


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "-"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _percent(value: Any) -> str:
    return f"{float(value) * 100:.0f}%" if isinstance(value, int | float) else "-"


def _seconds(value: Any) -> str:
    if not isinstance(value, int | float):
        return "-"
    return f"{value * 1000:.0f}ms" if value < 1 else f"{value:.2f}s"


def sparkline(series: Sequence[Any]) -> str:
    """Counts as bars, oldest first; an empty series is an empty string."""
    values = [float(v) if isinstance(v, int | float) else 0.0 for v in series]
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return _SPARKS[0] * len(values)
    return "".join(
        _SPARKS[min(len(_SPARKS) - 1, int(v / top * (len(_SPARKS) - 1)))] for v in values
    )


def _kinds(counts: Any) -> str:
    if not isinstance(counts, Mapping) or not counts:
        return ""
    ordered = sorted(counts.items(), key=lambda kv: (-(kv[1] or 0), kv[0]))
    return " ".join(f"{kind}:{count}" for kind, count in ordered)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _table(title: str, *columns: str, right: Sequence[str] = ()) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=False)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", overflow="fold")
    return table


def _empty(title: str, why: str) -> Text:
    return Text.assemble((title, "bold"), "  ", (why, "dim"))


# ------------------------------------------------------------------ sections


def _worker(overview: Mapping[str, Any]) -> RenderableType:
    worker = overview.get("worker")
    worker = worker if isinstance(worker, Mapping) else {}
    ready = worker.get("ready")
    state = (
        Text("READY", style="bold green")
        if ready is True
        else Text("NOT READY", style="bold red")
        if ready is False
        else Text("readiness unknown", style="yellow")
    )
    generated = overview.get("generated_at")
    when = (
        datetime.fromtimestamp(generated, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if isinstance(generated, int | float)
        else "-"
    )
    line = Text.assemble(("newsflow worker  ", "bold"), state)
    line.append(f"   up {_duration(worker.get('uptime_s'))}   at {when}", style="dim")
    processes = _list(worker.get("processes"))
    if processes:
        ready_count = sum(1 for p in processes if isinstance(p, Mapping) and p.get("ready"))
        line.append(f"   processes {ready_count}/{len(processes)} ready", style="dim")
    rules = overview.get("rules")
    if isinstance(rules, Mapping) and rules.get("version"):
        routes = ", ".join(str(r) for r in _list(rules.get("routes")))
        line.append(f"\nrules {rules['version']}" + (f": {routes}" if routes else ""), style="dim")
    assigned = worker.get("assigned")
    if isinstance(assigned, Mapping) and assigned:
        parts = ", ".join(f"{topic}:{len(_list(parts))}" for topic, parts in assigned.items())
        line.append(f"\nassigned partitions {parts}", style="dim")
    parts_out: list[RenderableType] = [line]
    for reason in _list(worker.get("reasons")):
        parts_out.append(Text(f"  • {reason}", style="red"))
    return Group(*parts_out)


def _stages(overview: Mapping[str, Any]) -> RenderableType:
    stages = [s for s in _list(overview.get("stages")) if isinstance(s, Mapping)]
    if not stages:
        return _empty("Stages", "nothing processed yet")
    generated = overview.get("generated_at")
    table = _table(
        "Stages",
        "stage",
        "in",
        "ok",
        "dead",
        "unchanged",
        "rate/s",
        "p50",
        "p95",
        "p99",
        "last seen",
        "last hour",
        "dead by kind",
        right=("in", "ok", "dead", "unchanged", "rate/s", "p50", "p95", "p99"),
    )
    for stage in stages:
        latency = stage.get("latency_s")
        latency = latency if isinstance(latency, Mapping) else {}
        dead = stage.get("dead") or 0
        table.add_row(
            str(stage.get("stage", "?")),
            _num(stage.get("in")),
            _num(stage.get("ok")),
            Text(_num(dead), style="red" if dead else ""),
            _num(stage.get("unchanged")),
            _num(stage.get("rate_per_s")),
            _seconds(latency.get("p50")),
            _seconds(latency.get("p95")),
            _seconds(latency.get("p99")),
            _age(stage.get("last_seen"), generated),
            sparkline(_list(stage.get("per_minute"))),
            _kinds(stage.get("dead_by_kind")),
        )
    return table


def _sites(overview: Mapping[str, Any]) -> RenderableType:
    sites = [s for s in _list(overview.get("sites")) if isinstance(s, Mapping)]
    if not sites:
        return _empty("Sites", "no pages yet")
    sites.sort(key=lambda s: (-(s.get("in") or 0), str(s.get("site")), str(s.get("stage"))))
    generated = overview.get("generated_at")
    title = f"Sites (top {TOP_SITES} of {len(sites)})" if len(sites) > TOP_SITES else "Sites"
    table = _table(
        title,
        "site",
        "stage",
        "in",
        "ok",
        "dead",
        "bytes",
        "last seen",
        "dead by kind",
        right=("in", "ok", "dead", "bytes"),
    )
    for site in sites[:TOP_SITES]:
        dead = site.get("dead") or 0
        table.add_row(
            str(site.get("site", "?")),
            str(site.get("stage", "")),
            _num(site.get("in")),
            _num(site.get("ok")),
            Text(_num(dead), style="red" if dead else ""),
            _bytes(site.get("bytes")),
            _age(site.get("last_seen"), generated),
            _kinds(site.get("dead_by_kind")),
        )
    return table


def _quality(overview: Mapping[str, Any]) -> RenderableType:
    rows = [q for q in _list(overview.get("quality")) if isinstance(q, Mapping)]
    if not rows:
        return _empty("Quality", "no articles yet")
    fields = ("title", "date", "authors", "lead")
    table = _table(
        "Quality (share of pages with each field)",
        "site",
        "pages",
        *fields,
        "body p10/p50/p90",
        "languages",
        right=("pages", *fields),
    )
    alerts: list[RenderableType] = []
    for row in rows:
        fill = row.get("fill")
        fill = fill if isinstance(fill, Mapping) else {}
        alerted = {a.get("field") for a in _list(row.get("alerts")) if isinstance(a, Mapping)}
        body = row.get("body_chars")
        body = body if isinstance(body, Mapping) else {}
        languages = row.get("languages")
        table.add_row(
            str(row.get("site", "?")),
            _num(row.get("pages")),
            *(
                Text(_percent(fill.get(name)), style="bold red" if name in alerted else "")
                for name in fields
            ),
            "/".join(_num(body.get(p)) for p in ("p10", "p50", "p90")),
            _kinds(languages),
        )
        for alert in _list(row.get("alerts")):
            if isinstance(alert, Mapping):
                alerts.append(
                    Text(f"  ⚠ {row.get('site', '?')}: {alert.get('message', '')}", style="red")
                )
    return Group(table, *alerts, Text("")) if alerts else table


def _trending(overview: Mapping[str, Any]) -> RenderableType:
    trending = overview.get("trending")
    trending = trending if isinstance(trending, Mapping) else {}
    entities = [e for e in _list(trending.get("entities")) if isinstance(e, Mapping)]
    if not entities:
        return _empty("Trending entities", "none this hour")
    entities.sort(key=lambda e: -(e.get("count") or 0))
    table = _table(
        f"Trending entities (top {TOP_ENTITIES}, this hour)",
        "name",
        "type",
        "id",
        "count",
        "last hours",
        right=("count",),
    )
    for entity in entities[:TOP_ENTITIES]:
        table.add_row(
            str(entity.get("name", "?")),
            str(entity.get("type", "")),
            str(entity.get("id", "")),
            _num(entity.get("count")),
            sparkline(_list(entity.get("series"))[-24:]),
        )
    return table


def _lag(overview: Mapping[str, Any]) -> RenderableType:
    lag = overview.get("lag")
    if isinstance(lag, Mapping) and "error" in lag:
        return _empty("Consumer lag", f"not available: {lag['error']}")
    groups = {g: v for g, v in (lag or {}).items() if isinstance(v, Mapping)} if lag else {}
    if not groups:
        return _empty("Consumer lag", "no groups yet")
    table = _table("Consumer lag", "group", "topic", "lag", "worst partitions", right=("lag",))
    for group, data in groups.items():
        partitions = [p for p in _list(data.get("partitions")) if isinstance(p, Mapping)]
        by_topic: dict[str, int] = {}
        for part in partitions:
            topic = str(part.get("topic", "?"))
            by_topic[topic] = by_topic.get(topic, 0) + int(part.get("lag") or 0)
        total = data.get("total")
        table.add_row(
            Text(str(group), style="bold"),
            "(total)",
            Text(_num(total), style="yellow" if total else ""),
            "",
        )
        for topic, topic_lag in by_topic.items():
            worst = sorted(
                (p for p in partitions if p.get("topic") == topic and (p.get("lag") or 0) > 0),
                key=lambda p: -int(p.get("lag") or 0),
            )[:WORST_PARTITIONS]
            table.add_row(
                "",
                topic,
                _num(topic_lag),
                " ".join(f"[{p.get('partition')}]:{_num(p.get('lag'))}" for p in worst),
            )
    return table


def _dead_letters(overview: Mapping[str, Any]) -> RenderableType:
    letters = [d for d in _list(overview.get("dead_letters")) if isinstance(d, Mapping)]
    if not letters:
        return _empty("Recent dead letters", "none")
    table = _table(
        "Recent dead letters (newsflow dlq show ID)",
        "failed at",
        "id",
        "stage",
        "kind",
        "site",
        "message",
    )
    for letter in letters[:RECENT_LETTERS]:
        failed = str(letter.get("failed_at") or "-")
        table.add_row(
            failed[:19].replace("T", " "),
            str(letter.get("id", ""))[:12],
            str(letter.get("stage", "")),
            Text(str(letter.get("error_kind", "")), style="red"),
            str(letter.get("site") or "-"),
            " ".join(str(letter.get("message", "")).split())[:120],
        )
    return table


def render_status(overview: Mapping[str, Any]) -> RenderableType:
    """The whole overview (the /api/overview contract) as one rich renderable."""
    return Group(
        _worker(overview),
        Text(""),
        _stages(overview),
        _sites(overview),
        _quality(overview),
        _trending(overview),
        _lag(overview),
        _dead_letters(overview),
    )


def _error_view(url: str, error: StatusError) -> RenderableType:
    return Text(f"{url}: {error} (retrying)", style="bold red")


def run_status(
    url: str,
    token: str | None,
    *,
    watch: float | None,
    timeout: float = 10.0,
    console: Console | None = None,
) -> None:
    """Print the overview once, or refresh it every ``watch`` seconds until Ctrl-C.

    While watching, an unreachable worker shows as an error line and is tried again; a
    refused token stops at once (it will not get better by waiting).
    """
    from rich.live import Live

    out = console or Console()
    if watch is None:
        out.print(render_status(fetch_overview(url, token, timeout)))
        return
    first = render_status(fetch_overview(url, token, timeout))
    if not out.is_terminal:
        # Piped or logged: one overview after the other, each once, instead of redrawing.
        out.print(first)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(watch)
                out.rule()
                try:
                    out.print(render_status(fetch_overview(url, token, timeout)))
                except StatusError as exc:
                    if exc.exit_code == EXIT_UNAUTHORIZED:
                        raise
                    out.print(_error_view(url, exc))
        return
    with (
        contextlib.suppress(KeyboardInterrupt),
        Live(first, console=out, refresh_per_second=4, screen=False) as live,
    ):
        while True:
            time.sleep(watch)
            try:
                live.update(render_status(fetch_overview(url, token, timeout)))
            except StatusError as exc:
                if exc.exit_code == EXIT_UNAUTHORIZED:
                    raise
                live.update(_error_view(url, exc))
