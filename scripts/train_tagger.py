"""Train a CRF tagger (Arabic, Persian, English) from ../shared/ner; measure it on held-out dev.

The corpora are read by bench/nercorpus.py (one tag mapping, one sentence cutting, one
split: training reads only each corpus's ``train`` part, the train blocks less every
sentence that shares a 6-gram with evaluation text; ``check_leaks`` is run on exactly
what is trained on and stops the script if it overlaps any evaluation part) and scored
by bench/entities.py (span-exact CoNLL F1, the tagger run as the benchmark runs it), so
the numbers printed here are the benchmark's, on the ``dev`` parts only: tune on those,
never on a test part.  Reproducible: fixed corpus order, crfsuite's L-BFGS is
deterministic.

The shipped Arabic model (``--lang ar``, the default) trains on the CC BY-SA Arabic
corpora (anercorp, newsfane, aqmar) and is written to ``newsflow/data/tagger-ar.crfsuite``;
the Persian one (``--lang fa``) on ParsTwiNER's train part (MIT) and is written to
``newsflow/data/tagger-fa.crfsuite``, tuned on ParsTwiNER dev only (PEYMA and Arman are
measured by bench/entities.py, never tuned on).
A corpus that may not ship (``Corpus.shippable`` false) may only train a throwaway model
written outside newsflow/ (the script refuses); Arman and PEYMA have no train part at
all: they are measured, never trained on.

    python scripts/train_tagger.py                      # train the shipped Arabic model
    python scripts/train_tagger.py --lang fa            # train the shipped Persian model
    python scripts/train_tagger.py --variant all --variant none --variant all,-freq \\
        --out /tmp/tagger.crfsuite                      # compare feature groups
    python scripts/train_tagger.py --lang en            # the English model (below)

English (``--lang en``, also spelt ``--language en``): trained on the training blocks
of UNER English-EWT's dev file only (CC BY-SA; never its test file), with the features
of ``newsflow.entities.tagger_en``, written to ``newsflow/data/tagger-en.crfsuite``. Each
sentence is read as the enrich stage reads text: its tokens joined by spaces,
re-tokenized by ``newsflow.entities.ner.tokenize`` and cut by ``ner.sentences`` (gold tags
carried onto the pieces of a token), gazetteer tags from the sentence text. The 55 gold
spans of the dev blocks decide little, so ``--cv K`` also prints a K-fold
cross-validation over the training blocks (fold = block mod K), the figure to tune on;
``--c1``/``--c2`` set the penalties; for English, ``--c1s``/``--c2s`` take several values
to compare by cross-validation.
"""

from __future__ import annotations

import argparse
import bisect
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pycrfsuite  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.entities import Score, score_sentences, tagger_spans
from bench.nercorpus import (
    BLOCKS,
    CORPORA,
    DEFAULT_NER_DIR,
    TYPES,
    Sentence,
    check_leaks,
    evaluation_sets,
    is_dev_block,
)
from newsflow.entities.matching import gazetteer_spans
from newsflow.entities.ner import latin_spans, model_spans, sentences, tokenize
from newsflow.entities.spans import Span as EntitySpan
from newsflow.entities.tagger import (
    DEFAULT_FEATURE_GROUPS,
    FEATURE_GROUPS,
    TRANSFER_LANGUAGES,
    FeatureExtractor,
    Tagger,
    gazetteer_tags,
    shipped_model,
    span_iob,
)

ROOT = Path(__file__).resolve().parent.parent
EN_MODEL_PATH = shipped_model("en")
EN_CORPUS = "uner-en-ewt"  # its dev file's training blocks: the only English training text
SHIPPABLE = ("anercorp", "newsfane", "aqmar")  # CC BY-SA: the shipped model's corpora
# Per language: the corpora its shipped model trains on and where the model is written.
LANG_CORPORA: dict[str, tuple[str, ...]] = {"ar": SHIPPABLE, "fa": ("parstwiner",)}
# (English trains by its own path, `main_english`, on EN_CORPUS's training blocks.)
LANG_MODEL: dict[str, Path] = {lang: shipped_model(lang) for lang in ("ar", "fa", "en")}
# L1 penalty of each shipped model, chosen on its dev parts (fa: ParsTwiNER dev, micro F1,
# features still being written: 0.737 at 0.05, 0.738 at 0.1, 0.731 at 0.3, 0.720 at 1.0;
# en: the grid of --c1s by cross-validation, see main_english).
LANG_C1: dict[str, float] = {"ar": 0.3, "fa": 0.1, "en": 0.3}


def parse_groups(spec: str) -> frozenset[str]:
    """``all`` (the shipped model's groups), ``none``, ``lexicon,freq`` or ``all,-freq`` →
    a set of feature groups."""
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


# --- English ---------------------------------------------------------------------------

# runtime tokens, gold tags, gazetteer tags, Latin rule tags
Sequence4 = tuple[list[str], list[str], list[str], list[str]]


def english_sequences(doc: Sequence[Sentence]) -> list[Sequence4]:
    """A corpus document's sentences as the enrich stage reads them: the Latin rules over
    the whole document (sentences joined by line breaks), then each sentence's text
    re-tokenized and cut into sentences by ``newsflow.entities.ner``, each gold tag carried
    onto the pieces of its token (B- on the first piece of a B- token, I- on the
    others), gazetteer tags of the sentence text."""
    joined = "\n".join(s.text for s in doc)
    rules = latin_spans({"body": joined}, "en")
    out: list[Sequence4] = []
    pos = 0
    for sent in doc:
        end = pos + len(sent.text)
        mine = [
            replace(r, start=r.start - pos, end=r.end - pos)
            for r in rules
            if pos <= r.start and r.end <= end
        ]
        out += _sentence_sequences(sent, mine)
        pos = end + 1
    return out


def _sentence_sequences(sent: Sentence, rules: Sequence[EntitySpan]) -> list[Sequence4]:
    text = sent.text
    starts: list[int] = []
    pos = 0
    for tok in sent.tokens:
        starts.append(pos)
        pos += len(tok) + 1
    toks = tokenize(text)
    tags: list[str] = []
    seen: set[int] = set()
    for t in toks:
        k = bisect.bisect_right(starts, t.start) - 1
        gold = sent.tags[k]
        if gold == "O":
            tags.append("O")
        elif gold.startswith("B-") and k not in seen:
            tags.append(gold)
        else:
            tags.append("I-" + gold[2:])
        seen.add(k)
    gaz = span_iob(toks, gazetteer_spans({"body": text}, "en"))
    rule_tags = span_iob(toks, rules)
    return [
        ([t.text for t in toks[a:b]], tags[a:b], gaz[a:b], rule_tags[a:b])
        for a, b in sentences(text, toks, "en")
    ]


_TYPES = {"PERSON": "PER", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC"}


def english_system(tagger: Tagger) -> Callable[[str, str], list[tuple[str, int, int]]]:
    """The English model alone as the enrich stage runs it on a text (its tokenizer and
    sentence cuts, gazetteer and Latin rule tags), for bench.entities' scoring."""

    def system(text: str, language: str) -> list[tuple[str, int, int]]:
        spans = model_spans({"body": text}, language, tagger)
        return [(_TYPES[s.type], s.start, s.end) for s in spans if s.type in _TYPES]

    return system


def english_train_blocks(root: Path) -> list[tuple[int, list[Sentence]]]:
    """(block, document) for every training document of the English corpus: the dev
    file's training blocks less the sentences left out for sharing a 6-gram with
    evaluation text."""
    corpus = CORPORA[EN_CORPUS]
    kept = set(corpus.sentences("train", root))
    out: list[tuple[int, list[Sentence]]] = []
    for src in corpus.sources:
        if src.part != BLOCKS:
            continue
        for doc, block in zip(corpus.documents(src, root), corpus.blocks(src, root), strict=True):
            if not is_dev_block(block) and (mine := [s for s in doc if s in kept]):
                out.append((block, mine))
    return out


def train_english(
    docs: Sequence[Sequence[Sentence]],
    features: FeatureExtractor,
    out: Path,
    params: dict[str, Any],
) -> float:
    """Train an English model on corpus documents read as `english_sequences` reads them."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for doc in docs:
        for toks, tags, gaz, rules in english_sequences(doc):
            trainer.append(features.sentence(toks, gaz, "en", extra=rules), tags)
    trainer.set_params({**params, "feature.possible_transitions": True})
    start = time.perf_counter()
    trainer.train(str(out))
    return time.perf_counter() - start


def main_english(args: argparse.Namespace) -> None:
    """``--lang en``: cross-validate the parameter grid, train the model, score dev."""
    blocks = english_train_blocks(args.ner)
    docs = [d for _, d in blocks]
    train = [s for d in docs for s in d]
    check_leaks({f"{EN_CORPUS}/train": train}, evaluation_sets(args.ner), args.ner)
    dev = CORPORA[EN_CORPUS].sentences("dev", args.ner)
    print(
        f"{EN_CORPUS}: train {len(train)} sentences, {sum(len(s.spans) for s in train)} gold "
        f"spans, {len({b for b, _ in blocks})} blocks; dev {len(dev)} sentences, "
        f"{sum(len(s.spans) for s in dev)} gold spans; no overlap with evaluation text",
        flush=True,
    )
    grid = [(c1, c2) for c1 in args.c1s for c2 in args.c2s]
    rows: list[tuple[str, dict[str, dict[str, Any]]]] = []
    best: tuple[float, float, float] | None = None
    for c1, c2 in grid:
        params = {"c1": c1, "c2": c2, "max_iterations": args.iterations}
        name = f"c1={c1} c2={c2}"
        if args.cv > 1:
            total = Score()
            for fold in range(args.cv):
                held = [s for b, d in blocks if b % args.cv == fold for s in d]
                rest = [d for b, d in blocks if b % args.cv != fold]
                tmp = args.out.with_name(f"{args.out.stem}.cv{fold}{args.out.suffix}")
                features = FeatureExtractor()
                train_english(rest, features, tmp, params)
                got = score_sentences(english_system(Tagger(tmp, features=features)), held, "en")
                tmp.unlink()
                for kind, counts in got.by_type.items():
                    total.by_type[kind].add(counts)
            cv = total.as_dict()
            rows.append((f"{name}, {args.cv}-fold CV over training blocks", {EN_CORPUS: cv}))
            print(table(rows[-1:]), flush=True)
            if best is None or cv["micro"]["f1"] > best[0]:
                best = (cv["micro"]["f1"], c1, c2)
    if best is not None and len(grid) > 1:
        _, c1, c2 = best
        print(f"best by cross-validation: c1={c1} c2={c2}", flush=True)
    else:
        c1, c2 = grid[0]
    params = {"c1": c1, "c2": c2, "max_iterations": args.iterations}
    features = FeatureExtractor()
    secs = train_english(docs, features, args.out, params)
    tagger = Tagger(args.out)
    start = time.perf_counter()
    score = score_sentences(english_system(tagger), dev, "en").as_dict()
    speed = sum(len(s.tokens) for s in dev) / max(time.perf_counter() - start, 1e-9)
    print(
        f"== trained c1={c1} c2={c2}: {secs:.1f} s, model {args.out.stat().st_size / 1024:.0f} "
        f"KiB ({args.out}); {speed:.0f} tokens/s on dev (tokenizing and gazetteer included)"
    )
    rows.append((f"c1={c1} c2={c2}, dev blocks", {EN_CORPUS: score}))
    text = f"max_iterations={args.iterations}\n\n" + table(rows)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    ap.add_argument("--ner", type=Path, default=DEFAULT_NER_DIR, help="the corpora directory")
    ap.add_argument(
        "--lang",
        "--language",
        dest="lang",
        choices=sorted(LANG_MODEL),
        default="ar",
        help="the model's language: its default training corpora, output file and dev parts "
        "(en: the English model, UNER English-EWT dev file's training blocks only)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where the model is written (default: the shipped model of --lang)",
    )
    ap.add_argument(
        "--c1", type=float, default=None, help="L1 penalty (default: 0.3 ar and en, 0.1 fa)"
    )
    ap.add_argument("--c2", type=float, default=0.01, help="L2 penalty")
    ap.add_argument("--iterations", type=int, default=150)
    ap.add_argument("--no-gazetteer", action="store_true", help="no gazetteer features")
    ap.add_argument(
        "--train-corpora",
        nargs="+",
        choices=sorted(n for n, c in CORPORA.items() if "train" in c.parts),
        default=None,
        help="corpora to train on (their train part only; default: those of --lang)",
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
    ap.add_argument(
        "--delex-copies",
        action="store_true",
        help="also train on copies of the sentences without word-form features (the "
        "classes then learn to decide alone; tagging still uses the word forms)",
    )
    ap.add_argument("--report", type=Path, default=None, help="also write the table here")
    ap.add_argument("--cv", type=int, default=0, help="English: K-fold cross-validation")
    ap.add_argument("--c1s", type=float, nargs="+", help="English: L1 penalties to compare")
    ap.add_argument("--c2s", type=float, nargs="+", help="English: L2 penalties to compare")
    args = ap.parse_args()
    args.out = args.out or LANG_MODEL[args.lang]
    args.c1 = LANG_C1[args.lang] if args.c1 is None else args.c1
    if args.lang == "en":
        args.c1s = args.c1s or [args.c1]
        args.c2s = args.c2s or [args.c2]
        main_english(args)
        return
    args.train_corpora = args.train_corpora or list(LANG_CORPORA[args.lang])

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
    # model's language
    dev = {
        name: corpus.sentences("dev", args.ner)
        for name, corpus in CORPORA.items()
        if corpus.shippable and "dev" in corpus.parts and corpus.language == args.lang
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
        delex = bool(args.transfer) or args.delex_copies
        secs = train(sents, gaz, features, train_language, out, params, delex)
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
