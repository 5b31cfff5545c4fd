"""agents/metrics.py: Prometheus text from the counters, lag and readiness the worker has."""

from __future__ import annotations

from newsflow.agents.metrics import render

COUNTERS = {
    "by_stage": {"parse": {"ok": 40, "dead.charset": 1}, "sink": {"ok": 39, "unchanged": 1}},
    "by_source": {"crawler-a": {"parse.ok": 40, "parse.dead": 1}},
}
LAG = {
    "newsflow": {
        "total": 3,
        "partitions": [{"topic": "news.raw", "partition": 0, "committed": 7, "end": 10, "lag": 3}],
    }
}


def test_counters_lag_and_readiness_follow_prometheus_naming() -> None:
    text = render({"counters": COUNTERS}, LAG, {"ready": True}).decode()
    assert 'newsflow_stage_outcomes_total{error_kind="",outcome="ok",stage="parse"} 40.0' in text
    assert (
        'newsflow_stage_outcomes_total{error_kind="charset",outcome="dead",stage="parse"} 1.0'
        in text
    )
    assert (
        'newsflow_source_outcomes_total{outcome="dead",source="crawler-a",stage="parse"} 1.0'
        in text
    )
    assert (
        'newsflow_consumer_lag_messages{group="newsflow",partition="0",topic="news.raw"} 3.0'
        in text
    )
    assert "newsflow_ready 1.0" in text
    assert 'newsflow_pipeline_processes{ready="true"} 1.0' in text
    assert "# TYPE newsflow_stage_outcomes_total counter" in text


def test_a_source_that_did_not_answer_is_left_out_not_zeroed() -> None:
    state = {"ready": False, "processes": [{"ready": True}, {"ready": False}]}
    text = render(None, None, state).decode()
    assert "newsflow_stage_outcomes" not in text and "newsflow_consumer_lag" not in text
    assert "newsflow_ready 0.0" in text
    assert 'newsflow_pipeline_processes{ready="false"} 1.0' in text
