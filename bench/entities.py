"""Entity benchmark: span-exact NER scores on the evaluation parts of ``../shared/ner``,
an ablation of the merge rules, and the enrich stage's articles per second on one core.

Why: the extractor is judged on span F1 on text the training never saw, and on enrich
throughput; every layer (gazetteer, tagger, the layered whole) and every merge rule must
be measured the same way so their rows are comparable. Run from the repository root::

    .venv/bin/python bench/entities.py                     # Markdown tables
    .venv/bin/python bench/entities.py --json var/entities.json
    .venv/bin/python bench/entities.py --no-speed --no-ablation   # scores only
    .venv/bin/python bench/entities.py --split legacy      # the old sentence split (leaks)

Rows: every evaluation part of every corpus of ``bench.nercorpus.CORPORA`` (the Arabic
dev blocks, ParsTwiNER dev and test, PEYMA's dev file, Arman whole, UNER English-EWT dev
blocks and test). Before scoring, ``bench.nercorpus.check_leaks`` proves that no training
part shares a normalized 6-gram with any evaluation part, or the run stops.

Scoring (CoNLL, as conlleval): gold and predicted spans are (type, first token, one past
the last token) over the corpus tokens; a prediction is a true positive only when type
and both ends match. Precision, recall and F1 per type (PER, LOC with GPE folded in,
ORG) and micro-averaged over the three. Each system sees one sentence at a time as its
tokens joined by single spaces; its character spans are mapped back to the tokens they
touch (``bench.nercorpus.char_to_token_span``), so a span that leaves a clitic outside
still covers that token. Entity types outside PER/LOC/ORG are ignored. The tagger row
exists where the extractor runs the tagger (``tagger_languages()``).

Ablation: the layered system with each rule of ``newsflow.entities.ner.RULES`` switched off
alone (``off=``), on the Arabic dev blocks and ParsTwiNER dev; once sentence by sentence
as above, and once with each dev block read as one text (sentences joined by line breaks,
so the tagger sees the same sentences) because document consistency and coreference only
act across sentences of one text.

Speed: ``enrich_article`` per article over every page of ``../shared/corpus`` that
``parse_page`` turns into an article (parsing is done beforehand, outside the timed
loop), and again over the pages in a language the tagger runs on; process pinned to one
CPU, one untimed warm-up pass, then ``--rounds`` rounds, each timing the gazetteer-only
baseline and the layered extractor one after the other (CPU time of the process, so
time stolen by other jobs on a shared machine is not counted); best and median round.

To add a system, add a function to :data:`SYSTEMS`; the tables and the JSON grow a row
per system.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import newsflow
from bench.corpus import DEFAULT_CORPUS, SETS, corpus_pages, pin_one_core
from bench.nercorpus import (
    CORPORA,
    DEFAULT_NER_DIR,
    TYPES,
    Corpus,
    Sentence,
    Span,
    char_to_token_span,
    check_leaks,
    legacy_sentence_split,
    token_offsets,
)
from newsflow.core.errors import PipelineError
from newsflow.core.types import ArticleDict
from newsflow.entities.enrich import enrich_article
from newsflow.entities.gazetteer import gazetteer
from newsflow.entities.matching import gazetteer_spans
from newsflow.entities.ner import (
    NON_LATIN_LANGUAGES,
    RULES,
    model_spans,
    tagger_languages,
    tagger_model,
    text_mentions,
    trained_languages,
)
from newsflow.entities.tagger import Tagger, iob_to_spans
from newsflow.extraction.parse import ParseOptions, parse_page

NEWSFLOW_DIR = Path(newsflow.__file__).resolve().parent  # which checkout is measured
# The extractor's types onto the corpora's coarse ones; anything else is not scored.
TYPE_MAP = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG"}

# A system reads one text in one language and returns (type, start, end) character spans
# with end exclusive, type one of TYPES.
System = Callable[[str, str], list[tuple[str, int, int]]]


def gazetteer_system(text: str, language: str) -> list[tuple[str, int, int]]:
    """The gazetteer layer alone, weak aliases kept only where the extractor keeps them."""
    out: list[tuple[str, int, int]] = []
    for span in gazetteer_spans({"body": text}, language):
        kind = TYPE_MAP.get(span.type)
        if kind is not None:
            out.append((kind, span.start, span.end))
    return out


def tagger_spans(tagger: Tagger, text: str, language: str) -> list[tuple[str, int, int]]:
    """A CRF model alone on the sentence's tokens (the text is the tokens joined by
    single spaces), its token spans as character spans."""
    tokens = text.split(" ")
    starts: list[int] = []
    pos = 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    out: list[tuple[str, int, int]] = []
    for kind, first, end in iob_to_spans(tagger.tag(tokens, language)):
        if kind in TYPES:
            out.append((kind, starts[first], starts[end - 1] + len(tokens[end - 1])))
    return out


@functools.cache
def _tagger(path: Path) -> Tagger:
    return Tagger(path)


def tagger_system(text: str, language: str) -> list[tuple[str, int, int]]:
    """The CRF model that tags ``language`` alone (its own or a borrowed one, with its
    gazetteer token features, as trained). Latin script: read as enrich reads it (its
    tokenizer, sentence cuts and rules channel, which the English model was trained on),
    not the corpus tokens."""
    found = tagger_model(language)
    if found is None:
        return []
    if language not in NON_LATIN_LANGUAGES:
        spans = model_spans({"body": text}, language)
        return [(TYPE_MAP[s.type], s.start, s.end) for s in spans if s.type in TYPE_MAP]
    return tagger_spans(_tagger(found[0]), text, language)


def layered_system(
    text: str, language: str, off: frozenset[str] = frozenset()
) -> list[tuple[str, int, int]]:
    """The whole extractor as enrich runs it (gazetteer, tagger where the language has
    one, merge rules, document consistency, coreference), through the CLI contract;
    ``off`` switches rules of ``newsflow.entities.ner.RULES`` off (the ablation)."""
    out: list[tuple[str, int, int]] = []
    for m in text_mentions(text, language, off=off):
        kind = TYPE_MAP.get(m["type"])
        if kind is not None:
            out.append((kind, m["start"], m["end"]))
    return out


SYSTEMS: dict[str, System] = {
    "gazetteer": gazetteer_system,
    "tagger": tagger_system,
    "layered": layered_system,
}


def applies(system: str, language: str) -> bool:
    """Whether a system is part of the extractor for a language (the tagger runs only
    on ``tagger_languages()``)."""
    return system != "tagger" or language in tagger_languages()


# --- scoring ---------------------------------------------------------------------------


@dataclass
class Counts:
    """True positives, false positives and false negatives of one type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def prf(self) -> dict[str, float]:
        """Precision, recall and F1; 0.0 where a denominator is zero."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class Score:
    """Per-type counts of one system on one corpus."""

    by_type: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TYPES})

    def micro(self) -> Counts:
        total = Counts()
        for c in self.by_type.values():
            total.add(c)
        return total

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            t: {**c.prf(), "tp": c.tp, "fp": c.fp, "fn": c.fn} for t, c in self.by_type.items()
        }
        micro = self.micro()
        out["micro"] = {**micro.prf(), "tp": micro.tp, "fp": micro.fp, "fn": micro.fn}
        return out


def predicted_token_spans(sentence: Sentence, chars: Sequence[tuple[str, int, int]]) -> set[Span]:
    """Character spans of a system mapped onto the sentence's tokens (duplicates merged)."""
    offsets = token_offsets(sentence.tokens)
    spans: set[Span] = set()
    for kind, start, end in chars:
        tokens = char_to_token_span(start, end, offsets)
        if tokens is not None and kind in TYPES:
            spans.add((kind, tokens[0], tokens[1]))
    return spans


def _count(score: Score, gold: set[Span], pred: set[Span]) -> None:
    for kind, counts in score.by_type.items():
        g = {s for s in gold if s[0] == kind}
        p = {s for s in pred if s[0] == kind}
        counts.tp += len(g & p)
        counts.fp += len(p - g)
        counts.fn += len(g - p)


def score_sentences(system: System, sentences: Sequence[Sentence], language: str) -> Score:
    """Span-exact counts of one system over sentences, each read as a text of its own."""
    score = Score()
    for sent in sentences:
        _count(score, set(sent.spans), predicted_token_spans(sent, system(sent.text, language)))
    return score


def score_documents(
    system: System, documents: Sequence[Sequence[Sentence]], language: str
) -> Score:
    """Span-exact counts of one system over documents, each read as one text (its
    sentences joined by line breaks); a span across a line break matches no gold span."""
    score = Score()
    for doc in documents:
        starts: list[int] = []
        pos = 0
        for sent in doc:
            starts.append(pos)
            pos += len(sent.text) + 1
        per_sentence: list[list[tuple[str, int, int]]] = [[] for _ in doc]
        for kind, a, b in system("\n".join(s.text for s in doc), language):
            i = max(bisect.bisect_right(starts, a) - 1, 0)
            if b <= starts[i] + len(doc[i].text):
                per_sentence[i].append((kind, a - starts[i], b - starts[i]))
            elif kind in score.by_type:
                score.by_type[kind].fp += 1
        for sent, chars in zip(doc, per_sentence, strict=True):
            _count(score, set(sent.spans), predicted_token_spans(sent, chars))
    return score


# --- speed -----------------------------------------------------------------------------


def load_articles(corpus: Path) -> tuple[list[ArticleDict], int]:
    """Every corpus page parsed into an article, and how many pages failed to parse (they
    are left out of the timing and the count is printed, not hidden)."""
    options = ParseOptions()
    articles: list[ArticleDict] = []
    failed = 0
    for cp in corpus_pages(corpus, SETS, now=datetime.now(UTC)):
        try:
            articles.append(parse_page(cp.raw, options))
        except PipelineError:
            failed += 1
    return articles, failed


def time_enrich(articles: Sequence[ArticleDict], rounds: int) -> dict[str, dict[str, Any]]:
    """CPU time per article of the enrich stage, gazetteer only and layered, timed in
    alternate rounds of the same process (a busy machine slows both alike; a drift
    cannot favour one): best and median round, as articles per CPU second."""
    now = datetime.now(UTC)
    modes = {"gazetteer only": False, "layered": True}
    for tagger in modes.values():  # warm-up: lazy tables, caches, the model
        for art in articles:
            enrich_article(art, now=now, tagger=tagger)
    per_round: dict[str, list[float]] = {mode: [] for mode in modes}
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            for mode, tagger in modes.items():
                t0 = time.process_time()
                for art in articles:
                    enrich_article(art, now=now, tagger=tagger)
                per_round[mode].append(time.process_time() - t0)
    finally:
        gc.enable()
    n = len(articles)
    out: dict[str, dict[str, Any]] = {}
    for mode, times in per_round.items():
        best, median = min(times), statistics.median(times)
        out[mode] = {
            "articles": n,
            "rounds": rounds,
            "articles_per_s_best": round(n / best, 1) if n and best else 0.0,
            "articles_per_s_median": round(n / median, 1) if n and median else 0.0,
            "ms_per_article_median": round(1000 * median / n, 3) if n else 0.0,
        }
    return out


# --- output ----------------------------------------------------------------------------


def _cell(d: dict[str, float]) -> str:
    return f"{d['f1']:.3f} ({d['precision']:.2f}/{d['recall']:.2f})"


def markdown(results: dict[str, Any]) -> str:
    """The scores as one Markdown table (F1, then precision/recall), the ablation, then
    the speed."""
    lines = [
        "| corpus | part | lang | system | sentences | gold spans "
        + "".join(f"| {t} F1 (P/R) " for t in TYPES)
        + "| micro F1 (P/R) |",
        "|---|---|---|---|---:|---:" + "|---:" * (len(TYPES) + 1) + "|",
    ]
    for res in results["corpora"].values():
        for system, score in res["systems"].items():
            cells = "".join(f"| {_cell(score[t])} " for t in (*TYPES, "micro"))
            lines.append(
                f"| {res['corpus']} | {res['part']} | {res['language']} | {system} "
                f"| {res['sentences']} | {res['gold_spans']} {cells}|"
            )
    ablation = results.get("ablation")
    if ablation:
        columns = list(ablation["columns"])
        lines += [
            "",
            "| layered, rule off (micro F1, change) | "
            + " | ".join(c.replace("|", "/") for c in columns)
            + " |",
            "|---" + "|---:" * len(columns) + "|",
        ]
        base = ablation["rows"]["none"]
        for rule, row in ablation["rows"].items():
            marks: list[str] = []
            for col in columns:
                if col not in row:
                    marks.append("n/a")
                elif rule == "none":
                    marks.append(f"{row[col]:.3f}")
                else:
                    marks.append(f"{row[col]:.3f} ({row[col] - base[col]:+.3f})")
            label = "none (as shipped)" if rule == "none" else rule
            lines.append(f"| {label} | " + " | ".join(marks) + " |")
    speed = results.get("speed")
    if speed:
        lines += [
            "",
            "| enrich_article, one core | layers | articles | articles/CPU-s (best) "
            "| articles/CPU-s (median) | CPU ms/article | vs gazetteer only |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in speed["rows"]:
            lines.append(
                f"| {row['pages']} | {row['layers']} | {row['articles']} | "
                f"{row['articles_per_s_best']} | {row['articles_per_s_median']} | "
                f"{row['ms_per_article_median']} | {row.get('ratio', '')} |"
            )
        lines += [
            "",
            f"Gazetteer first use: {results['gazetteer_first_use_s']} s. "
            f"{speed['pages_failed_to_parse']} corpus page(s) failed to parse and are not timed.",
        ]
    return "\n".join(lines)


# Where the ablation runs: the Arabic dev blocks and ParsTwiNER dev (each language has a
# model of its own, so the rules of merge_spans act in both); which rules act in which
# language's path.
ABLATION_PARTS: tuple[tuple[str, str], ...] = (
    ("anercorp", "dev"),
    ("newsfane", "dev"),
    ("aqmar", "dev"),
    ("parstwiner", "dev"),
)
# A language with a model of its own goes through merge_spans (fill_gaps only when
# merge.tagger_decides is off); one without, through fill_gaps.
ABLATION_RULES: dict[str, tuple[str, ...]] = {
    lang: tuple(r for r in RULES if r != "fill.blocked")
    if lang in trained_languages()
    else ("fill.blocked", "propagate", "coref")
    for lang in ("ar", "fa")
}


def ablation(root: Path, parts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Micro F1 of the layered system with each rule off alone (``rows[rule][column]``;
    rule ``none`` is the extractor as shipped). Columns: each part read sentence by
    sentence; for Arabic also the parts together, sentence by sentence and with each
    dev block read as one text (document consistency and coreference act only within a
    text)."""
    rows: dict[str, dict[str, float]] = {"none": {}}
    for language in ("ar", "fa"):
        for rule in ABLATION_RULES[language]:
            rows.setdefault(rule, {})
    columns: list[str] = []
    for language in ("ar", "fa"):
        chosen = [(CORPORA[c], p) for c, p in parts if CORPORA[c].language == language]
        if not chosen:
            continue
        units: list[tuple[str, list[tuple[Corpus, str]], bool]] = [
            (f"{c.name} {p}", [(c, p)], False) for c, p in chosen
        ]
        if language == "ar" and len(chosen) > 1:
            units.append(("ar together", chosen, False))
            units.append(("ar together, block as one text", chosen, True))
        for column, members, as_text in units:
            columns.append(column)
            for rule in ("none", *ABLATION_RULES[language]):
                off = frozenset() if rule == "none" else frozenset({rule})

                def system(text: str, lang: str, off: frozenset[str] = off) -> list[Any]:
                    return layered_system(text, lang, off)

                total = Score()
                for corpus, part in members:
                    if as_text:
                        got = score_documents(system, corpus.texts(part, root), language)
                    else:
                        got = score_sentences(system, corpus.sentences(part, root), language)
                    for kind, counts in got.by_type.items():
                        total.by_type[kind].add(counts)
                rows[rule][column] = total.as_dict()["micro"]["f1"]
    return {"columns": columns, "rows": rows}


def speed_rows(articles: Sequence[ArticleDict], rounds: int) -> list[dict[str, Any]]:
    """Enrich throughput on all pages and on the pages in a tagger language, each with
    the gazetteer-only baseline of the same pages and the layered/baseline ratio."""
    tagged = [a for a in articles if (a.get("language") or "").split("-")[0] in tagger_languages()]
    rows: list[dict[str, Any]] = []
    groups = [("all corpus pages", articles)]
    if tagged:
        groups.append((f"pages in {'/'.join(sorted(tagger_languages()))}", tagged))
    for label, group in groups:
        timed = time_enrich(group, rounds)
        base, full = timed["gazetteer only"], timed["layered"]
        ratio = (
            round(full["articles_per_s_median"] / base["articles_per_s_median"], 2)
            if base["articles_per_s_median"]
            else 0.0
        )
        rows.append({"pages": label, "layers": "gazetteer only", **base})
        rows.append({"pages": label, "layers": "layered", **full, "ratio": ratio})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--ner-dir", type=Path, default=DEFAULT_NER_DIR)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="pages for speed")
    ap.add_argument("--corpora", nargs="+", choices=sorted(CORPORA), default=list(CORPORA))
    ap.add_argument("--systems", nargs="+", choices=sorted(SYSTEMS), default=list(SYSTEMS))
    ap.add_argument(
        "--split",
        choices=("blocks", "legacy"),
        default="blocks",
        help="legacy: the old sentence-hash dev split of the Arabic corpora, which leaks "
        "(only to show by how much); no leak check, no ablation, no floors",
    )
    ap.add_argument("--rounds", type=int, default=5, help="timed passes over the pages")
    ap.add_argument("--no-speed", action="store_true", help="skip the enrich timing")
    ap.add_argument("--no-ablation", action="store_true", help="skip the merge-rule ablation")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument(
        "--floors",
        type=Path,
        help="quality gate: exit 1 when a micro F1 listed in this JSON file "
        '({"corpus/part": {system: floor}}) is below its floor or was not measured',
    )
    args = ap.parse_args(argv)
    if args.split == "legacy" and args.floors:
        ap.error("--floors applies to the block split only")

    results: dict[str, Any] = {
        "newsflow_dir": str(NEWSFLOW_DIR),
        "split": args.split,
        "corpora": {},
    }
    if args.split == "blocks":
        checked = check_leaks(root=args.ner_dir)  # raises LeakError: no score on leaked text
        dropped = {
            c.name: len(c.dropped(args.ner_dir)) for c in CORPORA.values() if "train" in c.parts
        }
        results["leak_check"] = {"train_sentences": checked, "dropped_from_train": dropped}
        print(
            f"leak check: {checked} training sentences share no 6-gram with evaluation text "
            f"(left out of training for sharing one: {dropped})",
            file=sys.stderr,
        )
    t0 = time.perf_counter()
    gazetteer()  # first use: built (or read from its cache) here, not inside a score
    results["gazetteer_first_use_s"] = round(time.perf_counter() - t0, 3)
    for name in args.corpora:
        corpus = CORPORA[name]
        if not corpus.available(args.ner_dir):
            print(f"warning: {name} not found under {args.ner_dir}, skipped", file=sys.stderr)
            continue
        parts: dict[str, list[Sentence]]
        if args.split == "legacy":
            legacy = legacy_sentence_split(corpus, args.ner_dir)
            if corpus.language != "ar" or not legacy["dev"]:
                continue
            parts = {"dev (legacy sentence hash)": legacy["dev"]}
        else:
            parts = {p: corpus.sentences(p, args.ner_dir) for p in corpus.evaluation_parts}
        for part, sents in parts.items():
            results["corpora"][f"{name}/{part}"] = {
                "corpus": name,
                "part": part,
                "language": corpus.language,
                "sentences": len(sents),
                "tokens": sum(len(s.tokens) for s in sents),
                "gold_spans": sum(len(s.spans) for s in sents),
                "systems": {
                    system: score_sentences(SYSTEMS[system], sents, corpus.language).as_dict()
                    for system in args.systems
                    if applies(system, corpus.language)
                },
            }
    if args.split == "blocks" and not args.no_ablation and "layered" in args.systems:
        chosen = [(c, p) for c, p in ABLATION_PARTS if c in args.corpora]
        results["ablation"] = ablation(args.ner_dir, chosen)
    if not args.no_speed:
        results["cpu"] = pin_one_core()
        articles, failed = load_articles(args.corpus)
        results["speed"] = {
            "rows": speed_rows(articles, max(1, args.rounds)),
            "pages_failed_to_parse": failed,
        }

    print(markdown(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.floors:
        failures = below_floors(results, json.loads(args.floors.read_text()))
        for line in failures:
            print(f"below floor: {line}", file=sys.stderr)
        print(f"entity quality gate: {'FAILED' if failures else 'passed'}")
        return 1 if failures else 0
    return 0


def below_floors(results: dict[str, Any], floors: dict[str, dict[str, float]]) -> list[str]:
    """Every floored micro F1 that is missing or lower than its floor (floors are keyed
    by ``"corpus/part"``, then system)."""
    out: list[str] = []
    for corpus, systems in floors.items():
        for system, floor in systems.items():
            got = results["corpora"].get(corpus, {}).get("systems", {}).get(system)
            if got is None:
                out.append(f"{corpus}/{system}: not measured (floor {floor})")
            elif got["micro"]["f1"] < floor:
                out.append(f"{corpus}/{system}: {got['micro']['f1']:.3f} < {floor}")
    return out


if __name__ == "__main__":
    sys.exit(main())
