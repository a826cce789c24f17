"""The engagement commands as the issue's acceptance runs them, on the real twcs sample and
on the demo: cases list, sla report, export-log (CSV and XES), rules and setup files."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import shared_data
from typer.testing import CliRunner

from rapport.cli import app
from rapport.config import get_settings

XES = "{http://www.xes-standard.org/}"


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
def demo(cli_database: Path) -> CliRunner:
    runner = CliRunner()
    loaded = runner.invoke(app, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    return runner


def test_cases_list_json_has_the_fields_the_issue_names(demo: CliRunner) -> None:
    result = demo.invoke(app, ["cases", "list", "--json"])
    assert result.exit_code == 0, result.output
    cases = json.loads(result.stdout)
    assert len(cases) > 50
    for case in cases:
        assert {"id", "status", "priority", "assignee", "team", "first_response_due"} <= set(case)
    # The demo's rules put money matters with Billing and the rest with Customer Care.
    assert {c["team"] for c in cases} == {"Billing", "Customer Care"}
    urgent = [c for c in cases if c["priority"] == "urgent"]
    assert any("vip" in c["tags"] and c["escalated"] for c in urgent)
    limited = json.loads(demo.invoke(app, ["cases", "list", "--json", "--limit", "3"]).stdout)
    assert len(limited) == 3


def test_sla_report_json_gives_the_share_within_sla_and_times(demo: CliRunner) -> None:
    result = demo.invoke(app, ["sla", "report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert 0 < report["within_sla_ratio"] < 1
    assert 0 < report["first_response_seconds_median"] <= report["first_response_seconds_p90"]
    assert {row["team"] for row in report["by_team"]} == {"Billing", "Customer Care"}
    assert sum(row["cases"] for row in report["by_channel"]) == report["cases"]


def test_export_log_writes_case_activity_timestamp_resource(
    demo: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "cases.csv"
    result = demo.invoke(app, ["cases", "export-log", "--format", "csv", str(target)])
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["case_id", "activity", "timestamp", "resource"]
    activities = {row["activity"] for row in rows}
    assert {"created", "assigned", "replied", "customer_replied", "resolved"} <= activities
    # Each case's events are in time order, so the log can be mined as it is.
    by_case: dict[str, list[str]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row["timestamp"])
    assert all(times == sorted(times) for times in by_case.values())
    # Agents reply as themselves: their names are the resources of the replies.
    assert {"Tom", "Sigrún", "Giulia"} <= {
        r["resource"] for r in rows if r["activity"] == "replied"
    }


def test_export_log_as_xes_is_well_formed_with_one_trace_per_case(
    demo: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "cases.xes"
    result = demo.invoke(app, ["cases", "export-log", "--format", "xes", str(target)])
    assert result.exit_code == 0, result.output
    log = ET.parse(target).getroot()
    traces = log.findall(f"{XES}trace")
    cases = json.loads(demo.invoke(app, ["cases", "list", "--json"]).stdout)
    assert len(traces) == len(cases)
    first_event = traces[0].find(f"{XES}event")
    assert first_event is not None
    keys = {child.get("key") for child in first_event}
    assert {"concept:name", "time:timestamp", "org:resource", "org:group"} <= keys


def test_export_log_refuses_an_unknown_format(demo: CliRunner, tmp_path: Path) -> None:
    result = demo.invoke(app, ["cases", "export-log", "--format", "bpmn", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "csv, xes" in result.output


def test_twcs_import_opens_cases_and_reports_real_response_times(cli_database: Path) -> None:
    sample = shared_data("twcs/twcs_sample.csv")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(sample), "--format", "twcs", "--quiet"]).exit_code == 0
    cases = json.loads(runner.invoke(app, ["cases", "list", "--json"]).stdout)
    conversations = json.loads(runner.invoke(app, ["conversations", "list", "--json"]).stdout)
    with_customer = [c for c in conversations if c["customer"] is not None]
    assert len(cases) == len(with_customer)
    report = json.loads(runner.invoke(app, ["sla", "report", "--json"]).stdout)
    # Brands answered most of these tweets: the median first response is real, in minutes.
    assert 60 < report["first_response_seconds_median"] < 24 * 3600
    again = runner.invoke(app, ["import", str(sample), "--format", "twcs", "--quiet"])
    assert "imported=0" in again.stdout
    assert len(json.loads(runner.invoke(app, ["cases", "list", "--json"]).stdout)) == len(cases)


def test_rules_file_errors_name_line_and_field(cli_database: Path, tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "rules:\n  - name: Big\n    when:\n      folowers: {at_least: 10}\n"
        "    then: {priority: urgent}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["rules", "load", str(bad)])
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert "line 4" in flat
    assert 'unknown key "folowers"' in flat
    assert "followers" in flat
    listed = CliRunner().invoke(app, ["rules", "list", "--json"])
    assert json.loads(listed.stdout) == []  # nothing was loaded


def test_rules_can_be_restored_to_an_earlier_version(demo: CliRunner, tmp_path: Path) -> None:
    mine = tmp_path / "rules.yaml"
    mine.write_text("rules:\n  - name: Only one\n    then: {tag: seen}\n", encoding="utf-8")
    assert demo.invoke(app, ["rules", "load", str(mine)]).exit_code == 0
    names = [r["name"] for r in json.loads(demo.invoke(app, ["rules", "list", "--json"]).stdout)]
    assert names == ["Only one"]
    assert demo.invoke(app, ["rules", "restore", "1"]).exit_code == 0
    names = [r["name"] for r in json.loads(demo.invoke(app, ["rules", "list", "--json"]).stdout)]
    assert "Money matters go to Billing" in names
    assert len(names) == 6
