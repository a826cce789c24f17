"""Counts and times identical to pm4py's on the shared real logs.

pm4py (``discover_dfg``, ``discover_performance_dfg``, ``get_variants``) is the reference;
road_fine (561,470 events) is marked slow, the others run in make test.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from tests.conftest import shared_data

from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.readers import read_log

LOGS = [
    "eventlogs/helpdesk.xes.gz",
    "eventlogs/08_receipt.xes.gz",
    "eventlogs/07_bpic2013_incidents.xes.gz",
    "eventlogs/16_bpic2019_1t_per_variant.xes.gz",
    pytest.param("eventlogs/road_fine.xes.gz", marks=pytest.mark.slow),
]


def _pm4py() -> Any:
    pm4py = pytest.importorskip("pm4py")
    warnings.filterwarnings("ignore", module="pm4py")
    return pm4py


@pytest.mark.parametrize("relative", LOGS)
def test_map_and_variants_equal_pm4py(relative: str) -> None:
    pm4py = _pm4py()
    path = shared_data(relative)
    log = read_log(path)
    ours = discover_map(log)
    reference = pm4py.read_xes(str(path))
    dfg, start, end = pm4py.discover_dfg(reference)
    performance = pm4py.discover_performance_dfg(reference)[0]

    assert {(e.source, e.target): e.count for e in ours.edges} == dict(dfg)
    assert ours.start == dict(start)
    assert ours.end == dict(end)
    assert ours.activities == dict(pm4py.get_event_attribute_values(reference, "concept:name"))
    for edge in ours.edges:
        theirs = performance[(edge.source, edge.target)]
        assert edge.mean_seconds == pytest.approx(theirs["mean"], rel=1e-9, abs=1e-6)
        assert edge.median_seconds == pytest.approx(theirs["median"], rel=1e-9, abs=1e-6)
    variants = discover_variants(log)
    assert {v.variant: v.count for v in variants} == dict(pm4py.get_variants(reference))
    counts = [v.count for v in variants]
    assert counts == sorted(counts, reverse=True)


def test_handover_where_pm4py_has_no_resource_column() -> None:
    # bpic2019 has no org:resource at all: pm4py raises KeyError, we answer an empty list.
    log = read_log(shared_data("eventlogs/16_bpic2019_1t_per_variant.xes.gz"))
    assert log.missing.no_resource == log.events
    assert discover_handover(log, "org:resource") == []


def test_handover_by_department_on_bpic2013() -> None:
    log = read_log(shared_data("eventlogs/07_bpic2013_incidents.xes.gz"))
    handovers = discover_handover(log, "org:group")
    assert handovers[0].count >= handovers[-1].count
    assert all(h.source != h.target for h in handovers)
    frame = log.frame
    same_case = frame["case"].shift(-1) == frame["case"]
    changed = frame["org:group"].shift(-1) != frame["org:group"]
    assert sum(h.count for h in handovers) == int((same_case & changed).sum())


@pytest.mark.slow
def test_handover_on_road_fine_where_pm4py_crashes() -> None:
    # 410,545 of road_fine's events have no org:resource: pm4py's
    # discover_handover_of_work_network raises TypeError ('<' between str and float) there.
    log = read_log(shared_data("eventlogs/road_fine.xes.gz"))
    assert log.missing.no_resource == 410_545
    handovers = discover_handover(log)
    assert handovers
    assert all(h.source != h.target and h.count > 0 for h in handovers)
