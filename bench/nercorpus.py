"""Readers, splits and a leak check for the labelled named-entity corpora in ``../shared/ner``
(dev tooling only).

Why here and not in ``newsflow``: the corpora are measuring and training material, never
read at run time, and some of them (ArmanPersoNER, PEYMA) may not ship in any form. The
benchmark (``bench/entities.py``) and the training script (``scripts/train_tagger.py``)
import this module, so the tag mapping, the splits and the leak check are defined once.

Using it
--------
::

    from bench.nercorpus import CORPORA, check_leaks

    corpus = CORPORA["parstwiner"]
    corpus.parts                       # ("train", "dev", "test")
    corpus.sentences("train")          # list[Sentence]; tags coarse IOB over PER/LOC/ORG
    corpus.shippable                   # may a shipped model be trained on it?
    check_leaks()                      # raises LeakError if training text is in evaluation text

Parts
-----
Every corpus has named parts, each a list of :class:`Sentence`. Only a part named
``train`` may be trained on, and only when the corpus is :attr:`Corpus.shippable` for a
shipped model; tune against ``dev`` parts; ``test`` (and ``all``) are only reported.

============  ====  ======================================================  ============
corpus        lang  parts                                                   use
============  ====  ======================================================  ============
anercorp      ar    train / dev: contiguous blocks of its one file          may ship
newsfane      ar    train / dev: ANERcorp's blocks (it repeats its text)    may ship
aqmar         ar    train / dev: contiguous blocks                          may ship
parstwiner    fa    train, dev, test: the official files                    may ship
peyma         fa    dev: the whole file (the distribution's dev part)       measure only
arman         fa    all: the whole file                                     measure only
uner-en-ewt   en    train / dev: blocks of the dev file (by document);      may ship
                    test: the test file
============  ====  ======================================================  ============

The block split (:func:`block_ids`): a file is read in order and cut into contiguous
blocks of at least :data:`BLOCK_TOKENS` (2,000) tokens, closed at the first sentence end,
or where the corpus marks documents (UNER's ``# newdoc``) at the first document end, so a
document never straddles two blocks; block ``i`` is dev when ``i % 10 ==``
:data:`DEV_BLOCK` (7), every other block is train. Why blocks and not sentences: the
news corpora run article after article, and a split by sentence put sentences of the same
article, and so the same names, on both sides (:func:`legacy_sentence_split` keeps that
split for the one comparison that shows by how much). ANERcorp, NewsFANE and AQMAR mark
no article boundaries, so the two articles at a dev block's edges may be shared with
training. NewsFANE is ANERcorp's text annotated again (3,457 of its 3,957 sentences
share a 6-gram with ANERcorp, in the same order): each of its sentences takes the block
of the ANERcorp text it repeats (:func:`aligned_block_ids`), so the same text is on the
same side in both.

Leaks (:func:`check_leaks`): a ``train`` part is its train blocks (or file) less every
sentence that shares a folded 6-gram (:func:`leak_grams`: punctuation, digits and the
100 most frequent words of the language alone do not count; a sentence shorter than six
tokens counts whole) with any evaluation part of any corpus: 165 sentences in all, such
as email signatures repeated across UNER's dev and test, re-posted tweets across
ParsTwiNER's official parts, set phrases of news ("الأمين العام للأمم المتحدة كوفي أنان"),
NewsFANE/ANERcorp sentences cut differently at a block edge (:meth:`Corpus.dropped` lists
them). :func:`check_leaks` then raises :class:`LeakError` if any training sentence still
shares one; the training script runs it on exactly what it trains on, the benchmark on
every training part before it scores.

Conventions
-----------
* Tags are coarse IOB tags over ``PER``, ``LOC`` (GPE folded in) and ``ORG``; every other
  class becomes ``O``, because the corpora disagree on what the other classes mean (MISC,
  products, facilities, events, nationalities...) and the extractor does not produce them.
* Tags are repaired the way conlleval reads them: an ``I-X`` that does not continue an
  ``X`` chunk starts one (``B-X``), so spans are well formed whatever the source did.
* Spans are CoNLL-style exact spans ``(type, start, end)`` over token indices with
  ``end`` exclusive; a prediction counts only when type and both ends match.
* A sentence's text is its tokens joined by single spaces (:attr:`Sentence.text`).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from newsflow.core.normalize import normalize_for_matching

DEFAULT_NER_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "ner"
TYPES: tuple[str, ...] = ("PER", "LOC", "ORG")
SENTENCE_END: frozenset[str] = frozenset({".", "!", "?", "؟"})
BLOCK_TOKENS = 2000  # a block closes at the first sentence (document) end past this size
DEV_BLOCK = 7  # block i is dev when i % 10 == DEV_BLOCK: a fixed choice, never tuned
BLOCKS = "blocks"  # the part of a source file that is cut into train and dev blocks
PARTS: tuple[str, ...] = ("train", "dev", "test", "all")
# Bidirectional marks that some exports glue to tokens; they are not part of the word.
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")
# A chunk prefix, tolerant of the typos found in the files: lower case, a doubled
# hyphen, or no hyphen at all (``IPERS``).
_TAG_RE = re.compile(r"^([BI])-*([A-Z_][A-Z0-9_-]*)$", re.IGNORECASE)

Span = tuple[str, int, int]  # (type, first token, one past the last token)
Document = list["Sentence"]
# A reader turns a file's lines into documents (lists of sentences). A corpus that marks
# no documents gives one document per sentence, so a block may close after any sentence.
Reader = Callable[[Iterable[str], Mapping[str, str]], Iterator[Document]]


@dataclass(frozen=True)
class Sentence:
    """One sentence with coarse, repaired IOB tags (same length as ``tokens``)."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        """The text the extractor sees: tokens joined by single spaces."""
        return " ".join(self.tokens)

    @property
    def spans(self) -> list[Span]:
        """Gold spans of the sentence."""
        return iob_spans(self.tags)


# ---------------------------------------------------------------------------------------
# Tag mapping. Keys are upper-cased class names (the part after ``B-``/``I-``); a class
# missing from its corpus table maps to O.

ANERCORP_CLASSES: Mapping[str, str] = {
    "PERS": "PER",
    "PER": "PER",
    "ERS": "PER",  # typo seen as B-ERS
    "LOC": "LOC",
    "ORG": "ORG",
    "PRG": "ORG",  # typos seen as I-PRG, B-ORF, B-OEG
    "ORF": "ORG",
    "OEG": "ORG",
    # MISC and the unreadable B-LOCI-PERS fall through to O.
}

AQMAR_CLASSES: Mapping[str, str] = {
    "PER": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    # MIS0-MIS3 (and their malformed spellings, B-ENGLISH, B-SPANISH) fall through to O.
}

ARMAN_CLASSES: Mapping[str, str] = {
    "PERS": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    # fac, pro and event fall through to O: facilities, products and events are not
    # among the types measured.
}

PARSTWINER_CLASSES: Mapping[str, str] = {
    "PER": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    "POG": "ORG",  # parties, armed groups, dynasties: organisations
    # EVE (events) and NAT (nationalities) fall through to O.
}

PEYMA_CLASSES: Mapping[str, str] = {
    "PER": "PER",
    "LOC": "LOC",
    "ORG": "ORG",
    # DAT, TIM, MON, PCT (dates, times, money, percentages) fall through to O.
}

UNER_CLASSES: Mapping[str, str] = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}

NEWSFANE_CLASSES: Mapping[str, str] = {
    # People: the taxonomy splits persons by occupation; Police holds named officials
    # (chiefs of staff, ministers), so it is a person class too.
    "POLITICIAN": "PER",
    "ATHLETE": "PER",
    "ARTIST": "PER",
    "SCIENTIST": "PER",
    "BUSINESSPERSON": "PER",
    "LAWYER": "PER",
    "ENGINEER": "PER",
    "POLICE": "PER",
    "RELIGIOUS_PER": "PER",
    "OTHER_PER": "PER",
    # Group is nationalities and peoples (العرب, المسلمين), not named persons: O, as
    # CoNLL would put them in MISC.
    # Organisations.
    "GOVERNMENT": "ORG",
    "NON-GOVERNMENTAL": "ORG",
    "COMMERCIAL": "ORG",
    "EDUCATIONAL": "ORG",
    "MEDIA": "ORG",
    "SPORTS": "ORG",
    "RELIGIOUS_ORG": "ORG",
    "MEDICAL-SCIENCE": "ORG",
    "ENTERTAINMENT": "ORG",
    # Geo-political entities (countries, cities, provinces, districts, groupings of
    # states, continents): folded into LOC.
    "NATION": "LOC",
    "POPULATION-CENTER": "LOC",
    "STATE-OR-PROVINCE": "LOC",
    "COUNTY-OR-DISTRICT": "LOC",
    "GPE-CLUSTER": "LOC",
    "CONTINENT": "LOC",
    # Natural locations.
    "WATER-BODY": "LOC",
    "LAND-REGION-NATURAL": "LOC",
    # Everything else falls through to O: facilities (Building-Grounds, Airport, Path,
    # Plant, Subarea-Facility), vehicles (Air, Land, Water), weapons (Projectile,
    # Shooting), products (Book, Movie, Software, Hardware, Drug, Food).
}


def coarse_tag(raw: str, classes: Mapping[str, str]) -> str:
    """Map one source tag to ``O``, ``B-T`` or ``I-T`` with T in :data:`TYPES`."""
    match = _TAG_RE.match(raw.strip())
    if match is None:
        return "O"  # O, o, OO, .O and anything unreadable
    coarse = classes.get(match.group(2).upper())
    return f"{match.group(1).upper()}-{coarse}" if coarse else "O"


def repair_iob(tags: Sequence[str]) -> list[str]:
    """Make every chunk start with B-: an I-X after O or after another type becomes B-X."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def iob_spans(tags: Sequence[str]) -> list[Span]:
    """Exact spans of repaired IOB tags, in order."""
    spans: list[Span] = []
    start = -1
    kind = ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and not (tag.startswith("I-") and tag[2:] == kind):
            spans.append((kind, start, i))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and start < 0):
            start, kind = i, tag[2:]
    return spans


# ---------------------------------------------------------------------------------------
# Offsets


def token_offsets(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character offsets (start, end exclusive) of each token in ``" ".join(tokens)``."""
    offsets: list[tuple[int, int]] = []
    pos = 0
    for tok in tokens:
        offsets.append((pos, pos + len(tok)))
        pos += len(tok) + 1
    return offsets


def char_to_token_span(
    start: int, end: int, offsets: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    """Tokens touched by the character span [start, end), as (first, one past last).

    A span that covers only part of a token (a clitic left outside, a suffix cut off)
    still counts as covering that token: what is scored is the tokens it touches. None
    when it touches no token (only spaces, or out of range).
    """
    if end <= start or not offsets:
        return None
    ends = [e for _, e in offsets]
    first = bisect.bisect_right(ends, start)  # first token ending after `start`
    starts = [s for s, _ in offsets]
    last = bisect.bisect_left(starts, end)  # one past the last token starting before `end`
    return (first, last) if first < last else None


# ---------------------------------------------------------------------------------------
# Readers


def _is_tag(field: str) -> bool:
    return field.upper() in ("O", "OO") or _TAG_RE.match(field) is not None


def _split_line(line: str, sep: str | None) -> tuple[str, str] | None:
    """(token, raw tag) of one line; None for a blank line (a sentence break)."""
    parts = [p for p in line.translate(_BIDI_MARKS).strip().split(sep) if p.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0].strip(), "O"
    token, tag = " ".join(p.strip() for p in parts[:-1]), parts[-1].strip()
    if not _is_tag(tag) and _is_tag(parts[0].strip()):
        token, tag = " ".join(p.strip() for p in parts[1:]), parts[0].strip()  # swapped
    return token, tag


def _sentences(
    items: Iterable[tuple[str, str] | None],
    classes: Mapping[str, str],
    cut_at_punctuation: bool = False,
) -> Iterator[Sentence]:
    """Sentences from (token, raw tag) pairs, None marking a sentence break."""
    tokens: list[str] = []
    tags: list[str] = []

    def flush() -> Sentence | None:
        if not tokens:
            return None
        sent = Sentence(tuple(tokens), tuple(repair_iob(tags)))
        tokens.clear()
        tags.clear()
        return sent

    for item in items:
        if item is None:
            if (sent := flush()) is not None:
                yield sent
            continue
        tokens.append(item[0])
        tags.append(coarse_tag(item[1], classes))
        if cut_at_punctuation and item[0] in SENTENCE_END and (sent := flush()) is not None:
            yield sent
    if (sent := flush()) is not None:
        yield sent


def read_conll(
    lines: Iterable[str],
    classes: Mapping[str, str],
    *,
    sep: str | None = None,
    cut_at_punctuation: bool = False,
) -> Iterator[Sentence]:
    """Sentences of a token-per-line file.

    ``sep`` None splits on any whitespace, the last field being the tag (a token with a
    stray space keeps it); ``"\\t"`` for tab-separated files. With ``cut_at_punctuation``
    (for files without blank lines) a sentence also ends after a sentence-final
    punctuation token.
    """
    return _sentences((_split_line(line, sep) for line in lines), classes, cut_at_punctuation)


def read_peyma(lines: Iterable[str], classes: Mapping[str, str]) -> Iterator[Sentence]:
    """Sentences of PEYMA's ``token|TAG`` lines (tags ``B_PER``, ``I_ORG``...; a token may
    itself be ``|``, so the tag is what follows the last bar). Tokens keep the spaces the
    file has inside them (``شیرابه های``: the distribution wrote ZWNJ as a space)."""

    def items() -> Iterator[tuple[str, str] | None]:
        for line in lines:
            line = line.translate(_BIDI_MARKS).strip()
            if not line:
                yield None
                continue
            token, bar, tag = line.rpartition("|")
            if not bar or not token.strip():
                token, tag = line, "O"
            yield token.strip(), tag.strip().replace("_", "-", 1)

    return _sentences(items(), classes)


def read_uner(lines: Iterable[str], classes: Mapping[str, str]) -> Iterator[Document]:
    """Documents of a Universal NER ``.iob2`` file: ``index token tag - annotator``
    tab-separated columns, ``#`` comment lines, a document starting at each ``# newdoc``."""
    doc: Document = []
    tokens: list[str] = []
    tags: list[str] = []

    def end_sentence() -> None:
        if tokens:
            doc.append(Sentence(tuple(tokens), tuple(repair_iob(tags))))
            tokens.clear()
            tags.clear()

    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("#"):
            if line.startswith("# newdoc"):
                end_sentence()
                if doc:
                    yield doc
                doc = []
            continue
        cols = line.split("\t")
        if len(cols) < 3 or not line.strip():
            end_sentence()
            continue
        if not cols[0].isdigit():
            continue  # a multiword-token range (``1-2``) or an empty node (``1.1``)
        tokens.append(cols[1])
        tags.append(coarse_tag(cols[2], classes))
    end_sentence()
    if doc:
        yield doc


def _undocumented(read: Callable[[Iterable[str], Mapping[str, str]], Iterator[Sentence]]) -> Reader:
    """A reader for a corpus without document marks: every sentence is its own unit."""

    def documents(lines: Iterable[str], classes: Mapping[str, str]) -> Iterator[Document]:
        return ([s] for s in read(lines, classes))

    return documents


def _conll(sep: str | None = None, cut_at_punctuation: bool = False) -> Reader:
    return _undocumented(
        lambda lines, classes: read_conll(
            lines, classes, sep=sep, cut_at_punctuation=cut_at_punctuation
        )
    )


# ---------------------------------------------------------------------------------------
# Splits


def block_ids(documents: Sequence[Document], block_tokens: int = BLOCK_TOKENS) -> list[int]:
    """The block of each document: contiguous runs of documents, a block closing at the
    first document end once it holds ``block_tokens`` tokens or more (with one sentence
    per document, at the first sentence end)."""
    out: list[int] = []
    block = size = 0
    for doc in documents:
        out.append(block)
        size += sum(len(s.tokens) for s in doc)
        if size >= block_tokens:
            block, size = block + 1, 0
    return out


def is_dev_block(block: int) -> bool:
    """True for the held-out blocks: every tenth, starting with block :data:`DEV_BLOCK`."""
    return block % 10 == DEV_BLOCK


def normalized_tokens(sentence: Sentence) -> tuple[str, ...]:
    """The sentence's tokens as the gazetteer folds them (``normalize_for_matching``)."""
    return tuple(normalize_for_matching(t) for t in sentence.tokens)


def ngrams(tokens: Sequence[str], n: int = 6) -> Iterator[tuple[str, ...]]:
    """Every run of ``n`` consecutive tokens."""
    return (tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def aligned_block_ids(
    documents: Sequence[Document], reference: Sequence[Document], reference_blocks: Sequence[int]
) -> list[int]:
    """Blocks for a corpus that repeats another's text: each document takes the block of
    the reference text it repeats (the median position of its normalized 6-grams that
    occur once in the reference), else the block of the document before it (the first
    ones: of the first document that repeats something). So the same text, however each
    corpus annotated it, is on the same side of the split."""
    position_block: list[int] = []
    ref_tokens: list[str] = []
    for doc, block in zip(reference, reference_blocks, strict=True):
        for sent in doc:
            ref_tokens += normalized_tokens(sent)
            position_block += [block] * len(sent.tokens)
    first_at: dict[tuple[str, ...], int] = {}
    repeated: set[tuple[str, ...]] = set()
    for i, gram in enumerate(ngrams(ref_tokens)):
        if gram in first_at:
            repeated.add(gram)
        else:
            first_at[gram] = i
    found: list[int | None] = []
    for doc in documents:
        hits = sorted(
            first_at[g]
            for sent in doc
            for g in ngrams(normalized_tokens(sent))
            if g in first_at and g not in repeated
        )
        found.append(position_block[hits[len(hits) // 2]] if hits else None)
    known = [b for b in found if b is not None]
    fallback = known[0] if known else 0
    out: list[int] = []
    for got in found:
        if got is not None:
            fallback = got
        out.append(fallback)
    return out


def is_dev(text: str) -> bool:
    """LEGACY sentence split: sha1 of the sentence text ``mod 10 == 0``. Kept only for the
    comparison in :func:`legacy_sentence_split`; never train or tune with it."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 10 == 0


# ---------------------------------------------------------------------------------------
# Leak check

NGRAM = 6
# 6-grams made only of punctuation, digits and the language's most frequent words ("و
# في ان" runs, ", , ." runs) are not evidence of shared text; this many words per
# language, counted over every corpus of that language, are "most frequent".
COMMON_WORDS = 100


@dataclass(frozen=True)
class Leak:
    """A training sentence that shares a normalized 6-gram with evaluation text."""

    train: str  # name of the training set, e.g. "anercorp/train"
    evaluation: str  # name of the evaluation set, e.g. "newsfane/dev"
    text: str  # the training sentence
    gram: str  # one shared 6-gram, folded


class LeakError(RuntimeError):
    """Training text overlaps evaluation text: every score measured on it is optimistic."""


def common_words(sentences: Iterable[Sentence], k: int = COMMON_WORDS) -> frozenset[str]:
    """The ``k`` most frequent folded words (tokens with a letter) of the sentences."""
    counts = Counter(
        t for s in sentences for t in normalized_tokens(s) if any(c.isalpha() for c in t)
    )
    return frozenset(w for w, _ in counts.most_common(k))


def leak_grams(tokens: Sequence[str], common: Collection[str] = ()) -> set[tuple[str, ...]]:
    """Folded 6-grams of a sentence that count as shared text: all but those made only of
    tokens without a letter (punctuation, digits) and words in ``common``. A sentence
    shorter than six tokens is one gram of its own, so the same short sentence on both
    sides counts too."""
    trivial = [not any(c.isalpha() for c in t) or t in common for t in tokens]
    n = min(NGRAM, len(tokens))
    return {
        tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1) if not all(trivial[i : i + n])
    }


def find_leaks(
    train: Mapping[str, Sequence[Sentence]],
    evaluation: Mapping[str, Sequence[Sentence]],
    common: Collection[str] = (),
) -> list[Leak]:
    """Every (training sentence, evaluation set) pair sharing a 6-gram of
    :func:`leak_grams`, in input order."""
    where: dict[tuple[str, ...], list[str]] = {}
    for name, sents in evaluation.items():
        for sent in sents:
            for gram in leak_grams(normalized_tokens(sent), common):
                names = where.setdefault(gram, [])
                if name not in names:
                    names.append(name)
    leaks: list[Leak] = []
    for train_name, sents in train.items():
        for sent in sents:
            seen: set[str] = set()
            for gram in sorted(leak_grams(normalized_tokens(sent), common)):
                for eval_name in where.get(gram, ()):
                    if eval_name not in seen:
                        seen.add(eval_name)
                        leaks.append(Leak(train_name, eval_name, sent.text, " ".join(gram)))
    return leaks


def check_leaks(
    train: Mapping[str, Sequence[Sentence]] | None = None,
    evaluation: Mapping[str, Sequence[Sentence]] | None = None,
    root: Path = DEFAULT_NER_DIR,
) -> int:
    """Raise :class:`LeakError` when a training sentence shares a 6-gram with evaluation
    text; else return how many training sentences were checked.

    Defaults: every corpus's ``train`` part against every evaluation part of every corpus
    (:func:`training_sets`, :func:`evaluation_sets`), with :func:`corpus_common_words`."""
    train = training_sets(root) if train is None else train
    evaluation = evaluation_sets(root) if evaluation is None else evaluation
    leaks = find_leaks(train, evaluation, corpus_common_words(root))
    if leaks:
        pairs = Counter((leak.train, leak.evaluation) for leak in leaks)
        lines = [f"{n} sentence(s) of {t} share 6-grams with {e}" for (t, e), n in pairs.items()]
        lines += [f"  e.g. {leak.train} -> {leak.evaluation}: {leak.gram!r}" for leak in leaks[:5]]
        raise LeakError("training text overlaps evaluation text:\n" + "\n".join(lines))
    return sum(len(s) for s in train.values())


# ---------------------------------------------------------------------------------------
# Corpora


@dataclass(frozen=True)
class Source:
    """One file of a corpus and the part it is: a part name, or :data:`BLOCKS` (cut into
    ``train`` and ``dev`` blocks; with ``align_to``, by the blocks of that corpus's text
    it repeats, see :func:`aligned_block_ids`)."""

    path: str  # relative to the NER directory
    part: str
    align_to: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: the file caches are keyed by it
class Corpus:
    """One corpus: where its files are, how to read them, which parts they give."""

    name: str
    language: str  # BCP 47 base language, as ArticleDict["language"] carries it
    sources: tuple[Source, ...]
    classes: Mapping[str, str]
    reader: Reader
    shippable: bool  # may a shipped model be trained on its train part (licence)
    marks_documents: bool = False  # its reader gives real documents, not one per sentence

    @property
    def parts(self) -> tuple[str, ...]:
        """Its part names, in :data:`PARTS` order."""
        names = {p for s in self.sources for p in _parts_of(s)}
        return tuple(p for p in PARTS if p in names)

    @property
    def evaluation_parts(self) -> tuple[str, ...]:
        """Every part that is not training material."""
        return tuple(p for p in self.parts if p != "train")

    @property
    def path(self) -> str:
        """Its first file (relative to the NER directory)."""
        return self.sources[0].path

    def available(self, root: Path = DEFAULT_NER_DIR) -> bool:
        """True when every file of the corpus is under ``root``."""
        return all((root / s.path).is_file() for s in self.sources)

    def documents(self, source: Source, root: Path = DEFAULT_NER_DIR) -> list[Document]:
        """Documents of one of its files, in file order (read once per process)."""
        return list(_documents(self, source, root.resolve()))

    def blocks(self, source: Source, root: Path = DEFAULT_NER_DIR) -> list[int]:
        """The block of each document of a :data:`BLOCKS` file."""
        docs = self.documents(source, root)
        if source.align_to is None:
            return block_ids(docs)
        ref = CORPORA[source.align_to]
        (ref_source,) = (s for s in ref.sources if s.part == BLOCKS)
        return aligned_block_ids(
            docs, ref.documents(ref_source, root), ref.blocks(ref_source, root)
        )

    def read(self, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Every sentence of every file, whatever its part."""
        return [s for src in self.sources for doc in self.documents(src, root) for s in doc]

    def raw_part(self, part: str, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Sentences of one part as the split defines it; for ``train`` that includes the
        sentences :meth:`sentences` leaves out (see :meth:`dropped`)."""
        if part not in self.parts:
            raise ValueError(f"{self.name} has no {part!r} part (it has {', '.join(self.parts)})")
        out: list[Sentence] = []
        for src in self.sources:
            if src.part == BLOCKS and part in ("train", "dev"):
                docs = self.documents(src, root)
                for doc, block in zip(docs, self.blocks(src, root), strict=True):
                    if is_dev_block(block) == (part == "dev"):
                        out += doc
            elif src.part == part:
                out += [s for doc in self.documents(src, root) for s in doc]
        return out

    def sentences(self, part: str, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Sentences of one part; ValueError when the corpus has no such part.

        ``train`` leaves out every training sentence that shares a 6-gram
        (:func:`leak_grams`) with any evaluation part of any corpus (:meth:`dropped`), so
        training on it never sees evaluation text; that needs every corpus on disk."""
        if part != "train":
            return self.raw_part(part, root)
        return list(_decontaminated(self, root.resolve())[0])

    def dropped(self, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """Training sentences left out because they share a 6-gram with evaluation text."""
        return list(_decontaminated(self, root.resolve())[1])

    def texts(self, part: str, root: Path = DEFAULT_NER_DIR) -> list[list[Sentence]]:
        """An evaluation part as longer texts, in order: its documents where the corpus
        marks them; else the consecutive sentences of each dev block; else (a whole file
        of unmarked sentences) one sentence each."""
        if part not in self.evaluation_parts:
            raise ValueError(f"{self.name}: {part!r} is not one of its evaluation parts")
        out: list[list[Sentence]] = []
        for src in self.sources:
            docs = self.documents(src, root)
            if src.part == BLOCKS and part == "dev":
                previous = -1
                for doc, block in zip(docs, self.blocks(src, root), strict=True):
                    if not is_dev_block(block):
                        previous = -1
                        continue
                    if self.marks_documents or block != previous:
                        out.append([])
                    out[-1] += doc
                    previous = block
            elif src.part == part:
                out += [list(doc) for doc in docs]
        return out

    def load(self, part: str, root: Path = DEFAULT_NER_DIR) -> list[Sentence]:
        """:meth:`sentences`, but an empty list for a part the corpus lacks (for callers
        that walk every corpus's ``dev``)."""
        return self.sentences(part, root) if part in self.parts else []


def _parts_of(source: Source) -> tuple[str, ...]:
    return ("train", "dev") if source.part == BLOCKS else (source.part,)


@functools.cache
def _documents(corpus: Corpus, source: Source, root: Path) -> tuple[Document, ...]:
    with (root / source.path).open(encoding="utf-8") as fh:
        return tuple(corpus.reader(fh, corpus.classes))


CORPORA: dict[str, Corpus] = {
    c.name: c
    for c in (
        Corpus(
            "anercorp",
            "ar",
            (Source("anercorp-train.txt", BLOCKS),),
            ANERCORP_CLASSES,
            _conll(cut_at_punctuation=True),
            shippable=True,
        ),
        # NewsFANE is ANERcorp's text annotated again with other classes (3,457 of its
        # 3,957 sentences share a 6-gram with ANERcorp, in the same order): split by
        # ANERcorp's blocks, or one corpus's training text is the other's dev text.
        Corpus(
            "newsfane",
            "ar",
            (Source("newsfane/NewsFANE_Gold_2014_filtered.txt", BLOCKS, align_to="anercorp"),),
            NEWSFANE_CLASSES,
            _conll("\t"),
            shippable=True,
        ),
        Corpus(
            "aqmar",
            "ar",
            (Source("aqmar/AQMAR_Arabic_NER_corpus-1.0.txt", BLOCKS),),
            AQMAR_CLASSES,
            _conll(),
            shippable=True,
        ),
        Corpus(
            "parstwiner",
            "fa",
            (
                Source("parstwiner/train.txt", "train"),
                Source("parstwiner/dev.txt", "dev"),
                Source("parstwiner/test.txt", "test"),
            ),
            PARSTWINER_CLASSES,
            _conll("\t"),
            shippable=True,
        ),
        Corpus(
            "peyma",
            "fa",
            (Source("peyma/dev.txt", "dev"),),
            PEYMA_CLASSES,
            _undocumented(read_peyma),
            shippable=False,
        ),
        Corpus(
            "arman",
            "fa",
            (Source("arman/train_fold1.txt", "all"),),
            ARMAN_CLASSES,
            _conll(),
            shippable=False,
        ),
        Corpus(
            "uner-en-ewt",
            "en",
            (
                Source("uner-en-ewt/en_ewt-ud-dev.iob2", BLOCKS),
                Source("uner-en-ewt/en_ewt-ud-test.iob2", "test"),
            ),
            UNER_CLASSES,
            read_uner,
            shippable=True,
            marks_documents=True,
        ),
    )
}


def _require_all(root: Path) -> None:
    missing = [c.name for c in CORPORA.values() if not c.available(root)]
    if missing:
        raise FileNotFoundError(
            f"corpora missing under {root}: {', '.join(missing)} (the leak check and the "
            "training parts need every corpus's evaluation text)"
        )


def evaluation_sets(root: Path = DEFAULT_NER_DIR) -> dict[str, list[Sentence]]:
    """``{"corpus/part": sentences}`` for every evaluation part of every corpus."""
    _require_all(root)
    return {
        f"{c.name}/{p}": c.sentences(p, root) for c in CORPORA.values() for p in c.evaluation_parts
    }


def training_sets(root: Path = DEFAULT_NER_DIR) -> dict[str, list[Sentence]]:
    """``{"corpus/train": sentences}`` for every corpus with a train part."""
    return {
        f"{c.name}/train": c.sentences("train", root)
        for c in CORPORA.values()
        if "train" in c.parts
    }


@functools.cache
def corpus_common_words(root: Path = DEFAULT_NER_DIR) -> frozenset[str]:
    """:data:`COMMON_WORDS` most frequent words of each language's corpora, together."""
    _require_all(root)
    words: set[str] = set()
    for lang in sorted({c.language for c in CORPORA.values()}):
        words |= common_words(
            s for c in CORPORA.values() if c.language == lang for s in c.read(root)
        )
    return frozenset(words)


@functools.cache
def _evaluation_grams(root: Path) -> frozenset[tuple[str, ...]]:
    common = corpus_common_words(root)
    return frozenset(
        g
        for sents in evaluation_sets(root).values()
        for s in sents
        for g in leak_grams(normalized_tokens(s), common)
    )


@functools.cache
def _decontaminated(
    corpus: Corpus, root: Path
) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...]]:
    grams = _evaluation_grams(root)
    common = corpus_common_words(root)
    kept: list[Sentence] = []
    dropped: list[Sentence] = []
    for sent in corpus.raw_part("train", root):
        shared = not grams.isdisjoint(leak_grams(normalized_tokens(sent), common))
        (dropped if shared else kept).append(sent)
    return tuple(kept), tuple(dropped)


def legacy_sentence_split(
    corpus: Corpus, root: Path = DEFAULT_NER_DIR
) -> dict[str, list[Sentence]]:
    """LEGACY: the split used until issue 10, by a hash of each sentence (:func:`is_dev`),
    over the corpus's block-split file. It leaks (sentences of one article on both sides,
    and NewsFANE repeats ANERcorp's text); kept only to print the old and the new split
    side by side. Never train or tune on it."""
    parts: dict[str, list[Sentence]] = {"train": [], "dev": []}
    for src in corpus.sources:
        if src.part == BLOCKS:
            for doc in corpus.documents(src, root):
                for s in doc:
                    parts["dev" if is_dev(s.text) else "train"].append(s)
    return parts
