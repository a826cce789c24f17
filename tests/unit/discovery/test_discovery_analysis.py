"""Process map, variants, handover and filters on small hand-made logs (no files)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.filters import filter_attribute, filter_time, filter_variants
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.readers import ColumnMapping, frame_to_log

MAPPING = ColumnMapping(case="case", activity="activity", timestamp="time", resource="who")


def make_log(rows: list[tuple[str | None, str | None, str | None, str | None]]) -> EventLog:
    frame = pl.DataFrame(
        rows, schema=["case", "activity", "time", "who"], orient="row"
    ).with_columns(dept=pl.col("who").replace({"ann": "sales", "bob": "ops", "cy": "ops"}))
    return frame_to_log(frame, MAPPING, "test log")


# c1: a → b → c ; c2: a → b → c ; c3: a → c (written out of time order in the file)
LOG_ROWS = [
    ("c1", "a", "2024-01-01T10:00:00Z", "ann"),
    ("c1", "b", "2024-01-01T11:00:00Z", "bob"),
    ("c1", "c", "2024-01-01T13:00:00Z", "bob"),
    ("c2", "a", "2024-01-02T10:00:00+02:00", "ann"),
    ("c2", "b", "2024-01-02T09:30:00Z", "cy"),
    ("c2", "c", "2024-01-02T10:30:00Z", None),
    ("c3", "c", "2024-02-01T12:00:00Z", "bob"),
    ("c3", "a", "2024-02-01T10:00:00Z", "ann"),
]


def test_map_counts_edges_starts_ends_and_times() -> None:
    result = discover_map(make_log(LOG_ROWS))
    assert result.activities == {"a": 3, "c": 3, "b": 2}
    assert result.start == {"a": 3}
    assert result.end == {"c": 3}
    edges = {(e.source, e.target): e for e in result.edges}
    assert set(edges) == {("a", "b"), ("b", "c"), ("a", "c")}
    assert edges[("b", "c")].count == 2
    # c1 took 2 h from b to c, c2 took 1 h; c2's a was 08:00 UTC (+02:00), so a → b = 1.5 h
    assert edges[("b", "c")].mean_seconds == pytest.approx(5400)
    assert edges[("b", "c")].median_seconds == pytest.approx(5400)
    assert edges[("a", "b")].mean_seconds == pytest.approx((3600 + 5400) / 2)
    assert edges[("a", "c")].mean_seconds == pytest.approx(7200)
    assert result.edges[0].count == 2  # most frequent first


def test_map_hides_rare_edges() -> None:
    result = discover_map(make_log(LOG_ROWS), min_count=2)
    assert {(e.source, e.target) for e in result.edges} == {("a", "b"), ("b", "c")}


def test_variants_most_frequent_first_with_coverage() -> None:
    variants = discover_variants(make_log(LOG_ROWS))
    assert [(v.variant, v.count) for v in variants] == [(("a", "b", "c"), 2), (("a", "c"), 1)]
    assert variants[0].coverage == pytest.approx(2 / 3)
    assert variants[1].median_seconds == pytest.approx(7200)


def test_ties_in_time_keep_the_file_order() -> None:
    log = make_log(
        [
            ("c1", "x", "2024-01-01T10:00:00Z", "ann"),
            ("c1", "y", "2024-01-01T10:00:00Z", "ann"),
            ("c2", "y", "2024-01-01T10:00:00Z", "ann"),
            ("c2", "x", "2024-01-01T10:00:00Z", "ann"),
        ]
    )
    assert {v.variant for v in discover_variants(log)} == {("x", "y"), ("y", "x")}


def test_missing_values_are_counted_not_fatal() -> None:
    log = make_log(
        [
            ("c1", "a", "2024-01-01T10:00:00Z", None),
            ("c1", "b", None, "bob"),
            ("c1", None, "2024-01-01T12:00:00Z", "bob"),
            (None, "a", "2024-01-01T12:00:00Z", "bob"),
            ("c1", "c", "2024-01-01T11:00:00Z", "ann"),
        ]
    )
    assert log.missing.no_case == 1
    assert log.missing.no_activity == 1
    assert log.missing.no_timestamp == 1
    assert log.missing.no_resource == 1
    assert len(log.missing.lines()) == 4
    # the event without a time goes last; its edge has a count but no time
    result = discover_map(log)
    edges = {(e.source, e.target): e for e in result.edges}
    assert edges[("c", "b")].count == 1
    assert edges[("c", "b")].mean_seconds is None


def test_handover_skips_events_without_a_resource() -> None:
    handovers = discover_handover(make_log(LOG_ROWS), "org:resource")
    assert {(h.source, h.target): h.count for h in handovers} == {
        ("ann", "bob"): 2,  # c1 a→b, c3 a→c
        ("ann", "cy"): 1,
    }


def test_handover_by_department() -> None:
    handovers = discover_handover(make_log(LOG_ROWS), "dept")
    assert {(h.source, h.target): h.count for h in handovers} == {("sales", "ops"): 3}


def test_handover_on_an_unknown_attribute_names_it() -> None:
    with pytest.raises(EventLogError, match="no attribute 'org:group'"):
        discover_handover(make_log(LOG_ROWS), "org:group")


def test_filters_time_attribute_and_variant() -> None:
    log = make_log(LOG_ROWS)
    january = filter_time(log, datetime(2024, 1, 1), datetime(2024, 2, 1))
    assert january.cases == 2
    with_cy = filter_attribute(log, "org:resource=cy")
    assert with_cy.frame["case"].unique().to_list() == ["c2"]
    top = filter_variants(log, top=1)
    assert top.cases == 2
    one = filter_variants(log, variant=["a", "c"])
    assert one.frame["case"].unique().to_list() == ["c3"]
    with pytest.raises(EventLogError, match="KEY=VALUE"):
        filter_attribute(log, "nothing")


def test_unreadable_timestamp_names_row_and_field() -> None:
    with pytest.raises(EventLogError, match=r"row 3, field 'time': 'yesterday'"):
        make_log([("c1", "a", "2024-01-01", "ann"), ("c1", "b", "yesterday", "ann")])


def test_missing_mapped_column_is_a_clear_error() -> None:
    frame = pl.DataFrame({"id": ["1"], "what": ["a"]})
    with pytest.raises(EventLogError, match="no column 'case' for the case"):
        frame_to_log(frame, MAPPING, "x.csv")


def test_performance_durations_bottlenecks_rework_rare_variants() -> None:
    from rapport.discovery.performance import measure_performance

    log = make_log(
        [
            *LOG_ROWS,
            ("c4", "a", "2024-03-01T10:00:00Z", "ann"),
            ("c4", "a", "2024-03-01T11:00:00Z", "ann"),
        ]
    )
    result = measure_performance(log)
    assert result.cases == 4
    assert result.case_seconds["max"] == pytest.approx(3 * 3600)  # c1: 10:00 to 13:00
    assert result.bottlenecks[0]["source"] == "b"  # b → c: 2 cases, 3 h in all
    assert result.rework == [{"activity": "a", "cases": 1, "share": 0.25, "repeats": 1}]
    assert result.rare_variants == {"variants": 3, "seen_once": 2, "share_of_cases": 0.5}
