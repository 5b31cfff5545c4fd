"""Scoring functions for the extraction benchmark (``bench/extract.py``).

Kept apart from the runner so that they can be unit-tested on hand-made cases
and reused by anyone comparing extractors on the shared corpus.

Body text: the article-extraction-benchmark's shingle metric
-------------------------------------------------------------
``shingle_tp_fp_fn`` and ``aggregate_body`` reimplement (our own code, same
definitions) how scrapinghub/article-extraction-benchmark's ``evaluate.py``
scores ``articleBody``, so numbers on aeb-dev are comparable with the ones that
project publishes:

* tokens are the matches of ``\\w+`` (Unicode, case kept: no lower-casing);
  text that is ``None`` counts as empty;
* shingles are runs of 4 consecutive tokens, counted as a multiset; a text with
  1 to 3 tokens yields one shorter shingle (all its tokens), an empty text none;
* per page, over the union of shingles: TP = min(true, pred) counts,
  FP = surplus in the prediction, FN = surplus in the truth; the three are then
  divided by their sum so a long article weighs no more than a short one;
* page precision: 1 if FP == FN == 0 (this includes both texts empty), else 0
  if TP == FP == 0, else TP / (TP + FP); page recall likewise with FN;
* corpus precision is the mean page precision over pages whose prediction has
  shingles (TP + FP > 0), corpus recall the mean page recall over pages whose
  truth has shingles (TP + FN > 0); corpus F1 is the harmonic mean of those two
  means, not a mean of page F1 values.

So an empty prediction lowers recall only (precision skips that page), and a
page with empty truth lowers precision only. Two guards where the original
would divide by zero: a mean over no pages is 0.0, and F1 is 0.0 when both
means are 0. The benchmark also reports bootstrap confidence intervals; they
are not computed here.

Dates, titles and authors
-------------------------
``same_day`` compares a predicted date with the labelled one at day precision,
in the labelled value's own offset when both carry one (so the same instant
written in two offsets is the same day). Titles and bylines are compared
"exact" after whitespace normalisation and "relaxed" after word-level
normalisation; see the functions for exactly what each forgives.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

SHINGLE_SIZE = 4

_TOKEN_RE = re.compile(r"\w+")
_WS_RE = re.compile(r"\s+")
_BYLINE_PREFIX_RE = re.compile(r"^(?:by|von|par|por|di|door|av|od)\b[\s:]*", re.IGNORECASE)

TpFpFn = tuple[float, float, float]


def tokenize(text: str | None) -> list[str]:
    """Word tokens as the benchmark takes them: ``\\w+`` matches, case kept.

    Works for any script without a word segmenter (Arabic and Persian
    included): Arabic combining marks (harakat) and the Persian zero-width
    non-joiner are not word characters, so they split a word, the same way in
    the truth and in the prediction.
    """
    return _TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles; short texts give one shorter shingle."""
    tokens = tokenize(text)
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


def shingle_tp_fp_fn(true: str | None, pred: str | None, n: int = SHINGLE_SIZE) -> TpFpFn:
    """Normalised (TP, FP, FN) for one page; they sum to 1 unless both are empty."""
    t, p = shingles(true, n), shingles(pred, n)
    tp = fp = fn = 0.0
    for key in t.keys() | p.keys():
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    total = tp + fp + fn
    if total > 0:
        return tp / total, fp / total, fn / total
    return tp, fp, fn


def precision_score(tp: float, fp: float, fn: float) -> float:
    """Page precision with the benchmark's conventions for empty texts."""
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    """Page recall with the benchmark's conventions for empty texts."""
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def harmonic(a: float, b: float) -> float:
    """F1 of a precision and a recall; 0.0 when both are 0."""
    return 2 * a * b / (a + b) if a + b > 0 else 0.0


def page_f1(true: str | None, pred: str | None) -> float:
    """One page's shingle F1: for listing failures, not for the corpus score."""
    tp, fp, fn = shingle_tp_fp_fn(true, pred)
    return harmonic(precision_score(tp, fp, fn), recall_score(tp, fp, fn))


@dataclass(frozen=True)
class BodyScore:
    """Corpus-level body scores, averaged the benchmark's way."""

    precision: float
    recall: float
    f1: float
    pages: int  # pages scored (all of them, whatever their emptiness)
    empty_predictions: int  # pages where the prediction had no tokens


def aggregate_body(tp_fp_fns: Sequence[TpFpFn]) -> BodyScore:
    """Mean precision and mean recall over the pages that define them, then F1."""
    precisions = [precision_score(*x) for x in tp_fp_fns if x[0] + x[1] > 0]
    recalls = [recall_score(*x) for x in tp_fp_fns if x[0] + x[2] > 0]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    empty = sum(1 for x in tp_fp_fns if x[0] + x[1] == 0)
    return BodyScore(p, r, harmonic(p, r), len(tp_fp_fns), empty)


def score_bodies(pairs: Iterable[tuple[str | None, str | None]]) -> BodyScore:
    """Score ``(true, pred)`` body pairs as one corpus."""
    return aggregate_body([shingle_tp_fp_fn(t, p) for t, p in pairs])


# --- titles -----------------------------------------------------------------


def normalize_ws(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP included) to one space and trim."""
    return _WS_RE.sub(" ", text or "").strip()


def title_exact(pred: str | None, gold: str | None) -> bool:
    """Equal after whitespace normalisation only: case and punctuation count."""
    return normalize_ws(pred) == normalize_ws(gold)


def _words(text: str | None) -> list[str]:
    return tokenize(unicodedata.normalize("NFKC", text or "").casefold())


def title_relaxed(pred: str | None, gold: str | None) -> bool:
    """Same words ignoring case, punctuation and Unicode forms, or a site name added/dropped.

    Matches when the casefolded NFKC word tokens are equal, or when one title's
    tokens are a leading or trailing run of the other's and cover at least half
    of them ("Title | Site" against "Title"). A title contained in the middle of
    another, or a short fragment of a long title, does not match.
    """
    p, g = _words(pred), _words(gold)
    if not p or not g:
        return p == g
    if p == g:
        return True
    short, long_ = (p, g) if len(p) < len(g) else (g, p)
    if 2 * len(short) < len(long_):
        return False
    return long_[: len(short)] == short or long_[-len(short) :] == short


# --- dates ------------------------------------------------------------------


def parse_when(value: str | None) -> datetime | date | None:
    """A labelled or predicted date string as a datetime (or a bare date); None if unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _day(value: datetime | date, tz_from: datetime | date | None) -> date:
    if (
        isinstance(value, datetime)
        and isinstance(tz_from, datetime)
        and value.tzinfo is not None
        and tz_from.tzinfo is not None
    ):
        return value.astimezone(tz_from.tzinfo).date()
    return value.date() if isinstance(value, datetime) else value


def same_day(pred: str | None, gold: str | None) -> bool:
    """Day-precision match; null gold means "no date", so only a null prediction matches it.

    When both values carry a UTC offset the prediction is moved into the gold
    value's offset before taking its day, so ``2024-05-03T23:30:00-02:00`` and
    ``2024-05-04T01:30:00+00:00`` are the same day. When either side is naive or
    a bare date (htmldate gives ``YYYY-MM-DD``), each side's own calendar day is
    compared: there is no instant to convert. An unreadable prediction is wrong.
    """
    g = parse_when(gold)
    p = parse_when(pred)
    if g is None:
        return not normalize_ws(pred)
    if p is None:
        return False
    return _day(p, g) == _day(g, None)


# --- authors ----------------------------------------------------------------


def normalize_name(name: str) -> str:
    """Author name for set comparison: NFKC, casefolded, whitespace collapsed."""
    return normalize_ws(unicodedata.normalize("NFKC", name)).casefold()


def author_sets(pred: Iterable[str], gold: Iterable[str]) -> tuple[bool, float]:
    """(exact set match, set F1) of normalised names; two empty sets match with F1 1."""
    p = {n for n in (normalize_name(x) for x in pred) if n}
    g = {n for n in (normalize_name(x) for x in gold) if n}
    if not p and not g:
        return True, 1.0
    inter = len(p & g)
    prec = inter / len(p) if p else 0.0
    rec = inter / len(g) if g else 0.0
    return p == g, harmonic(prec, rec)


def _byline_words(text: str | None) -> list[str]:
    cleaned = _BYLINE_PREFIX_RE.sub("", normalize_ws(unicodedata.normalize("NFKC", text or "")))
    return tokenize(cleaned.casefold())


def byline_match(pred: str | None, gold: str | None) -> tuple[bool, bool]:
    """(exact, relaxed) match of a byline string.

    Exact: the same casefolded word tokens in the same order once a leading
    "By" is dropped (so "By\\n\\tScott Cunningham" equals "Scott Cunningham";
    punctuation between names is ignored, so "Jong, Michiel de" equals
    "Jong Michiel de" but not "Michiel de Jong").
    Relaxed: every gold word appears in the prediction or every predicted word
    appears in the gold, both non-empty (word order and extra credits forgiven).
    """
    p, g = _byline_words(pred), _byline_words(gold)
    exact = p == g
    if not p or not g:
        return exact, exact
    ps, gs = set(p), set(g)
    return exact, exact or gs <= ps or ps <= gs


# --- body snippets ----------------------------------------------------------


def snippet_hits(body: str | None, snippets: Sequence[str]) -> int:
    """How many snippets occur in the body, after whitespace normalisation of both."""
    text = normalize_ws(body)
    return sum(1 for s in snippets if normalize_ws(s) in text)
