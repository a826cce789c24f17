"""The filter bar of ``/discovery``: time window, one attribute value, the top variants.

Dates are days in the user's time zone; a case is kept when it started in the window.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from nicegui import ui

from rapport.discovery.filters import MapFilters
from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog

MAX_VALUES = 300
TOP_VARIANTS = {0: "All variants", 1: "Top 1", 3: "Top 3", 5: "Top 5", 10: "Top 10",
                20: "Top 20", 50: "Top 50"}  # fmt: skip
NO_ATTRIBUTE = ""


def attribute_names(log: EventLog) -> list[str]:
    """Attributes a user may filter on: every column but the case, activity and time."""
    skip = {CASE, ACTIVITY, TIMESTAMP}
    return [c for c in log.frame.columns if c not in skip and not c.startswith("_")]


def common_values(log: EventLog, attribute: str, limit: int = MAX_VALUES) -> list[str]:
    """The attribute's most frequent values (as text), most frequent first."""
    column = log.frame.get_column(attribute).cast(pl.String).drop_nulls()
    counted = column.value_counts(sort=True, name="n").head(limit)
    return [str(v) for v in counted[attribute].to_list()]


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


class FilterBar:
    """The filters; ``on_change`` runs (awaited) whenever one changes."""

    def __init__(self, tz: ZoneInfo, on_change: Callable[[], Awaitable[None]]) -> None:
        self.tz = tz
        self.on_change = on_change
        self.log: EventLog | None = None
        self.quiet = False

    def build(self) -> None:
        with (
            ui.card()
            .classes("rp-card w-full p-3 gap-2")
            .props('flat data-testid="discovery-filters"')
        ):
            with ui.row().classes("w-full items-end gap-3"):
                ui.label("Filters").classes("rp-section self-center")
                self.since = ui.input("Started from").props(
                    'type=date dense stack-label data-testid="filter-since"'
                )
                self.until = ui.input("to (inclusive)").props(
                    'type=date dense stack-label data-testid="filter-until"'
                )
                self.attribute = (
                    ui.select(
                        {NO_ATTRIBUTE: "(any attribute)"}, value=NO_ATTRIBUTE, label="Attribute"
                    )
                    .props('dense options-dense data-testid="filter-attribute"')
                    .classes("w-48")
                )
                self.value = (
                    ui.select([], label="has the value", with_input=True)
                    .props('dense options-dense data-testid="filter-value"')
                    .classes("w-56")
                )
                self.top = (
                    ui.select(TOP_VARIANTS, value=0, label="Variants")
                    .props('dense options-dense data-testid="filter-top"')
                    .classes("w-36")
                )
                ui.button("Clear", icon="filter_alt_off", on_click=self.clear).props(
                    'flat no-caps dense data-testid="filter-clear"'
                )
            self.error = (
                ui.label("").classes("text-negative").props('role=alert data-testid="filter-error"')
            )
        for element in (self.since, self.until, self.value, self.top):
            element.on_value_change(self._changed)
        self.attribute.on_value_change(self._attribute_changed)

    def reset(self, log: EventLog) -> None:
        """A new log: its attributes, and no filter set."""
        self.log = log
        self.quiet = True
        try:
            options = {NO_ATTRIBUTE: "(any attribute)"} | {a: a for a in attribute_names(log)}
            self.attribute.set_options(options, value=NO_ATTRIBUTE)
            self.value.set_options([], value=None)
            self.since.value = self.until.value = ""
            self.top.value = 0
        finally:
            self.quiet = False

    def current(self) -> MapFilters:
        since, until = _day(self.since.value), _day(self.until.value)
        where: tuple[str, ...] = ()
        if self.attribute.value and self.value.value is not None:
            where = (f"{self.attribute.value}={self.value.value}",)
        return MapFilters(
            since=datetime.combine(since, time.min, tzinfo=self.tz) if since else None,
            until=(
                datetime.combine(until + timedelta(days=1), time.min, tzinfo=self.tz)
                if until
                else None
            ),
            where=where,
            top_variants=int(self.top.value) or None if self.top.value else None,
        )

    def show_error(self, text: str) -> None:
        self.error.text = text

    async def clear(self) -> None:
        if self.log is not None:
            self.reset(self.log)
            await self.on_change()

    async def _changed(self) -> None:
        if not self.quiet:
            await self.on_change()

    async def _attribute_changed(self) -> None:
        if self.quiet or self.log is None:
            return
        self.quiet = True
        try:
            name = str(self.attribute.value or "")
            self.value.set_options(common_values(self.log, name) if name else [], value=None)
        finally:
            self.quiet = False
        await self.on_change()
