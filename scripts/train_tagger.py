"""Train the Arabic CRF tagger from ../shared/ner and measure it on the held-out dev parts.

The corpora are read by bench/nercorpus.py (one tag mapping, one sentence cutting, one
split: training reads only each corpus's ``train`` part, the train blocks less every
sentence that shares a 6-gram with evaluation text; ``check_leaks`` is run on exactly
what is trained on and stops the script if it overlaps any evaluation part) and scored
by bench/entities.py (span-exact CoNLL F1, the tagger run as the benchmark runs it), so
the numbers printed here are the benchmark's, on the ``dev`` parts only: tune on those,
never on a test part.  Reproducible: fixed corpus order, crfsuite's L-BFGS is
deterministic.

The shipped model trains on the CC BY-SA Arabic corpora (anercorp, newsfane, aqmar).
A corpus that may not ship (``Corpus.shippable`` false) may only train a throwaway model
written outside newsflow/ (the script refuses); Arman and PEYMA have no train part at
all: they are measured, never trained on.

    python scripts/train_tagger.py                      # train the shipped model
    python scripts/train_tagger.py --variant all --variant none --variant all,-freq \\
        --out /tmp/tagger.crfsuite                      # compare feature groups
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pycrfsuite  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.entities import score_sentences, tagger_spans
from bench.nercorpus import (
    CORPORA,
    DEFAULT_NER_DIR,
    TYPES,
    Sentence,
    check_leaks,
    evaluation_sets,
)
from newsflow.core.ner import TAGGER_LANGUAGES
from newsflow.core.tagger import (
    DEFAULT_FEATURE_GROUPS,
    FEATURE_GROUPS,
    MODEL_PATH,
    TRANSFER_LANGUAGES,
    FeatureExtractor,
    Tagger,
    gazetteer_tags,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPABLE = ("anercorp", "newsfane", "aqmar")  # CC BY-SA: the shipped model's corpora


def parse_groups(spec: str) -> frozenset[str]:
    """``all`` (the shipped model's groups), ``none``, ``lexicon,freq``, ``all,-freq`` or
    ``all,clusters`` → a set of feature groups."""
    groups: set[str] = set()
    for part in spec.split(","):
        part = part.strip()
        if part == "all":
            groups |= DEFAULT_FEATURE_GROUPS
        elif part in ("none", ""):
            continue
        elif part.startswith("-"):
            groups.discard(part[1:])
        else:
            groups.add(part)
    unknown = groups - FEATURE_GROUPS
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown feature groups {sorted(unknown)}")
    return frozenset(groups)


def train(
    sents: Sequence[Sentence],
    gaz: Sequence[Sequence[str]] | None,
    features: FeatureExtractor,
    language: str,
    out: Path,
    params: dict[str, Any],
    delex_copies: bool = False,
) -> float:
    """Train a model on the sentences, write it to ``out``; the training seconds.

    ``delex_copies``: each sentence a second time without word-form features, so the
    transferable features also learn to decide alone (for the ``transfer`` languages).
    """
    trainer = pycrfsuite.Trainer(verbose=False)
    for i, sent in enumerate(sents):
        g = gaz[i] if gaz is not None else None
        trainer.append(features.sentence(sent.tokens, g, language, delex=False), list(sent.tags))
        if delex_copies:
            x = features.sentence(sent.tokens, g, language, delex=True)
            trainer.append(x, list(sent.tags))
    trainer.set_params({**params, "feature.possible_transitions": True})
    start = time.perf_counter()
    trainer.train(str(out))
    return time.perf_counter() - start


def evaluate(tagger: Tagger, dev: dict[str, list[Sentence]]) -> dict[str, dict[str, Any]]:
    """Benchmark scores (bench.entities) of a model per dev corpus, and tokens per second."""
    results: dict[str, dict[str, Any]] = {}
    for name, sents in dev.items():
        lang = CORPORA[name].language
        start = time.perf_counter()
        score = score_sentences(lambda text, lg: tagger_spans(tagger, text, lg), sents, lang)
        secs = time.perf_counter() - start
        results[name] = score.as_dict()
        results[name]["tokens_per_s"] = sum(len(s.tokens) for s in sents) / max(secs, 1e-9)
    return results


def table(rows: list[tuple[str, dict[str, dict[str, Any]]]]) -> str:
    """One Markdown row per (variant, corpus): F1 per type and micro (P/R)."""
    lines = [
        "| variant | corpus " + "".join(f"| {t} F1 " for t in TYPES) + "| micro F1 (P/R) |",
        "|---|---" + "|---:" * (len(TYPES) + 1) + "|",
    ]
    for variant, res in rows:
        for corpus, sc in res.items():
            m = sc["micro"]
            cells = "".join(f"| {sc[t]['f1']:.3f} " for t in TYPES)
            lines.append(
                f"| {variant} | {corpus} {cells}"
                f"| {m['f1']:.3f} ({m['precision']:.2f}/{m['recall']:.2f}) |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    ap.add_argument("--ner", type=Path, default=DEFAULT_NER_DIR, help="the corpora directory")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="where the model is written")
    ap.add_argument("--c1", type=float, default=0.3, help="L1 penalty")
    ap.add_argument("--c2", type=float, default=0.01, help="L2 penalty")
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--no-gazetteer", action="store_true", help="no gazetteer features")
    ap.add_argument(
        "--train-corpora",
        nargs="+",
        choices=sorted(n for n, c in CORPORA.items() if "train" in c.parts),
        default=list(SHIPPABLE),
        help="corpora to train on (their train part only)",
    )
    ap.add_argument(
        "--train-language",
        default=None,
        help="language the training text is featurized as (default: the corpus's)",
    )
    ap.add_argument(
        "--variant",
        action="append",
        type=parse_groups,
        help="feature groups of a model to train, e.g. all | none | all,-freq "
        f"(groups: {', '.join(sorted(FEATURE_GROUPS))}); repeat to compare; "
        "with several, each model is written next to --out with a suffix",
    )
    ap.add_argument(
        "--transfer",
        nargs="*",
        default=sorted(TRANSFER_LANGUAGES),
        help="languages tagged without word-form features (the model then also trains on "
        f"delexicalised copies); default: {' '.join(sorted(TRANSFER_LANGUAGES)) or 'none'}",
    )
    ap.add_argument("--report", type=Path, default=None, help="also write the table here")
    args = ap.parse_args()

    private = [n for n in args.train_corpora if not CORPORA[n].shippable]
    if private and args.out.resolve().is_relative_to(ROOT / "newsflow"):
        ap.error(f"a model trained on {', '.join(private)} must not be written under newsflow/")
    variants: list[frozenset[str]] = args.variant or [DEFAULT_FEATURE_GROUPS]

    train_set: list[tuple[Sentence, str]] = []
    training: dict[str, list[Sentence]] = {}
    for name in args.train_corpora:
        corpus = CORPORA[name]
        training[f"{name}/train"] = corpus.sentences("train", args.ner)
        lang = args.train_language or corpus.language
        train_set += [(s, lang) for s in training[f"{name}/train"]]
        dropped = corpus.dropped(args.ner)
        print(
            f"{name}: {len(dropped)} training sentences ({sum(len(s.tokens) for s in dropped)} "
            "tokens) left out for sharing a 6-gram with evaluation text",
            flush=True,
        )
    check_leaks(training, evaluation_sets(args.ner), args.ner)  # raises LeakError
    # tune on dev parts only: those of the corpora that may train a model, in the
    # languages the tagger runs on
    dev = {
        name: corpus.sentences("dev", args.ner)
        for name, corpus in CORPORA.items()
        if corpus.shippable and "dev" in corpus.parts and corpus.language in TAGGER_LANGUAGES
    }
    print(
        f"train {len(train_set)} sentences, {sum(len(s.tokens) for s, _ in train_set)} tokens "
        f"from {', '.join(args.train_corpora)}; no overlap with evaluation text; dev "
        + ", ".join(f"{k} {len(v)}" for k, v in dev.items()),
        flush=True,
    )
    gaz = None
    if not args.no_gazetteer:
        start = time.perf_counter()
        gaz = [gazetteer_tags(s.tokens, lang) for s, lang in train_set]
        print(f"gazetteer tags of the training set: {time.perf_counter() - start:.1f} s")
    langs = {lang for _, lang in train_set}
    if len(langs) != 1:
        ap.error(f"train corpora of one language at a time (got {sorted(langs)})")
    (train_language,) = langs
    params = {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}
    rows = []
    for groups in variants:
        name = ",".join(sorted(groups)) or "none"
        out = args.out
        if len(variants) > 1:
            out = args.out.with_name(f"{args.out.stem}.{name.replace(',', '+')}{args.out.suffix}")
        features = FeatureExtractor(groups, transfer=args.transfer)
        sents = [s for s, _ in train_set]
        secs = train(sents, gaz, features, train_language, out, params, bool(args.transfer))
        res = evaluate(Tagger(out, use_gazetteer=gaz is not None, features=features), dev)
        speed = ", ".join(f"{k} {v.pop('tokens_per_s'):.0f}" for k, v in res.items())
        print(
            f"== {name}: training {secs:.1f} s, model {out.stat().st_size / 1024:.0f} KiB "
            f"({out}); tagging tokens/s {speed}",
            flush=True,
        )
        rows.append((name, res))
        print(table([(name, res)]), flush=True)
    text = f"c1={args.c1} c2={args.c2} max_iterations={args.iterations}\n\n" + table(rows)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
