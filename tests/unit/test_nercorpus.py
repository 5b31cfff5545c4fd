"""The NER corpus readers, splits, leak check and scoring helpers that bench/entities.py
and training share.

Why: a wrong tag mapping or a leaky split silently moves every reported F1; these pin
the rules on tiny inline samples, plus checks against the real files when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.entities import (
    Score,
    below_floors,
    layered_system,
    predicted_token_spans,
    score_documents,
    score_sentences,
)
from bench.nercorpus import (
    ANERCORP_CLASSES,
    AQMAR_CLASSES,
    ARMAN_CLASSES,
    BLOCKS,
    CORPORA,
    DEV_BLOCK,
    NEWSFANE_CLASSES,
    PARSTWINER_CLASSES,
    PEYMA_CLASSES,
    UNER_CLASSES,
    Corpus,
    LeakError,
    Sentence,
    Source,
    aligned_block_ids,
    block_ids,
    char_to_token_span,
    check_leaks,
    coarse_tag,
    corpus_common_words,
    evaluation_sets,
    find_leaks,
    iob_spans,
    is_dev_block,
    leak_grams,
    legacy_sentence_split,
    normalized_tokens,
    read_conll,
    read_peyma,
    read_uner,
    repair_iob,
    token_offsets,
    training_sets,
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
        ("B-POG", PARSTWINER_CLASSES, "B-ORG"),
        ("I-POG", PARSTWINER_CLASSES, "I-ORG"),
        ("B-EVE", PARSTWINER_CLASSES, "O"),
        ("B-NAT", PARSTWINER_CLASSES, "O"),
        ("B-PER", PARSTWINER_CLASSES, "B-PER"),
        ("B-LOC", UNER_CLASSES, "B-LOC"),
        ("I-ORG", UNER_CLASSES, "I-ORG"),
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


def test_read_peyma() -> None:
    lines = [
        "کرج|B_LOC\n",
        "دومین|O\n",
        "\n",
        "محیط|B_ORG\n",
        "زیست|I_ORG\n",
        "شیرابه های|O\n",  # a space inside a token stays
        "||O\n",  # the token is a bar
        "1398|B_DAT\n",
        "حسن|B_PER\n",
        "روحانی|I_PER\n",
    ]
    sents = list(read_peyma(lines, PEYMA_CLASSES))
    assert [s.tokens for s in sents] == [
        ("کرج", "دومین"),
        ("محیط", "زیست", "شیرابه های", "|", "1398", "حسن", "روحانی"),
    ]
    assert sents[0].spans == [("LOC", 0, 1)]
    assert sents[1].spans == [("ORG", 0, 2), ("PER", 5, 7)]  # dates are O


def test_read_parstwiner_tabs() -> None:
    lines = ["حزب\tB-POG\n", "اعتدال\tI-POG\n", "ایرانی\tB-NAT\n", "\n", "تهران\tB-LOC\n"]
    sents = list(read_conll(lines, PARSTWINER_CLASSES, sep="\t"))
    assert [s.spans for s in sents] == [[("ORG", 0, 2)], [("LOC", 0, 1)]]


UNER_SAMPLE = """# newdoc id = doc-a
# sent_id = doc-a-0001
# text = I met Cameron Brooksbank in Tampa Bay.
1\tI\tO\t-\t-
2\tmet\tO\t-\t-
3\tCameron\tB-PER\t-\tann
4\tBrooksbank\tI-PER\t-\tann
5\tin\tO\t-\t-
6\tTampa\tB-LOC\t-\tann
7\tBay\tI-LOC\t-\tann
8\t.\tO\t-\t-

# sent_id = doc-a-0002
1\tThanks\tO\t-\t-

# newdoc id = doc-b
# sent_id = doc-b-0001
1-2\tdon't\t_\t-\t-
1\tdo\tO\t-\t-
2\tn't\tO\t-\t-
3\tcall\tO\t-\t-
4\tGoogle\tI-ORG\t-\tann
"""


def test_read_uner_documents() -> None:
    docs = list(read_uner(UNER_SAMPLE.splitlines(keepends=True), UNER_CLASSES))
    assert [[s.tokens for s in d] for d in docs] == [
        [("I", "met", "Cameron", "Brooksbank", "in", "Tampa", "Bay", "."), ("Thanks",)],
        [("do", "n't", "call", "Google")],  # the multiword-token range line is skipped
    ]
    assert docs[0][0].spans == [("PER", 2, 4), ("LOC", 5, 7)]
    assert docs[1][0].spans == [("ORG", 3, 4)]  # I- after O starts a chunk


def _sent(n: int, word: str = "w") -> Sentence:
    return Sentence(tuple(f"{word}{i}" for i in range(n)), ("O",) * n)


def test_block_ids_are_contiguous_and_close_at_document_ends() -> None:
    docs = [[_sent(700)] for _ in range(30)]
    ids = block_ids(docs, block_tokens=2000)
    assert ids == block_ids(docs, block_tokens=2000)  # stable
    assert ids == sorted(ids)  # contiguous: blocks never interleave
    assert ids[:4] == [0, 0, 0, 1]  # closes at the first document end past 2,000 tokens
    assert max(ids) == 9
    big = [[_sent(500), _sent(500), _sent(1500)], [_sent(10)], [_sent(10)]]
    assert block_ids(big, block_tokens=2000) == [0, 1, 1]  # a document is never cut
    assert [b for b in range(40) if is_dev_block(b)] == [DEV_BLOCK, DEV_BLOCK + 10, 27, 37]


def test_block_split_of_a_file(tmp_path: Path) -> None:
    lines = []
    for i in range(400):  # 400 sentences of 60 tokens: 34 sentences a block
        lines += [f"s{i}t{j} {'B-PER' if j == 0 else 'O'}\n" for j in range(60)] + ["\n"]
    (tmp_path / "c.txt").write_text("".join(lines), encoding="utf-8")
    from bench.nercorpus import _conll

    corpus = Corpus("toy", "ar", (Source("c.txt", BLOCKS),), {"PER": "PER"}, _conll(), True)
    assert corpus.parts == ("train", "dev") and corpus.evaluation_parts == ("dev",)
    train, dev = corpus.raw_part("train", tmp_path), corpus.raw_part("dev", tmp_path)
    every = corpus.read(tmp_path)
    assert len(train) + len(dev) == len(every) == 400
    assert not {s.tokens for s in train} & {s.tokens for s in dev}
    index = {s.tokens: i for i, s in enumerate(every)}
    dev_at = [index[s.tokens] for s in dev]
    assert dev_at == list(range(7 * 34, 8 * 34))  # block 7, one contiguous run
    texts = corpus.texts("dev", tmp_path)
    assert len(texts) == 1 and texts[0] == dev  # the dev block read as one text
    with pytest.raises(ValueError, match="no 'test' part"):
        corpus.raw_part("test", tmp_path)


def test_aligned_blocks_follow_the_reference_text() -> None:
    words = [f"word{i}" for i in range(3000)]
    reference = [[Sentence(tuple(words[i : i + 100]), ("O",) * 100)] for i in range(0, 3000, 100)]
    ref_blocks = block_ids(reference, block_tokens=1000)  # 10 sentences a block
    # the same text cut into other sentences, with a few tokens of its own
    copy = [[Sentence((*words[i : i + 150], "extra"), ("O",) * 151)] for i in range(0, 3000, 150)]
    copy.insert(3, [Sentence(("unseen",) * 8, ("O",) * 8)])
    got = aligned_block_ids(copy, reference, ref_blocks)
    assert got[:3] == [0, 0, 0] and got[3] == 0  # no match: the block before it
    assert got[4] == 0 and got[8] == 1 and got[-1] == 2  # 450-600 → tokens in block 0


def _plain(text: str) -> Sentence:
    tokens = tuple(text.split(" "))
    return Sentence(tokens, ("O",) * len(tokens))


def test_leak_check_finds_shared_six_grams() -> None:
    train = {
        "a/train": [
            _plain("قال الامين العام للامم المتحده كوفي انان امس"),
            _plain("و في ان , , و في ."),  # trivial only
            Sentence(("Debra", "Perlingiere"), ("B-PER", "I-PER")),  # short, repeated
            _plain("nothing here is shared with the other side"),
        ]
    }
    evaluation = {
        "b/dev": [
            _plain("أعلن الأمين العام للأمم المتحدة كوفي أنان"),
            _plain("و في ان , , و في . ذلك"),
            Sentence(("Debra", "Perlingiere"), ("B-PER", "I-PER")),
        ]
    }
    common = {"و", "في", "ان"}
    leaks = find_leaks(train, evaluation, common)
    assert [(lk.train, lk.evaluation, lk.text.split()[0]) for lk in leaks] == [
        ("a/train", "b/dev", "قال"),  # same words once folded (أ/ا, ة/ه)
        ("a/train", "b/dev", "Debra"),
    ]
    assert leak_grams(normalized_tokens(train["a/train"][1]), common) == set()
    assert not find_leaks({"a/train": train["a/train"][3:]}, evaluation, common)


@pytest.mark.skipif(not NER_DIR.is_dir(), reason="../shared/ner not present")
def test_check_leaks_raises_loudly() -> None:
    anercorp = CORPORA["anercorp"]
    leaky = {"anercorp/dev as train": anercorp.sentences("dev", NER_DIR)[:50]}
    with pytest.raises(LeakError, match="share 6-grams with anercorp/dev"):
        check_leaks(leaky, root=NER_DIR)
    # NewsFANE repeats ANERcorp's text: without aligned blocks its train part would hold
    # ANERcorp's dev text
    with pytest.raises(LeakError, match="newsfane/legacy -> anercorp/dev"):
        check_leaks({"newsfane/legacy": legacy_sentence_split(CORPORA["newsfane"])["train"]})


@pytest.mark.skipif(not NER_DIR.is_dir(), reason="../shared/ner not present")
@pytest.mark.parametrize(
    ("name", "part", "tokens"),
    [
        ("anercorp", "dev", 13_480),
        ("newsfane", "dev", 15_059),
        ("aqmar", "dev", 6_048),
        ("parstwiner", "train", 207_990),
        ("parstwiner", "dev", 14_927),
        ("parstwiner", "test", 10_000),
        ("peyma", "dev", 26_806),
        ("arman", "all", 167_877),
        ("uner-en-ewt", "dev", 2_022),
        ("uner-en-ewt", "test", 25_097),
    ],
)
def test_real_corpora_parts(name: str, part: str, tokens: int) -> None:
    sents = CORPORA[name].raw_part(part, NER_DIR)
    assert sum(len(s.tokens) for s in sents) == tokens
    assert all(len(s.tokens) == len(s.tags) and s.tags == tuple(repair_iob(s.tags)) for s in sents)
    assert {k for s in sents for k, _, _ in s.spans} == {"PER", "LOC", "ORG"}


@pytest.mark.skipif(not NER_DIR.is_dir(), reason="../shared/ner not present")
def test_real_splits_hold_out_blocks_and_share_no_text() -> None:
    for corpus in CORPORA.values():
        if BLOCKS not in {s.part for s in corpus.sources}:
            continue
        (source,) = (s for s in corpus.sources if s.part == BLOCKS)
        docs = corpus.documents(source, NER_DIR)
        train, dev = corpus.raw_part("train", NER_DIR), corpus.raw_part("dev", NER_DIR)
        total = sum(len(s.tokens) for d in docs for s in d)
        share = sum(len(s.tokens) for s in dev) / total
        assert 0.07 <= share <= 0.13, corpus.name
        assert len(train) + len(dev) == sum(len(d) for d in docs)
    # every training part against every evaluation part: no shared 6-gram, and so no
    # sentence on both sides unless it is all punctuation, digits and common words
    assert check_leaks(root=NER_DIR) > 15_000
    common = corpus_common_words(NER_DIR)
    evaluation = {s.tokens for sents in evaluation_sets(NER_DIR).values() for s in sents}
    for name, sents in training_sets(NER_DIR).items():
        for sent in sents:
            if sent.tokens in evaluation:
                assert not leak_grams(normalized_tokens(sent), common), (name, sent.text)
    assert sum(len(c.dropped(NER_DIR)) for c in CORPORA.values() if "train" in c.parts) < 200
    with pytest.raises(ValueError, match="arman has no 'train' part"):
        CORPORA["arman"].sentences("train", NER_DIR)
    assert not CORPORA["arman"].shippable and not CORPORA["peyma"].shippable


@pytest.mark.skipif(not NER_DIR.is_dir(), reason="../shared/ner not present")
def test_legacy_sentence_split_is_the_old_one() -> None:
    legacy = legacy_sentence_split(CORPORA["anercorp"], NER_DIR)
    assert len(legacy["dev"]) == 400  # the README's old dev split
    assert len(legacy["train"]) + 400 == len(CORPORA["anercorp"].read(NER_DIR))


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


def test_documents_are_scored_per_sentence() -> None:
    doc = [
        Sentence(("فلاديمير", "بوتين"), ("B-PER", "I-PER")),
        Sentence(("في", "موسكو"), ("O", "B-LOC")),
    ]

    def system(text: str, language: str) -> list[tuple[str, int, int]]:
        assert text == "فلاديمير بوتين\nفي موسكو"
        # right, right, and one span across the line break (matches nothing)
        return [("PER", 0, 14), ("LOC", 18, 23), ("ORG", 9, 17)]

    d = score_documents(system, [doc], "ar").as_dict()
    assert (d["micro"]["tp"], d["micro"]["fp"], d["micro"]["fn"]) == (2, 1, 0)


def test_layered_rules_can_be_switched_off_for_measurement() -> None:
    text = "قال الرئيس الروسي فلاديمير بوتين في موسكو"
    assert layered_system(text, "ar") == layered_system(text, "ar", frozenset())
    assert layered_system(text, "ar", frozenset({"coref", "propagate"}))
    with pytest.raises(ValueError, match="unknown rules"):
        layered_system(text, "ar", frozenset({"no-such-rule"}))


def test_entity_floors_gate() -> None:
    results = {"corpora": {"anercorp/dev": {"systems": {"layered": {"micro": {"f1": 0.84}}}}}}
    assert below_floors(results, {"anercorp/dev": {"layered": 0.83}}) == []
    assert below_floors(results, {"anercorp/dev": {"layered": 0.85}}) == [
        "anercorp/dev/layered: 0.840 < 0.85"
    ]
    assert below_floors(results, {"arman/all": {"layered": 0.3}}) == [
        "arman/all/layered: not measured (floor 0.3)"
    ]


def test_entity_sample_counts_table_ids_only() -> None:
    from bench.entities_sample import linked

    assert linked("iso:US", "GPE") and linked("nf:kamala-harris", "PERSON")
    assert not linked("nf:person:cameron-brooksbank", "PERSON")
