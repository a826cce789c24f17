"""A process model of the log: pm4py's inductive miner, as a process tree and as BPMN.

pm4py (the reference implementation, AGPL like Rapport) is imported only inside these
functions, so the rest of discovery starts without it. ``to_pandas`` is the one place an
EventLog becomes the DataFrame pm4py reads.
"""

from __future__ import annotations

import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog
from rapport.errors import InvalidInput

MODEL_FORMATS = (".bpmn", ".pnml")
_XES = {CASE: "case:concept:name", ACTIVITY: "concept:name", TIMESTAMP: "time:timestamp"}


class ModelError(InvalidInput):
    """A model file that cannot be read, or a model that cannot be built; says which file."""


@dataclass(frozen=True)
class PetriNet:
    """A Petri net with its initial and final marking, as pm4py's replay takes it."""

    net: Any
    initial: Any
    final: Any
    source: str


@dataclass(frozen=True)
class DiscoveredModel:
    noise: float
    tree: Any  # pm4py ProcessTree
    bpmn: Any  # pm4py BPMN

    def petri_net(self) -> PetriNet:
        import pm4py

        net, initial, final = pm4py.convert_to_petri_net(self.tree)
        return PetriNet(net, initial, final, "the discovered model")


def pm4py_quiet() -> None:
    """No progress bars or deprecation notes from pm4py on the user's terminal."""
    from pm4py.util import constants

    constants.SHOW_PROGRESS_BAR = False
    warnings.filterwarnings("ignore", module="pm4py")


def to_pandas(log: EventLog) -> Any:
    """The case, activity and timestamp columns under pm4py's (XES) names, in log order."""
    frame = log.frame.select(list(_XES)).rename(_XES)
    return frame.to_pandas()


def discover_model(log: EventLog, *, noise: float = 0.0) -> DiscoveredModel:
    """The inductive miner's process tree (``noise``: its noise threshold, 0 to 1; 0 keeps
    every behaviour) and the same model as BPMN."""
    if not 0.0 <= noise <= 1.0:
        raise ModelError(f"--noise {noise}: must be between 0 and 1")
    if log.events == 0:
        raise ModelError(f"{log.source}: the log has no events, there is nothing to model")
    import pm4py

    pm4py_quiet()
    tree = pm4py.discover_process_tree_inductive(to_pandas(log), noise_threshold=noise)
    return DiscoveredModel(noise=noise, tree=tree, bpmn=pm4py.convert_to_bpmn(tree))


def bpmn_xml(model: DiscoveredModel) -> bytes:
    """The BPMN 2.0 XML of the model, with a diagram layout where graphviz can make one."""
    from pm4py.objects.bpmn.exporter.variants import etree

    bpmn = model.bpmn
    try:
        from pm4py.objects.bpmn.layout import layouter

        bpmn = layouter.apply(bpmn)
    except Exception:  # no graphviz: the XML is still valid, only without positions
        bpmn = model.bpmn
    return bytes(etree.get_xml_string(bpmn))


def write_bpmn(model: DiscoveredModel, path: Path) -> None:
    try:
        path.write_bytes(bpmn_xml(model))
    except OSError as exc:
        raise ModelError(f"--bpmn-out {path}: cannot write ({exc.strerror})") from None


def read_model(path: Path) -> PetriNet:
    """A model the user supplies: a ``.bpmn`` file (converted to a Petri net) or a
    ``.pnml`` Petri net with its markings."""
    suffix = path.suffix.lower()
    if suffix not in MODEL_FORMATS:
        raise ModelError(f"{path}: unknown model format; expected {' or '.join(MODEL_FORMATS)}")
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    import pm4py

    pm4py_quiet()
    kind = "BPMN" if suffix == ".bpmn" else "PNML"
    try:
        if suffix == ".bpmn":
            net, initial, final = pm4py.convert_to_petri_net(pm4py.read_bpmn(str(path)))
        else:
            net, initial, final = pm4py.read_pnml(str(path))
    except Exception as exc:  # pm4py raises whatever its XML parser or converter raises
        text = str(exc).strip().splitlines()
        raise ModelError(
            f"{path}: not a readable {kind} model ({text[0] if text else type(exc).__name__})"
        ) from None
    if not net.transitions:
        raise ModelError(f"{path}: the {kind} model has no activities")
    if not initial or not final:
        raise ModelError(f"{path}: the {kind} model has no start or no end")
    return PetriNet(net, initial, final, str(path))


def model_json(model: DiscoveredModel) -> dict[str, Any]:
    """The process tree as text and the BPMN as nodes and flows a web page can draw.

    Node ids are stable (``n0`` is the start event, then breadth first); ``layer`` is the
    node's distance from the start, a left-to-right position for a simple layout.
    """
    bpmn = model.bpmn
    outgoing: dict[Any, list[Any]] = {}
    for flow in bpmn.get_flows():
        outgoing.setdefault(flow.get_source(), []).append(flow.get_target())
    starts = [n for n in bpmn.get_nodes() if "StartEvent" in type(n).__name__]
    order: dict[Any, int] = {}
    layer: dict[Any, int] = {}
    queue = deque(sorted(starts, key=_label))
    for node in queue:
        layer[node] = 0
    while queue:
        node = queue.popleft()
        order.setdefault(node, len(order))
        for target in sorted(outgoing.get(node, []), key=_label):
            if target not in layer:
                layer[target] = layer[node] + 1
                queue.append(target)
    for node in sorted(set(bpmn.get_nodes()) - set(order), key=_label):
        order[node] = len(order)  # unreachable from a start: listed last
        layer.setdefault(node, 0)
    nodes = sorted(order, key=order.__getitem__)
    return {
        "noise": model.noise,
        "tree": str(model.tree),
        "activities": sorted({n.get_name() for n in nodes if _kind(n) == "task"}),
        "nodes": [
            {"id": f"n{order[n]}", "type": _kind(n), "name": n.get_name(), "layer": layer[n]}
            for n in nodes
        ],
        "flows": sorted(
            (
                {"source": f"n{order[f.get_source()]}", "target": f"n{order[f.get_target()]}"}
                for f in bpmn.get_flows()
            ),
            key=lambda f: (int(f["source"][1:]), int(f["target"][1:])),
        ),
    }


def _kind(node: Any) -> str:
    name = type(node).__name__
    for marker, kind in (
        ("StartEvent", "start"),
        ("EndEvent", "end"),
        ("ExclusiveGateway", "xor"),
        ("ParallelGateway", "and"),
        ("InclusiveGateway", "or"),
        ("Task", "task"),
    ):
        if marker in name:
            return kind
    return name.lower()


def _label(node: Any) -> tuple[str, str]:
    return (_kind(node), str(node.get_name()))
