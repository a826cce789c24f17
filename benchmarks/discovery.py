"""Process discovery benchmark (issue 5).

Prints, measured in one run on this machine, on road_fine.xes.gz (561,470 events):
1. Rapport: import + process map + variants with the time of each step (the import once
   more step by step: gunzip, XES to columns, sorted EventLog), and the map alone;
2. pm4py: read_xes + discover_dfg + get_variants, with pm4py's own XES parser (what a
   plain ``pip install pm4py`` runs: iterparse over lxml) and, for reference, with the
   rustxes backend pm4py picks when that package is installed;
3. the ratios. Both tools first read the small helpdesk log once, so that neither pays for
   its imports in the measurement. Wall and CPU time (all threads) both: on a shared
   machine the CPU ratio is the steadier one.
Targets: Rapport >= 10x faster than pm4py's own path; map < 1 s.

    .venv/bin/python benchmarks/discovery.py
    .venv/bin/python benchmarks/discovery.py --log PATH --skip-pm4py-rustxes
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LOG = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "eventlogs" / "road_fine.xes.gz"
)


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0  # process CPU time, all threads: less swayed by other programs' load


@contextmanager
def timed(into: Timing) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.wall += time.perf_counter() - wall
    into.cpu += time.process_time() - cpu


def rapport(path: Path) -> tuple[dict[str, Timing], int]:
    """Import + map + variants, with the time of each step, and the map alone once more."""
    from rapport.discovery import discover_map, discover_variants, read_log

    phases = {name: Timing() for name in ("total", "import", "map", "variants", "map again")}
    with timed(phases["total"]):
        with timed(phases["import"]):
            log = read_log(path)
        with timed(phases["map"]):
            process_map = discover_map(log)
        with timed(phases["variants"]):
            variants = discover_variants(log)
    with timed(phases["map again"]):
        discover_map(log)
    assert process_map.edges
    assert variants
    return phases, log.events


def import_phases(path: Path) -> dict[str, Timing]:
    """The import once more, step by step: gunzip, XES to columns, sorted EventLog."""
    from rapport.discovery.readers import xes_log
    from rapport.discovery.xes_fast import decompressed, parse_flat_xes

    phases = {name: Timing() for name in ("gunzip", "xes to columns", "EventLog")}
    with timed(phases["gunzip"]):
        data = decompressed(path.read_bytes())
    with timed(phases["xes to columns"]):
        frame = parse_flat_xes(data)
    assert frame is not None, "the fast path did not take this file"
    with timed(phases["EventLog"]):
        xes_log(frame, path)
    return phases


def pm4py_run(path: Path, variant: str) -> Timing:
    import pm4py

    warnings.filterwarnings("ignore")
    spent = Timing()
    with timed(spent):
        frame = pm4py.read_xes(str(path), variant=variant, show_progress_bar=False)
        pm4py.discover_dfg(frame)
        pm4py.get_variants(frame)
    return spent


def line(label: str, spent: Timing, note: str = "") -> None:
    print(f"{label:<58} {spent.wall:7.3f} s wall {spent.cpu:7.3f} s cpu {note}".rstrip())


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
    phases, events = rapport(args.log)
    print(f"log: {args.log.name}, {events:,} events")
    line("rapport  import + map + variants", phases["total"])
    for name in ("import", "map", "variants"):
        line(f"  {name}", phases[name])
    for name, spent in import_phases(args.log).items():
        line(f"    import, measured alone: {name}", spent)
    line("rapport  map of the imported log", phases["map again"], "(target < 1 s)")
    own = pm4py_run(args.log, "iterparse")
    line("pm4py    read_xes(iterparse) + discover_dfg + get_variants", own)
    total = phases["total"]
    print(
        f"ratio    pm4py / rapport: {own.wall / total.wall:5.1f}x wall, "
        f"{own.cpu / total.cpu:5.1f}x cpu  (target >= 10x)"
    )
    if not args.skip_pm4py_rustxes:
        rust = pm4py_run(args.log, "rustxes")
        line("pm4py    read_xes(rustxes)   + discover_dfg + get_variants", rust)
        print(
            f"ratio    pm4py(rustxes) / rapport: {rust.wall / total.wall:5.1f}x wall, "
            f"{rust.cpu / total.cpu:5.1f}x cpu"
        )


if __name__ == "__main__":
    main()
