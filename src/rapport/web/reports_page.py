"""The SLA report (``/reports/sla``): the share of cases within SLA, first-response and
resolution times (median and 90th percentile) overall and per team, agent and channel,
for a period; and how satisfied the customers said they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui

from rapport.engage.csat import csat_report
from rapport.engage.sla import sla_report
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.layout import page_frame
from rapport.web.presentation import human_duration, percent
from rapport.web.session import WebUser

PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "all": "All time"}
DEFAULT_PERIOD = "30"
GROUPS = (("team", "Per team"), ("agent", "Per agent"), ("channel", "Per channel"))
_NUMBERS = {"align": "right", "headerClasses": "text-right"}


def _columns(label: str) -> list[dict[str, Any]]:
    return [
        {"name": "name", "label": label, "field": "name", "align": "left"},
        {"name": "cases", "label": "Cases", "field": "cases", **_NUMBERS},
        {"name": "within", "label": "Within SLA", "field": "within", **_NUMBERS},
        {"name": "breaches", "label": "Breaches", "field": "breaches", **_NUMBERS},
        {"name": "fr_median", "label": "First response median", "field": "fr_median",
         **_NUMBERS},
        {"name": "fr_p90", "label": "First response p90", "field": "fr_p90", **_NUMBERS},
        {"name": "res_median", "label": "Resolution median", "field": "res_median", **_NUMBERS},
        {"name": "res_p90", "label": "Resolution p90", "field": "res_p90", **_NUMBERS},
    ]  # fmt: skip


def _row(name: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "cases": f"{figures['cases']:,}",
        "within": percent(figures["within_sla_ratio"]),
        "breaches": f"{figures['breaches']:,}",
        "fr_median": human_duration(figures["first_response_seconds_median"]),
        "fr_p90": human_duration(figures["first_response_seconds_p90"]),
        "res_median": human_duration(figures["resolution_seconds_median"]),
        "res_p90": human_duration(figures["resolution_seconds_p90"]),
    }


class ReportView:
    """One browser tab's SLA report."""

    def __init__(self, db: Database, user: WebUser, period: str) -> None:
        self.db = db
        self.user = user
        self.period = period if period in PERIODS else DEFAULT_PERIOD

    def fetch(self) -> tuple[dict[str, Any], dict[str, Any]]:
        since = None
        if self.period != "all":
            since = datetime.now(UTC) - timedelta(days=int(self.period))
        with self.db.session() as session:
            workspace = self.user.workspace_id
            return (
                sla_report(session.connection(), workspace, since=since),
                csat_report(session, workspace, since=since),
            )

    def build(self) -> None:
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-center gap-3"):
                ui.label("SLA report").classes("text-2xl font-semibold")
                ui.label("cases opened in the period").classes("rp-muted")
                ui.space()
                ui.toggle(
                    PERIODS, value=self.period, on_change=lambda e: self.choose(e.value)
                ).props(
                    "no-caps unelevated toggle-color=primary color=white text-color=secondary "
                    'data-testid="sla-period"'
                ).classes("rp-card")
            self.body = ui.column().classes("w-full gap-4")
        self.show()

    def choose(self, period: object) -> None:
        self.period = str(period) if str(period) in PERIODS else DEFAULT_PERIOD
        ui.navigate.history.replace(f"/reports/sla?period={self.period}")
        self.show()

    def show(self) -> None:
        sla, csat = self.fetch()
        self.body.clear()
        with self.body:
            with ui.row().classes("w-full gap-4 no-wrap"):
                self._tile("Within SLA", percent(sla["within_sla_ratio"]), "sla-within",
                           f"{sla['cases']:,} cases · {sla['breaches']:,} breaches")  # fmt: skip
                self._tile(
                    "First response",
                    human_duration(sla["first_response_seconds_median"]),
                    "sla-first-response",
                    f"median · 90th percentile {human_duration(sla['first_response_seconds_p90'])}",
                )
                self._tile(
                    "Resolution",
                    human_duration(sla["resolution_seconds_median"]),
                    "sla-resolution",
                    f"median · 90th percentile {human_duration(sla['resolution_seconds_p90'])}",
                )
                score = csat["average_score"]
                self._tile(
                    "Satisfaction",
                    f"{score:.2f} / 5" if score is not None else "—",
                    "csat-average",
                    f"{csat['answered']:,} answers to {csat['sent']:,} surveys"
                    + (f" · {csat['csat_percent']:.0f} % happy" if csat["csat_percent"] else ""),
                )
            if not sla["cases"]:
                ui.label("No cases were opened in this period.").classes("rp-muted").props(
                    'data-testid="sla-empty"'
                )
            for key, title in GROUPS:
                rows = [_row(str(item[key]), item) for item in sla[f"by_{key}"]]
                with ui.card().classes("rp-card w-full p-4 gap-2").props("flat"):
                    ui.label(title).classes("rp-section")
                    ui.table(columns=_columns(key.capitalize()), rows=rows, row_key="name").props(
                        f'flat dense wrap-cells data-testid="sla-by-{key}"'
                    ).classes("w-full")
            self._csat(csat)
            ui.label(
                "Within SLA: the share of cases whose targets were settled (answered, resolved "
                "or breached) without a breach. Times are as the customer lived them, from the "
                "first message."
            ).classes("rp-muted")

    def _tile(self, title: str, value: str, testid: str, detail: str) -> None:
        with ui.card().classes("rp-card flex-1 p-4 gap-1").props(f'flat data-testid="{testid}"'):
            ui.label(title).classes("rp-section")
            ui.label(value).classes("text-3xl font-semibold").props('data-testid="value"')
            ui.label(detail).classes("rp-muted")

    def _csat(self, csat: dict[str, Any]) -> None:
        columns = [
            {"name": "name", "label": "Team", "field": "name", "align": "left"},
            {"name": "sent", "label": "Surveys sent", "field": "sent", **_NUMBERS},
            {"name": "answered", "label": "Answered", "field": "answered", **_NUMBERS},
            {"name": "rate", "label": "Response rate", "field": "rate", **_NUMBERS},
            {"name": "average", "label": "Average (1 to 5)", "field": "average", **_NUMBERS},
        ]
        rows = [
            {
                "name": item["team"] or "(no team)",
                "sent": f"{item['sent']:,}",
                "answered": f"{item['answered']:,}",
                "rate": percent(item["response_rate"]),
                "average": f"{item['average_score']:.2f}" if item["average_score"] else "—",
            }
            for item in csat["by_team"]
        ]
        with ui.card().classes("rp-card w-full p-4 gap-2").props('flat data-testid="csat"'):
            ui.label("Customer satisfaction per team").classes("rp-section")
            if not rows:
                ui.label("No satisfaction surveys were sent in this period.").classes("rp-muted")
                return
            ui.table(columns=columns, rows=rows, row_key="name").props(
                'flat dense data-testid="csat-by-team"'
            ).classes("w-full")


def register(db: Database) -> None:
    """Register ``/reports/sla``."""

    @ui.page("/reports/sla", title="SLA report · Rapport")
    def sla_page(period: str | None = None) -> RedirectResponse | None:
        period = period if period in PERIODS else DEFAULT_PERIOD
        user = require_user(db, f"/reports/sla?period={period}")
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/reports/sla")
        ReportView(db, user, period).build()
        return None
