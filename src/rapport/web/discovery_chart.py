"""The process map as ECharts options: a ``graph`` series at the positions of the layered
layout, boxes shaded by frequency, edges thicker where more cases pass and redder where the
wait between the two activities is longer.

Text from a log (activity names) only ever reaches the chart as data: labels and tooltips
are drawn on the canvas (``renderMode: richText``), never as HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rapport.discovery.analysis import Edge, ProcessMap
from rapport.discovery.layout import END, START, Layout, layout_map
from rapport.web.presentation import human_duration

MAX_EDGES = 150
FIRST_EDGES = 60  # a new map starts at the lowest frequency that draws at most this many


def corner_nodes(corners: Sequence[tuple[float, float]]) -> list[dict[str, Any]]:
    """Invisible nodes at ``corners``: a graph drawn at fixed positions spans them, so its
    coordinates stay 1:1 with the pixels of a chart of the same width and height."""
    return [
        {"id": f"corner{n}", "name": "", "x": x, "y": y, "symbolSize": 0,
         "label": {"show": False}, "tooltip": {"show": False}, "silent": True}
        for n, (x, y) in enumerate(corners)
    ]  # fmt: skip


def first_threshold(counts: list[int], edge_counts: list[int]) -> int:
    """The index in ``counts`` (the distinct edge counts, ascending) a new map starts at."""
    for index, threshold in enumerate(counts):
        if sum(1 for c in edge_counts if c >= threshold) <= FIRST_EDGES:
            return index
    return max(len(counts) - 1, 0)


LABELLED_EDGES = 25  # the busiest edges carry their figures; the others on hover
COLUMN = 215  # px between layers: a box and room for an edge's label
ROW = 100  # px between rows
BOX = (140, 56)  # an activity's box; its name wraps on two lines of LINE characters
LINE = 19
MARGIN_X = 100  # half a box and some air, so the first and last fit
MARGIN_Y = 110  # room for the edges that bow over the rows
METRICS = {"mean": "mean", "median": "median", "p90": "90th percentile"}
_GREY = (154, 165, 177)
_RED = (220, 38, 38)
_LIGHT = (219, 234, 254)
_DARK = (30, 58, 138)


@dataclass(frozen=True)
class MapDrawing:
    """The chart options and what its ids stand for, to answer a click."""

    options: dict[str, Any]
    nodes: dict[str, str]  # chart id → activity (or the START / END pseudo-node)
    edges: dict[str, tuple[str, str]]  # chart id → (source, target)
    visible: int  # edges seen at least min_count times
    drawn: int
    hidden_by_count: int
    hidden_activities: int
    width: int
    height: int
    times: dict[tuple[str, str], Edge] = field(default_factory=dict)


def seconds_of(edge: Edge, metric: str) -> float | None:
    """The edge's mean, median or p90 waiting time."""
    return {"mean": edge.mean_seconds, "median": edge.median_seconds}.get(metric, edge.p90_seconds)


def _mix(low: tuple[int, int, int], high: tuple[int, int, int], ratio: float) -> str:
    ratio = min(1.0, max(0.0, ratio))
    r, g, b = (round(a + (z - a) * ratio) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _slowness(values: list[float | None]) -> list[float | None]:
    """Each time's rank among the drawn edges', from 0 (fastest) to 1 (slowest): waits
    span minutes to weeks, and ranks keep the slow ones apart from the rest."""
    known = sorted({v for v in values if v is not None})
    if len(known) < 2:
        return [None if v is None else 0.0 for v in values]
    rank = {v: i / (len(known) - 1) for i, v in enumerate(known)}
    return [None if v is None else rank[v] for v in values]


def draw_map(process_map: ProcessMap, *, min_count: int = 1, metric: str = "mean") -> MapDrawing:
    """The options of the map with the edges seen at least ``min_count`` times, at most the
    ``MAX_EDGES`` most frequent of them."""
    visible = [e for e in process_map.edges if e.count >= min_count]
    drawn = visible[:MAX_EDGES]
    # An activity is drawn when a drawn edge touches it (all of them when none does): one
    # whose edges are all hidden would float unconnected, linked only to start or end.
    touched = {e.source for e in drawn} | {e.target for e in drawn}
    names = [a for a in process_map.activities if a in touched] or list(process_map.activities)
    shown = set(names)
    starts = {a: n for a, n in process_map.start.items() if a in shown}
    ends = {a: n for a, n in process_map.end.items() if a in shown}
    layout = layout_map(
        names,
        [(e.source, e.target, e.count) for e in drawn],
        starts,
        ends,
        column_width=COLUMN,
        row_height=ROW,
    )
    ids = {name: f"n{index}" for index, name in enumerate([START, END, *names])}
    busiest = max(process_map.activities.values(), default=1)
    nodes = [_pseudo_node(ids[START], "start", layout.x[START], layout.y[START], "#16a34a")]
    nodes.append(_pseudo_node(ids[END], "end", layout.x[END], layout.y[END], "#334155"))
    for name in names:
        count = process_map.activities.get(name, 0)
        nodes.append(
            _activity_node(ids[name], name, count, busiest, layout.x[name], layout.y[name])
        )
    heaviest = max((e.count for e in drawn), default=1)
    slowness = _slowness([seconds_of(e, metric) for e in drawn])
    pairs = {(e.source, e.target) for e in drawn}
    links: list[dict[str, Any]] = []
    edge_ids: dict[str, tuple[str, str]] = {}
    for index, (edge, slow) in enumerate(zip(drawn, slowness, strict=True)):
        key = f"e{index}"
        edge_ids[key] = (edge.source, edge.target)
        curve = _curveness(layout, edge.source, edge.target)
        if not curve and (edge.target, edge.source) in pairs:
            curve = 0.18  # A → B and B → A side by side, not on top of each other
        seconds = seconds_of(edge, metric)
        text = f"{edge.count:,} · {human_duration(seconds)}"
        links.append(
            {
                "key": key,
                "source": ids[edge.source],
                "target": ids[edge.target],
                "value": edge.count,
                "lineStyle": {
                    "width": round(1 + 9 * math.sqrt(edge.count / heaviest), 1),
                    "color": _mix(_GREY, _RED, slow) if slow is not None else "#cbd2d9",
                    "curveness": curve,
                    "opacity": 0.85,
                },
                # a loop's label would sit on its box's name: on hover only
                "label": {
                    "show": index < LABELLED_EDGES and edge.source != edge.target,
                    "formatter": text,
                },
                "tooltip": {
                    "formatter": f"{edge.count:,} times · {METRICS[metric]} "
                    + human_duration(seconds)
                },
            }
        )
    for index, (name, count) in enumerate(sorted(starts.items())):
        curve = _curveness(layout, START, name)
        links.append(_pseudo_link(f"s{index}", ids[START], ids[name], count, curve))
    for index, (name, count) in enumerate(sorted(ends.items())):
        curve = _curveness(layout, name, END)
        links.append(_pseudo_link(f"t{index}", ids[name], ids[END], count, curve))
    # Drawn one to one in pixels: two invisible corner anchors fix the bounding box (ECharts
    # stretches x and y separately to fit it), and the page scrolls a map wider than itself.
    width = round(max(layout.x.values(), default=0.0) + 2 * MARGIN_X)
    height = round(max(layout.y.values(), default=0.0) + 2 * MARGIN_Y)
    nodes += corner_nodes(((-MARGIN_X, -MARGIN_Y), (width - MARGIN_X, height - MARGIN_Y)))
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
                "edgeSymbolSize": [0, 9],
                "label": {"show": True},
                "edgeLabel": {"fontSize": 10, "color": "#334155", "backgroundColor": "#ffffffcc"},
                "emphasis": {"focus": "adjacency", "edgeLabel": {"show": True}},
                "autoCurveness": False,
                "data": nodes,
                "links": links,
            }
        ],
    }
    return MapDrawing(
        options=options,
        nodes={v: k for k, v in ids.items()},
        edges=edge_ids,
        visible=len(visible),
        drawn=len(drawn),
        hidden_by_count=len(process_map.edges) - len(visible),
        hidden_activities=len(process_map.activities) - len(names),
        width=width,
        height=height,
        times={(e.source, e.target): e for e in drawn},
    )


def _activity_node(
    key: str, name: str, count: int, busiest: int, x: float, y: float
) -> dict[str, Any]:
    ratio = math.sqrt(count / busiest) if busiest else 0.0
    width, height = BOX
    return {
        "id": key,
        "name": _wrapped(name),
        "value": count,
        "x": x,
        "y": y,
        "symbol": "roundRect",
        "symbolSize": [width, height],
        "itemStyle": {"color": _mix(_LIGHT, _DARK, ratio), "borderColor": "#1e3a8a"},
        "label": {
            "position": "inside",
            "formatter": "{b}\n" + f"{count:,}",
            "lineHeight": 15,
            "color": "#ffffff" if ratio > 0.5 else "#1f2933",
        },
        "tooltip": {"formatter": f"{name}\n{count:,} events"},
    }


def _wrapped(name: str) -> str:
    """The name on at most two lines of ``LINE`` characters, cut with an ellipsis."""
    words, lines, line = name.split(), [], ""
    for word in words:
        while len(word) > LINE:  # a word longer than a line is cut where the line ends
            room = LINE - len(line) - (1 if line else 0)
            if room > 0:
                line = f"{line} {word[:room]}".strip()
                word = word[room:]
            lines.append(line)
            line = ""
        if len(line) + len(word) + (1 if line else 0) <= LINE:
            line = f"{line} {word}".strip()
        else:
            lines.append(line)
            line = word
    lines.append(line)
    lines = [x for x in lines if x] or [name[:LINE]]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: LINE - 1] + "…"]
    return "\n".join(lines)


def _pseudo_node(key: str, label: str, x: float, y: float, color: str) -> dict[str, Any]:
    return {
        "id": key,
        "name": label,
        "x": x,
        "y": y,
        "symbol": "circle",
        "symbolSize": 22,
        "itemStyle": {"color": color},
        "label": {"position": "bottom", "formatter": label, "color": "#52606d"},
        "tooltip": {"formatter": f"{label} of the cases"},
    }


def _curveness(layout: Layout, source: str, target: str) -> float:
    """0 for an edge between neighbouring layers; otherwise a bow over the boxes in between
    rather than through them: forward edges to one side, back edges (drawn the other way)
    to the other. The bow grows slowly with the length, so long edges stay near the map."""
    step = layout.layers[target] - layout.layers[source]
    if step == 1 and (source, target) not in layout.back_edges:
        return 0.0
    span = abs(step)
    length = math.hypot(layout.x[target] - layout.x[source], layout.y[target] - layout.y[source])
    bow = 26 + 14 * min(span, 6)
    return min(0.6, 2 * bow / max(length, 1.0))


def _pseudo_link(key: str, source: str, target: str, count: int, curve: float) -> dict[str, Any]:
    return {
        "key": key,
        "source": source,
        "target": target,
        "value": count,
        "lineStyle": {"width": 1.2, "color": "#94a3b8", "type": "dashed", "curveness": curve},
        "label": {"show": False},
        "tooltip": {"formatter": f"{count:,} cases"},
    }
