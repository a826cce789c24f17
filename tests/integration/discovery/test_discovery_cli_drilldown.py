"""``rapport discover cases-of`` on a file: the JSON, the table in a time zone, and the
errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rapport.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
CSV = [
    str(FIXTURES / "tickets.csv"),
    *("--case", "ticket", "--activity", "step", "--timestamp", "at", "--resource", "agent"),
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["discover", "cases-of", *CSV, *args])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_the_cases_behind_an_edge_as_json_and_as_a_table() -> None:
    code, out, err = run("--edge", "Open", "Answer", "--json")
    assert code == 0, err
    body = json.loads(out)
    assert body["total"] == 1
    assert body["edge"]["count"] == 1
    assert body["edge"]["mean_seconds"] == 3600.0
    [case] = body["cases"]
    assert case["events"] == 3

    code, out, err = run("--with-activity", "Close", "--tz", "Asia/Tehran")
    assert code == 0, err
    assert "start (Asia/Tehran)" in out
    assert "Cases 1-2 of 2" in out

    code, out, _err = run("--rank", "1", "--json", "--where", "team=back")
    assert code == 0
    assert json.loads(out)["total"] == 1  # the filters apply first


def test_errors_say_what_was_wrong() -> None:
    code, _out, err = run("--edge", "Open", "Close", "--rank", "1")
    assert code == 2
    assert "give exactly one of" in err
    code, _out, err = run("--rank", "9")
    assert code == 1
    assert "variant 9: the log has 2 variants" in err
    code, _out, err = run("--with-activity", "Close", "--sort", "size")
    assert code == 1
    assert "sort 'size'" in err
    code, _out, err = run("--with-activity", "Close", "--tz", "Nowhere")
    assert code == 2
    assert "'Nowhere' is not a time zone" in err
