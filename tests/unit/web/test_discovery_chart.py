"""The process map's chart options: what is drawn, how heavy and how red, and that names
from a log stay data (canvas text), never HTML."""

from __future__ import annotations

import json

from rapport.discovery.analysis import Edge, ProcessMap
from rapport.web.discovery_chart import FIRST_EDGES, MAX_EDGES, draw_map, first_threshold

HOSTILE = "<img src=x onerror=alert(1)>"


def _edge(source: str, target: str, count: int, seconds: float) -> Edge:
    return Edge(source, target, count, seconds, seconds, seconds)


def _map(edges: list[Edge]) -> ProcessMap:
    names = sorted({e.source for e in edges} | {e.target for e in edges})
    return ProcessMap(
        activities=dict.fromkeys(names, 10),
        start={edges[0].source: 10},
        end={edges[-1].target: 10},
        edges=sorted(edges, key=lambda e: -e.count),
    )


def test_busier_edges_are_thicker_and_slower_ones_redder() -> None:
    drawing = draw_map(_map([_edge("a", "b", 100, 60), _edge("b", "c", 5, 86400 * 3)]))
    links = {
        drawing.edges[link["key"]]: link["lineStyle"]
        for link in drawing.options["series"][0]["links"]
        if link["key"] in drawing.edges
    }
    assert links[("a", "b")]["width"] > links[("b", "c")]["width"]
    assert links[("b", "c")]["color"] == "#dc2626"  # the slowest: red
    assert links[("a", "b")]["color"] == "#9aa5b1"  # the fastest: grey
    labels = [link["label"].get("formatter") for link in drawing.options["series"][0]["links"]]
    assert "5 · 3 d" in labels


def test_the_frequency_threshold_and_the_cap_hide_edges() -> None:
    edges = [_edge(f"x{i}", f"y{i}", i + 1, 10) for i in range(200)]
    drawing = draw_map(_map(edges))
    assert (drawing.visible, drawing.drawn) == (200, MAX_EDGES)
    fewer = draw_map(_map(edges), min_count=191)
    assert (fewer.visible, fewer.drawn, fewer.hidden_by_count) == (10, 10, 190)


def test_activity_names_are_data_drawn_on_the_canvas_not_html() -> None:
    drawing = draw_map(_map([_edge(HOSTILE, "b", 3, 5)]))
    options = drawing.options
    assert options["tooltip"]["renderMode"] == "richText"
    node = next(n for n in options["series"][0]["data"] if HOSTILE.split()[0] in n["name"])
    assert node["label"]["formatter"].startswith("{b}")  # the name is filled in as text
    assert drawing.nodes[node["id"]] == HOSTILE  # a click maps back to the real name
    text = json.dumps(options)
    assert "function" not in text
    assert ":formatter" not in text


def test_a_new_map_starts_with_at_most_sixty_edges_and_only_connected_activities() -> None:
    edges = [_edge(f"x{i}", f"y{i}", i + 1, 10) for i in range(100)]
    counts = sorted({e.count for e in edges})
    index = first_threshold(counts, [e.count for e in edges])
    assert counts[index] == 41  # edges seen 41 to 100 times: sixty of them
    assert first_threshold([1, 2], [1, 2]) == 0
    drawing = draw_map(_map(edges), min_count=counts[index])
    assert drawing.drawn == FIRST_EDGES
    assert drawing.hidden_activities == 80  # x0..x39 and y0..y39 lost every edge
