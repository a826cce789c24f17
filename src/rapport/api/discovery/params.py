"""What every discovery endpoint reads: the uploaded log (or the workspace's cases), the
case filters, and each view's own options, declared once for form fields and queries.

No ``from __future__ import annotations`` here: FastAPI reads these annotations at run time,
and the option dependencies are built from a list of ``Param``.
"""

import inspect
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, File, Form, Query, UploadFile

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.params import NO_NUL
from rapport.discovery.caselog import read_case_log
from rapport.discovery.filters import MapFilters
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.readers import ColumnMapping, log_format, read_log
from rapport.errors import PayloadTooLarge

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
_CHUNK = 1024 * 1024
Values = dict[str, Any]


def upload_limit() -> int:
    """The largest upload accepted, in bytes (a dependency, so a test may lower it)."""
    return MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class Param:
    """One option of a view: a form field on uploads, a query parameter on the cases."""

    name: str
    annotation: Any
    default: Any
    description: str
    limits: dict[str, Any] = field(default_factory=dict)  # ge, le, max_length...


def options(params: Sequence[Param], source: Callable[..., Any]) -> Callable[..., Values]:
    """A dependency that reads ``params`` with ``source`` (``Form`` or ``Query``) and
    returns them as keyword arguments for the view."""

    def dependency(**values: Any) -> Values:
        return values

    def limits(p: Param) -> dict[str, Any]:
        if p.annotation in (str, str | None):
            return {"max_length": 200, "pattern": NO_NUL, **p.limits}
        return p.limits

    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                p.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=p.default,
                annotation=Annotated[p.annotation, source(description=p.description, **limits(p))],
            )
            for p in params
        ]
    )
    return dependency


FILTERS = (
    Param("since", datetime | None, None, "Only cases started at or after."),
    Param("until", datetime | None, None, "Only cases started before."),
    Param(
        "where",
        list[str] | None,
        None,
        "KEY=VALUE: only cases with an event having that value (repeatable).",
        {"max_length": 20},
    ),
    Param(
        "top_variants", int | None, None, "Only cases of the N most frequent variants.", {"ge": 1}
    ),
    Param(
        "variant",
        str | None,
        None,
        "Only cases of this variant: activities joined by ','.",
        {"max_length": 10_000},
    ),
)


def filters_dependency(source: Callable[..., Any]) -> Callable[..., MapFilters]:
    read = options(FILTERS, source)

    def dependency(values: Annotated[Values, Depends(read)]) -> MapFilters:
        variant = values["variant"]
        return MapFilters(
            since=values["since"],
            until=values["until"],
            where=tuple(values["where"] or ()),
            top_variants=values["top_variants"],
            variant=tuple(variant.split(",")) if variant else None,
        )

    return dependency


FormFilters = Annotated[MapFilters, Depends(filters_dependency(Form))]
QueryFilters = Annotated[MapFilters, Depends(filters_dependency(Query))]


def no_filters() -> MapFilters:
    return MapFilters()


@dataclass(frozen=True)
class LogOptions:
    mapping: ColumnMapping
    object_type: str | None


def _log_options(
    values: Annotated[
        Values,
        Depends(
            options(
                (
                    Param("case", str, "case:concept:name", "CSV: the column of the case id."),
                    Param("activity", str, "concept:name", "CSV: the column of the activity."),
                    Param("timestamp", str, "time:timestamp", "CSV: the column of the timestamp."),
                    Param("resource", str, "org:resource", "CSV: the column of the resource."),
                    Param(
                        "object_type",
                        str | None,
                        None,
                        "OCEL logs: the object type whose objects become the cases.",
                    ),
                ),
                Form,
            )
        ),
    ],
) -> LogOptions:
    object_type = values.pop("object_type")
    return LogOptions(ColumnMapping(**values), object_type)


FormLogOptions = Annotated[LogOptions, Depends(_log_options)]
MaxBytes = Annotated[int, Depends(upload_limit)]


def _copy(upload: UploadFile, target: Path, limit: int, what: str) -> None:
    size = 0
    with target.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(
                    f"{what}: the upload is larger than {limit / 1024 / 1024:g} MB, the most "
                    "this server reads; nothing was stored"
                )
            out.write(chunk)


def read_upload(
    upload: UploadFile, limit: int, read: Callable[[Path], Any], what: str, suffix: str
) -> Any:
    """``read`` a private temporary copy of the upload, deleted afterwards; errors name the
    file as the client called it, never the temporary path."""
    name = Path(upload.filename or "upload").name or "upload"
    folder = tempfile.mkdtemp(prefix="rapport-discovery-")
    path = Path(folder) / f"{what}{suffix}"  # the client's name never reaches the file system
    try:
        _copy(upload, path, limit, what)
        try:
            return read(path)
        except EventLogError as exc:
            raise type(exc)(str(exc).replace(str(path), name)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_log_upload(upload: UploadFile, limit: int, options: LogOptions, what: str) -> EventLog:
    name = Path(upload.filename or "upload").name or "upload"
    suffix = log_format(Path(name))  # an unknown extension is a 422 before anything is read

    def read(path: Path) -> EventLog:
        log = read_log(path, mapping=options.mapping, object_type=options.object_type)
        return EventLog(frame=log.frame, source=name, missing=log.missing)

    log: EventLog = read_upload(upload, limit, read, what, suffix)
    return log


LOG_FILE_HELP = (
    "The event log: .xes, .xes.gz, .csv, .jsonocel, .xmlocel or an OCEL .sqlite; "
    "the format comes from the file name."
)


def _uploaded_log(
    file: Annotated[UploadFile, File(description=LOG_FILE_HELP)],
    max_bytes: MaxBytes,
    log_options: FormLogOptions,
) -> EventLog:
    return read_log_upload(file, max_bytes, log_options, "file")


UploadedLog = Annotated[EventLog, Depends(_uploaded_log)]


def _case_log(session: RequestSession, principal: CurrentPrincipal) -> EventLog:
    return read_case_log(session.connection(), principal.workspace_id)


CaseLog = Annotated[EventLog, Depends(_case_log)]


def no_extras() -> Values:
    return {}
