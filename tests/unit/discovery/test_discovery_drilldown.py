"""The cases behind an edge, an activity and a variant, on a hand-made log."""

from __future__ import annotations

import polars as pl
import pytest

from rapport.discovery.analysis import discover_map
from rapport.discovery.drilldown import (
    activity_cases,
    case_page,
    case_page_json,
    edge_cases,
    edge_times,
    variant_at,
    variant_cases,
)
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.readers import ColumnMapping, frame_to_log

# c1: A B C · c2: A C B C · c3: A B B C · c4: B A (has A and B, but never A → B)
ROWS = [
    ("c1", "A", "2024-01-01T10:00:00Z"),
    ("c1", "B", "2024-01-01T11:00:00Z"),
    ("c1", "C", "2024-01-01T12:00:00Z"),
    ("c2", "A", "2024-01-02T10:00:00Z"),
    ("c2", "C", "2024-01-02T10:30:00Z"),
    ("c2", "B", "2024-01-02T11:00:00Z"),
    ("c2", "C", "2024-01-05T11:00:00Z"),
    ("c3", "A", "2024-01-03T10:00:00Z"),
    ("c3", "B", "2024-01-03T13:00:00Z"),
    ("c3", "B", "2024-01-03T14:00:00Z"),
    ("c3", "C", "2024-01-03T15:00:00Z"),
    ("c4", "B", "2024-01-04T10:00:00Z"),
    ("c4", "A", "2024-01-04T10:00:05Z"),
]


@pytest.fixture
def log() -> EventLog:
    frame = pl.DataFrame(ROWS, schema=["case", "activity", "time"], orient="row")
    mapping = ColumnMapping(case="case", activity="activity", timestamp="time", resource=None)
    return frame_to_log(frame, mapping, "hand-made")


def _ids(series: pl.Series) -> set[str]:
    return set(series.to_list())


def test_the_cases_behind_an_edge_are_those_where_a_is_directly_followed_by_b(
    log: EventLog,
) -> None:
    assert _ids(edge_cases(log, "A", "B")) == {"c1", "c3"}  # not c2 (A C B), not c4 (B A)
    assert _ids(edge_cases(log, "B", "C")) == {"c1", "c2", "c3"}
    assert _ids(edge_cases(log, "A", "C")) == {"c2"}
    assert _ids(edge_cases(log, "B", "B")) == {"c3"}
    assert _ids(edge_cases(log, "B", "A")) == {"c4"}
    assert edge_cases(log, "C", "A").is_empty()


def test_every_edge_of_the_map_has_its_cases_and_its_times(log: EventLog) -> None:
    for edge in discover_map(log).edges:
        times = edge_times(log, edge.source, edge.target)
        assert times == edge
        assert 1 <= edge_cases(log, edge.source, edge.target).len() <= edge.count
    ab = edge_times(log, "A", "B")
    assert (ab.count, ab.mean_seconds, ab.median_seconds) == (2, 7200.0, 7200.0)


def test_activity_and_variant_cases(log: EventLog) -> None:
    assert _ids(activity_cases(log, "C")) == {"c1", "c2", "c3"}
    assert activity_cases(log, "nope").is_empty()
    assert _ids(variant_cases(log, ("A", "B", "C"))) == {"c1"}
    assert variant_cases(log, ("A", "B")).is_empty()  # a prefix is not the variant
    top = variant_at(log, 1)
    assert _ids(variant_cases(log, top))
    assert len(top) >= 2
    with pytest.raises(EventLogError, match="variant 9: the log has 4 variants"):
        variant_at(log, 9)


def test_a_page_of_cases_sorted_and_paged(log: EventLog) -> None:
    cases = edge_cases(log, "B", "C")
    longest = case_page(log, cases, sort="duration", descending=True, limit=2)
    assert longest.total == 3
    assert [r.case for r in longest.rows] == ["c2", "c3"]
    assert longest.rows[0].seconds == 3 * 86400 + 3600
    assert longest.rows[0].events == 4
    rest = case_page(log, cases, sort="duration", descending=True, limit=2, offset=2)
    assert [r.case for r in rest.rows] == ["c1"]
    by_start = case_page(log, cases)
    assert [r.case for r in by_start.rows] == ["c1", "c2", "c3"]
    body = case_page_json(by_start, edge_times(log, "B", "C"))
    assert body["cases"][0] == {
        "case": "c1",
        "start": "2024-01-01T10:00:00+00:00",
        "end": "2024-01-01T12:00:00+00:00",
        "duration_seconds": 7200.0,
        "events": 3,
    }
    assert body["edge"]["count"] == 3
    with pytest.raises(EventLogError, match="sort 'size'"):
        case_page(log, cases, sort="size")
