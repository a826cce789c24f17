"""Routing benchmark (issue: engagement — cases, routing, SLAs).

Prints, measured in one run on this machine:
1. the import of a twcs file built from the real sample into SQLite with routing off (the
   baseline) and on, with 50 rules and 200 agents in 10 teams with business-hours
   calendars and SLA policies: throughput of each, and what routing adds per message;
2. the cost of evaluating the 50 rules alone, per message.

Target: routing adds < 1 ms per message on average.

    .venv/bin/python benchmarks/routing.py                  # 100,000 messages
    .venv/bin/python benchmarks/routing.py --messages 20000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from twcs_corpus import SAMPLE, build_twcs  # noqa: E402

TEAMS = 10
AGENTS = 200
RULES = 50
LANGUAGES = ["en", "es", "fr", "de", "ja", "pt", "it", "fa", "is", "hu"]
KEYWORDS = [
    ["refund*", "charged", "money back"],
    ["password", "login", "locked out"],
    ["delay*", "late", "still waiting"],
    ["broken", "crash*", "bug"],
    ["cancel*", "subscription"],
    ["wifi", "internet", "outage"],
    ["flight", "bag*", "luggage"],
    ["update", "ios", "battery"],
    ["order", "deliver*", "package"],
    ["thank*", "love", "great"],
]


def setup_yaml() -> str:
    """10 teams of 20 agents with Oslo, New York or Tokyo hours, and SLA policies."""
    zones = ["Europe/Oslo", "America/New_York", "Asia/Tokyo"]
    lines = ["teams:"]
    for t in range(TEAMS):
        members = ", ".join(f"agent{t * 20 + a}@bench.example" for a in range(20))
        lines += [
            f"  - name: Team {t}",
            f"    calendar: {{timezone: {zones[t % 3]}, hours: {{mon-fri: ['08:00-18:00']}}}}",
            f"    members: [{members}]",
        ]
    lines.append("agents:")
    for a in range(AGENTS):
        langs = ", ".join(f'"{code}"' for code in (LANGUAGES[a % 10], "en"))
        lines.append(
            f"  - {{email: agent{a}@bench.example, capacity: {5 + a % 10}, languages: [{langs}]}}"
        )
    lines += [
        "sla_policies:",
        "  - {name: Urgent, priority: urgent, first_response: 30m, resolution: 4h}",
        "  - {name: High, priority: high, first_response: 1h, resolution: 8h}",
        "  - {name: Public, channel_kind: twitter, first_response: 2h, resolution: 24h}",
        "  - {name: Standard, first_response: 4h, resolution: 24h}",
    ]
    return "\n".join(lines) + "\n"


def rules_yaml() -> str:
    """49 rules of every condition kind, and a last one handing new cases to a team."""
    lines = ["rules:"]
    for n in range(RULES - 1):
        words = ", ".join(f'"{w}"' for w in KEYWORDS[n % len(KEYWORDS)])
        kind = n % 5
        if kind == 0:
            when = f"{{text: {{contains_any: [{words}]}}}}"
        elif kind == 1:
            when = (
                f"{{followers: {{at_least: {1000 * (n + 1)}}}, text: {{contains_any: [{words}]}}}}"
            )
        elif kind == 2:
            when = (
                "{time: {timezone: Europe/Oslo, days: mon-fri, between: '18:00-08:00'}, "
                f"text: {{contains_any: [{words}]}}}}"
            )
        elif kind == 3:
            either = f"[{{text: {{contains_any: [{words}]}}}}, {{channel_kind: email}}]"
            when = f"{{business_hours: closed, any: {either}}}"
        else:
            author = f"author: {{handle: ['vip{n}', 'press{n}']}}"
            when = f"{{{author}, not: {{text: {{contains_any: [{words}]}}}}}}"
        then = f"{{tag: topic{n % 10}}}" if n % 3 else "{priority: high, tag: watch}"
        lines += [f"  - name: Rule {n}", f"    when: {when}", f"    then: {then}"]
    lines += [
        "  - name: Route by turn",
        "    when: {new_case: true}",
        "    then: {assign: {team: Team 0}}",
    ]
    return "\n".join(lines) + "\n"


CHILD_IMPORT = r"""
import json, resource, sys, time
from pathlib import Path
from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.channels.base import get_format
from rapport.engage.rule_store import save_rules
from rapport.engage.setup import apply_setup, read_setup
from rapport.ingest.service import import_file
from rapport.store.db import Database
from rapport.store.models import Role, Workspace
path, url, route = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "on"
setup, rules = sys.argv[4], sys.argv[5]
db = Database(url); db.migrate()
with db.session() as session:
    ws = get_or_create_workspace(session, "bench")
    workspace = session.get_one(Workspace, ws.id)
    for a in range(200):
        create_user(session, workspace, email=f"agent{a}@bench.example", name=f"Agent {a}",
                    role=Role.AGENT, password="benchmark-password")
    plan = read_setup(Path(setup).read_text(), source="setup")
    apply_setup(session, ws.id, plan, source="setup")
    save_rules(session, ws.id, Path(rules).read_text(), source="rules", user_id=None)
    ws_id = ws.id
start = time.perf_counter()
report = import_file(db, workspace_id=ws_id, path=path, fmt=get_format("twcs"), route=route)
seconds = time.perf_counter() - start
print(json.dumps({"imported": report.imported, "cases": report.cases_opened, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(*args: str) -> dict[str, float]:
    os.sync()
    done = subprocess.run(
        [sys.executable, "-c", CHILD_IMPORT, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def rules_only(rules_text: str, source: Path, count: int) -> float:
    """Seconds per message to evaluate the rules alone on the file's texts."""
    import csv
    from datetime import UTC, datetime

    from rapport.engage.rules import MessageFacts, load_rules

    ruleset = load_rules(rules_text, source="rules")
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1 : count + 1]
    now = datetime.now(UTC)
    facts = [
        MessageFacts(
            channel="twcs",
            channel_kind="twitter",
            text=row[4],
            author_id=row[1],
            author_handle=row[1],
            sent_at=now,
            followers_count=5000,
            is_new_case=True,
            business_open=False,
        )
        for row in rows
    ]
    start = time.perf_counter()
    fired = sum(len(ruleset.evaluate(f)) for f in facts)
    seconds = time.perf_counter() - start
    print(f"  rules fired per message (average)          : {fired / len(facts):10.2f}")
    return seconds / len(facts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not SAMPLE.exists():
        raise SystemExit(f"the real sample {SAMPLE} is missing")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        source = build_twcs(workdir / "twcs.csv", args.messages)
        setup, rules = workdir / "setup.yaml", workdir / "rules.yaml"
        setup.write_text(setup_yaml(), encoding="utf-8")
        rules.write_text(rules_yaml(), encoding="utf-8")
        print(
            f"Import of {args.messages:,} twcs messages into SQLite, "
            f"{RULES} rules, {AGENTS} agents in {TEAMS} teams"
        )
        off = run_child(
            str(source), f"sqlite:///{workdir / 'off.db'}", "off", str(setup), str(rules)
        )
        on = run_child(str(source), f"sqlite:///{workdir / 'on.db'}", "on", str(setup), str(rules))
        rate_off = off["imported"] / off["seconds"]
        rate_on = on["imported"] / on["seconds"]
        added_ms = (on["seconds"] - off["seconds"]) / on["imported"] * 1000
        print(f"  baseline, import with routing off          : {rate_off:>10,.0f} msg/s")
        print(
            f"  import with routing on                     : {rate_on:>10,.0f} msg/s "
            f"({on['cases']:,.0f} cases opened, peak {on['peak_mb']:.0f} MB)"
        )
        verdict = "met" if added_ms < 1 else "NOT met"
        print(
            f"  routing adds per message                   : {added_ms:10.3f} ms "
            f"(target < 1 ms: {verdict})"
        )
        per_message = rules_only(rules.read_text(encoding="utf-8"), source, 20_000)
        print(f"  rules alone, per message                   : {per_message * 1e6:10.1f} µs")


if __name__ == "__main__":
    main()
