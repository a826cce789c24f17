"""``/api/v1/discovery``: the views of ``rapport discover`` over HTTP.

Upload an event log (multipart ``file``; the format comes from its name's extension, as on
the command line) and get back the JSON ``rapport discover ... --json`` prints. The
``/cases/*`` routes read the workspace's own case history instead of an upload.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, UploadFile

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import NO_NUL
from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.filters import MapFilters, apply_filters
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.performance import measure_performance
from rapport.discovery.readers import ColumnMapping, log_format, read_log, rows_to_log
from rapport.discovery.views import handover_json, map_json, performance_json, variants_json
from rapport.engage.eventlog import iter_events
from rapport.errors import PayloadTooLarge

router = APIRouter(prefix="/discovery", tags=["discovery"])

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024
# The workspace's case history, in the columns of ``rapport cases export``.
_CASE_COLUMNS = ("case", "activity", "timestamp", "resource", "org:group")
_CASE_MAPPING = ColumnMapping(
    case="case", activity="activity", timestamp="timestamp", resource="resource"
)

Json = dict[str, Any]


def upload_limit() -> int:
    """The largest upload accepted, in bytes (a dependency, so a test may lower it)."""
    return MAX_UPLOAD_BYTES


def _field(description: str) -> Any:
    return Form(max_length=200, pattern=NO_NUL, description=description)


Case = Annotated[str, _field("CSV: the column of the case id.")]
Activity = Annotated[str, _field("CSV: the column of the activity.")]
Timestamp = Annotated[str, _field("CSV: the column of the timestamp (ISO 8601).")]
Resource = Annotated[str, _field("CSV: the column of the resource.")]
ObjectType = Annotated[
    str | None, _field("OCEL logs: the object type whose objects become the cases.")
]
MaxBytes = Annotated[int, Depends(upload_limit)]
LogFile = Annotated[
    UploadFile,
    Form(
        description=(
            "The event log: .xes, .xes.gz, .csv, .jsonocel, .xmlocel or an OCEL .sqlite; "
            "the format comes from the file name."
        )
    ),
]


def _copy(upload: UploadFile, target: Path, limit: int) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(
                    f"file: the upload is larger than {limit / 1024 / 1024:g} MB, the most "
                    "this server reads; nothing was stored"
                )
            out.write(chunk)


@contextmanager
def _uploaded_log(
    upload: UploadFile,
    limit: int,
    mapping: ColumnMapping,
    object_type: str | None,
) -> Iterator[EventLog]:
    """The uploaded file read as a log, from a private temporary copy deleted afterwards.

    Errors name the file as the client called it, never the temporary path.
    """
    name = Path(upload.filename or "upload").name or "upload"
    suffix = log_format(Path(name))  # an unknown extension is a 422 before anything is read
    folder = tempfile.mkdtemp(prefix="rapport-discovery-")
    path = Path(folder) / f"log{suffix}"  # the client's name never reaches the file system
    try:
        _copy(upload, path, limit)
        try:
            yield read_log(path, mapping=mapping, object_type=object_type)
        except EventLogError as exc:
            raise EventLogError(str(exc).replace(str(path), name)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _mapping(case: str, activity: str, timestamp: str, resource: str) -> ColumnMapping:
    return ColumnMapping(case=case, activity=activity, timestamp=timestamp, resource=resource)


@router.post("/map", summary="The process map of an uploaded log")
def upload_map(
    file: LogFile,
    max_bytes: MaxBytes,
    case: Case = "case:concept:name",
    activity: Activity = "concept:name",
    timestamp: Timestamp = "time:timestamp",
    resource: Resource = "org:resource",
    object_type: ObjectType = None,
    min_count: Annotated[int, Form(ge=1, description="Hide edges seen fewer times.")] = 1,
    since: Annotated[datetime | None, Form(description="Only cases started at or after.")] = None,
    until: Annotated[datetime | None, Form(description="Only cases started before.")] = None,
    where: Annotated[
        list[str] | None,
        Form(
            max_length=20,
            description="KEY=VALUE: only cases with an event having that value (repeatable).",
        ),
    ] = None,
    top_variants: Annotated[
        int | None, Form(ge=1, description="Only cases of the N most frequent variants.")
    ] = None,
    variant: Annotated[
        str | None,
        Form(
            max_length=10_000, description="Only cases of this variant: activities joined by ','."
        ),
    ] = None,
) -> Json:
    """Activities, start and end activities, and the directly-follows edges with their
    counts and times (mean, median, p90 seconds): ``rapport discover map --json``."""
    filters = MapFilters(
        min_count=min_count,
        since=since,
        until=until,
        where=tuple(where or ()),
        top_variants=top_variants,
        variant=tuple(variant.split(",")) if variant else None,
    )
    mapping = _mapping(case, activity, timestamp, resource)
    with _uploaded_log(file, max_bytes, mapping, object_type) as log:
        return map_json(discover_map(apply_filters(log, filters), min_count=min_count))


@router.post("/variants", summary="The variants of an uploaded log")
def upload_variants(
    file: LogFile,
    max_bytes: MaxBytes,
    case: Case = "case:concept:name",
    activity: Activity = "concept:name",
    timestamp: Timestamp = "time:timestamp",
    resource: Resource = "org:resource",
    object_type: ObjectType = None,
    limit: Annotated[int | None, Form(ge=1, description="Only the N most frequent.")] = None,
) -> list[Json]:
    """The distinct paths through the process, most frequent first, with their share of the
    cases and their durations: ``rapport discover variants --json``."""
    mapping = _mapping(case, activity, timestamp, resource)
    with _uploaded_log(file, max_bytes, mapping, object_type) as log:
        return variants_json(discover_variants(log), limit)


@router.post("/handover", summary="The handover of work in an uploaded log")
def upload_handover(
    file: LogFile,
    max_bytes: MaxBytes,
    case: Case = "case:concept:name",
    activity: Activity = "concept:name",
    timestamp: Timestamp = "time:timestamp",
    resource: Resource = "org:resource",
    object_type: ObjectType = None,
    by: Annotated[
        str, Form(max_length=200, pattern=NO_NUL, description="org:resource or org:group.")
    ] = "org:resource",
) -> list[Json]:
    """How often a case's event by X was followed by its next event by Y (X ≠ Y):
    ``rapport discover handover --json``."""
    mapping = _mapping(case, activity, timestamp, resource)
    with _uploaded_log(file, max_bytes, mapping, object_type) as log:
        return handover_json(discover_handover(log, by))


@router.post("/performance", summary="The performance of an uploaded log")
def upload_performance(
    file: LogFile,
    max_bytes: MaxBytes,
    case: Case = "case:concept:name",
    activity: Activity = "concept:name",
    timestamp: Timestamp = "time:timestamp",
    resource: Resource = "org:resource",
    object_type: ObjectType = None,
    top: Annotated[int, Form(ge=1, le=1000, description="Rows per list.")] = 10,
) -> Json:
    """Case durations, bottleneck edges, rework and the variants seen once:
    ``rapport discover performance --json``."""
    mapping = _mapping(case, activity, timestamp, resource)
    with _uploaded_log(file, max_bytes, mapping, object_type) as log:
        return performance_json(measure_performance(log, top=top))


def _case_log(session: RequestSession, principal: CurrentPrincipal) -> EventLog:
    events = iter_events(session.connection(), principal.workspace_id)
    return rows_to_log(_CASE_COLUMNS, events, _CASE_MAPPING, "the workspace's cases")


CaseLog = Annotated[EventLog, Depends(_case_log)]


@router.get("/cases/map", summary="The process map of the workspace's cases")
def cases_map(
    log: CaseLog,
    min_count: Annotated[int, Query(ge=1, description="Hide edges seen fewer times.")] = 1,
) -> Json:
    """The map of how the team works its cases: each case change is an event (the same log
    as ``rapport cases export``)."""
    return map_json(discover_map(log, min_count=min_count))


@router.get("/cases/variants", summary="The variants of the workspace's cases")
def cases_variants(
    log: CaseLog,
    limit: Annotated[int | None, Query(ge=1, description="Only the N most frequent.")] = None,
) -> list[Json]:
    """The distinct paths the workspace's cases took, most frequent first."""
    return variants_json(discover_variants(log), limit)


@router.get("/cases/handover", summary="The handover of work in the workspace's cases")
def cases_handover(
    log: CaseLog,
    by: Annotated[
        str, Query(max_length=200, pattern=NO_NUL, description="org:resource or org:group.")
    ] = "org:resource",
) -> list[Json]:
    """Who hands cases to whom (``org:resource``), or which team to which (``org:group``)."""
    return handover_json(discover_handover(log, by))
