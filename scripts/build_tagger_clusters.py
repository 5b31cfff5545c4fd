"""Build newsflow/data/tagger-clusters-ar.tsv.gz: word clusters for the Arabic tagger.

Why: a word seen a few times in the labelled corpora gets little weight of its own in
the CRF; a cluster shares what the model learnt about the words that occur in the same
contexts (names after "قال", places after "في"), in the spirit of Brown clusters.

How: every distinct sentence of the **training** parts of the CC BY-SA Arabic corpora
(ANERcorp, NewsFANE, AQMAR; the same train blocks the tagger trains on, read through
``bench.nercorpus``, never a dev block: the clusters must not see evaluation text), read
as unlabelled text in the tagger's normalized spelling. Each word seen at least
``--min-count`` times gets a context vector (its left and right neighbours, and the words
two away, among the ``--contexts`` most frequent words), weighted by positive pointwise
mutual information and reduced by SVD; the vectors are split in two by 2-means again and
again (bisecting k-means, ``--depth`` levels), so a word's cluster is a bit string whose
prefixes are coarser clusters, as Brown clusters' are. Deterministic (fixed seed).

Not used: the pages of ``../shared/corpus`` (publishers' web content, kept there for
testing only) and PEYMA/Arman (Persian, and not to be shipped in any form).

    python scripts/build_tagger_clusters.py [--out newsflow/data/tagger-clusters-ar.tsv.gz]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nercorpus import CORPORA, DEFAULT_NER_DIR
from newsflow.core.normalize import normalize_for_matching
from newsflow.core.tagger import CLUSTERS_PATH

SOURCES = ("anercorp", "newsfane", "aqmar")  # CC BY-SA: may ship with the notice
_Matrix = npt.NDArray[np.float64]


def training_text(root: Path) -> list[list[str]]:
    """Distinct training sentences (NewsFANE repeats ANERcorp's text), normalized."""
    seen: set[tuple[str, ...]] = set()
    out: list[list[str]] = []
    for name in SOURCES:
        for sent in CORPORA[name].sentences("train", root):
            words = tuple(normalize_for_matching(t).strip() or t for t in sent.tokens)
            if words not in seen:
                seen.add(words)
                out.append(list(words))
    return out


def context_matrix(
    sents: Sequence[Sequence[str]], vocab: Sequence[str], contexts: Sequence[str]
) -> _Matrix:
    """Counts of each vocabulary word with each context word at offsets -2, -1, +1, +2
    (one block of columns per offset; sentence edges are a context word of their own)."""
    row = {w: i for i, w in enumerate(vocab)}
    col = {w: i for i, w in enumerate(contexts)}
    width = len(contexts) + 1  # + the sentence edge
    counts = np.zeros((len(vocab), 4 * width))
    for sent in sents:
        padded = ["<s>", "<s>", *sent, "<s>", "<s>"]
        for i, word in enumerate(sent):
            r = row.get(word)
            if r is None:
                continue
            for k, d in enumerate((-2, -1, 1, 2)):
                other = padded[i + 2 + d]
                c = len(contexts) if other == "<s>" else col.get(other)
                if c is not None:
                    counts[r, k * width + c] += 1
    return counts


def ppmi(counts: _Matrix, alpha: float = 0.75) -> _Matrix:
    """Positive PMI with context-distribution smoothing (Levy et al. 2015)."""
    total = counts.sum()
    rows = counts.sum(axis=1, keepdims=True)
    cols = counts.sum(axis=0, keepdims=True) ** alpha
    cols /= cols.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((counts / total) / ((rows / total) * cols))
    pmi[~np.isfinite(pmi)] = 0.0
    out: _Matrix = np.maximum(pmi, 0.0)
    return out


def truncated_svd(x: _Matrix, dims: int, seed: int = 0) -> tuple[_Matrix, _Matrix]:
    """The leading ``dims`` left singular vectors and values of ``x`` (randomized range
    finder with two power iterations, Halko et al. 2011): seconds where a full SVD of a
    10,000 x 8,000 matrix takes many minutes."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(x @ rng.standard_normal((x.shape[1], dims + 20)))
    for _ in range(2):
        q, _ = np.linalg.qr(x @ (x.T @ q))
    u, s, _ = np.linalg.svd(q.T @ x, full_matrices=False)
    return (q @ u)[:, :dims], s[:dims]


def two_means(x: _Matrix, rng: np.random.Generator, rounds: int = 20) -> npt.NDArray[np.bool_]:
    """Which rows fall on the second side of a 2-means split (cosine, spherical)."""
    centres = x[rng.choice(len(x), size=2, replace=False)]
    side = np.zeros(len(x), dtype=bool)
    for _ in range(rounds):
        sims = x @ centres.T
        new = sims[:, 1] > sims[:, 0]
        if new.all() or not new.any():  # degenerate: split by the first coordinate
            new = x[:, 0] > np.median(x[:, 0])
        if (new == side).all():
            break
        side = new
        for k, members in enumerate((~side, side)):
            centre = x[members].mean(axis=0)
            centres[k] = centre / (np.linalg.norm(centre) or 1.0)
    return side


def bisect(x: _Matrix, depth: int, seed: int = 0) -> list[str]:
    """A bit string of at most ``depth`` bits per row: the path of repeated 2-means splits."""
    rng = np.random.default_rng(seed)
    paths = [""] * len(x)
    groups: list[npt.NDArray[np.intp]] = [np.arange(len(x))]
    for _ in range(depth):
        next_groups: list[npt.NDArray[np.intp]] = []
        for members in groups:
            if len(members) < 4:  # too few to split: keep the shorter path
                continue
            side = two_means(x[members], rng)
            for bit, part in (("0", members[~side]), ("1", members[side])):
                for i in part:
                    paths[i] += bit
                next_groups.append(part)
        groups = next_groups
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--ner", type=Path, default=DEFAULT_NER_DIR)
    ap.add_argument("--out", type=Path, default=CLUSTERS_PATH)
    ap.add_argument("--min-count", type=int, default=3, help="least occurrences of a word")
    ap.add_argument("--contexts", type=int, default=2000, help="context words per offset")
    ap.add_argument("--dims", type=int, default=100, help="SVD dimensions")
    ap.add_argument("--depth", type=int, default=8, help="bits of a cluster path")
    args = ap.parse_args()

    sents = training_text(args.ner)
    freq = Counter(w for s in sents for w in s)
    vocab = sorted(
        w for w, n in freq.items() if n >= args.min_count and any(c.isalpha() for c in w)
    )
    contexts = [w for w, _ in freq.most_common(args.contexts)]
    counts = context_matrix(sents, vocab, contexts)
    u, s = truncated_svd(ppmi(counts), args.dims)
    vecs = u * np.sqrt(s)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    paths = bisect(vecs, args.depth)
    lines = "".join(f"{w}\t{p}\n" for w, p in zip(vocab, paths, strict=True))
    args.out.write_bytes(gzip.compress(lines.encode("utf-8"), compresslevel=9, mtime=0))
    tokens = sum(freq.values())
    print(
        f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB, {len(vocab)} words of "
        f"{len(freq)} ({tokens} tokens in {len(sents)} distinct training sentences), "
        f"{len(set(paths))} clusters"
    )


if __name__ == "__main__":
    main()
