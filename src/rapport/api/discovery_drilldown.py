"""``/api/v1/discovery``: the cases behind an edge, an activity or a variant of the map.

The GET routes read the workspace's own case history (as ``/cases/map`` does); ``POST
/edge-cases`` takes an uploaded log like ``POST /map``. Each answers with the JSON of
``rapport discover cases-of --json``: a page of cases with their start, end, duration and
number of events, and for an edge its count and times.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query

from rapport.api.discovery.params import CaseLog, FormFilters, QueryFilters, UploadedLog
from rapport.api.params import NO_NUL
from rapport.discovery.drilldown import (
    activity_cases,
    case_page,
    case_page_json,
    edge_cases,
    edge_times,
    variant_at,
    variant_cases,
)
from rapport.discovery.filters import apply_filters
from rapport.discovery.log import EventLog

router = APIRouter(prefix="/discovery", tags=["discovery"])

Json = dict[str, Any]
Sort = Literal["start", "duration", "events", "case"]
MAX_PAGE = 500


def _name(description: str) -> Any:
    return Query(min_length=1, max_length=500, pattern=NO_NUL, description=description)


SortQuery = Annotated[Sort, Query(description="Order of the cases.")]
Descending = Annotated[bool, Query(description="Largest first.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Cases per page.")]
Offset = Annotated[int, Query(ge=0, description="Cases to skip.")]


def _edge_json(
    log: EventLog, source: str, target: str, sort: str, desc: bool, limit: int, offset: int
) -> Json:
    cases = edge_cases(log, source, target)
    page = case_page(log, cases, sort=sort, descending=desc, offset=offset, limit=limit)
    return case_page_json(page, edge_times(log, source, target))


@router.get("/cases/edge-cases", summary="The cases behind an edge of the cases' map")
def cases_edge_cases(
    log: CaseLog,
    filters: QueryFilters,
    source: Annotated[str, _name("The edge's first activity.")],
    target: Annotated[str, _name("The activity that directly follows it.")],
    sort: SortQuery = "start",
    desc: Descending = False,
    limit: Limit = 25,
    offset: Offset = 0,
) -> Json:
    """The workspace's cases in which ``source`` is directly followed by ``target``, and
    the edge's count and mean, median and p90 seconds."""
    return _edge_json(apply_filters(log, filters), source, target, sort, desc, limit, offset)


@router.get("/cases/activity-cases", summary="The cases with an activity")
def cases_activity_cases(
    log: CaseLog,
    filters: QueryFilters,
    activity: Annotated[str, _name("The activity.")],
    sort: SortQuery = "start",
    desc: Descending = False,
    limit: Limit = 25,
    offset: Offset = 0,
) -> Json:
    """The workspace's cases with at least one event of ``activity``."""
    log = apply_filters(log, filters)
    cases = activity_cases(log, activity)
    return case_page_json(
        case_page(log, cases, sort=sort, descending=desc, offset=offset, limit=limit)
    )


@router.get("/cases/variant-cases", summary="The cases of a variant")
def cases_variant_cases(
    log: CaseLog,
    filters: QueryFilters,
    rank: Annotated[int, Query(ge=1, description="The variant: 1 is the most frequent.")],
    sort: SortQuery = "start",
    desc: Descending = False,
    limit: Limit = 25,
    offset: Offset = 0,
) -> Json:
    """The workspace's cases that took the ``rank``-th most frequent path; ``variant`` in
    the answer lists its activities."""
    log = apply_filters(log, filters)
    variant = variant_at(log, rank)
    page = case_page(
        log, variant_cases(log, variant), sort=sort, descending=desc, offset=offset, limit=limit
    )
    return {**case_page_json(page), "variant": list(variant)}


@router.post("/edge-cases", summary="The cases behind an edge of an uploaded log")
def upload_edge_cases(
    log: UploadedLog,
    filters: FormFilters,
    source: Annotated[str, Form(min_length=1, max_length=500, pattern=NO_NUL)],
    target: Annotated[str, Form(min_length=1, max_length=500, pattern=NO_NUL)],
    sort: Annotated[Sort, Form()] = "start",
    desc: Annotated[bool, Form()] = False,
    limit: Annotated[int, Form(ge=1, le=MAX_PAGE)] = 25,
    offset: Annotated[int, Form(ge=0)] = 0,
) -> Json:
    """The cases of the uploaded log (the ``file`` and the fields of ``POST /map``) in which
    ``source`` is directly followed by ``target``:
    ``rapport discover cases-of LOG --edge SOURCE TARGET --json``."""
    return _edge_json(apply_filters(log, filters), source, target, sort, desc, limit, offset)
