"""Rapport's own case history as an event log, read straight from the store."""

from __future__ import annotations

from sqlalchemy import Connection

from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping, rows_to_log
from rapport.engage.eventlog import iter_events

# The columns of ``rapport cases export``, the team as ``org:group``.
CASE_COLUMNS = ("case", "activity", "timestamp", "resource", "org:group")
CASE_MAPPING = ColumnMapping(
    case="case", activity="activity", timestamp="timestamp", resource="resource"
)
SOURCE = "the workspace's cases"


def read_case_log(conn: Connection, workspace_id: int) -> EventLog:
    """Every case change of the workspace as one event: case id, activity, time, the person
    (``org:resource``) and their team (``org:group``)."""
    events = iter_events(conn, workspace_id)
    return rows_to_log(CASE_COLUMNS, events, CASE_MAPPING, SOURCE)
