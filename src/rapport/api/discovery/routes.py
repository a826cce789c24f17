"""The routes: each view on an uploaded log (POST) and on the workspace's cases (GET)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query

from rapport.api.discovery.params import (
    CaseLog,
    UploadedLog,
    Values,
    filters_dependency,
    no_extras,
    no_filters,
    options,
)
from rapport.api.discovery.views import VIEWS, View
from rapport.discovery.filters import MapFilters, apply_filters


def _upload_route(view: View) -> Any:
    Options = Annotated[Values, Depends(options(view.params, Form))]
    Filters = Annotated[
        MapFilters, Depends(filters_dependency(Form) if view.filters else no_filters)
    ]
    Extras = Annotated[Values, Depends(view.upload_extras or no_extras)]

    def endpoint(log: UploadedLog, filters: Filters, values: Options, extras: Extras) -> Any:
        return view.run(apply_filters(log, filters), **values, **extras)

    return endpoint


def _cases_route(view: View) -> Any:
    Options = Annotated[Values, Depends(options(view.params, Query))]
    Filters = Annotated[
        MapFilters, Depends(filters_dependency(Query) if view.filters else no_filters)
    ]

    def endpoint(log: CaseLog, filters: Filters, values: Options) -> Any:
        return view.run(apply_filters(log, filters), **values)

    return endpoint


def build_router() -> APIRouter:
    """``/discovery/NAME`` (multipart upload ``file`` and form fields) and
    ``/discovery/cases/NAME`` (query parameters) for every view."""
    router = APIRouter(prefix="/discovery", tags=["discovery"])
    for view in VIEWS:
        router.add_api_route(
            f"/{view.name}",
            _upload_route(view),
            methods=["POST"],
            summary=f"{view.summary} of an uploaded log",
            description=view.description,
            name=f"discovery_upload_{view.name.replace('-', '_')}",
        )
    for view in VIEWS:
        router.add_api_route(
            f"/cases/{view.name}",
            _cases_route(view),
            methods=["GET"],
            summary=f"{view.summary} of the workspace's cases",
            description=view.description,
            name=f"discovery_cases_{view.name.replace('-', '_')}",
        )
    return router
