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
    ours_alarms = naive_alarms = judged = 0
    ours_hits = dict.fromkeys(SIZES, 0)
    naive_hits = dict.fromkeys(SIZES, 0)
    started = time.perf_counter()
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        c = counts(rate, rng)
        verdicts = scan_volume(c, week, day, lookback=HISTORY)[HISTORY:]
        ours_alarms += sum(v.spike for v in verdicts)
        naive_alarms += sum(naive_spike(c[i - HISTORY : i], c[i]) for i in range(HISTORY, len(c)))
        judged += len(verdicts)
        for size in SIZES:
            at = HISTORY + int(rng.integers(HOURS_PER_WEEK))
            spiked = c[: at + 1].copy()
            spiked[at] += size * rate[at] + 10
            lo = at - HISTORY
            ours_hits[size] += volume_verdict(
                spiked[lo:], week[lo : at + 1], day[lo : at + 1]
            ).spike
            naive_hits[size] += naive_spike(spiked[lo:at], spiked[at])
    seconds = time.perf_counter() - started
    print(f"{args.seeds} seeds, {judged} ordinary hours judged, {seconds:.1f} s")
    print(f"{'':28s}{'rapport':>12s}{'mean+3sd':>12s}")
    print(f"{'false alarms per hour':28s}{ours_alarms / judged:12.5f}{naive_alarms / judged:12.5f}")
    weekly = HOURS_PER_WEEK / judged
    print(f"{'false alarms per week':28s}{ours_alarms * weekly:12.2f}{naive_alarms * weekly:12.2f}")
    for size in SIZES:
        label = f"detected: +{size:g}x rate +10"
        print(
            f"{label:28s}{ours_hits[size] / args.seeds:12.1%}{naive_hits[size] / args.seeds:12.1%}"
        )


if __name__ == "__main__":
    main()
