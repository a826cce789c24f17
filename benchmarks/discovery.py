"""Process discovery benchmark (issue 5).

Prints, measured in one run on this machine, on road_fine.xes.gz (561,470 events):
1. Rapport: import + process map + variants with the time of each step (the import once
   more step by step: gunzip, XES to columns, sorted EventLog), and the map alone;
2. pm4py: read_xes + discover_dfg + get_variants, with pm4py's own XES parser (what a
   plain ``pip install pm4py`` runs: iterparse over lxml) and, for reference, with the
   rustxes backend pm4py picks when that package is installed;
3. the ratios. Each tool runs in a fresh process of its own, which first reads the small
   helpdesk log once, so that neither pays for its imports in the measurement, nor for
   the memory the other one left behind. Wall and CPU time (all threads) both: on a
   shared machine the CPU ratio is the steadier one.
Targets: Rapport >= 10x faster than pm4py's own path; map < 1 s.

    .venv/bin/python benchmarks/discovery.py
    .venv/bin/python benchmarks/discovery.py --log PATH --skip-pm4py-rustxes
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

DEFAULT_LOG = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "eventlogs" / "road_fine.xes.gz"
)


T = TypeVar("T")


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


def rapport_alone(path: Path, warm_up: Path | None) -> tuple[dict[str, Timing], int]:
    """:func:`rapport` in this (fresh) process, after reading ``warm_up`` once."""
    if warm_up is not None:
        rapport(warm_up)
    return rapport(path)


def pm4py_alone(path: Path, variant: str, warm_up: Path | None) -> Timing:
    """:func:`pm4py_run` in this (fresh) process, after reading ``warm_up`` once."""
    if warm_up is not None:
        pm4py_run(warm_up, variant)
    return pm4py_run(path, variant)


def in_fresh_process(work: Callable[..., T], *args: object) -> T:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def line(label: str, spent: Timing, note: str = "") -> None:
    print(f"{label:<58} {spent.wall:7.3f} s wall {spent.cpu:7.3f} s cpu {note}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG)
    parser.add_argument("--skip-pm4py-rustxes", action="store_true")
    args = parser.parse_args()
    if not args.log.exists():
        raise SystemExit(f"{args.log} is missing (../shared/data is needed)")
    helpdesk = args.log.with_name("helpdesk.xes.gz")
    # imports and thread pools of each tool, outside the measurement
    warm_up = helpdesk if helpdesk.exists() else None
    phases, events = in_fresh_process(rapport_alone, args.log, warm_up)
    print(f"log: {args.log.name}, {events:,} events")
    line("rapport  import + map + variants", phases["total"])
    for name in ("import", "map", "variants"):
        line(f"  {name}", phases[name])
    for name, spent in in_fresh_process(import_phases, args.log).items():
        line(f"    import, measured alone: {name}", spent)
    line("rapport  map of the imported log", phases["map again"], "(target < 1 s)")
    own = in_fresh_process(pm4py_alone, args.log, "iterparse", warm_up)
    line("pm4py    read_xes(iterparse) + discover_dfg + get_variants", own)
    total = phases["total"]
    print(
        f"ratio    pm4py / rapport: {own.wall / total.wall:5.1f}x wall, "
        f"{own.cpu / total.cpu:5.1f}x cpu  (target >= 10x)"
    )
    if not args.skip_pm4py_rustxes:
        rust = in_fresh_process(pm4py_alone, args.log, "rustxes", warm_up)
        line("pm4py    read_xes(rustxes)   + discover_dfg + get_variants", rust)
        print(
            f"ratio    pm4py(rustxes) / rapport: {rust.wall / total.wall:5.1f}x wall, "
            f"{rust.cpu / total.cpu:5.1f}x cpu"
        )


if __name__ == "__main__":
    main()
