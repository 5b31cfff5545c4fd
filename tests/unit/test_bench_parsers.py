"""bench/parsers.py: every parser builds a tree of the same page and the table compares them."""

from __future__ import annotations

from bench.parsers import PARSERS, measure, table


def test_each_parser_reads_the_page_and_lexbor_is_the_baseline() -> None:
    pages = [b"<html><head><title>T</title></head><body><p>a <b>b</b></p></body></html>"] * 3
    ms = measure(pages, rounds=1)
    assert set(ms) == set(PARSERS)
    assert all(len(times) == len(pages) for times in ms.values())
    out = table({name: [t + 0.001 for t in times] for name, times in ms.items()})
    assert "| lexbor (selectolax) | 3 |" in out
    assert out.count("\n") == len(PARSERS) + 1
