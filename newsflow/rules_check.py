"""`newsflow routes test`: pages or records through a rules file, offline, with reasons.

Each input is an HTML page (run through parse and enrich exactly as `newsflow process`
runs them: the stage functions in their own processes, under their limits) or a JSON
lines file. A JSON-lines file holds either raw pages (``{"url", "html"...}``, parsed and
enriched like HTML) or enriched records (``{"article": ..., "entities": ...}``, as
`newsflow process` or `newsflow tail news.enriched` print them), told apart by its first
record. Results come out in input order.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import orjson

from newsflow.core.rules import Decision, RuleSet, evaluate
from newsflow.inputs import JSONL_SUFFIXES, iter_inputs
from newsflow.settings import Settings

#: Longest first line read to tell an enriched-records file from a raw-pages one.
SNIFF_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Checked:
    """One page's outcome: its decision, or why it could not be evaluated."""

    origin: str
    url: str | None
    decision: Decision | None
    error: tuple[str, str] | None = None  # (kind, message)

    def to_json(self, rules: RuleSet) -> dict[str, Any]:
        if self.decision is None:
            assert self.error is not None
            return {
                "origin": self.origin,
                "url": self.url,
                "error": {"kind": self.error[0], "message": self.error[1]},
            }
        d = self.decision
        return {
            "origin": self.origin,
            "url": self.url,
            "version": d.version,
            "routes": list(d.routes),
            "topics": [rules.route(r).topic for r in d.routes],
            "tags": list(d.tags),
            "dropped": d.dropped,
            "dropped_by": d.dropped_by,
            "explain": d.explain,
        }


def _open(path: Path) -> io.BufferedIOBase:
    handle = path.open("rb")
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=handle, mode="rb")
    return handle


def holds_enriched_records(path: Path) -> bool:
    """Whether a JSON-lines file's first record is an enriched article."""
    if not path.is_file() or not any(path.name.lower().endswith(s) for s in JSONL_SUFFIXES):
        return False
    try:
        with _open(path) as stream:
            for line in stream:
                if len(line) > SNIFF_BYTES:
                    return False
                if line.strip():
                    row = orjson.loads(line)
                    return isinstance(row, dict) and isinstance(row.get("article"), dict)
    except (OSError, EOFError, orjson.JSONDecodeError):
        return False
    return False


def _enriched_file(path: Path, rules: RuleSet, now: datetime) -> Iterator[Checked]:
    with _open(path) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            origin = f"{path}:{number}"
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Checked(origin, None, None, ("decode", f"not JSON: {exc}"))
                continue
            if not isinstance(record, dict) or not isinstance(record.get("article"), dict):
                yield Checked(origin, None, None, ("schema", "not an enriched article record"))
                continue
            url = record["article"].get("url")
            decision = evaluate(rules, record, now, explain=True)
            yield Checked(origin, url if isinstance(url, str) else None, decision)


def _pages(
    paths: Sequence[Path], rules: RuleSet, settings: Settings, now: datetime
) -> Iterator[Checked]:
    from newsflow.offline import process_items

    items = iter_inputs(paths, now=now, max_bytes=settings.max_message_bytes, source="cli")
    for item, result in process_items(items, settings, "enrich"):
        url = item.raw["url"] if item.raw else None
        if isinstance(result, bytes):
            record = orjson.loads(result)
            decision = evaluate(rules, record, now, explain=True)
            yield Checked(item.origin, record["article"].get("url") or url, decision)
        else:
            yield Checked(item.origin, url, None, (result.kind, result.message))


def check_pages(
    paths: Sequence[Path], rules: RuleSet, settings: Settings, now: datetime
) -> Iterator[Checked]:
    """Every input's outcome, in input order. Consecutive page inputs share one run of
    the stage processes (starting them costs seconds: the enrich stage loads models)."""
    batch: list[Path] = []
    for path in paths:
        if holds_enriched_records(path):
            if batch:
                yield from _pages(batch, rules, settings, now)
                batch = []
            yield from _enriched_file(path, rules, now)
        else:
            batch.append(path)
    if batch:
        yield from _pages(batch, rules, settings, now)


def describe(rules: RuleSet) -> str:
    """One line: the rule set's routes by action, default and version."""
    actions = [r.action for r in rules.routes]
    counts = ", ".join(f"{actions.count(a)} {a}" for a in ("send", "tag", "drop") if a in actions)
    return (
        f"{len(rules.routes)} route(s) ({counts}), default {rules.default_route}, "
        f"version {rules.version}"
    )


def render(checked: Checked, rules: RuleSet, every_rule: bool) -> list[str]:
    """The text report of one page: where it went, then the reasons (the matching rules,
    or every rule with ``every_rule``)."""
    head = checked.origin + (f"  {unquote(checked.url)}" if checked.url else "")
    if checked.decision is None:
        assert checked.error is not None
        return [head, f"  error ({checked.error[0]}): {checked.error[1]}"]
    d = checked.decision
    if d.dropped:
        outcome = f"  dropped by {d.dropped_by}"
    else:
        outcome = "  -> " + ", ".join(f"{r} ({rules.route(r).topic})" for r in d.routes)
    if d.tags:
        outcome += f"  tags: {', '.join(d.tags)}"
    lines = [head, outcome]
    for line in d.explain[:-1]:  # the last line is the outcome, printed above
        if every_rule or ": no (" not in line:
            lines.append(f"     {line}")
    if not every_rule and not d.dropped and d.routes == (rules.default_route,):
        lines.append(f"     no send rule matched: default route {rules.default_route}")
    return lines
