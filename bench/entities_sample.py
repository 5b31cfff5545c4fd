"""The hand-judged sample behind the English figure of the gazetteer layer's entities.

Why: there is no English gold for entities, and the issue's English target is "entities a
reader would call obviously right". `bench/names_latin_sample.py` judges the Latin-script
rules' spans; this script judges the other half, the entities the gazetteer links to a
table id (`iso:`, `geonames:`, `wikidata:`, curated `nf:` ids), as the enrich stage
outputs them: the first 15 pages of the same English sample, every linked entity with its
type, display name and the surfaces it was found as. The entities a reader would not
call right are listed in ``JUDGED_WRONG`` (judged by reading each one in its page); any
other is counted as right, so after a change to the table, read the new ones. Run from
the repository root::

    .venv/bin/python bench/entities_sample.py
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `newsflow` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_CORPUS
from bench.names_latin_sample import sample_pages
from newsflow.entities.ner import extract_entities

PAGES = 15

# (page key, entity id) judged wrong, with why.
JUDGED_WRONG: frozenset[tuple[str, str]] = frozenset(
    [
        ("htmldate-dev/5d867108f208", "iso:LB"),  # "Lebanon, Indiana", not the country
        ("htmldate-dev/5d867108f208", "geonames:5125771"),  # a "Black Manhattan" cocktail
    ]
)


def linked(entity_id: str, entity_type: str) -> bool:
    """A table id, not the `nf:<type>:<name>` id of a name only the rules found."""
    return not entity_id.startswith(f"nf:{entity_type.lower()}:")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    right = total = 0
    for key, title, body in sample_pages(args.corpus)[:PAGES]:
        print(f"== {key} | {title[:80]}")
        for ent in extract_entities({"title": title, "body": body}, "en"):
            if not linked(ent["id"], ent["type"]):
                continue
            wrong = (key, ent["id"]) in JUDGED_WRONG
            total += 1
            right += not wrong
            surfaces = sorted({m["text"] for m in ent["mentions"]})
            mark = "WRONG" if wrong else "     "
            print(f"  {mark} {ent['type']:6} {ent['id']:24} {ent['name'][:30]:30} {surfaces[:4]}")
    share = right / total if total else 0.0
    print(f"\nlinked entities judged right: {right}/{total} = {share:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
