"""Spike detection benchmark: false alarms and detections on synthetic hourly series with
strong daily and weekly cycles (office hours, quiet weekends, a Monday 9:00 rush three
times the usual morning) and over-dispersed noise, over many random seeds.

Rapport's detector (same hour of week, robust spread, Poisson floor) is measured next to a
naive baseline in the same run: the history's global mean + 3 standard deviations, which
cannot tell a weekly peak from a spike. Each seed: four weeks of history, then every hour
of the fifth week judged (false alarms), and one hour of it with an injected spike of
``k`` times its usual rate plus 10 messages (detections).

    .venv/bin/python benchmarks/trends.py [--seeds 100]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.unit.intelligence.trends.synthetic import (
    HOURS_PER_WEEK,
    counts,
    hourly_rate,
    slots,
)

from rapport.intelligence.trends.detect import scan_volume, volume_verdict

WEEKS = 5
HISTORY = 4 * HOURS_PER_WEEK
SIZES = (0.5, 1.0, 2.0, 3.0)


def naive_spike(history: np.ndarray, observed: float) -> bool:
    return bool(observed > history.mean() + 3 * history.std())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    rate = hourly_rate(WEEKS)
    week, day = slots(WEEKS)
    last_week = np.arange(HISTORY, WEEKS * HOURS_PER_WEEK)
    busy_hours = last_week[rate[last_week] >= 10]
    quiet_hours = last_week[rate[last_week] < 10]
    monday_nine = HISTORY + 9
    alarms = {"rapport": 0, "naive": 0}
    rush = {"rapport": 0, "naive": 0}
    hits = {(who, kind, size): 0 for who in alarms for kind in ("busy", "quiet") for size in SIZES}
    judged = 0
    started = time.perf_counter()
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        c = counts(rate, rng)
        verdicts = scan_volume(c, week, day, lookback=HISTORY)[HISTORY:]
        naive = [naive_spike(c[i - HISTORY : i], c[i]) for i in last_week]
        alarms["rapport"] += sum(v.spike for v in verdicts)
        alarms["naive"] += sum(naive)
        rush["rapport"] += verdicts[monday_nine - HISTORY].spike
        rush["naive"] += naive[monday_nine - HISTORY]
        judged += len(verdicts)
        for kind, hours in (("busy", busy_hours), ("quiet", quiet_hours)):
            for size in SIZES:
                at = int(rng.choice(hours))
                spiked = c[: at + 1].copy()
                spiked[at] += size * rate[at] + 10
                lo = at - HISTORY
                verdict = volume_verdict(spiked[lo:], week[lo : at + 1], day[lo : at + 1])
                hits["rapport", kind, size] += verdict.spike
                hits["naive", kind, size] += naive_spike(spiked[lo:at], spiked[at])
    seconds = time.perf_counter() - started
    n = args.seeds
    print(f"{n} seeds, {judged} ordinary hours judged, {seconds:.1f} s")
    print(f"{'':34s}{'rapport':>10s}{'mean+3sd':>10s}")
    weekly = HOURS_PER_WEEK / judged
    print(
        f"{'false alarms per hour':34s}{alarms['rapport'] / judged:10.5f}"
        f"{alarms['naive'] / judged:10.5f}"
    )
    print(
        f"{'false alarms per week':34s}{alarms['rapport'] * weekly:10.2f}"
        f"{alarms['naive'] * weekly:10.2f}"
    )
    print(
        f"{'alarms on the Monday 9:00 rush':34s}{rush['rapport'] / n:10.1%}"
        f"{rush['naive'] / n:10.1%}"
    )
    for kind in ("busy", "quiet"):
        for size in SIZES:
            label = f"detected, {kind} hour: +{size:g}x +10"
            print(
                f"{label:34s}{hits['rapport', kind, size] / n:10.1%}"
                f"{hits['naive', kind, size] / n:10.1%}"
            )


if __name__ == "__main__":
    main()
