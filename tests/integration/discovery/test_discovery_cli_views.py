"""The newer ``rapport discover`` commands: JSON a web page can draw, tables, clear errors,
and ``--cases`` reading the workspace's own case history straight from the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from rapport.cli import app
from rapport.config import get_settings
from rapport.store.db import Database

FIXTURES = Path(__file__).parent / "fixtures"
CSV = [
    str(FIXTURES / "tickets.csv"),
    *("--case", "ticket", "--activity", "step", "--timestamp", "at", "--resource", "agent"),
]
COMMANDS = (
    "exceptions",
    "hotspots",
    "network",
    "water-coolers",
    "model",
    "conformance",
    "kpi",
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["discover", *args])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_every_new_command_has_help_with_the_shared_log_options() -> None:
    for command in COMMANDS:
        code, out, _ = run(command, "--help")
        assert code == 0, command
        for option in ("--json", "--case", "--object-type", "--sql", "--cases"):
            assert option in out, (command, option)


def test_network_and_water_coolers_json_on_bpic2013() -> None:
    path = str(shared_data("eventlogs/07_bpic2013_incidents.xes.gz"))
    code, out, err = run("network", path, "--by", "org:group", "--kind", "together", "--json")
    assert code == 0, err
    network = json.loads(out)
    assert network["directed"] is False
    assert network["nodes"][0].keys() == {"id", "cases", "events"}
    assert network["edges"][0].keys() == {"source", "target", "weight"}
    code, out, err = run("water-coolers", path, "--by", "org:group", "--min-count", "15", "--json")
    assert code == 0, err
    coolers = json.loads(out)
    assert coolers["pairs"]
    assert all(p["observed"] >= 15 for p in coolers["pairs"])
    assert {e["source"] for e in coolers["network"]["edges"]} <= {
        n["id"] for n in coolers["network"]["nodes"]
    }
    code, _, err = run("network", path, "--kind", "lunch")
    assert code == 2
    assert "--kind: must be one of handover, together" in err


def test_hotspots_and_exceptions_json() -> None:
    code, out, err = run("hotspots", *CSV, "--by", "team", "--min-cases", "1", "--json")
    assert code == 0, err
    spots = json.loads(out)
    assert spots["attribute"] == "team"
    assert {h["value"] for h in spots["items"]} == {"front", "back"}
    code, out, _ = run("exceptions", *CSV, "--json")
    assert json.loads(out)["rework_cases"] == 0
    code, out, _ = run("hotspots", *CSV, "--by", "org:resource", "--min-cases", "1")
    assert code == 0
    assert "Hot spots by org:resource" in out


def test_model_writes_bpmn_and_conformance_checks_against_it(tmp_path: Path) -> None:
    path = str(shared_data("eventlogs/helpdesk.xes.gz"))
    target = tmp_path / "helpdesk.bpmn"
    code, out, err = run("model", path, "--noise", "0.2", "--bpmn-out", str(target), "--json")
    assert code == 0, err
    model = json.loads(out)
    assert "Insert ticket" in model["activities"]
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    code, out, err = run("conformance", path, "--model", str(target), "--limit", "3", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["model"] == str(target)
    assert 0.9 < result["log_fitness"] < 1
    assert len(result["deviating"]) == 3
    assert result["deviating"][0]["fitness"] < 1
    code, out, err = run("conformance", *CSV, "--model", str(target), "--json")
    assert code == 0, err
    other = json.loads(out)  # the tickets' steps are not the helpdesk model's activities
    assert other["fitting_cases"] == 0
    assert {"Open", "Answer", "Close"} >= set(other["deviating"][0]["not_in_model"]) > set()
    code, out, _ = run("conformance", path, "--limit", "2")
    assert "cases fit" in out
    assert "Deviating cases" in out


def test_a_bad_model_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<definitions", encoding="utf-8")
    code, _, err = run("conformance", *CSV, "--model", str(bad))
    assert code == 1
    assert "bad.bpmn: not a readable BPMN model" in err
    assert "Traceback" not in err
    code, _, err = run("conformance", *CSV, "--model", str(tmp_path / "model.txt"))
    assert "unknown model format" in err


def test_kpi_periods_and_two_logs() -> None:
    path = str(shared_data("eventlogs/helpdesk.xes.gz"))
    periods = ("--before", "..2012-01-01", "--after", "2012-01-01..")
    code, out, err = run("kpi", path, "--kpi", "rework-share", *periods, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["test"] == "two-proportion-z"
    assert result["significant"] is True
    assert result["before"]["cases"] + result["after"]["cases"] == 4580
    code, out, _ = run("kpi", path, "--kpi", "cycle-time", *periods)
    assert "significant at 5%: yes" in out
    code, out, err = run("kpi", *CSV, "--kpi", "share", "--where", "team=back", "--json")
    assert code == 0, err
    assert json.loads(out)["value"]["value"] == 0.5
    code, out, err = run("kpi", *CSV, "--kpi", "cycle-time", "--against", CSV[0], "--json")
    assert code == 0, err
    assert json.loads(out)["change"] == 0
    code, _, err = run("kpi", *CSV, "--kpi", "first-response")
    assert code == 1
    assert "--response-activity" in err


@pytest.fixture
def workspace_db(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_cases_reads_the_workspace_history_like_an_exported_log(
    workspace_db: Database, tmp_path: Path
) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    exported = tmp_path / "cases.csv"
    result = runner.invoke(app, ["cases", "export-log", "--format", "csv", str(exported)])
    assert result.exit_code == 0, result.output
    columns = ("--case", "case_id", "--activity", "activity", "--timestamp", "timestamp")
    code, from_file, err = run(
        "variants", str(exported), *columns, "--resource", "resource", "--json"
    )
    assert code == 0, err
    code, from_store, err = run("variants", "--cases", "--json")
    assert code == 0, err
    assert json.loads(from_store) == json.loads(from_file)
    code, out, err = run("network", "--cases", "--by", "org:group", "--json")
    assert code == 0, err
    assert {n["id"] for n in json.loads(out)["nodes"]} >= {"Billing", "Customer Care"}
    code, out, err = run("hotspots", "--cases", "--by", "org:resource", "--json")
    assert code == 0, err
    assert json.loads(out)["cases"] > 50
    code, _, err = run("map", str(exported), "--cases")
    assert code == 2
    assert "give one of" in err


def test_untrusted_names_are_shown_as_text_in_every_table(tmp_path: Path) -> None:
    log = tmp_path / "evil.csv"
    log.write_text(
        "ticket,step,at,agent\n"
        "T1,[/],2024-01-01T00:00:00Z,[bold]eve\n"
        "T1,\x1b[2JClose,2024-01-01T01:00:00Z,bob\n"
        "T2,[/],2024-01-01T00:00:00Z,ann\n"
        "T2,[/],2024-01-01T01:00:00Z,ann\n",
        encoding="utf-8",
    )
    columns = ("--case", "ticket", "--activity", "step", "--timestamp", "at", "--resource", "agent")
    for command in (
        ["map"],
        ["variants"],
        ["exceptions"],
        ["hotspots", "--by", "org:resource", "--min-cases", "1"],
        ["network", "--by", "org:resource"],
    ):
        code, out, err = run(command[0], str(log), *columns, *command[1:])
        assert code == 0, (command, err)
        assert "\x1b[2J" not in out  # the escape sequence is shown, never obeyed
        assert "[/]" in out or "[bold]eve" in out, command
