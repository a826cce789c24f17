"""The discovered BPMN model (``model_json``'s nodes, flows and layers) as ECharts options:
a ``graph`` series at fixed positions, one column per layer, left to right; tasks as boxes,
gateways as diamonds (marked x exclusive, + parallel, o inclusive), start and end as
circles.

Within a layer the nodes are ordered by the mean row of the nodes that flow into them
(a few sweeps), so a branch and its join stay on the same rows. Names from the log reach the
chart as data only; labels and tooltips are drawn on the canvas (``richText``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapport.web.discovery_chart import _wrapped, corner_nodes

MAX_MODEL_NODES = 400  # larger models are not drawn (the BPMN can still be downloaded)
GAP = 44  # px between the widest nodes of two neighbouring layers
ROW = 90  # px between rows
MARGIN = 80
TASK = (136, 50)
GATEWAY = 34
EVENT = 26
GATEWAY_MARK = {"xor": "\u00d7", "and": "+", "or": "○"}
GATEWAY_NAME = {"xor": "exclusive choice", "and": "parallel split or join", "or": "inclusive"}
_SWEEPS = 4


@dataclass(frozen=True)
class ModelDrawing:
    options: dict[str, Any]
    width: int
    height: int
    tasks: int
    gateways: int


def positions(
    nodes: list[dict[str, Any]], flows: list[dict[str, Any]]
) -> dict[str, tuple[int, int]]:
    """``id → (x, y)`` in pixels: x from the node's layer, y from its row in the layer."""
    layers: dict[int, list[str]] = {}
    for node in nodes:
        layers.setdefault(int(node["layer"]), []).append(str(node["id"]))
    incoming: dict[str, list[str]] = {}
    for flow in flows:
        incoming.setdefault(str(flow["target"]), []).append(str(flow["source"]))
    layer_of = {str(n["id"]): int(n["layer"]) for n in nodes}
    row: dict[str, float] = {}
    for members in layers.values():
        for index, key in enumerate(members):
            row[key] = float(index)
    for _ in range(_SWEEPS):
        for number in sorted(layers):
            members = layers[number]
            wanted: dict[str, float] = {}
            for index, key in enumerate(members):
                earlier = [row[s] for s in incoming.get(key, []) if layer_of.get(s, 0) < number]
                wanted[key] = sum(earlier) / len(earlier) if earlier else float(index)
            members.sort(key=lambda k: (wanted[k], k))
            for index, key in enumerate(members):
                row[key] = float(index)
    tallest = max((len(m) for m in layers.values()), default=1)
    kinds = {str(n["id"]): str(n["type"]) for n in nodes}
    placed: dict[str, tuple[int, int]] = {}
    x, half = float(MARGIN), 0.0
    for number in sorted(layers):
        members = layers[number]
        # a layer of gateways and events is narrower than one with a task in it
        widest = max(TASK[0] if kinds[k] == "task" else GATEWAY for k in members)
        x += (half + widest / 2 + GAP) if placed else 0.0
        half = widest / 2
        offset = (tallest - len(members)) / 2  # each layer centred on the tallest
        for index, key in enumerate(members):
            placed[key] = (round(x), round(MARGIN + (offset + index) * ROW))
    return placed


def draw_model(model: dict[str, Any]) -> ModelDrawing:
    """The options of ``model`` (``model_json``'s shape), every node at its fixed position."""
    nodes: list[dict[str, Any]] = model["nodes"]
    flows: list[dict[str, Any]] = model["flows"]
    at = positions(nodes, flows)
    layer_of = {str(n["id"]): int(n["layer"]) for n in nodes}
    data = [_node(n, *at[str(n["id"])]) for n in nodes]
    links = []
    for flow in flows:
        source, target = str(flow["source"]), str(flow["target"])
        step = layer_of[target] - layer_of[source]
        links.append(
            {
                "source": source,
                "target": target,
                "lineStyle": {
                    "color": "#475569" if step == 1 else "#94a3b8",
                    "width": 1.4,
                    "curveness": 0.0 if step == 1 else (0.3 if step > 1 else -0.35),
                },
                "tooltip": {"show": False},
            }
        )
    width = max((x for x, _ in at.values()), default=0) + MARGIN
    height = max((y for _, y in at.values()), default=0) + MARGIN
    data += corner_nodes(((0, 0), (width, height)))
    options = {
        "animation": False,
        "tooltip": {"renderMode": "richText", "confine": True},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "left": "center",
                "top": 0,
                "width": width,
                "height": height,
                "nodeScaleRatio": 1,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": [0, 8],
                "label": {"show": True},
                "autoCurveness": False,
                "data": data,
                "links": links,
            }
        ],
    }
    kinds = [str(n["type"]) for n in nodes]
    return ModelDrawing(
        options=options,
        width=width,
        height=height,
        tasks=kinds.count("task"),
        gateways=sum(1 for k in kinds if k in GATEWAY_MARK),
    )


def _node(node: dict[str, Any], x: int, y: int) -> dict[str, Any]:
    kind = str(node["type"])
    name = str(node.get("name") or "")
    base: dict[str, Any] = {"id": str(node["id"]), "x": x, "y": y, "value": kind}
    if kind in GATEWAY_MARK:
        return {
            **base,
            "name": GATEWAY_MARK[kind],
            "symbol": "diamond",
            "symbolSize": GATEWAY,
            "itemStyle": {"color": "#fef3c7", "borderColor": "#b45309", "borderWidth": 1.5},
            "label": {"position": "inside", "fontSize": 16, "color": "#92400e"},
            "tooltip": {"formatter": f"gateway: {GATEWAY_NAME[kind]}"},
        }
    if kind in ("start", "end"):
        return {
            **base,
            "name": kind,
            "symbol": "circle",
            "symbolSize": EVENT,
            "itemStyle": {
                "color": "#dcfce7" if kind == "start" else "#fee2e2",
                "borderColor": "#15803d" if kind == "start" else "#b91c1c",
                "borderWidth": 1.5 if kind == "start" else 4,
            },
            "label": {"position": "bottom", "color": "#52606d"},
            "tooltip": {"formatter": f"{kind} event"},
        }
    width, height = TASK
    return {
        **base,
        "name": _wrapped(name or kind),
        "symbol": "roundRect",
        "symbolSize": [width, height],
        "itemStyle": {"color": "#dbeafe", "borderColor": "#1e3a8a", "borderWidth": 1.2},
        "label": {"position": "inside", "color": "#1f2933", "lineHeight": 15},
        "tooltip": {"formatter": name or kind},
    }
