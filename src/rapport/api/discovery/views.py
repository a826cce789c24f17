"""Every discovery view the API serves: its options and what it computes from a log.

Each view is served twice by ``routes.py``: ``POST /discovery/NAME`` on an uploaded log and
``GET /discovery/cases/NAME`` on the workspace's own cases, with the same options.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import File, UploadFile

from rapport.api.discovery.params import (
    FormLogOptions,
    MaxBytes,
    Param,
    Values,
    read_log_upload,
    read_upload,
)
from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.coolers import find_water_coolers, water_coolers_json
from rapport.discovery.exceptions import CANCEL_PATTERN, RARE_BELOW, find_exceptions
from rapport.discovery.hotspots import find_hotspots
from rapport.discovery.kpis import KpiSpec, compare_kpi, measure_kpi, split_periods
from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.performance import measure_performance
from rapport.discovery.social import handover_network, together_network
from rapport.discovery.views import (
    exceptions_json,
    handover_json,
    hotspots_json,
    kpi_json,
    map_json,
    network_json,
    performance_json,
    variants_json,
)


@dataclass(frozen=True)
class View:
    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    run: Callable[..., Any]
    filters: bool = True  # the case filters (since, until, where, variants) apply
    upload_extras: Callable[..., Values] | None = None  # more files, on uploads only


def _top(default: int = 10) -> Param:
    return Param("top", int, default, "Rows per list.", {"ge": 1, "le": 1000})


_RARE = Param(
    "rare_below",
    float,
    RARE_BELOW,
    "A variant is rare when its share of the cases is below this.",
    {"ge": 0, "le": 1},
)
_NOISE = Param(
    "noise",
    float,
    0.2,
    "The inductive miner's noise threshold (0 keeps every path).",
    {"ge": 0, "le": 1},
)


def _by(default: str) -> Param:
    return Param("by", str, default, "The attribute: org:resource, org:group, any other.")


def _model(log: EventLog, noise: float, bpmn_xml: bool) -> dict[str, Any]:
    from rapport.discovery import model

    discovered = model.discover_model(log, noise=noise)
    data = model.model_json(discovered)
    if bpmn_xml:
        data["bpmn_xml"] = model.bpmn_xml(discovered).decode("utf-8")
    return data


def _conformance(
    log: EventLog, noise: float, alignments: bool, limit: int, model: Any = None
) -> dict[str, Any]:
    from rapport.discovery.conformance import check_conformance
    from rapport.discovery.model import discover_model
    from rapport.discovery.views import conformance_json

    net = model if model is not None else discover_model(log, noise=noise).petri_net()
    return conformance_json(check_conformance(log, net, alignments=alignments, limit=limit))


def _model_upload(
    max_bytes: MaxBytes,
    model: Annotated[
        UploadFile | None,
        File(description="A model to check against: .bpmn or .pnml (default: discover one)."),
    ] = None,
) -> Values:
    if model is None:
        return {}
    from rapport.discovery.model import ModelError, read_model

    name = model.filename or "model"
    suffix = "".join(Path(name).suffixes[-1:]).lower()
    if suffix not in (".bpmn", ".pnml"):
        raise ModelError(f"model: {name}: unknown model format; expected .bpmn or .pnml")

    def read(path: Path) -> Any:
        try:
            return replace(read_model(path), source=name)
        except ModelError as exc:
            raise ModelError(str(exc).replace(str(path), name)) from None

    return {"model": read_upload(model, max_bytes, read, "model", suffix)}


def _kpi(
    log: EventLog,
    kpi: str,
    response_activity: str | None,
    where: str | None,
    before: str | None,
    after: str | None,
    against: EventLog | None = None,
) -> dict[str, Any]:
    spec = KpiSpec(kpi, response_activity=response_activity, where=where).check()
    if (before is None) != (after is None):
        raise EventLogError("before and after go together")
    if before is not None and after is not None:
        if against is not None:
            raise EventLogError("compare two periods (before, after) or two logs (against)")
        return kpi_json(compare_kpi(*split_periods(log, before, after), spec, (before, after)), kpi)
    if against is not None:
        return kpi_json(compare_kpi(log, against, spec, (log.source, against.source)), kpi)
    return kpi_json(measure_kpi(log, spec), kpi)


def _against_upload(
    max_bytes: MaxBytes,
    log_options: FormLogOptions,
    against: Annotated[
        UploadFile | None, File(description="A second log to compare with (same columns).")
    ] = None,
) -> Values:
    if against is None:
        return {}
    return {"against": read_log_upload(against, max_bytes, log_options, "against")}


def _network(log: EventLog, by: str, kind: str, min_count: int) -> dict[str, Any]:
    build = handover_network if kind == "handover" else together_network
    return network_json(build(log, by, min_count))


def _water_coolers(
    log: EventLog, by: str, kind: str, min_count: int, min_lift: float, max_p: float
) -> dict[str, Any]:
    found = find_water_coolers(
        log, by, kind=kind, min_count=min_count, min_lift=min_lift, max_p=max_p
    )
    return water_coolers_json(log, by, found, kind)


VIEWS = (
    View(
        "map",
        "The process map",
        "Activities, start and end activities, and the directly-follows edges with their "
        "counts and times (mean, median, p90 seconds): ``rapport discover map --json``.",
        (Param("min_count", int, 1, "Hide edges seen fewer times.", {"ge": 1}),),
        lambda log, min_count: map_json(discover_map(log, min_count=min_count)),
    ),
    View(
        "variants",
        "The variants",
        "The distinct paths through the process, most frequent first, with their share of "
        "the cases and their durations: ``rapport discover variants --json``.",
        (Param("limit", int | None, None, "Only the N most frequent.", {"ge": 1}),),
        lambda log, limit: variants_json(discover_variants(log), limit),
    ),
    View(
        "handover",
        "The handover of work",
        "How often a case's event by X was followed by its next event by Y (X ≠ Y): "
        "``rapport discover handover --json``.",
        (_by("org:resource"),),
        lambda log, by: handover_json(discover_handover(log, by)),
    ),
    View(
        "performance",
        "The performance",
        "Case durations, bottleneck edges, rework and the variants seen once: "
        "``rapport discover performance --json``.",
        (_top(),),
        lambda log, top: performance_json(measure_performance(log, top=top)),
    ),
    View(
        "exceptions",
        "Rework and exception paths",
        "Activities repeated in a case, rare variants, loops and cancellations: "
        "``rapport discover exceptions --json``.",
        (
            _RARE,
            Param("cancel", str, CANCEL_PATTERN, "Regular expression of cancelling activities."),
            _top(),
        ),
        lambda log, rare_below, cancel, top: exceptions_json(
            find_exceptions(log, rare_below=rare_below, cancel_pattern=cancel, top=top)
        ),
    ),
    View(
        "hotspots",
        "Hot spots",
        "Activities, people or departments ranked by how much rework, long waits and rare "
        "variants overlap in their cases: ``rapport discover hotspots --json``.",
        (
            _by("activity"),
            _top(),
            Param("min_cases", int, 5, "Leave out values in fewer cases.", {"ge": 1}),
            _RARE,
        ),
        lambda log, by, top, min_cases, rare_below: hotspots_json(
            find_hotspots(log, by, top=top, min_cases=min_cases, rare_below=rare_below)
        ),
    ),
    View(
        "network",
        "A handover or working-together network",
        "Nodes sized by their cases, edges weighted by handovers (directed) or shared cases "
        "(undirected): ``rapport discover network --json``.",
        (
            _by("org:group"),
            Param("kind", Literal["handover", "together"], "handover", "The kind of network."),
            Param("min_count", int, 1, "Leave out lighter edges.", {"ge": 1}),
        ),
        _network,
    ),
    View(
        "water-coolers",
        "The water coolers",
        "Pairs of departments that hand work to each other far more than the process map's "
        "flow explains: ``rapport discover water-coolers --json``.",
        (
            _by("org:group"),
            Param(
                "kind",
                Literal["handover", "together"],
                "handover",
                "handover: work passed X → Y; together: shared cases.",
            ),
            Param("min_count", int, 10, "Pairs with fewer are left out.", {"ge": 1}),
            Param("min_lift", float, 2.0, "Observed over expected, at least.", {"ge": 0}),
            Param("max_p", float, 0.01, "Poisson tail, at most.", {"ge": 0, "le": 1}),
        ),
        _water_coolers,
    ),
    View(
        "model",
        "A process model (inductive miner, BPMN)",
        "The process tree and the BPMN model as nodes and flows; ``bpmn_xml`` adds the "
        "BPMN 2.0 XML: ``rapport discover model --json``.",
        (_NOISE, Param("bpmn_xml", bool, False, "Include the BPMN 2.0 XML.")),
        _model,
    ),
    View(
        "conformance",
        "Conformance to a model",
        "Fitness of the log against the discovered model or an uploaded ``model`` (.bpmn, "
        ".pnml), and the deviating cases: ``rapport discover conformance --json``.",
        (
            _NOISE,
            Param("alignments", bool, False, "Exact deviating steps by alignments (slower)."),
            Param("limit", int, 20, "Deviating cases to list.", {"ge": 1, "le": 10_000}),
        ),
        _conformance,
        upload_extras=_model_upload,
    ),
    View(
        "kpi",
        "A KPI, and its change",
        "Cycle time, first response time, rework share or the share of cases with a value; "
        "with ``before`` and ``after`` (START..END) or a second log ``against``, the change "
        "and its significance: ``rapport discover kpi --json``.",
        (
            Param(
                "kpi",
                Literal["cycle-time", "first-response", "rework-share", "share"],
                "cycle-time",
                "Which KPI.",
            ),
            Param("response_activity", str | None, None, "first-response: the response."),
            Param("where", str | None, None, "share: KEY=VALUE, e.g. channel=twitter."),
            Param("before", str | None, None, "START..END: the first period."),
            Param("after", str | None, None, "START..END: the second period."),
        ),
        _kpi,
        filters=False,
        upload_extras=_against_upload,
    ),
)
