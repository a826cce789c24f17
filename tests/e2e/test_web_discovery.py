"""``/discovery`` in a real browser: the demo's own cases as a map, the frequency slider,
a click into the cases behind an edge, uploads (a real log, a broken file, hostile names)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.conftest import shared_data
from tests.e2e.conftest import new_tab, rapport_command, screenshot, serve, sign_in_form

from rapport.demo.service import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[1] / "integration" / "discovery" / "fixtures"
HOSTILE = "<img src=x onerror=alert(1)>"
SHOWN = re.compile(r"^(\d+) of (\d+) edges shown")

# Where a chart item is on screen: NiceGUI's getElement gives the Vue component, whose
# ``chart`` is the ECharts instance; the graph's view converts data to pixel coordinates.
_POINTS = """el => {
  const chart = getElement(el.id.slice(1)).chart;
  const series = chart.getOption().series[0];
  const at = (n) => chart.convertToPixel({seriesIndex: 0}, [n.x, n.y]);
  const nodes = Object.fromEntries(series.data.map(n => [n.id, n]));
  const box = el.getBoundingClientRect();
  const straight = series.links.filter(l => l.key.startsWith('e') && !l.lineStyle.curveness
                                             && l.source !== l.target);
  straight.sort((a, b) => b.lineStyle.width - a.lineStyle.width);
  const edge = straight[0];
  const [x1, y1] = at(nodes[edge.source]);
  const [x2, y2] = at(nodes[edge.target]);
  const node = series.data.find(n => n.id !== 'n0' && n.id !== 'n1' && n.symbol === 'roundRect');
  const [nx, ny] = at(node);
  // a corner of the box, away from the edges that meet it and their labels
  const size = [].concat(node.symbolSize, node.symbolSize);
  return {edge: [box.x + x1 + (x2 - x1) * 0.62, box.y + y1 + (y2 - y1) * 0.62],
          node: [box.x + nx - size[0] * 0.3, box.y + ny - size[1] * 0.3], name: node.name};
}"""


@pytest.fixture(scope="module")
def demo_server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo (``rapport demo load`` without the twcs sample) served as ``make demo`` does."""
    work = tmp_path_factory.mktemp("discovery-demo")
    url = f"sqlite:///{work / 'demo.db'}"
    loaded = subprocess.run(
        [*rapport_command(), "demo", "load", "--no-twcs", "--quiet"],
        env={"RAPPORT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        cwd=work,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    with serve(url, work) as base:
        yield base


@pytest.fixture
def tab(browser: Any, demo_server: str) -> Iterator[Any]:
    page = new_tab(browser, demo_server)
    sign_in_form(page, DEMO_USERS[0].email, DEMO_PASSWORD)
    expect(page.get_by_test_id("workspace")).to_be_visible()
    page.get_by_test_id("nav-discovery").click()
    expect(page.get_by_test_id("log-summary")).to_contain_text("Rapport's cases")
    yield page
    page.context.close()


def _shown(tab: Any) -> tuple[int, int]:
    expect(tab.get_by_test_id("edges-shown")).to_have_text(SHOWN)
    match = SHOWN.match(tab.get_by_test_id("edges-shown").inner_text())
    assert match is not None
    return int(match[1]), int(match[2])


def _upload(tab: Any, path: Path) -> None:
    tab.get_by_test_id("source-kind").get_by_text("Upload a log").click()
    tab.locator("input[type=file]").set_input_files(str(path))


def test_the_demo_map_of_its_own_cases_and_the_frequency_slider(tab: Any) -> None:
    drawn, total = _shown(tab)
    assert drawn == total > 3
    expect(tab.get_by_test_id("process-map").locator("canvas").first).to_be_visible()
    screenshot(tab, "discovery-demo-map")
    slider = tab.get_by_test_id("min-count").locator(".q-slider__track-container")  # focusable
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    expect(tab.get_by_test_id("min-count-value")).not_to_have_text("1 time")
    fewer, same_total = _shown(tab)
    assert same_total == total
    assert fewer < drawn


def test_clicking_an_edge_lists_its_cases_with_links(tab: Any) -> None:
    chart = tab.get_by_test_id("process-map")
    expect(chart.locator("canvas").first).to_be_visible()
    tab.wait_for_timeout(300)  # the chart's first frame
    points = chart.evaluate(_POINTS)
    tab.mouse.click(*points["edge"])
    panel = tab.get_by_test_id("drilldown")
    expect(panel).to_be_visible()
    expect(tab.get_by_test_id("drill-title")).to_contain_text("→")
    expect(tab.get_by_test_id("drill-figures")).to_contain_text("median")
    rows = tab.get_by_test_id("drill-case")
    expect(rows.first).to_be_visible()
    link = rows.first.get_by_test_id("case-link")
    assert re.fullmatch(r"/cases/\d+", link.get_attribute("href") or "")
    screenshot(tab, "discovery-demo-drilldown")

    # the case list may have scrolled the page: let it settle, then measure the node again
    chart.scroll_into_view_if_needed()
    tab.wait_for_timeout(500)
    points = chart.evaluate(_POINTS)
    tab.mouse.click(*points["node"])
    expect(tab.get_by_test_id("drill-title")).to_have_text(f"with {points['name']}")


@pytest.mark.parametrize(
    ("name", "summary", "activity"),
    [
        ("helpdesk.xes.gz", "4,580 cases, 21,348 events", "Assign seriousness"),
        ("07_bpic2013_incidents.xes.gz", "7,554 cases, 65,533 events", "Accepted"),
    ],
)
def test_uploading_a_real_log_draws_its_map(
    tab: Any, name: str, summary: str, activity: str
) -> None:
    _upload(tab, shared_data(f"eventlogs/{name}"))
    line = tab.get_by_test_id("log-summary")
    expect(line).to_contain_text(f"{name} · {summary}", timeout=60_000)
    drawn, total = _shown(tab)
    assert drawn == total > 5
    screenshot(tab, f"discovery-{name.split('.')[0]}-map")
    tab.get_by_test_id("tab-variants").click()
    expect(tab.get_by_test_id("variants-table")).to_contain_text(activity)
    tab.get_by_test_id("tab-performance").click()
    expect(tab.get_by_test_id("performance-summary")).to_contain_text(summary.split(",")[0])
    tab.get_by_test_id("tab-people").click()
    expect(tab.get_by_test_id("people-note")).to_contain_text("pairs hand work")


def test_a_bad_upload_says_which_file_and_row(tab: Any) -> None:
    _upload(tab, FIXTURES / "badtime.csv")
    expect(tab.get_by_test_id("map-case")).to_contain_text("ticket")  # guessed from the header
    tab.get_by_test_id("read-log").click()
    error = tab.get_by_test_id("upload-error")
    expect(error).to_contain_text("badtime.csv: row 2, field 'at': 'not a date'")
    assert "Traceback" not in error.inner_text()
    assert "/tmp" not in error.inner_text()


def test_names_from_a_log_are_shown_as_text(tab: Any, tmp_path: Path) -> None:
    alerts: list[str] = []
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    log = tmp_path / "hostile.csv"
    log.write_text(
        "case,activity,timestamp\n"
        f'1,"{HOSTILE}",2024-01-01T10:00:00Z\n1,Answer,2024-01-01T11:00:00Z\n'
        f'2,"{HOSTILE}",2024-01-02T10:00:00Z\n2,Answer,2024-01-02T12:00:00Z\n',
        encoding="utf-8",
    )
    _upload(tab, log)
    tab.get_by_test_id("read-log").click()
    expect(tab.get_by_test_id("log-summary")).to_contain_text("hostile.csv · 2 cases")
    tab.get_by_test_id("tab-variants").click()
    expect(tab.get_by_test_id("variants-table")).to_contain_text(f"{HOSTILE} → Answer")
    assert tab.locator("img[src=x]").count() == 0
    tab.get_by_test_id("tab-map").click()
    tab.wait_for_timeout(500)
    assert alerts == []


def test_an_ocel_upload_asks_for_its_object_type(tab: Any) -> None:
    _upload(tab, shared_data("eventlogs/ocel20_example.jsonocel"))
    picker = tab.get_by_test_id("object-type")
    expect(picker).to_be_visible()
    picker.click()
    tab.locator(".q-menu .q-item", has_text="Purchase Order").first.click()
    tab.get_by_test_id("read-log").click()
    expect(tab.get_by_test_id("log-summary")).to_contain_text("ocel20_example.jsonocel · ")
    drawn, _total = _shown(tab)
    assert drawn > 0


def test_the_filters_narrow_the_cases(tab: Any) -> None:
    summary = tab.get_by_test_id("log-summary")
    everything = int(re.search(r"([\d,]+) cases", summary.inner_text())[1].replace(",", ""))  # type: ignore[index]
    tab.get_by_test_id("filter-attribute").click()
    tab.locator(".q-menu .q-item", has_text="org:group").first.click()
    tab.get_by_test_id("filter-value").click()
    tab.locator(".q-menu .q-item").first.click()
    expect(summary).not_to_contain_text(f" {everything} cases")
    tab.get_by_test_id("filter-since").fill("2099-01-01")
    expect(summary).to_contain_text("· 0 cases")
    expect(tab.get_by_test_id("map-empty")).to_have_text("No cases match the filters.")
    tab.get_by_test_id("filter-clear").click()
    expect(summary).to_contain_text(f" {everything} cases")
