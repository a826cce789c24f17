"""Rework, loops, rare variants, cancellations and hot spots on hand-made logs."""

from __future__ import annotations

import pytest
from tests.unit.discovery.logs import make_log

from rapport.discovery.exceptions import find_exceptions
from rapport.discovery.hotspots import find_hotspots
from rapport.discovery.log import EventLog, EventLogError


def _log() -> EventLog:
    # 20 cases a → b → c in three hours, by ann, bob and cy. Four cases go to eve, who
    # redoes b (rework, a loop b → b) after a long wait; one of those is cancelled.
    cases = []
    for i in range(16):
        cases.append(
            (f"ok{i}", [("a", "ann", "front", 0), ("b", "bob", "back", 1), ("c", "cy", "back", 3)])
        )
    for i in range(4):
        events = [
            ("a", "ann", "front", 0),
            ("b", "eve", "back", 30),
            ("b", "eve", "back", 31),
            ("c", "cy", "back", 32),
        ]
        if i == 0:
            events.append(("Cancel order", "cy", "back", 33))
        cases.append((f"slow{i}", events))
    return make_log(cases)


def test_rework_loops_rare_paths_and_cancellations() -> None:
    result = find_exceptions(_log(), rare_below=0.1)
    assert result.rework_cases == 4
    assert result.rework == [{"activity": "b", "cases": 4, "repeats": 4, "share": 0.2}]
    assert result.loops == [{"source": "b", "target": "b", "count": 4, "cases": 4, "share": 0.2}]
    # a → b → b → c covers 3 of 20 cases (15 %), the cancelled path 1 (5 %): only it is rare
    assert [v["variant"] for v in result.rare_variants] == [["a", "b", "b", "c", "Cancel order"]]
    assert result.rare_cases == 1
    assert result.cancellations == [
        {"activity": "Cancel order", "events": 1, "cases": 1, "share": 0.05}
    ]
    data = result.as_dict()
    assert data["rework_share"] == 0.2
    assert data["cancelled_share"] == 0.05
    custom = find_exceptions(_log(), cancel_pattern="^c$")
    assert custom.cancelled_cases == 20
    with pytest.raises(EventLogError, match="not a regular expression"):
        find_exceptions(_log(), cancel_pattern="(")


def test_the_resource_where_exceptions_overlap_is_the_top_hot_spot() -> None:
    result = find_hotspots(_log(), "org:resource", min_cases=1, rare_below=0.1)
    top = result.items[0]
    assert top.value == "eve"
    assert top.shares["rework"] == 1.0
    assert top.shares["delay"] == 1.0  # her first b waited 30 h, far above the p90
    assert top.score > 2
    assert any(reason.startswith("rework in 100% of its cases") for reason in top.reasons)
    assert any("waits above the log's p90" in reason for reason in top.reasons)
    bob = next(item for item in result.items if item.value == "bob")
    assert bob.shares["rework"] == 0.0
    assert bob.reasons == []
    assert bob.score < 1
    assert [h.value for h in find_hotspots(_log(), "org:resource", top=1, min_cases=4).items] == [
        "eve"
    ]


def test_hot_spots_by_department_and_the_min_cases_cut() -> None:
    result = find_hotspots(_log(), "dept", min_cases=1)
    assert [h.value for h in result.items] == ["back", "front"]
    assert result.items[0].cases == 20
    assert find_hotspots(_log(), "org:resource", min_cases=5).items[-1].value != "eve"
    assert "eve" not in {h.value for h in find_hotspots(_log(), "org:resource").items}
    with pytest.raises(EventLogError, match="no attribute 'org:group'"):
        find_hotspots(_log(), "org:group")
