"""Process discovery benchmark (issue 5).

Prints, measured in one run on this machine, on road_fine.xes.gz (561,470 events):
1. Rapport: import + process map + variants, and the map alone of the imported log;
2. pm4py: read_xes + discover_dfg + get_variants, with pm4py's own XES parser (what a
   plain ``pip install pm4py`` runs: iterparse over lxml) and, for reference, with the
   rustxes backend pm4py picks when that package is installed;
3. the ratios. Both tools first read the small helpdesk log once, so that neither pays for
   its imports in the measurement. Targets: Rapport >= 10x faster than pm4py's own path; map < 1 s.

    .venv/bin/python benchmarks/discovery.py
    .venv/bin/python benchmarks/discovery.py --log PATH --skip-pm4py-rustxes
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

DEFAULT_LOG = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "eventlogs" / "road_fine.xes.gz"
)


def rapport(path: Path) -> tuple[float, float, int]:
    from rapport.discovery import discover_map, discover_variants, read_log

    started = time.perf_counter()
    log = read_log(path)
    process_map = discover_map(log)
    variants = discover_variants(log)
    total = time.perf_counter() - started
    started = time.perf_counter()
    discover_map(log)
    map_only = time.perf_counter() - started
    assert process_map.edges
    assert variants
    return total, map_only, log.events


def pm4py_run(path: Path, variant: str) -> float:
    import pm4py

    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    frame = pm4py.read_xes(str(path), variant=variant, show_progress_bar=False)
    pm4py.discover_dfg(frame)
    pm4py.get_variants(frame)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    parser.add_argument("--skip-pm4py-rustxes", action="store_true")
    args = parser.parse_args()
    if not args.log.exists():
        raise SystemExit(f"{args.log} is missing (../shared/data is needed)")
    warm_up = args.log.with_name("helpdesk.xes.gz")
    if warm_up.exists():  # imports and thread pools of both tools, outside the measurement
        rapport(warm_up)
        pm4py_run(warm_up, "iterparse")
    total, map_only, events = rapport(args.log)
    print(f"log: {args.log.name}, {events:,} events")
    print(f"rapport  import + map + variants: {total:6.2f} s")
    print(f"rapport  map of the imported log:  {map_only:6.3f} s  (target < 1 s)")
    own = pm4py_run(args.log, "iterparse")
    print(f"pm4py    read_xes(iterparse) + discover_dfg + get_variants: {own:6.2f} s")
    print(f"ratio    pm4py / rapport: {own / total:5.1f}x  (target >= 10x)")
    if not args.skip_pm4py_rustxes:
        rust = pm4py_run(args.log, "rustxes")
        print(f"pm4py    read_xes(rustxes)   + discover_dfg + get_variants: {rust:6.2f} s")
        print(f"ratio    pm4py(rustxes) / rapport: {rust / total:5.1f}x")


if __name__ == "__main__":
    main()
