"""What the benchmarks share: where the dev corpus is, how its pages become raw pages
(the way a crawler publishes them), and pinning to one core so "per second" means one
core. One place, so the extraction, profile and entities benchmarks measure the same
pages built the same way."""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsflow.core.types import RawPageDict
from newsflow.inputs import raw_page

log = logging.getLogger("bench.corpus")

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
SETS = ("aeb-dev", "fundus-dev", "readability-dev", "htmldate-dev", "arfa-dev")


@dataclass(frozen=True)
class CorpusPage:
    """One page of a set: its label row, the fetched bytes and the raw page for newsflow."""

    set: str
    expected: dict[str, Any]
    body: bytes
    raw: RawPageDict

    @property
    def key(self) -> str:
        return f"{self.set}/{self.expected['id']}"


def corpus_pages(
    corpus: Path, sets: Sequence[str], *, now: datetime, per_set: int | None = None
) -> Iterator[CorpusPage]:
    """Every page of ``sets`` in index order; a missing set is logged and skipped."""
    for name in sets:
        index = corpus / name / "expected.jsonl"
        if not index.is_file():
            log.warning("set %s not found under %s, skipped", name, corpus)
            continue
        with index.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        for exp in rows[:per_set] if per_set else rows:
            body = gzip.decompress((corpus / name / exp["file"]).read_bytes())
            raw = raw_page(
                exp.get("url") or f"https://corpus.invalid/{name}/{exp['id']}",
                now=now,
                source="bench",
                body=body,
                content_type="text/html",
            )
            yield CorpusPage(name, exp, body, raw)


def pin_one_core(cpu: int | None = None) -> int | None:
    """Pin this process to ``cpu`` (default: the first allowed) so a per-second figure
    means one core; None where the platform cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    chosen = min(os.sched_getaffinity(0)) if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    return chosen
