"""Working-together and handover networks, and the water coolers' expected counts, on logs
where the answer is known by hand."""

from __future__ import annotations

import pytest
from tests.unit.discovery.logs import make_log

from rapport.discovery.coolers import (
    expected_handovers,
    expected_shared_cases,
    find_water_coolers,
    water_coolers_json,
)
from rapport.discovery.social import handover_network, together_network


def _cooler_log() -> object:
    # 40 cases a → b → c. Half the a's are done by X and half by W, half the b's by Y and
    # half by Z, every c by V. The flow explains X→Y as often as X→Z (10 each of the 40
    # a→b handovers); in fact X always hands to Y and W to Z: 20 each, twice the expected.
    # b → c is fully explained: Y→V and Z→V are 20 each, as expected.
    cases = []
    for i in range(40):
        first, second = ("X", "Y") if i % 2 else ("W", "Z")
        cases.append((f"c{i}", [("a", "p", first, 0), ("b", "q", second, 1), ("c", "r", "V", 2)]))
    return make_log(cases)


def test_expected_handovers_follow_the_independence_model() -> None:
    table = expected_handovers(_cooler_log(), "dept")  # type: ignore[arg-type]
    rows = {(r["source"], r["target"]): (r["observed"], r["expected"]) for r in table.to_dicts()}
    assert rows[("X", "Y")] == (20, pytest.approx(10.0))
    assert rows[("W", "Z")] == (20, pytest.approx(10.0))
    assert rows[("X", "Z")] == (0, pytest.approx(10.0))
    assert rows[("W", "Y")] == (0, pytest.approx(10.0))
    assert rows[("Y", "V")] == (20, pytest.approx(20.0))
    assert sum(o for o, _ in rows.values()) == pytest.approx(sum(e for _, e in rows.values()))


def test_water_coolers_are_the_pairs_the_flow_does_not_explain() -> None:
    log = _cooler_log()
    found = find_water_coolers(log, "dept", min_count=5, min_lift=1.5)  # type: ignore[arg-type]
    assert [(w.source, w.target) for w in found] == [("W", "Z"), ("X", "Y")]
    assert all(w.lift == pytest.approx(2.0) for w in found)
    assert all(w.p_value < 0.01 for w in found)  # P(N >= 20 | 10) is about 0.003
    # with a stricter lift nothing is left; Y→V (lift 1) is never a water cooler
    assert find_water_coolers(log, "dept", min_count=5, min_lift=2.5) == []  # type: ignore[arg-type]
    data = water_coolers_json(log, "dept", found)  # type: ignore[arg-type]
    assert {n["id"] for n in data["network"]["nodes"]} == {"W", "X", "Y", "Z"}
    assert data["network"]["edges"][0] == {"source": "W", "target": "Z", "weight": 20, "lift": 2.0}


def test_networks_have_sized_nodes_and_weighted_edges() -> None:
    log = make_log(
        [
            ("c1", [("a", "ann", "sales", 0), ("b", "bob", "ops", 1), ("c", "ann", "sales", 2)]),
            ("c2", [("a", "ann", "sales", 0), ("b", "cy", "ops", 1)]),
            ("c3", [("a", "bob", "ops", 0), ("b", None, None, 1)]),
        ]
    )
    together = together_network(log, "org:resource").as_dict()
    assert together["directed"] is False
    assert together["edges"] == [
        {"source": "ann", "target": "bob", "weight": 1},
        {"source": "ann", "target": "cy", "weight": 1},
    ]
    assert together["nodes"][0] == {"id": "ann", "cases": 2, "events": 3}
    handover = handover_network(log, "dept").as_dict()
    assert handover["directed"] is True
    assert handover["edges"] == [  # heaviest first
        {"source": "sales", "target": "ops", "weight": 2},
        {"source": "ops", "target": "sales", "weight": 1},
    ]
    assert handover_network(log, "dept", min_count=2).edges == [
        {"source": "sales", "target": "ops", "weight": 2}
    ]


def test_shared_cases_expected_under_independence() -> None:
    log = _cooler_log()
    table = expected_shared_cases(log, "dept")  # type: ignore[arg-type]
    rows = {(r["source"], r["target"]): (r["observed"], r["expected"]) for r in table.to_dicts()}
    # P(X on a case) = P(Y on it) = 0.5 and they never do the same event: both with 0.25
    assert rows[("X", "Y")] == (20, pytest.approx(10.0))
    assert rows[("W", "Z")] == (20, pytest.approx(10.0))
    # V does every c: with X on half the cases, as the flow says
    assert rows[("V", "X")] == (20, pytest.approx(20.0))
    assert ("X", "Z") not in rows  # never together, so never a candidate
    found = find_water_coolers(log, "dept", kind="together", min_count=5, min_lift=1.5)  # type: ignore[arg-type]
    assert [(w.source, w.target) for w in found] == [("W", "Z"), ("X", "Y")]
    data = water_coolers_json(log, "dept", found, kind="together")  # type: ignore[arg-type]
    assert data["network"]["directed"] is False
