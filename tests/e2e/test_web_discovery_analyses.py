"""The analyses of ``/discovery`` in a real browser, on real logs, against the figures the
Python functions (and so ``rapport discover ...``) compute for the same file: hot spots and
exceptions, water coolers, the BPMN model with conformance, and a KPI before and after."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from tests.conftest import shared_data
from tests.e2e import test_web_discovery as base
from tests.e2e.conftest import screenshot

from rapport.discovery.readers import read_log
from rapport.web.discovery_kpi_tab import Period

pytestmark = pytest.mark.browser
demo_server = base.demo_server  # the demo served once per module, and a signed-in tab on it
tab = base.tab

BPIC = "07_bpic2013_incidents.xes.gz"
HELPDESK = "helpdesk.xes.gz"


def _upload(tab: Any, name: str) -> Path:
    path = shared_data(f"eventlogs/{name}")
    tab.get_by_test_id("source-kind").get_by_text("Upload a log").click()
    tab.get_by_test_id("log-upload").locator("input[type=file]").set_input_files(str(path))
    expect(tab.get_by_test_id("log-summary")).to_contain_text(f"{name} · ", timeout=60_000)
    return path


def _cells(table: Any, columns: int) -> list[list[str]]:
    rows = table.locator("tbody tr")
    return [
        [rows.nth(r).locator("td").nth(c).inner_text() for c in range(columns)]
        for r in range(rows.count())
    ]


def test_bpic2013_water_coolers_and_hot_spots_are_those_python_finds(tab: Any) -> None:
    from rapport.discovery.coolers import find_water_coolers
    from rapport.discovery.hotspots import find_hotspots

    path = _upload(tab, BPIC)
    log = read_log(path)
    found = find_water_coolers(log, "org:group")
    assert len(found) > 20

    tab.get_by_test_id("tab-coolers").click()
    note = tab.get_by_test_id("coolers-note")
    expect(note).to_contain_text(
        f"{len(found):,} water coolers: pairs of org:group", timeout=60_000
    )
    expect(tab.get_by_test_id("coolers-graph").locator("canvas").first).to_be_visible()
    table = tab.get_by_test_id("coolers-table")
    shown = _cells(table, 3)
    assert len(shown) == 15  # a page
    assert [(s, t, int(o.replace(",", ""))) for s, t, o in shown] == [
        (w.source, w.target, w.observed) for w in found[:15]
    ]
    tab.wait_for_timeout(800)  # the force layout settles
    screenshot(tab, "discovery-bpic2013-water-coolers")

    # together, with a higher minimum: fewer pairs, the same as Python's
    tab.get_by_test_id("coolers-kind").get_by_text("work on the same cases").click()
    together = find_water_coolers(log, "org:group", kind="together")
    expect(note).to_contain_text(f"{len(together):,} water coolers", timeout=60_000)
    expect(note).to_contain_text("shared cases")

    tab.get_by_test_id("tab-hotspots").click()
    spots = find_hotspots(log, "activity", top=50)
    hot = tab.get_by_test_id("hotspots-table")
    expect(hot).to_be_visible(timeout=60_000)
    first = _cells(hot, 3)[0]
    assert first[1] == spots.items[0].value
    assert int(first[2].replace(",", "")) == spots.items[0].cases
    expect(tab.get_by_test_id("exceptions-summary")).to_contain_text("repeat an activity")
    expect(tab.get_by_test_id("exceptions-rework")).to_be_visible()
    screenshot(tab, "discovery-bpic2013-hotspots")
    hot.locator("tbody tr").first.click()
    expect(tab.get_by_test_id("drill-title")).to_have_text(f"with {spots.items[0].value}")
    expect(tab.get_by_test_id("drill-case").first).to_be_visible()

    # by department: a click lists the cases with that value
    tab.get_by_test_id("hotspots-by").click()
    tab.locator(".q-menu .q-item", has_text="org:group").first.click()
    by_group = find_hotspots(log, "org:group", top=50)
    expect(hot.locator("tbody tr").first.locator("td").nth(1)).to_have_text(
        by_group.items[0].value, timeout=60_000
    )
    hot.locator("tbody tr").first.click()
    expect(tab.get_by_test_id("drill-title")).to_have_text(f"org:group = {by_group.items[0].value}")


def test_helpdesk_model_conformance_and_download(tab: Any, tmp_path: Path) -> None:
    from rapport.discovery.conformance import check_conformance
    from rapport.discovery.model import discover_model

    path = _upload(tab, HELPDESK)
    log = read_log(path)
    model = discover_model(log, noise=0.2)
    fit = check_conformance(log, model.petri_net())
    assert fit.log_fitness is not None

    tab.get_by_test_id("tab-model").click()
    fitness = tab.get_by_test_id("conformance-fitness")
    expect(fitness).to_contain_text(f"Log fitness {fit.log_fitness:.4f}", timeout=120_000)
    expect(fitness).to_contain_text(f"{fit.fitting_cases:,} of {fit.cases:,} cases fit")
    expect(tab.get_by_test_id("model-chart").locator("canvas").first).to_be_visible()
    expect(tab.get_by_test_id("model-summary")).to_contain_text("14 activities")
    expect(tab.get_by_test_id("conformance-deviating")).to_be_visible()
    tab.wait_for_timeout(300)
    screenshot(tab, "discovery-helpdesk-model")

    # no noise threshold: every path kept, the log fits the model perfectly
    noise = tab.get_by_test_id("model-noise")
    noise.fill("0")
    noise.press("Enter")
    expect(tab.get_by_test_id("model-summary")).to_contain_text(
        "noise threshold 0.", timeout=120_000
    )
    expect(fitness).to_contain_text(f"{fit.cases:,} of {fit.cases:,} cases fit", timeout=120_000)

    with tab.expect_download() as download:
        tab.get_by_test_id("model-download").click()
    xml = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<bpmn:definitions" in xml or "definitions" in xml
    assert "Insert ticket" in xml

    # against a model the user uploads: the downloaded one fits as the discovered one does
    saved = tmp_path / "helpdesk.bpmn"
    saved.write_text(xml, encoding="utf-8")
    tab.get_by_test_id("model-upload").locator("input[type=file]").set_input_files(str(saved))
    expect(tab.get_by_test_id("conformance-against")).to_have_text("Against helpdesk.bpmn.")
    expect(fitness).to_contain_text("Log fitness", timeout=120_000)

    broken = tmp_path / "broken.bpmn"
    broken.write_text("<definitions>not a model", encoding="utf-8")
    tab.get_by_test_id("model-upload").locator("input[type=file]").set_input_files(str(broken))
    error = tab.get_by_test_id("model-error")
    expect(error).to_contain_text("broken.bpmn: not a readable BPMN model", timeout=30_000)
    assert "/tmp" not in error.inner_text()
    assert "Traceback" not in error.inner_text()


def test_helpdesk_kpi_before_and_after(tab: Any) -> None:
    from rapport.discovery.filters import filter_time
    from rapport.discovery.kpis import KpiSpec, compare_kpi

    path = _upload(tab, HELPDESK)
    tab.get_by_test_id("tab-kpis").click()
    significant = tab.get_by_test_id("kpi-significant")
    expect(tab.get_by_test_id("kpi-chart").locator("canvas").first).to_be_visible(timeout=60_000)

    tz = ZoneInfo(tab.get_by_test_id("kpi-zone").get_attribute("data-zone"))
    days = {
        key: date.fromisoformat(tab.get_by_test_id(f"kpi-{key}").input_value())
        for key in ("before-first", "before-last", "after-first", "after-last")
    }
    log = read_log(path)
    before = filter_time(log, *Period(days["before-first"], days["before-last"]).bounds(tz))
    after = filter_time(log, *Period(days["after-first"], days["after-last"]).bounds(tz))
    result = compare_kpi(before, after, KpiSpec("cycle-time"))
    expect(significant).to_have_text("yes" if result.significant else "no")
    expect(tab.get_by_test_id("kpi-before")).to_contain_text(f"{result.before.cases:,} cases")
    expect(tab.get_by_test_id("kpi-after")).to_contain_text(f"{result.after.cases:,} cases")
    assert result.p_value is not None
    expect(tab.get_by_test_id("kpi-p-value")).to_have_text(f"{result.p_value:.3g}")
    expect(tab.get_by_test_id("kpi-sentence")).to_contain_text(
        "the difference is significant at 5 %" if result.significant else "not significant"
    )
    screenshot(tab, "discovery-helpdesk-kpi")

    # the rework share over a chosen period: a bar chart, the same counts as Python's
    tab.get_by_test_id("kpi-kind").click()
    tab.locator(".q-menu .q-item", has_text="Rework share").first.click()
    tab.get_by_test_id("kpi-after-first").fill("2012-01-01")
    tab.get_by_test_id("kpi-compare").click()
    after = filter_time(log, *Period(date(2012, 1, 1), days["after-last"]).bounds(tz))
    rework = compare_kpi(before, after, KpiSpec("rework-share"))
    expect(tab.get_by_test_id("kpi-after")).to_contain_text(f"{rework.after.cases:,} cases")
    expect(significant).to_have_text("yes" if rework.significant else "no")
    screenshot(tab, "discovery-helpdesk-kpi-share")

    # the share of cases with an attribute value: the first attribute and its commonest value
    tab.get_by_test_id("kpi-kind").click()
    tab.locator(".q-menu .q-item", has_text="Share of cases with").first.click()
    expect(tab.get_by_test_id("kpi-attribute")).to_contain_text("resource")
    tab.get_by_test_id("kpi-compare").click()
    share = compare_kpi(before, after, KpiSpec("share", where="resource=Value 2"))
    assert share.after.hits is not None
    expect(tab.get_by_test_id("kpi-sentence")).to_contain_text(
        "The share of cases with resource=Value 2 went from"
    )
    expect(tab.get_by_test_id("kpi-after")).to_contain_text(f"{share.after.cases:,} cases")
    expect(significant).to_have_text("yes" if share.significant else "no")


def test_names_from_a_log_stay_text_in_every_analysis_tab(tab: Any, tmp_path: Path) -> None:
    hostile = base.HOSTILE
    alerts: list[str] = []
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    rows = ["case,activity,timestamp,resource"]
    for case in range(1, 9):
        rows += [
            f'{case},"{hostile}",2024-01-0{case}T10:00:00Z,"{hostile}"',
            f"{case},Answer,2024-01-0{case}T11:00:00Z,bob",
            f"{case},Answer,2024-01-0{case}T12:0{case}:00Z,ann",
        ]
    log = tmp_path / "hostile.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    tab.get_by_test_id("source-kind").get_by_text("Upload a log").click()
    tab.get_by_test_id("log-upload").locator("input[type=file]").set_input_files(str(log))
    tab.get_by_test_id("read-log").click()
    expect(tab.get_by_test_id("log-summary")).to_contain_text("hostile.csv · 8 cases")

    tab.get_by_test_id("tab-hotspots").click()
    expect(tab.get_by_test_id("hotspots-table")).to_contain_text(hostile, timeout=30_000)
    expect(tab.get_by_test_id("exceptions-rework")).to_contain_text("Answer")
    tab.get_by_test_id("tab-coolers").click()
    expect(tab.get_by_test_id("coolers-note")).to_contain_text("water coolers", timeout=30_000)
    tab.get_by_test_id("tab-model").click()
    expect(tab.get_by_test_id("model-chart").locator("canvas").first).to_be_visible(timeout=60_000)
    expect(tab.get_by_test_id("conformance-fitness")).to_contain_text("8 of 8 cases fit")
    tab.get_by_test_id("tab-kpis").click()
    expect(tab.get_by_test_id("kpi-significant")).to_have_text(re.compile("^(yes|no)$"))
    assert tab.locator("img[src=x]").count() == 0
    tab.wait_for_timeout(300)
    assert alerts == []


def test_the_demo_cases_in_every_analysis_tab(tab: Any) -> None:
    """The workspace's own cases (the default source): each tab draws, and a hot spot lists
    cases that link to ``/cases/{id}``."""
    tab.get_by_test_id("tab-hotspots").click()
    hot = tab.get_by_test_id("hotspots-table")
    expect(hot.locator("tbody tr").first).to_be_visible(timeout=30_000)
    hot.locator("tbody tr").first.click()
    expect(tab.get_by_test_id("drill-title")).to_contain_text("with ")
    link = tab.get_by_test_id("drill-case").first.get_by_test_id("case-link")
    assert re.fullmatch(r"/cases/\d+", link.get_attribute("href") or "")
    tab.get_by_test_id("tab-coolers").click()
    expect(tab.get_by_test_id("coolers-note")).to_contain_text("water coolers", timeout=30_000)
    tab.get_by_test_id("tab-model").click()
    expect(tab.get_by_test_id("model-chart").locator("canvas").first).to_be_visible(timeout=60_000)
    expect(tab.get_by_test_id("conformance-fitness")).to_contain_text("cases fit")
    tab.get_by_test_id("tab-kpis").click()
    expect(tab.get_by_test_id("kpi-sentence")).to_contain_text("The median cycle time went from")
    screenshot(tab, "discovery-demo-kpi")
