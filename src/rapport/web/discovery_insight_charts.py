"""ECharts options of the water-cooler network and of the KPI comparison; pure shaping,
no NiceGUI. Names from a log only reach the chart as data (tooltips in ``richText`` mode).
"""

from __future__ import annotations

import math
from typing import Any

from rapport.web.presentation import human_duration

MAX_NETWORK_EDGES = 80  # the heaviest edges of the network; the water coolers always drawn
MAX_COOLERS_DRAWN = 100
TIMES = "\u00d7"  # the multiplication sign
COOLER_COLOUR = "#ea580c"
PLAIN_COLOUR = "#94a3b8"


def lift_text(lift: float | None) -> str:
    """``3.4`` and the multiplication sign; a pair the flow never expects has an unbounded lift."""
    if lift is None or not math.isfinite(lift):
        return "∞ (never expected)"
    return f"{lift:,.1f}{TIMES}"


def cooler_network_options(
    network: dict[str, Any], coolers: list[dict[str, Any]], *, directed: bool
) -> dict[str, Any]:
    """The network (``network_json``'s nodes and edges) with the water coolers drawn
    thicker in ``COOLER_COLOUR``; node size by cases, edge width by observed count."""
    special = {(c["source"], c["target"]): c for c in coolers[:MAX_COOLERS_DRAWN]}
    plain = [e for e in network["edges"] if (e["source"], e["target"]) not in special]
    plain.sort(key=lambda e: -int(e["weight"]))
    drawn_plain = plain[:MAX_NETWORK_EDGES]
    names = {e["source"] for e in drawn_plain} | {e["target"] for e in drawn_plain}
    names |= {s for s, _ in special} | {t for _, t in special}
    nodes = [n for n in network["nodes"] if n["id"] in names]
    ids = {str(n["id"]): f"v{i}" for i, n in enumerate(nodes)}
    biggest = max((int(n["cases"]) for n in nodes), default=1) or 1
    heaviest = max(
        [int(e["weight"]) for e in drawn_plain] + [int(c["observed"]) for c in special.values()],
        default=1,
    )
    unit = "handovers" if directed else "shared cases"
    links: list[dict[str, Any]] = []
    for edge in drawn_plain:
        weight = int(edge["weight"])
        links.append(
            {
                "source": ids[edge["source"]],
                "target": ids[edge["target"]],
                "value": weight,
                "lineStyle": {
                    "width": round(0.6 + 5 * math.sqrt(weight / heaviest), 1),
                    "color": PLAIN_COLOUR,
                    "opacity": 0.45,
                    "curveness": 0.12,
                },
                "tooltip": {"formatter": f"{weight:,} {unit}"},
            }
        )
    for (source, target), cooler in special.items():
        observed = int(cooler["observed"])
        links.append(
            {
                "source": ids[source],
                "target": ids[target],
                "value": observed,
                "lineStyle": {
                    "width": round(2 + 6 * math.sqrt(observed / heaviest), 1),
                    "color": COOLER_COLOUR,
                    "opacity": 0.95,
                    "curveness": 0.12,
                },
                "tooltip": {
                    "formatter": f"water cooler: {observed:,} {unit}, the flow explains "
                    f"{float(cooler['expected']):,.2f} · lift {lift_text(cooler['lift'])}"
                },
            }
        )
    in_coolers = {s for s, _ in special} | {t for _, t in special}
    data = [
        {
            "id": ids[str(n["id"])],
            "name": str(n["id"]),
            "value": int(n["cases"]),
            "symbolSize": round(8 + 30 * math.sqrt(int(n["cases"]) / biggest), 1),
            "itemStyle": {"color": COOLER_COLOUR if n["id"] in in_coolers else "#2563eb"},
            "tooltip": {
                "formatter": "{b}\n" + f"{int(n['cases']):,} cases, {int(n['events']):,} events"
            },
        }
        for n in nodes
    ]
    return {
        "animation": False,
        "tooltip": {"renderMode": "richText", "confine": True},
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "force": {"repulsion": 125, "edgeLength": [35, 105], "gravity": 0.14},
                "roam": True,
                "draggable": True,
                "edgeSymbol": ["none", "arrow"] if directed else ["none", "none"],
                "edgeSymbolSize": [0, 7],
                "label": {"show": True, "position": "right", "formatter": "{b}", "fontSize": 10},
                "emphasis": {"focus": "adjacency"},
                "data": data,
                "links": links,
            }
        ],
    }


def box_stats(values: list[float]) -> list[float]:
    """``[p5, q1, median, q3, p95]`` of ``values`` (linear interpolation), for a box plot
    whose whiskers leave out the extreme 5 % on either side."""
    ordered = sorted(values)
    if not ordered:
        return []

    def at(q: float) -> float:
        index = q * (len(ordered) - 1)
        low = math.floor(index)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (index - low)

    return [at(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)]


def _unit(seconds: float) -> tuple[str, float]:
    for name, size in (("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if seconds >= 2 * size:
            return name, size
    return "seconds", 1.0


def duration_box_options(
    before: list[float], after: list[float], labels: tuple[str, str]
) -> dict[str, Any]:
    """Two box plots side by side: each period's durations (whiskers at p5 and p95)."""
    stats = [box_stats(before), box_stats(after)]
    top = max((s[-1] for s in stats if s), default=0.0)
    unit, size = _unit(top)
    boxes = [[round(v / size, 3) for v in s] if s else [] for s in stats]
    text = [
        "\n".join(
            f"{name} {human_duration(v)}"
            for name, v in zip(("p5", "q1", "median", "q3", "p95"), s, strict=True)
        )
        if s
        else "no cases"
        for s in stats
    ]
    return {
        "animation": False,
        "tooltip": {"renderMode": "richText", "trigger": "item"},
        "grid": {"left": 70, "right": 30, "top": 30, "bottom": 40},
        "xAxis": {"type": "category", "data": list(labels)},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {
                "type": "boxplot",
                "data": [
                    {"value": b, "tooltip": {"formatter": f"{label}\n{t}"}}
                    for b, label, t in zip(boxes, labels, text, strict=True)
                ],
                "itemStyle": {"color": "#dbeafe", "borderColor": "#1e3a8a"},
            }
        ],
    }


def share_bar_options(
    before: float | None, after: float | None, labels: tuple[str, str]
) -> dict[str, Any]:
    """Two bars: each period's share of cases, in per cent."""
    values = [None if v is None else round(100 * v, 1) for v in (before, after)]
    return {
        "animation": False,
        "tooltip": {"renderMode": "richText", "trigger": "axis"},
        "grid": {"left": 60, "right": 30, "top": 30, "bottom": 40},
        "xAxis": {"type": "category", "data": list(labels)},
        "yAxis": {"type": "value", "name": "% of cases", "max": 100},
        "series": [
            {
                "type": "bar",
                "data": values,
                "barWidth": "35%",
                "itemStyle": {"color": "#2563eb"},
                "label": {"show": True, "position": "top", "formatter": "{c} %"},
            }
        ],
    }
