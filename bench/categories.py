"""Categories against the pages' own section labels, per language, on held-out sites.

Why: categories drive the default routes. The only labels the development corpus gives
for them are the pages' own: fundus-dev's `topics` (its ground truth) and, on every
page, the section the page names (JSON-LD ``articleSection``, ``article:section``,
breadcrumbs, URL path segments). `bench/category_gold.json` maps those raw labels by
hand to the seven categories (or to none); a page's gold is the set its labels map to.

Two systems are scored in the same run over the same pages:

- **text**: the text classifier alone (lexicons plus entity hints over title, lead and
  body), with every page signal hidden from it: the label is never its input.
- **combined**: what the enrich stage records (page signals as a strong prior plus the
  text). Its signals and the gold come from the same page labels, mapped by two
  independent hand-made tables, so its agreement says how well the section words cover
  the labels sites use, not how well text is understood; it is optimistic by
  construction.

Pages are split by site (fundus: its publisher), never a site on both sides (checked):
``tune`` is the part the lexicons were tuned on, ``test`` the part not looked at while
tuning. Run from the repository root::

    .venv/bin/python bench/categories.py                   # both parts, one table each
    .venv/bin/python bench/categories.py --part tune --errors   # the tune part's misses
    .venv/bin/python bench/categories.py --labels          # raw labels the gold leaves out
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages
from newsflow.core.errors import PipelineError
from newsflow.core.normalize import normalize_for_matching
from newsflow.core.routing import CATEGORIES
from newsflow.core.types import ArticleDict
from newsflow.entities.enrich import article_fields, bounded_fields, categorize, enrich_article
from newsflow.extraction.parse import parse_page

GOLD = Path(__file__).resolve().with_name("category_gold.json")
CATEGORY_SETS = (*SETS, "mediacloud-dev")
PARTS = ("tune", "test")
LANGUAGE_GROUPS = ("ar", "fa", "en", "de", "other")


def fold_label(label: str) -> str:
    """A raw label as the gold table keys it: folded, whitespace collapsed."""
    return " ".join(normalize_for_matching(label).split())


def load_gold(path: Path = GOLD) -> dict[str, tuple[str, ...]]:
    """Folded raw label -> its categories (() for a label that names none)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, tuple[str, ...]] = {}
    for cat, labels in doc["categories"].items():
        if cat != "none" and cat not in CATEGORIES:
            raise ValueError(f"unknown category {cat!r} in {path}")
        for label in labels:
            key = fold_label(label)
            cats = () if cat == "none" else (cat,)
            out[key] = tuple(dict.fromkeys((*out.get(key, ()), *cats)))
    return out


def site_key(set_name: str, expected: Mapping[str, Any], article: ArticleDict) -> str:
    """The site a page belongs to for the split: fundus pages by publisher (their URLs
    are placeholders), pages without a URL each on their own, else the article's site."""
    if set_name == "fundus-dev" and expected.get("publisher"):
        return f"publisher:{expected['publisher']}"
    if article["site"] in ("", "corpus.invalid"):
        return f"page:{set_name}/{expected['id']}"
    return article["site"]


def part_of(site: str) -> str:
    """ "tune" or "test", from a hash of the site: stable, and one side per site."""
    return PARTS[hashlib.sha256(site.encode()).digest()[0] % 2]


def raw_labels(set_name: str, expected: Mapping[str, Any], article: ArticleDict) -> list[str]:
    """The page's own section labels: fundus topics, the section (articleSection…),
    the breadcrumbs and the URL's path segments (all but the last)."""
    labels: list[str] = []
    if set_name == "fundus-dev":
        labels.extend(t for t in expected.get("topics") or () if isinstance(t, str))
    if article.get("section"):
        labels.append(str(article["section"]))
    labels.extend(article.get("breadcrumbs") or ())
    labels.extend(url_labels(article))
    return labels


def url_labels(article: ArticleDict) -> list[str]:
    """The URL's path segments but the last, decoded (none for placeholder URLs)."""
    if article["url"].startswith("https://corpus.invalid/"):
        return []
    return [unquote(s) for s in urlsplit(article["url"]).path.split("/")[:-1] if s]


def language_group(language: str | None) -> str:
    base = (language or "").split("-")[0]
    return base if base in LANGUAGE_GROUPS else "other"


@dataclass
class Page:
    """One corpus page as the benchmark sees it."""

    key: str
    site: str
    part: str
    language: str
    labels: list[str]
    gold: tuple[str, ...]  # categories its labels map to
    labelled: bool  # some label is in the gold table (mapping to a category or none)
    unmapped: list[str]
    text: list[str]  # the text classifier's categories, signals hidden
    combined: list[str]  # the enrich stage's categories
    text_scores: dict[str, float] = field(default_factory=dict)


def evaluate(
    corpus: Path, gold: Mapping[str, tuple[str, ...]], sets: Sequence[str] = CATEGORY_SETS
) -> list[Page]:
    """Parse and enrich every page once; both systems on the same article."""
    now = datetime.now(UTC)
    pages: list[Page] = []
    seen: set[str] = set()
    for cp in corpus_pages(corpus, sets, now=now):
        raw = dict(cp.raw)
        raw["fetched_at"] = None  # archived pages: no future-date check
        try:
            art = parse_page(raw)  # type: ignore[arg-type]
        except PipelineError:
            continue
        if art["content_hash"] in seen:  # one page saved in two sets counts once
            continue
        seen.add(art["content_hash"])
        enriched = enrich_article(art, now=now)
        fields, _ = bounded_fields(article_fields(art))
        text_cats, text_scores = categorize(fields, enriched["entities"], None)
        labels = raw_labels(cp.set, cp.expected, art)
        found: dict[str, None] = {}
        labelled = False
        unmapped: list[str] = []
        url_segments = set(url_labels(art))
        for label in labels:
            key = fold_label(label)
            if key in gold:
                labelled = True
                found.update(dict.fromkeys(gold[key]))
            elif label not in url_segments:  # most path segments are not sections
                unmapped.append(label)
        site = site_key(cp.set, cp.expected, art)
        pages.append(
            Page(
                key=cp.key,
                site=site,
                part=part_of(site),
                language=language_group(art["language"]),
                labels=labels,
                gold=tuple(found),
                labelled=labelled,
                unmapped=unmapped,
                text=text_cats,
                combined=enriched["categories"],
                text_scores=text_scores,
            )
        )
    check_split(pages)
    return pages


def check_split(pages: Iterable[Page]) -> None:
    """No site on both sides of the split."""
    sides: defaultdict[str, set[str]] = defaultdict(set)
    for p in pages:
        sides[p.site].add(p.part)
    both = sorted(s for s, parts in sides.items() if len(parts) > 1)
    if both:
        raise AssertionError(f"sites on both sides of the split: {both}")


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "0/0"


def summarize(pages: Sequence[Page]) -> dict[str, dict[str, int]]:
    """Counts per language group (and "all") of one part."""
    out: dict[str, dict[str, int]] = {}
    for group in (*LANGUAGE_GROUPS, "all"):
        sel = [p for p in pages if group in ("all", p.language)]
        gold = [p for p in sel if p.gold]
        none = [p for p in sel if p.labelled and not p.gold]
        out[group] = {
            "pages": len(sel),
            "labelled": len(gold),
            "text_top1": sum(1 for p in gold if p.text[:1] and p.text[0] in p.gold),
            "text_any": sum(1 for p in gold if set(p.text) & set(p.gold)),
            "text_empty": sum(1 for p in gold if not p.text),
            "combined_top1": sum(1 for p in gold if p.combined[:1] and p.combined[0] in p.gold),
            "combined_any": sum(1 for p in gold if set(p.combined) & set(p.gold)),
            "none_pages": len(none),
            "none_text_assigned": sum(1 for p in none if p.text),
            "none_combined_assigned": sum(1 for p in none if p.combined),
        }
    return out


def table(summary: Mapping[str, Mapping[str, int]]) -> str:
    """The Markdown table of one part."""
    rows = [
        "| language | pages | labelled | text: top = label | text: any = label | text: none | "
        "combined: top = label | combined: any = label | label names no category: "
        "text / combined assign one |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for group, s in summary.items():
        d = s["labelled"]
        rows.append(
            f"| {group} | {s['pages']} | {d} | {_pct(s['text_top1'], d)} | "
            f"{_pct(s['text_any'], d)} | {_pct(s['text_empty'], d)} | "
            f"{_pct(s['combined_top1'], d)} | {_pct(s['combined_any'], d)} | "
            f"{s['none_text_assigned']}/{s['none_pages']} / "
            f"{s['none_combined_assigned']}/{s['none_pages']} |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="shared corpus root")
    parser.add_argument("--part", choices=(*PARTS, "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list the tune part's misses")
    parser.add_argument("--labels", action="store_true", help="raw labels not in the gold table")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures here")
    args = parser.parse_args(argv)
    pages = evaluate(args.corpus, load_gold())
    parts = PARTS if args.part == "both" else (args.part,)
    sites = {part: {p.site for p in pages if p.part == part} for part in PARTS}
    assert not sites["tune"] & sites["test"], "a site on both sides"
    print(
        f"{len(pages)} distinct pages, {len(sites['tune'])} sites in tune, "
        f"{len(sites['test'])} in test, none in both"
    )
    figures: dict[str, Any] = {}
    for part in parts:
        chosen = [p for p in pages if p.part == part]
        summary = summarize(chosen)
        figures[part] = summary
        print(f"\n## {part} ({len(chosen)} pages)\n")
        print(table(summary))
    if args.errors:
        print("\n## tune part: pages whose text category is not the label\n")
        for p in pages:
            if p.part == "tune" and p.gold and not (p.text[:1] and p.text[0] in p.gold):
                print(
                    f"{p.key} [{p.language}] gold={list(p.gold)} text={p.text} "
                    f"scores={p.text_scores}"
                )
    if args.labels:
        counts = Counter(label for p in pages for label in p.unmapped)
        print("\n## raw labels the gold table does not list (read as naming no category)\n")
        for label, n in counts.most_common():
            print(f"{n}\t{label}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
