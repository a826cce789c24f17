"""Ingest and inbox-query benchmark (issue: the unified social inbox).

Prints, measured in one run on this machine:
1. the baseline: a bare ``sqlite3.executemany`` of the same rows into one table, both with
   the rows already in memory and with the CSV read as part of it; and the floor under any
   importer: the same rows into Rapport's own ``messages`` table alone, with its indexes;
2. Rapport's end-to-end import of a twcs file of ``--messages`` rows built from the real
   sample (parse, dedupe, identities and contacts, threading, full-text index) into SQLite,
   in messages per second, with the process's peak memory; and the same import opening a
   case for every conversation (routing on, as ``rapport import`` does by default; the
   routing benchmark measures it with rules and teams);
3. the peak memory of importing a file ``--memory-factor`` times larger, to show it stays flat;
4. with ``--store`` messages stored, the median and p90 latency of inbox requests through
   the API (list, filters, search, deep pages).

Targets: ≥ 30,000 msg/s; ≥ 1/4 of the bare executemany rate; peak memory < 500 MB;
inbox requests < 100 ms median with 1,000,000 messages stored.

    .venv/bin/python benchmarks/ingest.py                 # the full run (a few minutes)
    .venv/bin/python benchmarks/ingest.py --store 0       # import figures only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from twcs_corpus import SAMPLE, build_twcs  # noqa: E402

CHILD_BARE = r"""
import csv, json, resource, sqlite3, sys, time
path, db = sys.argv[1], sys.argv[2]
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("CREATE TABLE tweets (tweet_id INTEGER, author_id TEXT, inbound TEXT, "
             "created_at TEXT, text TEXT, response_tweet_id TEXT, in_response_to TEXT)")
start = time.perf_counter()
with open(path, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle); next(reader); rows = list(reader)
read = time.perf_counter() - start
start = time.perf_counter()
conn.executemany("INSERT INTO tweets VALUES (?,?,?,?,?,?,?)", rows); conn.commit()
insert = time.perf_counter() - start
print(json.dumps({"rows": len(rows), "read_s": read, "insert_s": insert}))
"""

# The floor under any importer that keeps Rapport's guarantees: the same rows, ready-made in
# memory, into Rapport's own messages table alone with raw sqlite3 — with the indexes that
# idempotency (unique channel + external id) and the inbox need, then with the full-text index
# the inbox search needs as well, and once with the uniqueness index only. No threading,
# identities or conversations: no Python per row at all, so no importer can beat these.
CHILD_TABLE = r"""
import csv, json, sqlite3, sys, time
from rapport.store.db import Database
path, db, mode = sys.argv[1], sys.argv[2], sys.argv[3]
keep = mode in ("all", "search")
Database(f"sqlite:///{db}").migrate()
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("PRAGMA cache_size=-65536")
if not keep:
    for index in ("ix_messages_conversation", "ix_messages_identity"):
        conn.execute(f"DROP INDEX {index}")
with open(path, newline="", encoding="utf-8") as handle:
    reader = csv.reader(handle); next(reader)
    rows = [(n, 1, 1, 1, 1, r[0], r[6] or None, "inbound", r[3], None, r[4], None, r[3])
            for n, r in enumerate(reader, 1)]
start = time.perf_counter()
conn.execute("BEGIN")
conn.executemany("INSERT INTO messages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
if mode == "search":
    conn.executemany("INSERT INTO message_fts(rowid, text) VALUES (?, ?)",
                     [(row[0], row[10]) for row in rows])
conn.execute("COMMIT")
print(json.dumps({"rows": len(rows), "insert_s": time.perf_counter() - start}))
"""

CHILD_IMPORT = r"""
import json, resource, sys, time
from pathlib import Path
from rapport.accounts.service import get_or_create_workspace
from rapport.channels.base import get_format
from rapport.ingest.service import import_file
from rapport.store.db import Database
path, url = Path(sys.argv[1]), sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "store"
route = mode in ("route", "enrich")
analyzer = None
if mode == "enrich":
    from rapport.intelligence.analyzer import default_analyzer
    analyzer = default_analyzer()
    analyzer.analyze(["warm the models up"])
db = Database(url); db.migrate()
with db.session() as session:
    ws = get_or_create_workspace(session, "default").id
start = time.perf_counter()
report = import_file(db, workspace_id=ws, path=path, fmt=get_format("twcs"), route=route,
                     analyzer=analyzer)
seconds = time.perf_counter() - start
print(json.dumps({"imported": report.imported, "rejected": report.rejected, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "reader_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_child(code: str, *args: str) -> dict[str, float]:
    # Write back what earlier steps left dirty, so no step pays for another's disk writes.
    os.sync()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_import(workdir: Path, messages: int) -> dict[str, dict[str, float]]:
    source = build_twcs(workdir / f"twcs_{messages}.csv", messages)
    return {
        "bare": run_child(CHILD_BARE, str(source), str(workdir / "bare.db")),
        "table": run_child(CHILD_TABLE, str(source), str(workdir / "table.db"), "all"),
        "search": run_child(CHILD_TABLE, str(source), str(workdir / "search.db"), "search"),
        "unique": run_child(CHILD_TABLE, str(source), str(workdir / "unique.db"), "unique"),
        "ours": run_child(CHILD_IMPORT, str(source), f"sqlite:///{workdir / 'rapport.db'}"),
        "routed": run_child(
            CHILD_IMPORT, str(source), f"sqlite:///{workdir / 'routed.db'}", "route"
        ),
        "enriched": run_child(
            CHILD_IMPORT, str(source), f"sqlite:///{workdir / 'enriched.db'}", "enrich"
        ),
    }


def bench_queries(workdir: Path, stored: int, repeats: int) -> dict[str, list[float]]:
    """Fill a database with ``stored`` messages and time inbox requests through the API."""
    from fastapi.testclient import TestClient

    from rapport.accounts.service import create_token, create_user, get_or_create_workspace
    from rapport.api.app import create_app
    from rapport.store.db import Database
    from rapport.store.models import Role

    url = f"sqlite:///{workdir / 'million.db'}"
    source = build_twcs(workdir / f"twcs_{stored}.csv", stored)
    filled = run_child(CHILD_IMPORT, str(source), url)
    print(
        f"  filled {int(filled['imported']):,} messages in {filled['seconds']:.1f} s "
        f"({filled['imported'] / filled['seconds']:,.0f} msg/s, peak {filled['peak_mb']:.0f} MB)"
    )
    db = Database(url)
    with db.session() as session:
        ws = get_or_create_workspace(session, "default")
        user = create_user(
            session,
            ws,
            email=f"bench{time.time_ns()}@example.com",
            name="Bench",
            role=Role.ANALYST,
            password="benchmark-pass",
        )
        _token, secret = create_token(session, user, "bench")
    client = TestClient(create_app(db, with_ui=False))
    headers = {"Authorization": f"Bearer {secret}"}
    requests = {
        "list newest 50": "/api/v1/conversations",
        "channel + status filter": "/api/v1/conversations?channel=twitter&status=open",
        "unread only": "/api/v1/conversations?unread=true",
        "page 200 (offset 10,000)": "/api/v1/conversations?offset=10000",
        "search common word 'help'": "/api/v1/conversations?q=help",
        "search rare phrase 'secured link'": "/api/v1/conversations?q=secured%20link",
        "search messages 'refund'": "/api/v1/messages?q=refund",
    }
    timings: dict[str, list[float]] = {}
    for label, path in requests.items():
        client.get(path, headers=headers).raise_for_status()  # warm the page cache
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            samples.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
        timings[label] = samples
    db.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument(
        "--memory-factor",
        type=int,
        default=5,
        help="also import a file this many times larger and report its peak memory",
    )
    parser.add_argument(
        "--store",
        type=int,
        default=1_000_000,
        help="messages stored for the query benchmark (0 skips it)",
    )
    parser.add_argument("--repeats", type=int, default=25)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not SAMPLE.exists():
        raise SystemExit(f"the real sample {SAMPLE} is missing")

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        print(f"Import of {args.messages:,} twcs messages (built from the real sample) into SQLite")
        runs = bench_import(workdir, args.messages)
        bare, ours = runs["bare"], runs["ours"]
        bare_insert = bare["rows"] / bare["insert_s"]
        bare_total = bare["rows"] / (bare["read_s"] + bare["insert_s"])
        rate = ours["imported"] / ours["seconds"]
        print(f"  baseline, bare executemany, rows in memory : {bare_insert:>10,.0f} rows/s")
        print(f"  baseline, csv.reader + bare executemany    : {bare_total:>10,.0f} rows/s")
        print(
            f"  rapport import --no-routing, end to end    : {rate:>10,.0f} msg/s "
            f"({ours['seconds']:.2f} s, peak {ours['peak_mb']:.0f} MB writer "
            f"+ {ours['reader_mb']:.0f} MB reader process)"
        )
        routed = runs["routed"]
        print(
            f"  rapport import, opening cases (default)    : "
            f"{routed['imported'] / routed['seconds']:>10,.0f} msg/s "
            f"({routed['seconds']:.2f} s, peak {routed['peak_mb']:.0f} MB; no rules or teams)"
        )
        enriched = runs["enriched"]
        enriched_rate = enriched["imported"] / enriched["seconds"]
        print(
            f"  rapport import, cases and enrichment       : {enriched_rate:>10,.0f} msg/s "
            f"({enriched['seconds']:.2f} s, peak {enriched['peak_mb']:.0f} MB; language, "
            f"sentiment, intent, keywords; target ≥ 5,000: "
            f"{'met' if enriched_rate >= 5_000 else 'NOT met'})"
        )
        print(
            "  target ≥ 30,000 msg/s                      : "
            + ("met" if rate >= 30_000 else "NOT met")
        )
        print(
            f"  ratio to bare insert (rows in memory)      : {rate / bare_insert:.3f} "
            f"(target ≥ 0.25: {'met' if rate / bare_insert >= 0.25 else 'NOT met'})"
        )
        print(
            f"  ratio to csv.reader + bare insert          : {rate / bare_total:.3f} "
            f"(target ≥ 0.25: {'met' if rate / bare_total >= 0.25 else 'NOT met'})"
        )
        print("  floor: the same rows into Rapport's messages table alone, raw sqlite3:")
        floors = (
            ("table", "with its indexes"),
            ("search", "with its indexes and the full-text index"),
            ("unique", "uniqueness index only"),
        )
        for key, label in floors:
            floor = runs[key]["rows"] / runs[key]["insert_s"]
            print(
                f"    {label:40s} : {floor:>10,.0f} rows/s "
                f"(ratio to bare insert {floor / bare_insert:.3f})"
            )
        if args.memory_factor > 1:
            big = args.messages * args.memory_factor
            source = build_twcs(workdir / f"twcs_{big}.csv", big)
            large = run_child(CHILD_IMPORT, str(source), f"sqlite:///{workdir / 'large.db'}")
            source.unlink()
            print(
                f"  peak memory importing {big:,} messages       : "
                f"{large['peak_mb']:.0f} MB writer "
                f"+ {large['reader_mb']:.0f} MB reader "
                f"({large['imported'] / large['seconds']:,.0f} msg/s; target < 500 MB)"
            )
        if args.store:
            print(
                f"\nInbox requests through the API with {args.store:,} messages stored "
                f"({args.repeats} runs each, ms)"
            )
            timings = bench_queries(workdir, args.store, args.repeats)
            for label, samples in timings.items():
                median = statistics.median(samples)
                p90 = statistics.quantiles(samples, n=10)[-1]
                flag = "ok" if median < 100 else "SLOW"
                print(f"  {label:36s} median {median:7.1f}  p90 {p90:7.1f}  {flag}")


if __name__ == "__main__":
    os.environ.setdefault("RAPPORT_DATABASE_URL", "sqlite:///:memory:")
    main()
