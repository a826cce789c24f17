"""KPIs and their before/after significance on synthetic logs whose answer is known."""

from __future__ import annotations

import math

import pytest
from tests.unit.discovery.logs import make_log

from rapport.discovery.kpis import (
    KpiSpec,
    compare_kpi,
    measure_kpi,
    parse_period,
    split_periods,
)
from rapport.discovery.log import EventLog, EventLogError


def _durations(prefix: str, hours: list[float]) -> EventLog:
    return make_log(
        [
            (
                f"{prefix}{i}",
                [
                    ("open", "ann", "web", 0),
                    ("reply", "bob", "web", h / 2),
                    ("close", "bob", "web", h),
                ],
            )
            for i, h in enumerate(hours)
        ]
    )


def test_a_clearly_longer_cycle_time_is_significant() -> None:
    before = _durations("b", [1 + (i % 5) * 0.1 for i in range(30)])
    after = _durations("a", [3 + (i % 5) * 0.1 for i in range(30)])
    result = compare_kpi(before, after, KpiSpec("cycle-time"))
    assert result.before.value == pytest.approx(1.2 * 3600)
    assert result.after.value == pytest.approx(3.2 * 3600)
    assert result.change == pytest.approx(2 * 3600)
    assert result.relative_change == pytest.approx(2 / 1.2)
    assert result.test == "mann-whitney-u"
    assert result.p_value is not None
    assert result.p_value < 1e-6
    assert result.significant


def test_the_same_durations_are_not_significant() -> None:
    hours = [1 + (i % 7) * 0.3 for i in range(40)]
    result = compare_kpi(_durations("b", hours), _durations("a", hours), KpiSpec("cycle-time"))
    assert result.change == 0
    assert result.p_value == pytest.approx(1.0)
    assert not result.significant


def test_first_response_counts_the_cases_that_never_got_one() -> None:
    log = make_log(
        [
            ("c1", [("open", "a", "web", 0), ("reply", "b", "web", 2)]),
            ("c2", [("open", "a", "web", 0), ("note", "b", "web", 1), ("reply", "b", "web", 4)]),
            ("c3", [("open", "a", "web", 0), ("close", "b", "web", 1)]),
        ]
    )
    value = measure_kpi(log, KpiSpec("first-response", response_activity="reply"))
    assert (value.cases, value.without) == (2, 1)
    assert value.value == pytest.approx(3 * 3600)  # median of 2 h and 4 h
    with pytest.raises(EventLogError, match="--response-activity"):
        measure_kpi(log, KpiSpec("first-response"))


def _shares(prefix: str, hits: int, total: int) -> EventLog:
    return make_log(
        [
            (f"{prefix}{i}", [("open", "a", "twitter" if i < hits else "email", 0)])
            for i in range(total)
        ]
    )


def test_a_share_change_by_the_two_proportion_z_test() -> None:
    spec = KpiSpec("share", where="dept=twitter")
    result = compare_kpi(_shares("b", 30, 100), _shares("a", 50, 100), spec)
    assert (result.before.value, result.after.value) == (0.3, 0.5)
    # by hand: pooled 0.4, standard error sqrt(0.4 * 0.6 * 2 / 100), z = 0.2 / se
    z = 0.2 / math.sqrt(0.4 * 0.6 * 0.02)
    assert result.statistic == pytest.approx(z)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert result.significant
    small = compare_kpi(_shares("b", 3, 10), _shares("a", 4, 10), spec)
    assert not small.significant
    same = compare_kpi(_shares("b", 0, 10), _shares("a", 0, 10), spec)
    assert (same.p_value, same.significant) == (1.0, False)


def test_rework_share_and_periods_by_case_start() -> None:
    log = make_log(
        [
            ("c1", [("a", "x", "d", 0), ("a", "x", "d", 1)]),  # day 0, rework
            ("c2", [("a", "x", "d", 0)]),  # day 1
            ("c3", [("a", "x", "d", 0), ("b", "x", "d", 1), ("b", "x", "d", 2)]),  # day 2, rework
        ]
    )
    assert measure_kpi(log, KpiSpec("rework-share")).value == pytest.approx(2 / 3)
    first, second = split_periods(log, "..2024-01-02", "2024-01-02..")
    assert (first.cases, second.cases) == (1, 2)
    with pytest.raises(EventLogError, match=r"expected START\.\.END"):
        parse_period("2024-01-01", "--before")
    with pytest.raises(EventLogError, match="is not a date"):
        parse_period("yesterday..", "--after")
    with pytest.raises(EventLogError, match="must be one of"):
        measure_kpi(log, KpiSpec("speed"))
