"""Train the Arabic CRF tagger from ../shared/ner and measure it on the held-out dev splits.

Reproducible: the corpora are read in a fixed order, the dev split is chosen by a
hash of each sentence's tokens (the same rule bench/nercorpus.py uses), and
crfsuite's L-BFGS is deterministic.  Only the CC BY-SA Arabic corpora are
trained on; the Persian arman corpus is for measurement only (its licence
forbids shipping a model trained on it).

    python scripts/train_tagger.py [--ner ../shared/ner] [--out newsflow/data/tagger-ar.crfsuite]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pycrfsuite  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsflow.core.tagger import (
    gazetteer_tags,
    iob_to_spans,
    sentence_features,
)

Sentence = tuple[list[str], list[str]]
Scores = dict[str, tuple[float, float, float, int]]
_Result = tuple[Scores, float]  # scores, sentences tagged per second

# Typos in ANERcorp's tags, repaired to what the annotator evidently meant.
_ANER_FIX = {
    "o": "O",
    "B-ERS": "B-PER",
    "IPERS": "I-PER",
    "B-PERs": "B-PER",
    "B-ORF": "B-ORG",
    "B-OEG": "B-ORG",
    "B-LOCI-PERS": "B-LOC",
    "i-misc": "O",
    "b-misc": "O",
}
_COARSE = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG", "GPE": "LOC"}

# NewsFANE's ACE-style fine classes onto PER/LOC/ORG; facilities, works, products,
# groups of people (nationalities) and events are left out, as in CoNLL.
_NEWSFANE = {
    **dict.fromkeys(
        (
            "Politician",
            "Athlete",
            "Artist",
            "Other_PER",
            "Religious_PER",
            "Scientist",
            "Businessperson",
            "Lawyer",
            "Engineer",
        ),
        "PER",
    ),
    **dict.fromkeys(
        (
            "Nation",
            "Population-Center",
            "State-or-Province",
            "County-or-District",
            "GPE-Cluster",
            "Continent",
            "Water-Body",
            "Land-Region-Natural",
            "Land",
            "Celestial",
        ),
        "LOC",
    ),
    **dict.fromkeys(
        (
            "Non-Governmental",
            "Government",
            "Media",
            "Sports",
            "Commercial",
            "Educational",
            "Religious_ORG",
            "Entertainment",
            "Medical-Science",
            "Police",
        ),
        "ORG",
    ),
}
_ARMAN = {"pers": "PER", "org": "ORG", "loc": "LOC"}
_SENTENCE_END = {".", "!", "?", "؟"}


def _coarse(tag: str, table: dict[str, str]) -> str:
    prefix, _, label = tag.partition("-")
    label = label.lstrip("-")
    kind = table.get(label)
    if prefix not in ("B", "I") or kind is None:
        return "O"
    return f"{prefix}-{kind}"


def _read(path: Path, sep: str | None) -> Iterator[list[tuple[str, str]]]:
    """Sentences as (token, raw tag) lists; a blank line ends a sentence."""
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.replace("\u200e", "").strip().split(sep)
        if len(parts) < 2:
            if sent:
                yield sent
            sent = []
            continue
        sent.append((parts[0], parts[-1]))
    if sent:
        yield sent


def _cut_at_stops(tokens: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    """ANERcorp has no sentence breaks: cut after sentence-final punctuation."""
    sent: list[tuple[str, str]] = []
    for tok in tokens:
        sent.append(tok)
        if tok[0] in _SENTENCE_END:
            yield sent
            sent = []
    if sent:
        yield sent


def _finish(raw: list[tuple[str, str]], table: dict[str, str]) -> Sentence:
    tokens = [t for t, _ in raw]
    tags = [_coarse(_ANER_FIX.get(g, g), table) for _, g in raw]
    # An I- after O (or after another type) opens a span: write it as B- for training.
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or tags[i - 1][2:] != tag[2:]):
            tags[i] = "B-" + tag[2:]
    return tokens, tags


def is_dev(tokens: Sequence[str]) -> bool:
    """The dev split: one sentence in ten, chosen by content so every tool agrees."""
    return int(hashlib.sha1(" ".join(tokens).encode()).hexdigest(), 16) % 10 == 0


def load_corpora(ner: Path) -> dict[str, list[Sentence]]:
    aner_tokens = [tok for sent in _read(ner / "anercorp-train.txt", None) for tok in sent]
    return {
        "anercorp": [_finish(s, _COARSE) for s in _cut_at_stops(aner_tokens)],
        "newsfane": [
            _finish(s, _NEWSFANE)
            for s in _read(ner / "newsfane" / "NewsFANE_Gold_2014_filtered.txt", "\t")
        ],
        "aqmar": [
            _finish(s, _COARSE)
            for s in _read(ner / "aqmar" / "AQMAR_Arabic_NER_corpus-1.0.txt", None)
        ],
        "arman": [_finish(s, _ARMAN) for s in _read(ner / "arman" / "train_fold1.txt", None)],
    }


def score(gold: list[list[str]], pred: list[list[str]]) -> Scores:
    """Span-exact precision, recall, F1 and gold count per type and micro (CoNLL)."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(iob_to_spans(g)), set(iob_to_spans(p))
        for kind, _, _ in gs:
            n_gold[kind] += 1
        for kind, _, _ in ps:
            n_pred[kind] += 1
        for kind, _, _ in gs & ps:
            tp[kind] += 1
    out: dict[str, tuple[float, float, float, int]] = {}
    for kind in ["PER", "LOC", "ORG", "micro"]:
        if kind == "micro":
            t, ng, np_ = sum(tp.values()), sum(n_gold.values()), sum(n_pred.values())
        else:
            t, ng, np_ = tp[kind], n_gold[kind], n_pred[kind]
        prec = t / np_ if np_ else 0.0
        rec = t / ng if ng else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[kind] = (prec, rec, f1, ng)
    return out


def _features(sents: list[Sentence], use_gaz: bool, language: str) -> list[list[dict[str, float]]]:
    return [
        sentence_features(toks, gazetteer_tags(toks, language) if use_gaz else None)
        for toks, _ in sents
    ]


def train(
    feats: list[list[dict[str, float]]],
    tags: list[list[str]],
    out: Path,
    c1: float,
    c2: float,
    iterations: int,
) -> float:
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in zip(feats, tags, strict=True):
        trainer.append(x, y)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
        }
    )
    start = time.perf_counter()
    trainer.train(str(out))
    return time.perf_counter() - start


def evaluate(model: Path, dev: dict[str, list[Sentence]], use_gaz: bool) -> dict[str, _Result]:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    results: dict[str, _Result] = {}
    for name, sents in dev.items():
        lang = "fa" if name == "arman" else "ar"
        feats = _features(sents, use_gaz, lang)
        start = time.perf_counter()
        pred = [tagger.tag(x) for x in feats]
        elapsed = time.perf_counter() - start
        results[name] = (score([t for _, t in sents], pred), len(sents) / max(elapsed, 1e-9))
    return results


def _table(title: str, results: dict[str, _Result]) -> str:
    lines = [
        f"### {title}",
        "",
        "| corpus | type | P | R | F1 | gold |",
        "|---|---|---|---|---|---|",
    ]
    for name, res in results.items():
        scores, _ = res
        for kind, (p, r, f, n) in scores.items():
            lines.append(f"| {name} | {kind} | {p:.3f} | {r:.3f} | {f:.3f} | {n} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ner", type=Path, default=Path("../shared/ner"))
    ap.add_argument("--out", type=Path, default=Path("newsflow/data/tagger-ar.crfsuite"))
    ap.add_argument("--c1", type=float, default=0.3)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument(
        "--no-gazetteer", action="store_true", help="train only without gazetteer features"
    )
    ap.add_argument(
        "--compare", action="store_true", help="also train the other variant, for the report"
    )
    ap.add_argument("--report", type=Path, default=None, help="write markdown tables here")
    args = ap.parse_args()

    corpora = load_corpora(args.ner)
    train_set: list[Sentence] = []
    dev: dict[str, list[Sentence]] = {}
    for name, sents in corpora.items():
        dev[name] = [s for s in sents if is_dev(s[0])]
        if name != "arman":  # arman: measurement only, never trained on
            train_set += [s for s in sents if not is_dev(s[0])]
    print(
        f"train {len(train_set)} sentences, {sum(len(t) for t, _ in train_set)} tokens; dev "
        + ", ".join(f"{k} {len(v)}" for k, v in dev.items())
    )
    variants = [not args.no_gazetteer]
    if args.compare:
        variants.append(args.no_gazetteer)
    report = [f"c1={args.c1} c2={args.c2} max_iterations={args.iterations}", ""]
    if args.compare:
        alone: dict[str, _Result] = {}
        for name, sents in dev.items():
            lang = "fa" if name == "arman" else "ar"
            pred = [gazetteer_tags(toks, lang) for toks, _ in sents]
            alone[name] = (score([t for _, t in sents], pred), 0.0)
        text = _table("gazetteer alone (its matches as tags)", alone)
        print(text)
        report += [text, ""]
    for use_gaz in variants:
        feats = _features(train_set, use_gaz, "ar")
        tags = [t for _, t in train_set]
        target = args.out
        if use_gaz != (not args.no_gazetteer):
            target = Path(tempfile.mkdtemp()) / "variant.crfsuite"
        secs = train(feats, tags, target, args.c1, args.c2, args.iterations)
        res = evaluate(target, dev, use_gaz)
        title = f"{'with' if use_gaz else 'without'} gazetteer features"
        info = f"training {secs:.1f} s, model {target.stat().st_size / 1024:.0f} KiB"
        speed = ", ".join(f"{k} {v[1]:.0f} sent/s" for k, v in res.items())
        print(f"== {title}: {info}; tagging {speed}")
        text = _table(title, res)
        print(text)
        report += [text, "", info + "; tagging " + speed, ""]
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text("\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
