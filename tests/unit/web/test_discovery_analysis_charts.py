"""The shaping behind the Hot spots, Water coolers, Model and KPIs tabs of ``/discovery``:
every BPMN node drawn in its shape and layer, water coolers highlighted, the KPI comparison
in words, and names from a log kept as data."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from tests.unit.discovery.logs import make_log

from rapport.discovery.drilldown import value_cases
from rapport.web.discovery_coolers_tab import cooler_rows
from rapport.web.discovery_hotspots_tab import hotspot_rows
from rapport.web.discovery_insight_charts import (
    COOLER_COLOUR,
    box_stats,
    cooler_network_options,
    duration_box_options,
    lift_text,
)
from rapport.web.discovery_kpi_tab import (
    change_text,
    comparison_rows,
    comparison_sentence,
    default_periods,
)
from rapport.web.discovery_model_chart import GAP, GATEWAY, TASK, draw_model, positions
from rapport.web.discovery_model_tab import fitness_text

HOSTILE = "<img src=x onerror=alert(1)>"

# start → xor split → (A | B) → xor join → C → end, as model_json shapes it
MODEL = {
    "noise": 0.2,
    "nodes": [
        {"id": "n0", "type": "start", "name": "start", "layer": 0},
        {"id": "n1", "type": "xor", "name": "", "layer": 1},
        {"id": "n2", "type": "task", "name": "A", "layer": 2},
        {"id": "n3", "type": "task", "name": HOSTILE, "layer": 2},
        {"id": "n4", "type": "xor", "name": "", "layer": 3},
        {"id": "n5", "type": "and", "name": "", "layer": 4},
        {"id": "n6", "type": "task", "name": "C", "layer": 5},
        {"id": "n7", "type": "end", "name": "end", "layer": 6},
    ],
    "flows": [
        {"source": "n0", "target": "n1"},
        {"source": "n1", "target": "n2"},
        {"source": "n1", "target": "n3"},
        {"source": "n2", "target": "n4"},
        {"source": "n3", "target": "n4"},
        {"source": "n4", "target": "n5"},
        {"source": "n5", "target": "n6"},
        {"source": "n6", "target": "n7"},
        {"source": "n6", "target": "n1"},  # a loop back
    ],
}


def _series(options: dict[str, object]) -> dict[str, object]:
    return options["series"][0]  # type: ignore[index,no-any-return]


def test_every_bpmn_node_is_drawn_in_its_shape_at_its_layer() -> None:
    drawing = draw_model(MODEL)
    series = _series(drawing.options)
    drawn = {n["id"]: n for n in series["data"] if not n["id"].startswith("corner")}  # type: ignore[attr-defined]
    assert set(drawn) == {n["id"] for n in MODEL["nodes"]}  # type: ignore[attr-defined]
    shapes = {key: node["symbol"] for key, node in drawn.items()}
    assert shapes["n1"] == shapes["n4"] == shapes["n5"] == "diamond"
    assert shapes["n2"] == shapes["n6"] == "roundRect"
    assert shapes["n0"] == shapes["n7"] == "circle"
    assert drawn["n1"]["name"] == "\u00d7"
    assert drawn["n5"]["name"] == "+"
    # x from the layer, one column per layer; the two branches on different rows
    xs = {key: node["x"] for key, node in drawn.items()}
    assert xs["n2"] == xs["n3"]
    layers = [xs[f"n{i}"] for i in (0, 1, 2, 4, 5, 6, 7)]
    assert layers == sorted(set(layers))  # one column per layer, left to right
    assert xs["n2"] - xs["n1"] == round(GATEWAY / 2 + GAP + TASK[0] / 2)  # room for a box
    assert xs["n5"] - xs["n4"] == GATEWAY + GAP  # two gateways: narrow
    assert drawn["n2"]["y"] != drawn["n3"]["y"]
    assert drawing.tasks == 3
    assert drawing.gateways == 3
    assert len(series["links"]) == len(MODEL["flows"])  # type: ignore[arg-type]
    assert drawing.width >= xs["n7"]


def test_the_loop_back_bows_and_a_log_name_stays_canvas_text() -> None:
    options = draw_model(MODEL).options
    back = next(link for link in _series(options)["links"] if link["target"] == "n1"
                and link["source"] == "n6")  # type: ignore[attr-defined]  # fmt: skip
    assert back["lineStyle"]["curveness"] != 0
    assert options["tooltip"]["renderMode"] == "richText"
    hostile = next(n for n in _series(options)["data"] if n["id"] == "n3")  # type: ignore[attr-defined]
    assert hostile["tooltip"]["formatter"] == HOSTILE  # shown as these characters
    assert hostile["name"].replace("\n", " ") == HOSTILE  # wrapped, not changed
    assert "formatter" not in hostile["label"]  # the label is the name itself


def test_a_join_sits_on_the_rows_of_its_branches() -> None:
    at = positions(MODEL["nodes"], MODEL["flows"])  # type: ignore[arg-type]
    assert at["n4"][1] == at["n1"][1]  # centred between A and its sibling, as the split
    assert min(at["n2"][1], at["n3"][1]) < at["n4"][1] < max(at["n2"][1], at["n3"][1])


NETWORK = {
    "nodes": [
        {"id": "G1", "cases": 100, "events": 300},
        {"id": "G2", "cases": 10, "events": 20},
        {"id": HOSTILE, "cases": 5, "events": 5},
    ],
    "edges": [
        {"source": "G1", "target": "G2", "weight": 50},
        {"source": "G2", "target": HOSTILE, "weight": 12},
    ],
}
COOLERS = [
    {"source": "G2", "target": HOSTILE, "observed": 12, "expected": 1.5, "lift": 8.0,
     "p_value": 1e-6},
    {"source": "G2", "target": "G1", "observed": 11, "expected": 0.0, "lift": None,
     "p_value": 0.0},
]  # fmt: skip


def test_water_coolers_are_highlighted_with_their_lift() -> None:
    series = _series(cooler_network_options(NETWORK, COOLERS, directed=True))
    ids = {n["name"]: n["id"] for n in series["data"]}  # type: ignore[attr-defined]
    assert set(ids) == {"G1", "G2", HOSTILE}
    links = {(x["source"], x["target"]): x for x in series["links"]}  # type: ignore[attr-defined]
    cooler = links[(ids["G2"], ids[HOSTILE])]
    plain = links[(ids["G1"], ids["G2"])]
    assert cooler["lineStyle"]["color"] == COOLER_COLOUR != plain["lineStyle"]["color"]
    assert "lift 8.0" in cooler["tooltip"]["formatter"]
    assert "never expected" in links[(ids["G2"], ids["G1"])]["tooltip"]["formatter"]
    sizes = {n["name"]: n["symbolSize"] for n in series["data"]}  # type: ignore[attr-defined]
    assert sizes["G1"] > sizes["G2"] > sizes[HOSTILE]  # by cases
    assert series["edgeSymbol"] == ["none", "arrow"]


def test_cooler_rows_sort_an_unbounded_lift_first() -> None:
    rows = cooler_rows(COOLERS)
    assert rows[0]["lift"] == "8.0\u00d7"
    assert rows[1]["lift"] == lift_text(None)
    assert rows[1]["lift_raw"] > rows[0]["lift_raw"]
    assert rows[0]["p"] == "1.0e-06"


def test_hotspot_rows_show_shares_and_ratios() -> None:
    data = {
        "items": [
            {"value": "Wait", "cases": 40, "score": 2.345,
             "shares": {"rework": 0.5, "delay": 0.25, "rare": 0.0, "overlap": 0.1},
             "lifts": {"rework": 2.0, "delay": 1.0, "rare": None, "overlap": 3.0},
             "reasons": ["rework in 50% of its cases (all: 25%)"]}
        ]
    }  # fmt: skip
    (row,) = hotspot_rows(data)
    assert row["rework"] == "50 % (2.0\u00d7)"
    assert row["rare"] == "0 %"
    assert row["score"] == 2.35
    assert row["reasons"].startswith("rework in 50%")


def test_value_cases_lists_the_cases_with_that_value() -> None:
    log = make_log(
        [
            ("c1", [("a", "ann", "Billing", 0), ("b", "bob", "Ops", 1)]),
            ("c2", [("a", "ann", "Ops", 0)]),
            ("c3", [("a", "cid", None, 0)]),
        ]
    )
    assert sorted(value_cases(log, "dept", "Billing").to_list()) == ["c1"]
    assert sorted(value_cases(log, "resource", "ann").to_list()) == ["c1", "c2"]


def test_box_stats_and_the_box_plot() -> None:
    assert box_stats([float(v) for v in range(101)]) == [5.0, 25.0, 50.0, 75.0, 95.0]
    options = duration_box_options([3600.0 * h for h in range(1, 50)], [], ("before", "after"))
    assert options["yAxis"]["name"] == "hours"
    data = options["series"][0]["data"]
    assert data[0]["value"][2] == 25.0
    assert data[1]["value"] == []
    assert data[1]["tooltip"]["formatter"].endswith("no cases")


COMPARISON = {
    "kpi": "cycle-time",
    "unit": "seconds",
    "before": {"label": "2024-01-01 to 2024-01-31", "cases": 1200, "value": 86400 * 3,
               "without": 0},
    "after": {"label": "2024-02-01 to 2024-02-29", "cases": 900, "value": 86400 * 2,
              "without": 0},
    "change": -86400.0,
    "relative_change": -1 / 3,
    "test": "mann-whitney-u",
    "p_value": 0.0012,
    "significant": True,
}  # fmt: skip


def test_the_comparison_in_plain_words() -> None:
    rows = dict(comparison_rows(COMPARISON))
    assert rows["Before (2024-01-01 to 2024-01-31)"] == "median 3 d · 1,200 cases"
    assert rows["Change"] == "1 d shorter"
    assert rows["Relative change"] == "-33.3 %"
    assert rows["p-value (Mann-Whitney U, two-sided)"] == "0.0012"
    assert rows["Significant at 5%"] == "yes"
    share = {**COMPARISON, "unit": "share", "change": 0.031, "significant": False,
             "test": "two-proportion-z"}  # fmt: skip
    assert change_text(share) == "+3.1 percentage points"
    assert dict(comparison_rows(share))["Significant at 5%"] == "no"
    assert comparison_sentence(COMPARISON) == (
        "The median cycle time went from 3 d to 2 d (1 d shorter, -33.3 %); the difference "
        "is significant at 5 % (p = 0.0012)."
    )
    untested = {**share, "kpi": "share", "where": "channel=twitter", "p_value": None}
    assert comparison_sentence(untested).startswith("The share of cases with channel=twitter")
    assert "too few cases" in comparison_sentence(untested)


def test_default_periods_split_the_case_starts_in_the_users_days() -> None:
    # cases start on 2024-01-01 .. 2024-01-11 (UTC midnight): in Los Angeles a day earlier
    log = make_log([(f"c{i}", [("a", "x", "d", 0)]) for i in range(11)])
    before, after = default_periods(log, ZoneInfo("UTC"))
    assert before.first == date(2024, 1, 1)
    assert after.last == date(2024, 1, 11)
    assert before.last is not None
    assert after.first is not None
    assert (after.first - before.last).days == 1
    west, _ = default_periods(log, ZoneInfo("America/Los_Angeles"))
    assert west.first == date(2023, 12, 31)
    start, _end = before.bounds(ZoneInfo("Europe/Berlin"))
    assert start is not None
    assert start.utcoffset() is not None


def test_fitness_text() -> None:
    text = fitness_text(
        {"log_fitness": 0.98828, "average_fitness": 0.9852, "fitting_cases": 3929,
         "cases": 4580, "fitting_share": 3929 / 4580, "deviating_cases": 651}
    )  # fmt: skip
    assert text.startswith("Log fitness 0.9883 · average case fitness 0.9852")
    assert "3,929 of 4,580 cases fit" in text


def test_only_the_latest_computation_is_shown() -> None:
    from rapport.web.latest import Latest

    latest = Latest()
    first = latest.start()
    second = latest.start()
    assert not latest.current(first)  # finished after the second: dropped
    assert latest.current(second)
