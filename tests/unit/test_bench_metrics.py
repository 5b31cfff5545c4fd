"""bench/metrics.py: the benchmark's scoring must match its published definitions.

Hand-made cases pin the article-extraction-benchmark conventions (4-gram
shingles, normalised TP/FP/FN, empty-text rules, mean-then-F1 averaging), the
``\\w+`` tokenisation on Arabic and Persian text, day comparison across UTC
offsets, and what the exact and relaxed title/byline matches forgive.
"""

from __future__ import annotations

import pytest

from bench import metrics as m

TEXT = "the quick brown fox jumps over the lazy dog"  # 9 tokens: 6 shingles of 4


# --- tokenisation and shingles ------------------------------------------------


def test_tokenize_keeps_case_and_drops_punctuation() -> None:
    assert m.tokenize("Hello, World! It's 2024.") == ["Hello", "World", "It", "s", "2024"]
    assert m.tokenize(None) == []


def test_tokenize_arabic_words_and_digits() -> None:
    assert m.tokenize("دمشق، سوريا (CNN) -- أكدت جهات") == ["دمشق", "سوريا", "CNN", "أكدت", "جهات"]
    # Arabic-Indic digits are word characters
    assert m.tokenize("في ١٩/٠٣/٢٠٢٤") == ["في", "١٩", "٠٣", "٢٠٢٤"]


def test_tokenize_arabic_diacritics_and_persian_zwnj_split_words() -> None:
    """Combining marks and ZWNJ are not \\w: the benchmark's regex splits there, on both sides."""
    assert m.tokenize("يُشعل") == ["ي", "شعل"]
    assert m.tokenize("می\u200cشود") == ["می", "شود"]
    assert m.tokenize("خبرگزاری مهر") == ["خبرگزاری", "مهر"]


def test_shingles_are_four_token_windows_counted_as_multiset() -> None:
    s = m.shingles(TEXT)
    assert sum(s.values()) == 6
    assert s[("the", "quick", "brown", "fox")] == 1
    assert sum(m.shingles("a b c d a b c d").values()) == 5
    assert m.shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2


def test_short_text_gives_one_shorter_shingle_and_empty_text_none() -> None:
    assert m.shingles("two words") == {("two", "words"): 1}
    assert m.shingles("") == {}
    assert m.shingles("  ,;  ") == {}


# --- per-page TP/FP/FN and scores ----------------------------------------------


def test_identical_texts_score_one() -> None:
    tp, fp, fn = m.shingle_tp_fp_fn(TEXT, TEXT)
    assert (tp, fp, fn) == (1.0, 0.0, 0.0)
    assert m.page_f1(TEXT, TEXT) == 1.0


def test_counts_are_normalised_to_sum_one() -> None:
    pred = TEXT + " and runs away"  # 3 extra shingles
    tp, fp, fn = m.shingle_tp_fp_fn(TEXT, pred)
    assert tp + fp + fn == pytest.approx(1.0)
    assert (tp, fp, fn) == pytest.approx((6 / 9, 3 / 9, 0.0))
    assert m.precision_score(tp, fp, fn) == pytest.approx(6 / 9)
    assert m.recall_score(tp, fp, fn) == 1.0


def test_case_matters_like_in_the_benchmark() -> None:
    assert m.page_f1("The Quick Brown Fox", "the quick brown fox") == 0.0


def test_empty_prediction_scores_zero_recall_and_is_skipped_for_precision() -> None:
    tp_fp_fn = m.shingle_tp_fp_fn(TEXT, "")
    assert tp_fp_fn == (0.0, 0.0, 1.0)
    assert m.recall_score(*tp_fp_fn) == 0.0
    assert m.precision_score(*tp_fp_fn) == 0.0
    score = m.aggregate_body([tp_fp_fn, m.shingle_tp_fp_fn(TEXT, TEXT)])
    assert score.recall == pytest.approx(0.5)  # both pages count for recall
    assert score.precision == 1.0  # only the non-empty prediction counts
    assert score.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert score.empty_predictions == 1


def test_empty_truth_is_skipped_for_recall() -> None:
    tp_fp_fn = m.shingle_tp_fp_fn("", TEXT)
    assert tp_fp_fn == (0.0, 1.0, 0.0)
    score = m.aggregate_body([tp_fp_fn, m.shingle_tp_fp_fn(TEXT, TEXT)])
    assert score.precision == pytest.approx(0.5)
    assert score.recall == 1.0


def test_both_empty_is_perfect_per_page_but_excluded_from_both_means() -> None:
    tp_fp_fn = m.shingle_tp_fp_fn("", None)
    assert tp_fp_fn == (0.0, 0.0, 0.0)
    assert m.precision_score(*tp_fp_fn) == m.recall_score(*tp_fp_fn) == 1.0
    half = m.shingle_tp_fp_fn(TEXT, "the quick brown fox jumps")  # 2 of 6 shingles, no extra
    score = m.aggregate_body([tp_fp_fn, half])
    assert score.precision == 1.0
    assert score.recall == pytest.approx(2 / 6)


def test_corpus_f1_is_harmonic_mean_of_mean_precision_and_mean_recall() -> None:
    """Not the mean of page F1s: the two differ on these two pages."""
    long_pred = TEXT + " " + " ".join(f"w{i}" for i in range(12))  # P 6/18, R 1
    short_pred = "the quick brown fox jumps"  # P 1, R 2/6
    pairs = [(TEXT, long_pred), (TEXT, short_pred)]
    score = m.score_bodies(pairs)
    assert score.precision == pytest.approx((6 / 18 + 1) / 2)
    assert score.recall == pytest.approx((1 + 2 / 6) / 2)
    assert score.f1 == pytest.approx(m.harmonic(score.precision, score.recall))
    mean_page_f1 = (m.page_f1(*pairs[0]) + m.page_f1(*pairs[1])) / 2
    assert score.f1 != pytest.approx(mean_page_f1)


def test_aggregate_of_nothing_is_zero_not_an_error() -> None:
    assert m.aggregate_body([]) == m.BodyScore(0.0, 0.0, 0.0, 0, 0)


def test_arabic_body_scores() -> None:
    gold = "أكدت جهات سورية معارضة أن فصائل مسلحة معارضة تمكنت من السيطرة على مستودعات"
    assert m.page_f1(gold, gold) == 1.0
    pred = gold + " إضافة تعليق جديد"
    tp, fp, fn = m.shingle_tp_fp_fn(gold, pred)
    assert fn == 0.0 and fp > 0
    assert m.recall_score(tp, fp, fn) == 1.0


# --- titles -------------------------------------------------------------------


def test_title_exact_normalises_whitespace_only() -> None:
    assert m.title_exact("  Nach  Kalifat-Rufen\n in Hamburg ", "Nach Kalifat-Rufen in Hamburg")
    assert m.title_exact("a\u00a0b", "a b")  # NBSP is whitespace
    assert not m.title_exact("nach kalifat-rufen", "Nach Kalifat-Rufen")
    assert not m.title_exact('"شعر وردي" يُشعل', "شعر وردي يُشعل")
    assert m.title_exact(None, "")


def test_title_relaxed_forgives_case_punctuation_and_site_suffix() -> None:
    gold = "West Ham hrozí gigantům, okouzlil i Linekera"
    assert m.title_relaxed("west ham hrozí gigantům okouzlil i linekera", gold)
    assert m.title_relaxed(gold + " | Aktuálně.cz", gold)
    assert m.title_relaxed("Kenia: " + gold, gold)  # a leading kicker
    assert m.title_relaxed('"شعر وردي يُشعل السخرية"… لغز', "شعر وردي يُشعل السخرية… لغز")


def test_title_relaxed_rejects_fragments_and_other_titles() -> None:
    gold = "What's next for Gaza, after Yahya Sinwar's appointment as Hamas political head?"
    assert not m.title_relaxed("Gaza", gold)
    assert not m.title_relaxed("CBC News", gold)
    assert not m.title_relaxed(None, gold)
    assert m.title_relaxed(None, None)


# --- dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pred", "gold", "same"),
    [
        ("2024-05-03T15:47:42+00:00", "2024-05-03 15:47:42.389000+00:00", True),
        ("2024-05-03", "2024-05-03 15:47:42.389000+00:00", True),  # htmldate: a bare day
        # the same instant written in another offset: compared in the gold's offset
        ("2024-05-04T01:30:00+02:00", "2024-05-03 23:30:00+00:00", True),
        ("2024-05-03T23:30:00-02:00", "2024-05-04T01:30:00+00:00", True),
        # a different instant that merely shares a local calendar date
        ("2024-05-03T23:30:00-05:00", "2024-05-03 12:00:00+00:00", False),
        # naive on either side: each side's own day
        ("2018-04-05T22:00:00-04:00", "2018-04-05T06:00", True),
        ("2021-11-01T00:30:00+01:00", "2021-11-01T10:52:50+0100", True),
        ("2019-10-18T17:23:34.816Z", "2019-10-18", True),
        ("2020-02-18", "2020-02-19", False),
        # null gold = the page has no date: only a null prediction is right
        (None, None, True),
        ("", None, True),
        ("2020-02-19", None, False),
        (None, "2020-02-19", False),
        ("not a date", "2020-02-19", False),
    ],
)
def test_same_day(pred: str | None, gold: str | None, same: bool) -> None:
    assert m.same_day(pred, gold) is same


# --- authors and bylines ------------------------------------------------------


def test_author_sets() -> None:
    assert m.author_sets(["Anna Fink", "birgit  baumann"], ["Birgit Baumann", "Anna Fink"]) == (
        True,
        1.0,
    )
    same, f1 = m.author_sets(["Anna Fink"], ["Birgit Baumann", "Anna Fink"])
    assert not same and f1 == pytest.approx(2 / 3)
    assert m.author_sets([], []) == (True, 1.0)
    assert m.author_sets(["X"], []) == (False, 0.0)


def test_byline_match() -> None:
    assert m.byline_match("Scott Cunningham", "By\n\t\t\tScott Cunningham") == (True, True)
    assert m.byline_match("Aleš Vávra před", "Aleš Vávra") == (False, True)
    assert m.byline_match("Michiel de Jong", "Jong, Michiel de") == (False, True)
    assert m.byline_match(None, "Daniel Kahn Gillmor") == (False, False)
    assert m.byline_match("Someone Else", "Daniel Kahn Gillmor") == (False, False)


def test_snippet_hits_normalise_whitespace() -> None:
    body = "منذ  بدء\nالأزمة في كل المجالات"
    assert m.snippet_hits(body, ["منذ بدء", "كل المجالات", "كورونا يقتل"]) == 2
    assert m.snippet_hits(None, ["x"]) == 0
