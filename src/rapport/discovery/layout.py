"""Where to draw a process map: a layered left-to-right layout of a directly-follows graph.

The steps are the usual ones for a readable flow drawing (Sugiyama's): break the cycles by
reversing the back edges a depth-first walk from the start finds (heaviest edges walked
first, so the main flow keeps its direction); give each node the layer of its longest path
from the start along the main flow (edges much rarer than the busiest do not count); then
order the nodes of each layer by the weighted barycentre of their neighbours, sweeping left
and right a few times to reduce crossings. The start pseudo-node is alone in the first
layer, the end pseudo-node alone in the last. Every tie is broken by name, so one graph
always gets one drawing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

START = "\x00start"  # pseudo-nodes: no activity name can hold a NUL (XML and CSV readers drop it)
END = "\x00end"
SWEEPS = 6


@dataclass(frozen=True)
class Layout:
    """Each node's layer (0 = the start) and its position in the layer (0 = top), its x and
    y in drawing units, and the edges drawn against the flow (the back edges)."""

    layers: dict[str, int]
    order: dict[str, int]
    x: dict[str, float]
    y: dict[str, float]
    back_edges: frozenset[tuple[str, str]]

    @property
    def depth(self) -> int:
        return max(self.layers.values(), default=0) + 1


def layout_map(
    activities: Iterable[str],
    edges: Iterable[tuple[str, str, int]],
    start: Mapping[str, int],
    end: Mapping[str, int],
    *,
    column_width: float = 240.0,
    row_height: float = 110.0,
    main_flow: float = 0.05,
) -> Layout:
    """Lay out the activities and ``(source, target, count)`` edges; ``start`` and ``end``
    (activity → number of cases that start or end there) connect the two pseudo-nodes.
    ``main_flow`` is the share of the busiest edge's count an edge needs to set the layers."""
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for source, target, count in edges:
        weights[(source, target)] += count
    for name, count in start.items():
        weights[(START, name)] += count
    for name, count in end.items():
        weights[(name, END)] += count
    nodes = sorted({*activities, *(n for pair in weights for n in pair)} - {START, END})
    back = _back_edges([START, *nodes, END], weights)
    forward: dict[tuple[str, str], int] = defaultdict(int)
    for (s, t), w in weights.items():
        if s != t:
            forward[(t, s) if (s, t) in back else (s, t)] += w
    layers = _longest_path_layers(nodes, forward, main_flow)
    order = _order_layers(layers, forward)
    x = {n: layers[n] * column_width for n in layers}
    y: dict[str, float] = {}
    tallest = max((len(v) for v in _by_layer(layers).values()), default=1)
    for members in _by_layer(layers).values():
        offset = (tallest - len(members)) / 2
        for n in members:
            y[n] = (order[n] + offset) * row_height
    return Layout(layers=layers, order=order, x=x, y=y, back_edges=frozenset(back))


def _successors(weights: Mapping[tuple[str, str], int]) -> dict[str, list[str]]:
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for (s, t), w in weights.items():
        if s != t:
            out[s].append((-w, t))
    return {s: [t for _w, t in sorted(pairs)] for s, pairs in out.items()}


def _back_edges(nodes: list[str], weights: Mapping[tuple[str, str], int]) -> set[tuple[str, str]]:
    """Edges into a node still on the depth-first stack (iterative, so deep logs are fine).

    The walk starts at the start pseudo-node; nodes it cannot reach (a filtered map) start
    their own walks, heaviest outgoing flow first. Self-loops are not back edges: they are
    drawn as loops on their node and do not affect the layers.
    """
    successors = _successors(weights)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[str, str]] = set()
    outflow = {n: sum(w for (s, t), w in weights.items() if s == n and t != n) for n in nodes}
    roots = [START, *sorted(nodes[1:], key=lambda n: (-outflow[n], n))]
    for root in roots:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, index = stack[-1]
            children = successors.get(node, [])
            if index < len(children):
                stack[-1] = (node, index + 1)
                child = children[index]
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[node] = 2
                stack.pop()
    # The end is last by definition: an edge leaving it would only come from bad input.
    back.update((s, t) for (s, t) in weights if s == END and t != END)
    return back


def _longest_path_layers(
    nodes: list[str], forward: Mapping[tuple[str, str], int], share: float
) -> dict[str, int]:
    """Layer = length of the longest path from the start over the main flow (Kahn's order).

    Only edges carrying at least ``share`` of the busiest edge's count push a node right; a
    node reached only by rarer edges goes right after the busiest of them. Without that, a
    handful of cases through rare activities would stretch the map over many more layers.
    """
    threshold = share * max(forward.values(), default=0)
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for s, t in sorted(forward):
        if s != END and t != START:
            succs[s].append(t)
            preds[t].append(s)
    every = [START, *nodes, END]
    indegree = {n: len(preds[n]) for n in every}
    ready = sorted(n for n in every if indegree[n] == 0)
    layers: dict[str, int] = {}
    while ready:
        node = ready.pop(0)
        strong = [p for p in preds[node] if forward[(p, node)] >= threshold]
        if strong:
            layers[node] = max(layers[p] + 1 for p in strong)
        elif preds[node]:  # only rare ways in: right after the busiest of them
            busiest = max(preds[node], key=lambda p: (forward[(p, node)], -layers[p]))
            layers[node] = layers[busiest] + 1
        else:  # an activity nothing leads to still sits right of the start
            layers[node] = 0 if node == START else 1
        for child in succs[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
        ready.sort()
    for node in every:
        layers.setdefault(node, 1)  # only if the walk missed a cycle; never leave one out
    layers[START] = 0
    layers[END] = max((v for k, v in layers.items() if k != END), default=0) + 1
    return layers


def _by_layer(layers: Mapping[str, int]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for node, layer in sorted(layers.items(), key=lambda item: (item[1], item[0])):
        grouped[layer].append(node)
    return dict(sorted(grouped.items()))


def _order_layers(
    layers: Mapping[str, int], forward: Mapping[tuple[str, str], int]
) -> dict[str, int]:
    """Barycentre ordering: down sweeps look at the left neighbours, up sweeps at the right."""
    grouped = _by_layer(layers)
    inflow: dict[str, int] = defaultdict(int)
    for (_s, t), w in forward.items():
        inflow[t] += w
    # start with the busiest nodes on top, so the main path runs along the top rows
    for layer, members in grouped.items():
        grouped[layer] = sorted(members, key=lambda n: (-inflow[n], n))
    left: dict[str, list[tuple[str, int]]] = defaultdict(list)
    right: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (s, t), w in forward.items():
        left[t].append((s, w))
        right[s].append((t, w))
    position = {n: i for members in grouped.values() for i, n in enumerate(members)}
    keys = sorted(grouped)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        neighbours = left if downward else right
        for layer in keys[1:] if downward else reversed(keys[:-1]):
            members = grouped[layer]

            current = {n: i for i, n in enumerate(members)}
            grouped[layer] = sorted(
                members, key=lambda n: _barycentre(n, current, neighbours, position)
            )
            position.update({n: i for i, n in enumerate(grouped[layer])})
    return position


def _barycentre(
    node: str,
    current: Mapping[str, int],
    neighbours: Mapping[str, list[tuple[str, int]]],
    position: Mapping[str, int],
) -> tuple[float, str]:
    """The weighted mean position of the node's neighbours; its own place if it has none."""
    linked = [(position[m], w) for m, w in neighbours.get(node, []) if m in position]
    total = sum(w for _p, w in linked)
    if not total:
        return (float(current[node]), node)
    return (sum(p * w for p, w in linked) / total, node)
