"""The workspace's own case history as an event log, the one ``/api/v1/discovery/cases/*``
draws and ``rapport cases export`` writes: one event per case change."""

from __future__ import annotations

from sqlalchemy import Connection

from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping, rows_to_log
from rapport.engage.eventlog import iter_events

CASE_COLUMNS = ("case", "activity", "timestamp", "resource", "org:group")
CASE_MAPPING = ColumnMapping(
    case="case", activity="activity", timestamp="timestamp", resource="resource"
)
SOURCE = "the workspace's cases"


def case_history_log(conn: Connection, workspace_id: int) -> EventLog:
    """Every case event of the workspace, by case then time (case ids are the case numbers)."""
    return rows_to_log(CASE_COLUMNS, iter_events(conn, workspace_id), CASE_MAPPING, SOURCE)
