"""The NER corpus readers and scoring helpers that bench/entities.py and training share.

Why: a wrong tag mapping or a leaky split silently moves every reported F1; these pin
the rules on tiny inline samples, plus one check against the real files when present.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bench.entities import Score, below_floors, predicted_token_spans, score_sentences
from bench.nercorpus import (
    ANERCORP_CLASSES,
    AQMAR_CLASSES,
    ARMAN_CLASSES,
    CORPORA,
    NEWSFANE_CLASSES,
    Sentence,
    char_to_token_span,
    coarse_tag,
    iob_spans,
    is_dev,
    read_conll,
    repair_iob,
    token_offsets,
)

NER_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "ner"


@pytest.mark.parametrize(
    ("raw", "classes", "expected"),
    [
        ("B-PERS", ANERCORP_CLASSES, "B-PER"),
        ("B-ERS", ANERCORP_CLASSES, "B-PER"),
        ("I-PRG", ANERCORP_CLASSES, "I-ORG"),
        ("B-PERs", ANERCORP_CLASSES, "B-PER"),
        ("IPERS", ANERCORP_CLASSES, "I-PER"),
        ("i-misc", ANERCORP_CLASSES, "O"),
        ("B-MISC", ANERCORP_CLASSES, "O"),
        ("o", ANERCORP_CLASSES, "O"),
        (".O", ANERCORP_CLASSES, "O"),
        ("I--ORG", AQMAR_CLASSES, "I-ORG"),
        ("B-MIS1", AQMAR_CLASSES, "O"),
        ("OO", AQMAR_CLASSES, "O"),
        ("B-pers", ARMAN_CLASSES, "B-PER"),
        ("I-loc", ARMAN_CLASSES, "I-LOC"),
        ("B-fac", ARMAN_CLASSES, "O"),
        ("B-event", ARMAN_CLASSES, "O"),
        ("B-Politician", NEWSFANE_CLASSES, "B-PER"),
        ("B-Nation", NEWSFANE_CLASSES, "B-LOC"),
        ("I-Population-Center", NEWSFANE_CLASSES, "I-LOC"),
        ("B-Non-Governmental", NEWSFANE_CLASSES, "B-ORG"),
        ("B-Group", NEWSFANE_CLASSES, "O"),
        ("B-Building-Grounds", NEWSFANE_CLASSES, "O"),
    ],
)
def test_coarse_tag(raw: str, classes: dict[str, str], expected: str) -> None:
    assert coarse_tag(raw, classes) == expected


def test_repair_iob() -> None:
    assert repair_iob(["O", "I-PER", "I-PER", "I-LOC", "B-ORG", "I-ORG"]) == [
        "O",
        "B-PER",
        "I-PER",
        "B-LOC",
        "B-ORG",
        "I-ORG",
    ]
    assert repair_iob(["I-ORG"]) == ["B-ORG"]


def test_iob_spans() -> None:
    tags = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "O", "B-ORG"]
    assert iob_spans(tags) == [("PER", 0, 2), ("LOC", 3, 4), ("LOC", 4, 6), ("ORG", 7, 8)]
    assert iob_spans([]) == []
    assert iob_spans(["O", "O"]) == []


def test_read_conll_whitespace_and_cuts() -> None:
    lines = [
        "\u200eفلاديمير B-PERS\n",
        "بوتين I-PERS\n",
        "في O\n",
        "موسكو I-LOC\n",  # I- after O: starts a chunk
        ". O\n",
        "B-PERS رئيسي \n",  # tag and token swapped in the source
        "BBC O\n",  # a Latin token that looks like a B- tag stays a token
    ]
    sents = list(read_conll(lines, ANERCORP_CLASSES, cut_at_punctuation=True))
    assert [s.tokens for s in sents] == [
        ("فلاديمير", "بوتين", "في", "موسكو", "."),
        ("رئيسي", "BBC"),
    ]
    assert sents[0].spans == [("PER", 0, 2), ("LOC", 3, 4)]
    assert sents[1].tags == ("B-PER", "O")


def test_read_conll_tabs_and_blank_lines() -> None:
    lines = [
        "\u200eإيران\tB-Nation\n",
        "\u200eو\tO\n",
        "\n",
        "\n",
        "\u200eطهران\tB-Population-Center\n",
    ]
    sents = list(read_conll(lines, NEWSFANE_CLASSES, sep="\t"))
    assert [s.tokens for s in sents] == [("إيران", "و"), ("طهران",)]
    assert [s.spans for s in sents] == [[("LOC", 0, 1)], [("LOC", 0, 1)]]


def test_dev_split_rule() -> None:
    texts = [f"جملة رقم {i}" for i in range(400)]
    dev = [t for t in texts if is_dev(t)]
    assert all(int(hashlib.sha1(t.encode()).hexdigest(), 16) % 10 == 0 for t in dev)
    assert 15 <= len(dev) <= 70  # about a tenth
    assert is_dev(dev[0]) and is_dev(dev[0])  # deterministic
    sent = Sentence(tuple(dev[0].split(" ")), ("O",) * 3)
    assert sent.text == dev[0]


def test_offsets_and_char_to_token() -> None:
    tokens = ["وبوتين", "زار", "طهران"]
    offsets = token_offsets(tokens)
    text = " ".join(tokens)
    assert [text[s:e] for s, e in offsets] == tokens
    assert char_to_token_span(1, 6, offsets) == (0, 1)  # clitic left outside: still token 0
    assert char_to_token_span(0, len(text), offsets) == (0, 3)
    assert char_to_token_span(11, 16, offsets) == (2, 3)
    assert char_to_token_span(6, 7, offsets) is None  # only the space
    assert char_to_token_span(3, 3, offsets) is None
    assert char_to_token_span(5, 9, offsets) == (0, 2)  # straddles two tokens


def test_scoring_is_span_exact() -> None:
    sent = Sentence(("فلاديمير", "بوتين", "في", "موسكو"), ("B-PER", "I-PER", "O", "B-LOC"))
    pred = predicted_token_spans(sent, [("PER", 9, 14), ("LOC", 18, 23), ("LOC", 18, 23)])
    assert pred == {("PER", 1, 2), ("LOC", 3, 4)}

    def system(text: str, language: str) -> list[tuple[str, int, int]]:
        return [("PER", 9, 14), ("LOC", 18, 23)]

    score: Score = score_sentences(system, [sent], "ar")
    d = score.as_dict()
    assert (d["PER"]["tp"], d["PER"]["fp"], d["PER"]["fn"]) == (0, 1, 1)
    assert d["LOC"]["f1"] == 1.0
    assert d["micro"]["precision"] == 0.5 and d["micro"]["recall"] == 0.5


@pytest.mark.skipif(not NER_DIR.is_dir(), reason="../shared/ner not present")
@pytest.mark.parametrize(
    ("name", "tokens"),
    [("anercorp", 125_278), ("newsfane", 140_000), ("aqmar", 73_853), ("arman", 166_000)],
)
def test_real_corpora(name: str, tokens: int) -> None:
    corpus = CORPORA[name]
    sents = corpus.read(NER_DIR)
    total = sum(len(s.tokens) for s in sents)
    assert abs(total - tokens) <= 0.02 * tokens
    dev = [s for s in sents if is_dev(s.text)]
    assert 0.07 * len(sents) <= len(dev) <= 0.13 * len(sents)
    assert {k for s in sents for k, _, _ in s.spans} == {"PER", "LOC", "ORG"}
    assert all(len(s.tokens) == len(s.tags) and s.tags == tuple(repair_iob(s.tags)) for s in sents)


def test_entity_floors_gate() -> None:
    results = {"corpora": {"anercorp": {"systems": {"layered": {"micro": {"f1": 0.84}}}}}}
    assert below_floors(results, {"anercorp": {"layered": 0.83}}) == []
    assert below_floors(results, {"anercorp": {"layered": 0.85}}) == [
        "anercorp/layered: 0.840 < 0.85"
    ]
    assert below_floors(results, {"arman": {"layered": 0.3}}) == [
        "arman/layered: not measured (floor 0.3)"
    ]


def test_entity_sample_counts_table_ids_only() -> None:
    from bench.entities_sample import linked

    assert linked("iso:US", "GPE") and linked("nf:kamala-harris", "PERSON")
    assert not linked("nf:person:cameron-brooksbank", "PERSON")
