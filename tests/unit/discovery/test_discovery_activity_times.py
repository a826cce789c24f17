"""Waiting and service times per activity, on hand-made logs whose answers are known."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from tests.unit.discovery.logs import START, make_log

from rapport.discovery.activity_times import activity_times
from rapport.discovery.log import build_log
from rapport.discovery.performance import measure_performance

HOUR = 3600.0


def test_waiting_is_the_time_since_the_case_s_previous_event() -> None:
    log = make_log(
        [
            ("a", [("open", None, None, 0), ("answer", None, None, 2), ("close", None, None, 3)]),
            ("b", [("open", None, None, 0), ("answer", None, None, 4), ("close", None, None, 10)]),
        ]
    )
    rows, starts = activity_times(log)
    assert starts is False
    by = {r["activity"]: r for r in rows}
    assert by["answer"]["waiting_seconds"] == {"mean": 3 * HOUR, "median": 3 * HOUR,
                                               "p90": pytest.approx(3.8 * HOUR)}  # fmt: skip
    assert by["close"]["waiting_seconds"]["median"] == 3.5 * HOUR
    assert by["open"]["waiting_seconds"]["median"] is None  # nothing before a case's start
    assert by["answer"]["service_seconds"]["median"] is None
    assert measure_performance(log).service_times_known is False


def test_service_pairs_each_start_with_its_completion() -> None:
    events = [  # case, activity, lifecycle, hours
        ("a", "review", "start", 1), ("a", "review", "complete", 3),
        ("a", "review", "start", 5), ("a", "review", "complete", 6),
        ("a", "ship", "start", 8), ("a", "ship", "complete", 12),
        ("b", "review", "start", 0), ("b", "review", "complete", 4),
    ]  # fmt: skip
    frame = pl.DataFrame(
        {
            "case": [e[0] for e in events],
            "activity": [e[1] for e in events],
            "lifecycle:transition": [e[2] for e in events],
            "timestamp": [START + timedelta(hours=e[3]) for e in events],
            "resource": [None] * len(events),
        },
        schema_overrides={"resource": pl.String},
    )
    rows, starts = activity_times(build_log(frame, "lifecycle log"))
    assert starts is True
    by = {r["activity"]: r for r in rows}
    assert by["review"]["events"] == 3  # three starts
    # services 2 h, 1 h (case a) and 4 h (case b)
    assert by["review"]["service_seconds"]["mean"] == pytest.approx(7 / 3 * HOUR)
    assert by["review"]["service_seconds"]["median"] == 2 * HOUR
    assert by["ship"]["service_seconds"]["median"] == 4 * HOUR
    # the second review waited 2 h after the first one's completion, ship 2 h after that
    assert by["ship"]["waiting_seconds"]["median"] == 2 * HOUR
