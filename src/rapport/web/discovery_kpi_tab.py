"""The KPIs tab of ``/discovery``: one KPI (``discovery/kpis.py``) before and after, with
the change and whether it is significant, in plain words, and a chart of the two periods.

Periods are days in the user's time zone, both ends included; a case belongs to the period
it started in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from nicegui import run, ui

from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog
from rapport.errors import InvalidInput, RapportError
from rapport.web.discovery_filters import attribute_names, common_values
from rapport.web.discovery_insight_charts import duration_box_options, share_bar_options
from rapport.web.feedback import problem_text
from rapport.web.latest import Latest
from rapport.web.presentation import human_duration, percent

KPI_LABELS = {
    "cycle-time": "Cycle time (first to last event)",
    "first-response": "First response (first event to an activity)",
    "rework-share": "Rework share (cases repeating an activity)",
    "share": "Share of cases with an attribute value",
}


@dataclass(frozen=True)
class Period:
    first: date | None  # both days included, in the user's time zone
    last: date | None

    def bounds(self, tz: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        start = datetime.combine(self.first, time.min, tzinfo=tz) if self.first else None
        end = (
            datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=tz)
            if self.last
            else None
        )
        return start, end

    def label(self) -> str:
        first = self.first.isoformat() if self.first else "…"
        last = self.last.isoformat() if self.last else "…"
        return f"{first} to {last}"


def default_periods(log: EventLog, tz: ZoneInfo) -> tuple[Period, Period]:
    """The log's case starts split in two halves of time, as days in ``tz``."""
    starts = log.frame.group_by(CASE).agg(pl.col(TIMESTAMP).min())[TIMESTAMP].drop_nulls()
    if starts.is_empty():
        return Period(None, None), Period(None, None)
    low: datetime = starts.min()  # type: ignore[assignment]
    high: datetime = starts.max()  # type: ignore[assignment]
    first, last = low.astimezone(tz).date(), high.astimezone(tz).date()
    middle = first + (last - first) / 2
    if middle <= first:
        return Period(first, first), Period(first + timedelta(days=1), last)
    return Period(first, middle - timedelta(days=1)), Period(middle, last)


def _value(data: dict[str, Any], which: str) -> str:
    value = data[which]["value"]
    return human_duration(value) if data["unit"] == "seconds" else percent(value)


def change_text(data: dict[str, Any]) -> str:
    """The change of ``KpiComparison.as_dict()`` in words: '2 d 4 h shorter', '+3.1 points'."""
    change = data["change"]
    if change is None:
        return "—"
    if data["unit"] == "seconds":
        if change == 0:
            return "no change"
        return f"{human_duration(change)} {'longer' if change > 0 else 'shorter'}"
    return f"{100 * change:+.1f} percentage points"


def comparison_sentence(data: dict[str, Any]) -> str:
    """'The median cycle time went from 3 d to 2 d (1 d shorter, -33.3 %); the difference
    is significant at 5 % (p = 0.0012).'"""
    where = str(data.get("where") or "the value")
    name = {"cycle-time": "median cycle time", "first-response": "median first response",
            "rework-share": "share of cases with rework",
            "share": f"share of cases with {where}"}[data["kpi"]]  # fmt: skip
    relative = data["relative_change"]
    change = change_text(data) + (f", {100 * relative:+.1f} %" if relative is not None else "")
    p_value = data["p_value"]
    if p_value is None:
        verdict = "there are too few cases to test the difference"
    elif data["significant"]:
        verdict = f"the difference is significant at 5 % (p = {p_value:.3g})"
    else:
        verdict = f"the difference is not significant at 5 % (p = {p_value:.3g}): it may be chance"
    return (
        f"The {name} went from {_value(data, 'before')} to {_value(data, 'after')} "
        f"({change}); {verdict}."
    )


def comparison_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The comparison as (what, figure) lines, significance in plain words."""
    measure = "median " if data["unit"] == "seconds" else ""
    before, after = data["before"], data["after"]
    relative = data["relative_change"]
    p_value = data["p_value"]
    test = "Mann-Whitney U" if data["test"] == "mann-whitney-u" else "two-proportion z-test"
    return [
        (f"Before ({before['label']})",
         f"{measure}{_value(data, 'before')} · {before['cases']:,} cases"),
        (f"After ({after['label']})",
         f"{measure}{_value(data, 'after')} · {after['cases']:,} cases"),
        ("Change", change_text(data)),
        ("Relative change", f"{100 * relative:+.1f} %" if relative is not None else "—"),
        (f"p-value ({test}, two-sided)", f"{p_value:.3g}" if p_value is not None else "—"),
        ("Significant at 5%", "yes" if data["significant"] else "no"),
    ]  # fmt: skip


class KpiTab:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.log: EventLog | None = None
        self.latest = Latest()

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            self.kpi = ui.select(KPI_LABELS, value="cycle-time", label="KPI",
                                 on_change=self._kpi_changed)  # fmt: skip
            self.kpi.props('dense options-dense data-testid="kpi-kind"').classes("w-80")
            self.activity = ui.select([], label="Response activity").props(
                'dense options-dense data-testid="kpi-activity"'
            )
            self.activity.classes("w-64")
            self.attribute = ui.select([], label="Attribute", on_change=self._attribute_changed)
            self.attribute.props('dense options-dense data-testid="kpi-attribute"').classes("w-48")
            self.value = ui.select([], label="Value", new_value_mode="add-unique")
            self.value.props('dense options-dense use-input data-testid="kpi-value"')
            self.value.classes("w-48")
        with ui.row().classes("w-full items-end gap-4"):
            self.dates: dict[str, Any] = {}
            for key, text in (("before_first", "Before: from"), ("before_last", "until"),
                              ("after_first", "After: from"), ("after_last", "until")):  # fmt: skip
                self.dates[key] = ui.input(text).props(
                    f'type=date dense stack-label data-testid="kpi-{key.replace("_", "-")}"'
                )
            ui.label(f"(days in {self.tz.key}, both included)").classes("rp-muted").props(
                f'data-testid="kpi-zone" data-zone="{self.tz.key}"'
            )
            ui.button("Compare", on_click=self.compare).props(
                'unelevated no-caps data-testid="kpi-compare"'
            )
        self.box = ui.column().classes("w-full gap-2")
        self._kpi_changed()

    def _kpi_changed(self) -> None:
        kind = self.kpi.value
        self.activity.set_visibility(kind == "first-response")
        self.attribute.set_visibility(kind == "share")
        self.value.set_visibility(kind == "share")

    def _attribute_changed(self) -> None:
        if self.log is not None and self.attribute.value:
            values = common_values(self.log, str(self.attribute.value))
            self.value.set_options(values, value=values[0] if values else None)

    def set_log(self, log: EventLog) -> None:
        """A new source: its activities, attributes and two halves of its time as periods."""
        activities = log.frame[ACTIVITY].value_counts(sort=True)[ACTIVITY].to_list()
        self.activity.set_options(activities, value=activities[0] if activities else None)
        names = attribute_names(log)
        self.attribute.set_options(names, value=names[0] if names else None)
        self.log = log
        self._attribute_changed()
        before, after = default_periods(log, self.tz)
        for key, day in (("before_first", before.first), ("before_last", before.last),
                         ("after_first", after.first), ("after_last", after.last)):  # fmt: skip
            self.dates[key].value = day.isoformat() if day else ""

    async def refresh(self, log: EventLog) -> None:
        self.log = log
        await self.compare()

    def _period(self, prefix: str) -> Period:
        days = []
        for end in ("first", "last"):
            text = str(self.dates[f"{prefix}_{end}"].value or "").strip()
            try:
                days.append(date.fromisoformat(text) if text else None)
            except ValueError:
                raise InvalidInput(f"{prefix} period: {text!r} is not a date") from None
        return Period(days[0], days[1])

    async def compare(self) -> None:
        log = self.log
        if log is None:
            return
        from rapport.discovery.kpis import KpiSpec

        self.box.clear()
        try:
            spec = KpiSpec(
                str(self.kpi.value),
                response_activity=str(self.activity.value or "") or None,
                where=f"{self.attribute.value}={self.value.value}"
                if self.kpi.value == "share"
                else None,
            ).check()
            periods = (self._period("before"), self._period("after"))
            with self.box:
                ui.spinner(size="lg")
            ticket = self.latest.start()
            result = await run.io_bound(_compare, log, spec, periods, self.tz)
        except RapportError as error:
            self.box.clear()
            with self.box:
                ui.label(problem_text(error)).classes("text-negative").props(
                    'data-testid="kpi-error"'
                )
            return
        if result is None or not self.latest.current(ticket):
            return  # the server is shutting down, or a newer computation runs
        self.box.clear()
        data, values = result
        with self.box:
            ui.label(comparison_sentence({**data, "where": spec.where})).classes(
                "font-medium"
            ).props('data-testid="kpi-sentence"')
            with ui.element("div").classes("grid grid-cols-[auto_1fr] gap-x-6 gap-y-1"):
                for what, figure in comparison_rows(data):
                    ui.label(what).classes("rp-muted")
                    ui.label(figure).props(f'data-testid="kpi-{what.split(" ")[0].lower()}"')
            labels = (f"before ({data['before']['cases']:,} cases)",
                      f"after ({data['after']['cases']:,} cases)")  # fmt: skip
            if data["unit"] == "seconds":
                options = duration_box_options(values[0], values[1], labels)
                note = "Boxes: the middle half of the cases, the line the median; whiskers at "
                note += "the 5th and 95th percentiles."
                without = data["before"]["without"] + data["after"]["without"]
                if without:
                    note += f" {without:,} cases never reached the activity and are left out."
            else:
                options = share_bar_options(data["before"]["value"], data["after"]["value"], labels)
                note = "The share of the cases in each period."
            ui.echart(options).classes("w-full max-w-3xl h-80").props('data-testid="kpi-chart"')
            ui.label(note).classes("rp-muted")


def _compare(
    log: EventLog, spec: Any, periods: tuple[Period, Period], tz: ZoneInfo
) -> tuple[dict[str, Any], tuple[list[float], list[float]]]:
    from rapport.discovery.filters import filter_time
    from rapport.discovery.kpis import DURATIONS, compare_kpi, per_case

    before, after = (filter_time(log, *p.bounds(tz)) for p in periods)
    result = compare_kpi(before, after, spec, (periods[0].label(), periods[1].label()))
    values: tuple[list[float], list[float]] = ([], [])
    if spec.kpi in DURATIONS:
        values = (
            per_case(before, spec)["value"].drop_nulls().to_list(),
            per_case(after, spec)["value"].drop_nulls().to_list(),
        )
    return result.as_dict(), values
