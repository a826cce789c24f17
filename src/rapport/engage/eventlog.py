"""The case history as an event log for process discovery: CSV or XES (IEEE 1849).

One event per case change, ordered by case and time. Rows are streamed from the database
and written as they come, so a log of millions of events needs little memory.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, NamedTuple, cast
from xml.sax.saxutils import quoteattr

from sqlalchemy import Connection, Table, select

from rapport.store.engagement import CaseEvent, Team

events_table = cast(Table, CaseEvent.__table__)
teams_table = cast(Table, Team.__table__)

CSV_COLUMNS = ("case_id", "activity", "timestamp", "resource")
FORMATS = ("csv", "xes")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class LoggedEvent(NamedTuple):
    case_id: int
    activity: str
    at: datetime
    resource: str
    team: str | None


def iter_events(
    conn: Connection,
    workspace_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[LoggedEvent]:
    """The workspace's case events, by case then time, streamed."""
    e = events_table.c
    query = (
        select(e.case_id, e.activity, e.at, e.resource, teams_table.c.name)
        .outerjoin(teams_table, teams_table.c.id == e.team_id)
        .where(e.workspace_id == workspace_id)
        .order_by(e.case_id, e.at, e.id)
        .execution_options(yield_per=5000)
    )
    if since is not None:
        query = query.where(e.at >= since)
    if until is not None:
        query = query.where(e.at < until)
    for row in conn.execute(query):
        yield LoggedEvent(*row)


def _timestamp(at: datetime) -> str:
    """ISO 8601 in UTC, to the millisecond, or to the microsecond when the time has one:
    an exported log must give the same durations as the history it was read from."""
    spec = "milliseconds" if at.microsecond % 1000 == 0 else "microseconds"
    return at.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def write_csv(events: Iterator[LoggedEvent], out: IO[str]) -> int:
    """Write ``case_id,activity,timestamp,resource`` rows; returns how many events."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in events:
        writer.writerow((event.case_id, event.activity, _timestamp(event.at), event.resource))
        count += 1
    return count


def _attr(kind: str, key: str, value: str) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(_NOT_XML.sub('', value))}/>"


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="UNKNOWN"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="UNKNOWN"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>
    <string key="org:resource" value="UNKNOWN"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="Rapport case handling"/>
"""


def write_xes(events: Iterator[LoggedEvent], out: IO[str]) -> int:
    """Write an XES log with one trace per case; returns how many events."""
    out.write(_XES_HEAD)
    current: int | None = None
    count = 0
    for event in events:
        if event.case_id != current:
            if current is not None:
                out.write("  </trace>\n")
            current = event.case_id
            out.write(f"  <trace>\n    {_attr('string', 'concept:name', str(current))}\n")
        parts = [
            _attr("string", "concept:name", event.activity),
            _attr("date", "time:timestamp", _timestamp(event.at)),
            _attr("string", "org:resource", event.resource),
        ]
        if event.team:
            parts.append(_attr("string", "org:group", event.team))
        out.write("    <event>" + "".join(parts) + "</event>\n")
        count += 1
    if current is not None:
        out.write("  </trace>\n")
    out.write("</log>\n")
    return count
