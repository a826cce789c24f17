"""Hot spots, water coolers, the inductive miner and conformance on the shared real logs.

The model and its fitness are compared with pm4py's own calls on pm4py's own reading of the
file; road_fine (561,470 events) is marked slow.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from tests.conftest import shared_data

from rapport.discovery.conformance import check_conformance
from rapport.discovery.coolers import expected_handovers, find_water_coolers
from rapport.discovery.exceptions import find_exceptions
from rapport.discovery.hotspots import find_hotspots
from rapport.discovery.kpis import KpiSpec, compare_kpi, split_periods
from rapport.discovery.model import discover_model, model_json
from rapport.discovery.readers import read_log

BPIC2013 = "eventlogs/07_bpic2013_incidents.xes.gz"
HELPDESK = "eventlogs/helpdesk.xes.gz"


def _pm4py() -> Any:
    pm4py = pytest.importorskip("pm4py")
    warnings.filterwarnings("ignore", module="pm4py")
    return pm4py


def test_bpic2013_departments_have_water_coolers() -> None:
    log = read_log(shared_data(BPIC2013))
    table = expected_handovers(log, "org:group")
    # the model spreads exactly the handovers the log has, no more and no fewer
    assert table["expected"].sum() == pytest.approx(table["observed"].sum())
    found = find_water_coolers(log, "org:group", min_count=10)
    assert len(found) >= 10
    groups = set(log.frame["org:group"].drop_nulls().unique().to_list())
    for w in found:
        assert {w.source, w.target} <= groups
        assert w.source != w.target
        assert w.observed >= 10
        assert w.lift >= 2
        assert w.p_value <= 0.01
    assert [w.lift for w in found] == sorted((w.lift for w in found), reverse=True)
    # informal contact goes both ways: some pairs meet in each direction
    pairs = {(w.source, w.target) for w in found}
    assert any((t, s) in pairs for s, t in pairs)
    # the busiest handover (G96 → G97, 255) is fewer than the flow expects: not listed
    assert ("G96", "G97") not in pairs
    together = find_water_coolers(log, "org:group", kind="together", min_count=10)
    assert together
    assert all(w.source < w.target and w.lift >= 2 for w in together)
    # the pairs that hand work to each other unexpectedly also share cases unexpectedly
    assert {(w.source, w.target) for w in together} & {tuple(sorted(p)) for p in pairs}


def test_bpic2013_hot_spots_by_department_rank_overlapping_exceptions() -> None:
    log = read_log(shared_data(BPIC2013))
    result = find_hotspots(log, "org:group", top=10)
    assert len(result.items) == 10
    scores = [h.score for h in result.items]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > 1.2
    assert result.items[0].reasons
    assert all(h.cases >= 5 for h in result.items)
    assert result.delay_seconds is not None
    assert result.delay_seconds > 0


def test_inductive_miner_fitness_on_helpdesk_equals_pm4py() -> None:
    pm4py = _pm4py()
    path = shared_data(HELPDESK)
    log = read_log(path)
    ours = discover_model(log, noise=0.2)
    reference_log = pm4py.read_xes(str(path))
    tree = pm4py.discover_process_tree_inductive(reference_log, noise_threshold=0.2)
    assert str(ours.tree) == str(tree)
    net, initial, final = pm4py.convert_to_petri_net(tree)
    theirs = pm4py.fitness_token_based_replay(reference_log, net, initial, final)
    result = check_conformance(log, ours.petri_net())
    assert result.log_fitness == pytest.approx(theirs["log_fitness"], abs=1e-12)
    assert result.fitting_share * 100 == pytest.approx(theirs["perc_fit_traces"], abs=1e-9)
    assert result.average_fitness == pytest.approx(theirs["average_trace_fitness"], abs=1e-9)
    drawn = model_json(ours)
    assert set(drawn["activities"]) == set(log.frame["activity"].unique().to_list())
    ids = {n["id"] for n in drawn["nodes"]}
    assert all(f["source"] in ids and f["target"] in ids for f in drawn["flows"])
    assert drawn["nodes"][0]["type"] == "start"


def test_conformance_lists_the_deviating_cases() -> None:
    log = read_log(shared_data(HELPDESK))
    net = discover_model(log, noise=0.2).petri_net()
    result = check_conformance(log, net, limit=25)
    assert result.deviating_cases == result.cases - result.fitting_cases > 0
    assert len(result.deviating) == 25
    known = set(log.frame["case"].unique().to_list())
    for d in result.deviating:
        assert d.case in known
        assert d.fitness < 1
        assert d.missing_tokens + d.remaining_tokens > 0
    assert [d.fitness for d in result.deviating] == sorted(d.fitness for d in result.deviating)
    exact = check_conformance(log, net, alignments=True, limit=5)
    assert exact.deviating_cases > 0
    assert all(d.steps for d in exact.deviating)
    assert all(s.startswith(("skipped ", "extra ")) for d in exact.deviating for s in d.steps)


def test_helpdesk_kpi_periods_cover_every_case() -> None:
    log = read_log(shared_data(HELPDESK))
    before, after = split_periods(log, "..2012-01-01", "2012-01-01..")
    assert before.cases + after.cases == log.cases
    result = compare_kpi(before, after, KpiSpec("rework-share"))
    assert result.before.cases == before.cases
    assert result.p_value is not None
    assert 0 <= result.p_value <= 1


@pytest.mark.slow
def test_road_fine_exceptions_and_hot_spots() -> None:
    log = read_log(shared_data("eventlogs/road_fine.xes.gz"))
    exceptions = find_exceptions(log)
    assert exceptions.cases == 150_370
    assert exceptions.rework_cases > 0
    spots = find_hotspots(log, "org:resource", top=5)
    assert spots.items
    assert spots.items[0].score >= spots.items[-1].score
