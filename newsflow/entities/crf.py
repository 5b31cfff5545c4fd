"""Exact, fast decoding of a crfsuite linear-chain model, for features that decompose.

Why not ``pycrfsuite.Tagger.tag``: it wants every attribute of every token as a string,
so an article of 500 tokens costs ~15,000 string builds and model lookups per call
(about 8 ms measured here, plus the Python that builds the strings), which alone would
hold the enrich stage under 100 Arabic articles/s.  The tagger's features are all of
three kinds, which this module exploits:

- a word's own attributes and the ones it lends its neighbours ("-1:n=…" on the token
  after it): a function of the word and the offset only, so its weight vector per
  offset is computed once per distinct word and cached;
- gazetteer tags at an offset: a handful of distinct values, cached the same way;
- position attributes (bias, sentence start/end, "-2:edge"): depend only on how many
  tokens there are before and after, up to the widest offset.

Per sentence the emission scores are then a few NumPy additions of cached rows, and
Viterbi runs over all sentences of the article at once (one step per token position,
not per token).  Scores are the same sums crfsuite computes (state weights of the
attributes present, plus label transitions), so the labels are the same up to exact
ties; tests compare the two on whole dev sets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import chain
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pycrfsuite  # type: ignore[import-untyped]

__all__ = ["DecomposedCRF", "OffsetAttrs"]

# For a word (or gazetteer tag): offset d -> attributes it gives the token at position
# (its own position - d); d = 0 are its own attributes.
OffsetAttrs = Mapping[int, Sequence[str]]
_Array = npt.NDArray[np.float64]

_CACHE_LIMIT = 200_000  # distinct words kept; the cache is reset beyond this


def _compiled_viterbi() -> Callable[..., None] | None:
    """The C decoder when the optional extension was built, else None (NumPy then)."""
    try:
        from newsflow.entities._viterbi import viterbi  # type: ignore[import-not-found]
    except ImportError:
        return None
    return viterbi  # type: ignore[no-any-return]


def _compiled_emissions() -> Callable[..., None] | None:
    """The C sums of `DecomposedCRF.emissions` when the extension was built with them (a
    build from before them has the decoder only), else None."""
    try:
        module = importlib.import_module("newsflow.entities._viterbi")
    except ImportError:
        return None
    sums: Callable[..., None] | None = getattr(module, "emissions", None)
    return sums


def _missing(values: list[int | None]) -> Iterator[int]:
    """The indices of the Nones in ``values`` (found by `list.index`, not a Python step
    per item: there are few)."""
    k = -1
    while True:
        try:
            k = values.index(None, k + 1)
        except ValueError:
            return
        yield k


class DecomposedCRF:
    """A crfsuite model decoded from per-word, per-gazetteer-tag and per-position rows.

    `word_attrs(word, language)` and `gaz_attrs(tag)` give each attribute the item lends at each
    offset in `offsets`; `position_attrs(before, after)` the attributes of a token with
    `before`/`after` tokens on each side (both capped at the widest offset).  Together
    they must produce exactly the attributes the model was trained with.  `compiled`:
    the C Viterbi of ``newsflow.entities._viterbi`` (None: when built; False: NumPy only).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        offsets: Sequence[int],
        word_attrs: Callable[[str, str | None], OffsetAttrs],
        gaz_attrs: Callable[[str], OffsetAttrs],
        position_attrs: Callable[[int, int], Sequence[str]],
        compiled: bool | None = None,
    ) -> None:
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        self.labels: list[str] = list(tagger.labels())
        index = {label: i for i, label in enumerate(self.labels)}
        n = len(self.labels)
        self._attr_ids: dict[str, int] = {}
        features = info.state_features
        for attr, _ in features:
            self._attr_ids.setdefault(attr, len(self._attr_ids))
        # one row per attribute, plus a zero row that unknown attributes point at
        self._weights = np.zeros((len(self._attr_ids) + 1, n))
        for (attr, label), weight in features.items():
            self._weights[self._attr_ids[attr], index[label]] += weight
        self._unknown = len(self._attr_ids)
        self._trans = np.zeros((n, n))
        for (a, b), weight in info.transitions.items():
            self._trans[index[a], index[b]] = weight
        tagger.close()
        self.offsets = tuple(offsets)
        self._reach = max(abs(d) for d in self.offsets)
        self._word_attrs = word_attrs
        self._gaz_attrs = gaz_attrs
        self._position_attrs = position_attrs
        self._word_rows: dict[str | None, dict[str, int]] = {}  # language -> word -> row
        self._row_count = 0
        self._rows = np.zeros((1024, len(self.offsets), n))
        self._gaz: dict[str, _Array] = {}
        self._position: dict[tuple[int, int], _Array] = {}
        self._table: _Array | None = None
        self._gaz_ids: dict[str, int] = {}
        self._gaz_table = np.zeros((0, len(self.offsets), n))
        self._compiled = _compiled_viterbi() if compiled is not False else None
        if compiled and self._compiled is None:
            raise RuntimeError("the compiled decoder (newsflow.entities._viterbi) is not built")
        # the compiled sums only with the compiled decoder (an older build may lack them)
        self._compiled_sums = _compiled_emissions() if self._compiled is not None else None
        self._offset_array = np.array(self.offsets, dtype=np.intp)

    # -- cached rows ---------------------------------------------------------------------

    def _sum(self, attrs: Sequence[str]) -> _Array:
        get, unknown = self._attr_ids.get, self._unknown
        total: _Array = self._weights[[get(a, unknown) for a in attrs]].sum(axis=0)
        return total

    def _offset_rows(self, by_offset: OffsetAttrs) -> _Array:
        get, unknown = self._attr_ids.get, self._unknown
        ids: list[int] = []
        owner: list[int] = []
        for k, d in enumerate(self.offsets):
            for attr in by_offset.get(d, ()):
                ids.append(get(attr, unknown))
                owner.append(k)
        rows = np.zeros((len(self.offsets), len(self.labels)))
        np.add.at(rows, owner, self._weights[ids])
        return rows

    def _word_row(self, word: str, language: str | None) -> int:
        known = self._word_rows.setdefault(language, {})
        row = known.get(word)
        if row is None:
            row = self._row_count
            if row >= len(self._rows):
                grown = np.zeros((2 * len(self._rows), *self._rows.shape[1:]))
                grown[: len(self._rows)] = self._rows
                self._rows = grown
            self._rows[row] = self._offset_rows(self._word_attrs(word, language))
            known[word] = row
            self._row_count += 1
        return row

    def _gaz_rows(self, tag: str) -> _Array:
        rows = self._gaz.get(tag)
        if rows is None:
            rows = self._gaz[tag] = self._offset_rows(self._gaz_attrs(tag))
        return rows

    def _position_row(self, before: int, after: int) -> _Array:
        key = (min(before, self._reach), min(after, self._reach))
        row = self._position.get(key)
        if row is None:
            row = self._position[key] = self._sum(self._position_attrs(*key))
        return row

    # -- scoring -------------------------------------------------------------------------

    def _position_table(self) -> _Array:
        """Rows for every (before, after) pair up to the reach, as one array."""
        r = self._reach + 1
        return np.stack([np.stack([self._position_row(b, a) for a in range(r)]) for b in range(r)])

    def _inputs(
        self,
        sentences: Sequence[Sequence[str]],
        gaz: Sequence[Sequence[str]] | None,
        language: str | None,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp] | None]:
        """Each sentence's length, each token's word row and gazetteer row (None without
        gazetteer tags): what both ways of summing the scores read."""
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.intp, count=len(sentences))
        total = int(lengths.sum())
        if self._row_count + total > _CACHE_LIMIT:  # forget, but never inside one call
            self._word_rows.clear()
            self._row_count = 0
        known = self._word_rows.get(language)
        if known is None:
            known = self._word_rows[language] = {}
        ids = np.array(self._ids(known, sentences, language), dtype=np.intp)
        if gaz is None:
            return lengths, ids, None
        tags = list(chain.from_iterable(gaz))
        if len(tags) < total:
            raise ValueError(f"{len(tags)} gazetteer tags for {total} tokens")
        gids = list(map(self._gaz_ids.get, tags[:total]))
        for k in _missing(gids):
            gids[k] = self._gaz_id(tags[k])
        return lengths, ids, np.array(gids, dtype=np.intp)

    def emissions(
        self,
        sentences: Sequence[Sequence[str]],
        gaz: Sequence[Sequence[str]] | None,
        language: str | None = None,
    ) -> tuple[_Array, npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """State scores of all tokens of all sentences (flat, tokens × labels), with each
        token's sentence number and position in it: a fixed number of array operations
        per call, however many sentences (``_viterbi.emissions`` makes the same sums in
        C)."""
        lengths, ids, gids = self._inputs(sentences, gaz, language)
        total = len(ids)
        sid = np.repeat(np.arange(len(sentences)), lengths)
        starts = np.cumsum(lengths) - lengths
        pos = np.arange(total) - starts[sid]
        after = lengths[sid] - 1 - pos
        out = self._positions()[np.minimum(pos, self._reach), np.minimum(after, self._reach)]
        rows = self._rows[ids]  # tokens × offsets × labels
        grows = self._gaz_table[gids] if gids is not None else None
        for k, d in enumerate(self.offsets):
            lo, hi = max(0, -d), total - max(0, d)
            if lo >= hi:
                continue
            same = (sid[lo + d : hi + d] == sid[lo:hi])[:, None]
            add = rows[lo + d : hi + d, k]
            if grows is not None:
                add = add + grows[lo + d : hi + d, k]
            out[lo:hi] += np.where(same, add, 0.0)
        return out, sid, pos

    def _emissions_compiled(
        self,
        sum_scores: Callable[..., None],
        sentences: Sequence[Sequence[str]],
        gaz: Sequence[Sequence[str]] | None,
        language: str | None,
    ) -> tuple[_Array, npt.NDArray[np.intp]]:
        """`emissions` summed in C (the same sums in the same order), and the lengths."""
        lengths, ids, gids = self._inputs(sentences, gaz, language)
        out = np.empty((len(ids), len(self.labels)))
        sum_scores(
            self._rows,
            ids,
            self._gaz_table,
            gids if gids is not None else ids,
            gids is not None,
            self._positions(),
            lengths,
            self._offset_array,
            out,
        )
        return out, lengths

    def _positions(self) -> _Array:
        if self._table is None:
            self._table = self._position_table()
        return self._table

    def _ids(
        self, known: dict[str, int], sentences: Sequence[Sequence[str]], language: str | None
    ) -> list[int | None]:
        """The row of each token, in order: looked up by `map` for all (most words are
        known), then made for the words seen for the first time."""
        flat = list(chain.from_iterable(sentences))
        ids = list(map(known.get, flat))
        for k in _missing(ids):
            ids[k] = self._word_row(flat[k], language)
        return ids

    def _gaz_id(self, tag: str) -> int:
        gid = self._gaz_ids.get(tag)
        if gid is None:
            gid = self._gaz_ids[tag] = len(self._gaz_ids)
            self._gaz_table = np.concatenate([self._gaz_table, self._gaz_rows(tag)[None]])
        return gid

    def tag_many(
        self,
        sentences: Sequence[Sequence[str]],
        gaz: Sequence[Sequence[str]] | None = None,
        language: str | None = None,
    ) -> list[list[str]]:
        """Viterbi labels for several sentences at once (one step per position)."""
        if not sentences:
            return []
        labels = self.labels
        if self._compiled is not None:
            if self._compiled_sums is not None:
                flat, lengths_c = self._emissions_compiled(
                    self._compiled_sums, sentences, gaz, language
                )
            else:
                flat = self.emissions(sentences, gaz, language)[0]
                lengths_c = np.fromiter((len(s) for s in sentences), np.intp, len(sentences))
            best = np.empty(len(flat), dtype=np.intp)
            back = np.empty(flat.shape, dtype=np.intp)
            self._compiled(flat, lengths_c, self._trans, best, back)
            out: list[list[str]] = []
            start = 0
            for n in lengths_c.tolist():
                out.append([labels[j] for j in best[start : start + n].tolist()])
                start += n
            return out
        flat, sid, pos = self.emissions(sentences, gaz, language)
        lengths = np.array([len(s) for s in sentences])
        width = max(1, int(lengths.max()))
        n_labels = len(self.labels)
        count = len(sentences)
        scores = np.zeros((count, width, n_labels))
        scores[sid, pos] = flat
        delta = scores[:, 0].copy()
        back = np.empty((width, count, n_labels), dtype=np.intp)
        back[0] = np.arange(n_labels)
        keep = np.broadcast_to(np.arange(n_labels), (count, n_labels))
        trans = self._trans[None]
        for t in range(1, width):
            cand = delta[:, :, None] + trans  # sentence × from-label × to-label
            best = cand.argmax(axis=1)
            value = cand.max(axis=1)
            value += scores[:, t]
            if t < int(lengths.min()):  # every sentence still running
                delta = value
                back[t] = best
            else:
                active = (t < lengths)[:, None]
                delta = np.where(active, value, delta)
                back[t] = np.where(active, best, keep)
        path = np.empty((count, width), dtype=np.intp)
        path[:, -1] = delta.argmax(axis=1)
        rows = np.arange(count)
        for t in range(width - 1, 0, -1):
            path[:, t - 1] = back[t][rows, path[:, t]]
        return [[labels[j] for j in path[s, : lengths[s]]] for s in range(count)]

    def tag(
        self, tokens: Sequence[str], gaz: Sequence[str] | None = None, language: str | None = None
    ) -> list[str]:
        """Viterbi labels for one sentence."""
        if not tokens:
            return []
        return self.tag_many([tokens], [gaz] if gaz is not None else None, language)[0]
