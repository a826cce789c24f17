"""Each discovery view as JSON-ready data, the one shape ``rapport discover --json`` prints
and ``/api/v1/discovery`` answers with."""

from __future__ import annotations

from typing import Any

from rapport.discovery.analysis import Handover, ProcessMap, Variant
from rapport.discovery.performance import Performance


def map_json(result: ProcessMap) -> dict[str, Any]:
    """Activities, start and end activities, and the edges with their counts and times."""
    return result.as_dict()


def variants_json(result: list[Variant], limit: int | None = None) -> list[dict[str, Any]]:
    """The variants, most frequent first; only the first ``limit`` if given."""
    return [v.as_dict() for v in result[:limit]]


def handover_json(result: list[Handover]) -> list[dict[str, Any]]:
    """``{"source", "target", "count"}`` per pair, most frequent first."""
    return [{"source": h.source, "target": h.target, "count": h.count} for h in result]


def performance_json(result: Performance) -> dict[str, Any]:
    """Case durations, bottleneck edges, rework and rare variants."""
    return result.as_dict()
