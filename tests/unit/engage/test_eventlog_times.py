"""An exported event log keeps the times of the history it was read from: durations mined
from the file are the durations mined from the workspace."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from rapport.discovery.readers import read_xes
from rapport.engage.eventlog import LoggedEvent, write_csv, write_xes

TEHRAN = timezone(timedelta(hours=3, minutes=30))


def _events() -> list[LoggedEvent]:
    return [
        LoggedEvent(1, "created", datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "Sigrún", None),
        # An SLA breach is stamped when the checker runs: to the microsecond.
        LoggedEvent(
            1, "sla_breached", datetime(2026, 3, 1, 13, 0, 0, 123456, tzinfo=TEHRAN), "", None
        ),
        LoggedEvent(1, "resolved", datetime(2026, 3, 2, 8, 0, 0, 250000, tzinfo=UTC), "Tom", None),
    ]


def test_csv_times_are_utc_and_keep_every_microsecond() -> None:
    out = io.StringIO()
    assert write_csv(iter(_events()), out) == 3
    times = [row["timestamp"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert times == [
        "2026-03-01T09:00:00.000Z",
        "2026-03-01T09:30:00.123456Z",
        "2026-03-02T08:00:00.250Z",
    ]
    parsed = [datetime.fromisoformat(t) for t in times]
    assert [p - parsed[0] for p in parsed] == [e.at - _events()[0].at for e in _events()]


def test_xes_read_back_gives_the_same_durations(tmp_path: Path) -> None:
    path = tmp_path / "cases.xes"
    with path.open("w", encoding="utf-8") as out:
        write_xes(iter(_events()), out)
    times = read_xes(path).frame["timestamp"].to_list()
    assert [t - times[0] for t in times] == [e.at - _events()[0].at for e in _events()]
