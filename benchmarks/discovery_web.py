"""What one filter change costs on ``/discovery`` (issue 5, the web views).

For each log: the baseline is ``discover_map`` of the imported log (what the API's
``/map`` computes); then what the page does on a filter change (filters + map), on a
slider move (the layered layout and the chart options, at most 150 edges drawn), and for
a click on the busiest edge (its cases, one page of them, and its times). Figures are
seconds, measured in this run; the import is not counted.

    .venv/bin/python benchmarks/discovery_web.py [--log PATH ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

LOGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "eventlogs"
DEFAULT = [LOGS / "helpdesk.xes.gz", LOGS / "07_bpic2013_incidents.xes.gz"]


def _timed(action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def measure(path: Path) -> None:
    from rapport.discovery.analysis import discover_map
    from rapport.discovery.drilldown import case_page, edge_cases, edge_times
    from rapport.discovery.filters import MapFilters, apply_filters
    from rapport.discovery.readers import read_log
    from rapport.web.discovery_chart import draw_map

    log = read_log(path)
    _, baseline = _timed(lambda: discover_map(log))

    def refiltered() -> object:
        return discover_map(apply_filters(log, MapFilters(top_variants=50)))

    _, refilter = _timed(refiltered)
    filtered, process_map = log, discover_map(log)  # the unfiltered map: every edge
    drawing, redraw = _timed(lambda: draw_map(process_map, min_count=1))
    busiest = process_map.edges[0]

    def drill() -> int:
        cases = edge_cases(filtered, busiest.source, busiest.target)
        edge_times(filtered, busiest.source, busiest.target)
        return case_page(filtered, cases, limit=25).total

    total, click = _timed(drill)
    print(
        f"{path.name}: {log.events:,} events, {len(process_map.edges)} edges "
        f"({drawing.drawn} drawn)\n"
        f"  baseline discover_map        {baseline:.3f} s\n"
        f"  filter change (top 50 + map) {refilter:.3f} s\n"
        f"  slider move (layout + chart) {redraw:.3f} s\n"
        f"  edge click ({total:,} cases)    {click:.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, action="append", help="An event log (repeatable).")
    args = parser.parse_args()
    for path in args.log or DEFAULT:
        measure(path)


if __name__ == "__main__":
    main()
