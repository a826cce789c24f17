"""Listening benchmark (issue 4): how fast a compiled query matches, and what the index saves.

Prints, measured in one run on this machine:
1. matches/s of a 5-term listening query over the twcs sample texts (one core), next to a
   plain ``re`` baseline doing the same boolean job without folding accents or scripts, and
   how many texts the two disagree on;
2. with ``--messages N`` (default 20,000; 0 skips it), N twcs messages stored in a fresh
   SQLite database, and the time ``matching_messages`` takes for a query the full-text index
   can prefilter next to one it cannot (the whole period read in batches and matched);
3. with ``--postgres URL`` (a server where the user may create a database), the same in a
   fresh PostgreSQL database, where the prefilter is substring tests run by the server.

Not part of ``make test``: run it by hand (it reads ../shared/data).

    .venv/bin/python benchmarks/listening.py [--messages 20000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("RAPPORT_DATA_DIR", HERE.parent.parent / "shared" / "data"))
SAMPLE = DATA / "twcs" / "twcs_sample.csv"

QUERY = '(refund* OR "customer service" OR delay*) AND NOT (cancel* OR #fail)'
POSITIVE = re.compile(r"\b(?:refund\w*|customer\s+service|delay\w*)", re.IGNORECASE)
NEGATIVE = re.compile(r"(?:\bcancel\w*|#fail\b)", re.IGNORECASE)


def baseline(text: str) -> bool:
    return POSITIVE.search(text) is not None and NEGATIVE.search(text) is None


def _rate(test: Callable[[str], bool], texts: Sequence[str], repeat: int = 5) -> float:
    """Texts per second of ``test`` over ``texts`` (best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            test(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def matcher_figures(texts: list[str]) -> None:
    from rapport.intelligence.listening.folding import joined_words
    from rapport.intelligence.listening.matcher import Matcher

    start = time.perf_counter()
    matcher = Matcher.of(QUERY)
    compiled_in = time.perf_counter() - start
    corpus = texts * max(1, 20_000 // len(texts))
    ours = _rate(matcher.matches, corpus)
    plain = _rate(baseline, corpus)
    folding = _rate(lambda t: bool(joined_words(t, markers=True)), corpus)
    found = sum(matcher.matches(t) for t in texts)
    differ = [t for t in texts if matcher.matches(t) != baseline(t)]
    print(f"query: {QUERY}")
    print(f"texts: {len(texts)} twcs sample texts, timed over {len(corpus)}; one core")
    print(f"compile (parse + build, first call)  {compiled_in * 1000:8.1f} ms")
    print(f"listening matcher                    {ours:10,.0f} matches/s   ({found} match)")
    print(f"  of which folding + splitting words {folding:10,.0f} texts/s")
    print(f"plain re baseline (no folding)       {plain:10,.0f} matches/s")
    print(f"ratio matcher / re                   {ours / plain:10.2f}")
    print(f"texts on which they disagree         {len(differ):10d}")
    for text in differ[:3]:
        print(f"  e.g. {text[:100]!r}")


def _fresh_postgres(server: str) -> str:
    """A new, empty database on ``server``: its URL."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server)
    name = f"rapport_bench_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(server: str, database_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)')


def store_figures(messages: int, postgres: str | None = None) -> None:
    sys.path.insert(0, str(HERE))
    from rapport.accounts.service import get_or_create_workspace
    from rapport.channels.base import get_format
    from rapport.ingest.service import import_file
    from rapport.intelligence.listening.matching import matching_messages
    from rapport.store.db import Database
    from twcs_corpus import build_twcs

    with tempfile.TemporaryDirectory() as folder:
        path = build_twcs(Path(folder) / "twcs.csv", messages, SAMPLE)
        url = _fresh_postgres(postgres) if postgres else f"sqlite:///{Path(folder) / 'bench.db'}"
        db = Database(url)
        db.migrate()
        with db.session() as session:
            ws = get_or_create_workspace(session, "bench").id
        start = time.perf_counter()
        import_file(db, workspace_id=ws, path=path, fmt=get_format("twcs"), route=False)
        where, took = "PostgreSQL" if postgres else "SQLite", time.perf_counter() - start
        print(f"\nstored {messages:,} twcs messages in {where} in {took:.1f} s")
        queries = {
            "prefilter": "refund* OR delay*",
            "no prefilter (NOT)": "NOT (refund* OR delay*)",
            "no prefilter (non-ASCII)": "refund* OR delay* OR سفارش",
        }
        for label, query in queries.items():
            best, found = float("inf"), 0
            for _ in range(3):
                start = time.perf_counter()
                with db.session() as session:
                    found = sum(1 for _ in matching_messages(session, ws, query))
                best = min(best, time.perf_counter() - start)
            print(
                f"{label:<26} {query!r:<32} {best * 1000:8.0f} ms  {found:>7,} matches  "
                f"{messages / best:10,.0f} messages/s"
            )
        db.dispose()
        if postgres:
            _drop_postgres(postgres, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--postgres", default=None, help="also measure on this PostgreSQL server")
    args = parser.parse_args()
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE} is missing (set RAPPORT_DATA_DIR)")
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    matcher_figures(texts)
    if args.messages:
        store_figures(args.messages)
        if args.postgres:
            store_figures(args.messages, args.postgres)


if __name__ == "__main__":
    main()
