"""The process map's layout: left to right along the flow, loops handled, one drawing per
graph whatever the order the edges come in."""

from __future__ import annotations

import random

import pytest

from rapport.discovery.layout import END, START, Layout, layout_map

CHAIN = [("a", "b", 50), ("b", "c", 50), ("c", "d", 50)]


def _forward_edges_point_right(layout: Layout, edges: list[tuple[str, str, int]]) -> None:
    for source, target, _count in edges:
        if source == target or (source, target) in layout.back_edges:
            continue
        assert layout.x[source] < layout.x[target], (source, target)


def test_a_chain_runs_left_to_right_between_start_and_end() -> None:
    layout = layout_map("abcd", CHAIN, {"a": 50}, {"d": 50})
    assert [layout.layers[n] for n in (START, "a", "b", "c", "d", END)] == [0, 1, 2, 3, 4, 5]
    assert layout.x[START] == min(layout.x.values())
    assert layout.x[END] == max(layout.x.values())
    assert not layout.back_edges
    assert len({layout.y[n] for n in "abcd"}) == 1  # one row: nothing to cross


def test_loops_are_broken_against_the_lighter_direction() -> None:
    edges = [*CHAIN, ("c", "b", 7), ("d", "a", 2), ("b", "b", 3)]
    layout = layout_map("abcd", edges, {"a": 50}, {"d": 50})
    assert layout.back_edges == {("c", "b"), ("d", "a")}
    assert ("b", "b") not in layout.back_edges  # a self-loop is drawn on its node
    _forward_edges_point_right(layout, edges)
    assert set(layout.x) == {START, END, *"abcd"}


def test_every_forward_edge_points_right_on_a_tangled_graph() -> None:
    rng = random.Random(7)
    names = [f"t{i}" for i in range(12)]
    edges = [(rng.choice(names), rng.choice(names), rng.randint(1, 40)) for _ in range(60)]
    layout = layout_map(names, edges, {"t0": 10, "t3": 2}, {"t11": 9}, main_flow=0.0)
    _forward_edges_point_right(layout, edges)
    # the cycles are gone: following only the non-back edges never comes back to a node
    layers = layout.layers
    assert all(layers[START] < layers[n] < layers[END] for n in names)


def test_start_activities_sit_left_and_end_activities_right() -> None:
    edges = [("open", "work", 80), ("work", "close", 80), ("reopen", "work", 5)]
    layout = layout_map(["open", "work", "close", "reopen"], edges, {"open": 80, "reopen": 5},
                        {"close": 85})  # fmt: skip
    assert layout.layers["open"] == 1
    assert layout.layers["reopen"] == 1
    assert layout.x["close"] == max(x for n, x in layout.x.items() if n != END)


def test_a_rare_detour_does_not_stretch_the_main_flow() -> None:
    edges = [("a", "b", 100), ("b", "c", 100), ("a", "x", 1), ("x", "y", 1), ("y", "b", 1)]
    compact = layout_map("abcxy", edges, {"a": 100}, {"c": 100})
    assert compact.layers["b"] == 2  # not pushed right of the two rare activities
    strict = layout_map("abcxy", edges, {"a": 100}, {"c": 100}, main_flow=0.0)
    assert strict.layers["b"] == 4


def test_the_same_graph_always_gets_the_same_drawing() -> None:
    edges = [*CHAIN, ("a", "c", 5), ("b", "d", 9), ("c", "b", 4), ("a", "e", 3), ("e", "d", 3)]
    first = layout_map("abcde", edges, {"a": 50}, {"d": 50})
    for seed in range(5):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        again = layout_map(list(reversed("abcde")), shuffled, {"a": 50}, {"d": 50})
        assert again == first


def test_branches_are_ordered_to_avoid_crossings() -> None:
    # two parallel paths: top stays with top, bottom with bottom
    edges = [("s1", "a1", 30), ("s2", "a2", 20), ("a1", "z", 30), ("a2", "z", 20)]
    layout = layout_map(["s1", "s2", "a1", "a2", "z"], edges, {"s1": 30, "s2": 20}, {"z": 50})
    assert (layout.y["s1"] < layout.y["s2"]) == (layout.y["a1"] < layout.y["a2"])


@pytest.mark.parametrize("activities", [[], ["only"]])
def test_tiny_maps(activities: list[str]) -> None:
    start = dict.fromkeys(activities, 1)
    layout = layout_map(activities, [], start, start)
    assert layout.layers[START] == 0
    assert layout.layers[END] == (2 if activities else 1)
