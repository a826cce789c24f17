"""Ingest with full default enrichment (issue 4: at least 5,000 messages/s on this machine).

Prints, measured in one run on this machine, for a twcs file of ``--messages`` rows built
from the real sample (``twcs_corpus``), each imported into a fresh SQLite database by
``import_file`` as ``rapport import`` does:

(a) the baseline: ``--no-routing`` and no enrichment;
(b) ``--no-routing`` with the full default enrichment (language, fast sentiment, fast
    intents, keywords), the figure the target is about;
(c) routing (a case for every conversation) and the full default enrichment;

in messages per second, with the ratio of each to (a), and the analyzer alone on the same
texts (no database). The machine is shared, so each run also reports the CPU seconds of the
writer and of the reader process, and the rate two idle cores would give (the busier of the
two sets the pace, as they overlap). ``--profile`` runs (b) once more in this process under
cProfile and prints where the time goes.

The sample holds about a thousand tweets, so a large file repeats them (with new ids); the
analyzer reads every message afresh all the same (it keeps nothing from one text to the
next), so the repetition does not flatter these figures.

    .venv/bin/python benchmarks/enrich_ingest.py --messages 100000
    .venv/bin/python benchmarks/enrich_ingest.py --messages 20000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from twcs_corpus import SAMPLE, build_twcs  # noqa: E402

TARGET = 5_000

CHILD_IMPORT = r"""
import json, resource, sys, time
from pathlib import Path
from rapport.accounts.service import get_or_create_workspace
from rapport.channels.base import get_format
from rapport.ingest.service import import_file
from rapport.store.db import Database
path, url, route, enrich = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1"
analyzer = None
if enrich:
    from rapport.intelligence.analyzer import default_analyzer
    analyzer = default_analyzer()
    analyzer.analyze(["warm the models up"])
db = Database(url); db.migrate()
with db.session() as session:
    ws = get_or_create_workspace(session, "default").id
def cpu(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
start = time.perf_counter()
writer, reader = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
report = import_file(db, workspace_id=ws, path=path, fmt=get_format("twcs"), route=route,
                     analyzer=analyzer)
seconds = time.perf_counter() - start
print(json.dumps({"imported": report.imported, "seconds": seconds,
                  "writer_cpu": cpu(resource.RUSAGE_SELF) - writer,
                  "reader_cpu": cpu(resource.RUSAGE_CHILDREN) - reader}))
"""

RUNS = (
    ("a", "--no-routing, no enrichment (baseline)", False, False),
    ("b", "--no-routing, full default enrichment", False, True),
    ("c", "routing and full default enrichment", True, True),
)


def run_import(source: Path, database: Path, *, route: bool, enrich: bool) -> dict[str, float]:
    """One import in a fresh interpreter: messages, wall seconds, CPU seconds of the writer
    and of the reader process."""
    os.sync()
    args = [str(source), f"sqlite:///{database}", str(int(route)), str(int(enrich))]
    done = subprocess.run(
        [sys.executable, "-c", CHILD_IMPORT, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def analyzer_alone(source: Path, limit: int) -> float:
    """Texts per second of the default analyzer alone, in batches of 5,000."""
    from rapport.intelligence.analyzer import default_analyzer

    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        texts = [row[4] for row, _ in zip(reader, range(limit), strict=False)]
    analyzer = default_analyzer()
    analyzer.analyze(["warm the models up"])
    start = time.perf_counter()
    for first in range(0, len(texts), 5000):
        analyzer.analyze(texts[first : first + 5000])
    return len(texts) / (time.perf_counter() - start)


def profile_enriched(source: Path, database: Path, top: int) -> None:
    """Run (b) in this process under cProfile and print the costliest functions."""
    from rapport.accounts.service import get_or_create_workspace
    from rapport.channels.base import get_format
    from rapport.ingest.service import import_file
    from rapport.intelligence.analyzer import default_analyzer
    from rapport.store.db import Database

    analyzer = default_analyzer()
    analyzer.analyze(["warm the models up"])
    db = Database(f"sqlite:///{database}")
    db.migrate()
    with db.session() as session:
        ws = get_or_create_workspace(session, "default").id
    profiler = cProfile.Profile()
    profiler.enable()
    import_file(
        db, workspace_id=ws, path=source, fmt=get_format("twcs"), route=False, analyzer=analyzer
    )
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="also profile run (b)")
    parser.add_argument("--top", type=int, default=30, help="functions the profile lists")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not SAMPLE.exists():
        raise SystemExit(f"the real sample {SAMPLE} is missing")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        source = build_twcs(workdir / "twcs.csv", args.messages)
        load = os.getloadavg()[0]
        print(
            f"Import of {args.messages:,} twcs messages (built from the real sample) into "
            f"SQLite, {os.cpu_count()} cores, load average {load:.2f} at the start"
        )
        rates: dict[str, float] = {}
        cpu_rates: dict[str, float] = {}
        for key, label, route, enrich in RUNS:
            run = run_import(source, workdir / f"{key}.db", route=route, enrich=enrich)
            rates[key] = run["imported"] / run["seconds"]
            # what two idle cores would reach: the busier of the two processes sets the pace
            cpu_rates[key] = run["imported"] / max(run["writer_cpu"], run["reader_cpu"])
            print(
                f"  ({key}) {label:40s}: {rates[key]:>8,.0f} msg/s "
                f"({rates[key] / rates['a']:.2f} of (a)); CPU s writer "
                f"{run['writer_cpu']:.1f} + reader {run['reader_cpu']:.1f}, "
                f"on two idle cores ~{cpu_rates[key]:,.0f} msg/s"
            )
        alone = analyzer_alone(source, min(args.messages, 50_000))
        print(f"  the default analyzer alone, no database     : {alone:>8,.0f} texts/s")
        verdict = "met" if rates["b"] >= TARGET else "NOT met"
        print(
            f"  target (b) ≥ {TARGET:,} msg/s                     : {verdict} "
            f"(on two idle cores: {'met' if cpu_rates['b'] >= TARGET else 'NOT met'})"
        )
        print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
        if args.profile:
            profile_enriched(source, workdir / "profiled.db", args.top)


if __name__ == "__main__":
    os.environ.setdefault("RAPPORT_DATABASE_URL", "sqlite:///:memory:")
    main()
