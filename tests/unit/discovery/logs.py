"""Small hand-made event logs for the discovery unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping, frame_to_log

MAPPING = ColumnMapping(case="case", activity="activity", timestamp="time", resource="who")
START = datetime(2024, 1, 1, tzinfo=UTC)


def make_log(
    cases: list[tuple[str, list[tuple[str, str | None, str | None, float]]]],
) -> EventLog:
    """``(case id, [(activity, who, dept, hours after the case's start)...])`` per case; each
    case starts a day after the one before."""
    rows = []
    for day, (case, events) in enumerate(cases):
        for activity, who, dept, hours in events:
            at = START + timedelta(days=day, hours=hours)
            rows.append((case, activity, at.isoformat(), who, dept))
    frame = pl.DataFrame(rows, schema=["case", "activity", "time", "who", "dept"], orient="row")
    return frame_to_log(frame, MAPPING, "test log")
