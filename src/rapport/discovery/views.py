"""Each discovery view as JSON-ready data, the one shape ``rapport discover --json`` prints
and ``/api/v1/discovery`` answers with (and the web views draw)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapport.discovery.analysis import Handover, ProcessMap, Variant
from rapport.discovery.coolers import water_coolers_json
from rapport.discovery.model import model_json
from rapport.discovery.performance import Performance

if TYPE_CHECKING:  # the modules behind these views load scipy or pm4py when they run
    from rapport.discovery.conformance import Conformance
    from rapport.discovery.exceptions import Exceptions
    from rapport.discovery.hotspots import HotSpots
    from rapport.discovery.kpis import KpiComparison, KpiValue
    from rapport.discovery.social import Network


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


def exceptions_json(result: Exceptions) -> dict[str, Any]:
    """Rework per activity, rare variants, loop-back edges and cancellations, each with
    its cases and share, and the case counts and shares of each kind over the log."""
    return result.as_dict()


def hotspots_json(result: HotSpots) -> dict[str, Any]:
    """``{"attribute", "cases", "delay_seconds", "baseline", "items": [{"value", "cases",
    "events", "shares", "lifts", "score", "reasons"}]}``, the highest score first."""
    return result.as_dict()


def network_json(result: Network) -> dict[str, Any]:
    """``{"attribute", "kind", "directed", "nodes": [{"id", "cases", "events"}],
    "edges": [{"source", "target", "weight"}]}``."""
    return result.as_dict()


__all__ = [
    "conformance_json",
    "exceptions_json",
    "handover_json",
    "hotspots_json",
    "kpi_json",
    "map_json",
    "model_json",  # the BPMN model as nodes and flows
    "network_json",
    "performance_json",
    "variants_json",
    "water_coolers_json",  # the pairs, and their network to draw
]


def conformance_json(result: Conformance) -> dict[str, Any]:
    """Fitness figures and the deviating cases, the least fitting first."""
    return result.as_dict()


def kpi_json(result: KpiValue | KpiComparison, kpi: str) -> dict[str, Any]:
    """A KPI's value (``{"kpi", "value": {...}}``) or its before/after comparison."""
    from dataclasses import asdict

    from rapport.discovery.kpis import KpiComparison

    if isinstance(result, KpiComparison):
        return result.as_dict()
    return {"kpi": kpi, "value": asdict(result)}
