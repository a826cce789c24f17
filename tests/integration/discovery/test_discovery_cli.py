"""The ``rapport discover`` command line: the JSON contract, tables, and errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import shared_data
from typer.testing import CliRunner

from rapport.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
CSV = [
    str(FIXTURES / "tickets.csv"),
    *("--case", "ticket", "--activity", "step", "--timestamp", "at", "--resource", "agent"),
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["discover", *args])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_map_json_contract() -> None:
    code, out, err = run("map", *CSV, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["activities"] == {"Open": 2, "Close": 2, "Answer": 1}
    assert data["start"] == {"Open": 2}
    assert data["end"] == {"Close": 2}
    edge = next(e for e in data["edges"] if e["source"] == "Open" and e["target"] == "Answer")
    assert edge == {
        "source": "Open",
        "target": "Answer",
        "count": 1,
        "mean_seconds": 3600.0,
        "median_seconds": 3600.0,
        "p90_seconds": 3600.0,
    }
    assert "1 events have no resource" in err


def test_variants_and_handover_json() -> None:
    code, out, _ = run("variants", *CSV, "--json")
    assert code == 0
    variants = json.loads(out)
    assert [v["variant"] for v in variants] == [["Open", "Answer", "Close"], ["Open", "Close"]]
    assert [v["count"] for v in variants] == [1, 1]
    code, out, _ = run("handover", *CSV, "--json")
    assert json.loads(out) == [{"source": "ann", "target": "bob", "count": 1}]
    code, out, _ = run("handover", *CSV, "--by", "team", "--json")
    assert json.loads(out) == [{"source": "front", "target": "back", "count": 1}]


def test_tables_without_json() -> None:
    code, out, _ = run("map", *CSV, "--min-count", "1")
    assert code == 0
    assert "Process map: 2 cases, 5 events" in out
    code, out, _ = run("variants", *CSV)
    assert "Open → Answer → Close" in out


def test_errors_are_one_line_without_a_traceback() -> None:
    code, _, err = run("map", str(FIXTURES / "broken.xes"), "--json")
    assert code == 1
    assert "broken.xes: not a readable XES log" in err
    assert "Traceback" not in err
    code, _, err = run("handover", *CSV, "--by", "org:group")
    assert code == 1
    assert "no attribute 'org:group'" in err


def test_ocel_needs_an_object_type() -> None:
    path = str(shared_data("eventlogs/ocel20_example.jsonocel"))
    code, _, err = run("map", path)
    assert code == 1
    assert "--object-type" in err
    code, out, _ = run("variants", path, "--object-type", "Purchase Order", "--json")
    assert code == 0
    assert sum(v["count"] for v in json.loads(out)) == 2


def test_every_command_has_help() -> None:
    for command in ("map", "variants", "handover"):
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "--json" in out


def test_performance_json() -> None:
    code, out, err = run("performance", *CSV, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["cases"] == 2
    assert data["case_seconds"]["max"] == 4 * 3600  # T1: 08:00 UTC to 12:00 UTC
    assert data["rare_variants"]["seen_once"] == 2
