"""Consumer lag from committed and end offsets (the worker's /lag, without Kafka's tools)."""

from __future__ import annotations

from newsflow.kafka import PartitionLag, lag_rows


def test_lag_is_end_minus_committed_and_counts_from_the_log_start_before_any_commit() -> None:
    rows = lag_rows(
        committed={("news.raw", 0): 7, ("news.raw", 1): None},
        begins={("news.raw", 0): 0, ("news.raw", 1): 40, ("news.raw", 2): 3},
        ends={("news.raw", 0): 10, ("news.raw", 1): 45, ("news.raw", 2): 3},
    )
    assert rows == [
        PartitionLag("news.raw", 0, 7, 10, 3),
        PartitionLag("news.raw", 1, None, 45, 5),  # retention deleted 0..39: not lag
        PartitionLag("news.raw", 2, None, 3, 0),
    ]


def test_a_commit_past_the_end_is_no_negative_lag() -> None:
    (row,) = lag_rows({("t", 0): 12}, {("t", 0): 0}, {("t", 0): 10})
    assert row.lag == 0
