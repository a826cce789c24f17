"""The form that adds an alert rule: what to watch, the metric, the clock it judges on, how
sensitive, and who is told. The rule is checked by ``intelligence.alerts.rules`` (the CLI's
and the API's checks); a problem is shown under the field it names, and nothing is saved."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from nicegui import ui

from rapport.errors import RapportError
from rapport.store.db import Database
from rapport.web.alerts_data import Choices, add_rule
from rapport.web.feedback import UNEXPECTED, done, problem_text
from rapport.web.session import WebUser
from rapport.web.text import plain

log = logging.getLogger(__name__)

SUBJECTS = {
    "all": "All messages",
    "channel": "One channel",
    "intent": "One intent",
    "language": "One language",
    "query": "A listening query",
}
METRICS = {"volume": "Volume (messages)", "negative_share": "Negative share"}
INTERVALS = {"hour": "Per hour", "day": "Per day"}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class AlertRuleForm:
    """The add-a-rule card; ``on_added()`` runs after a rule was saved."""

    def __init__(
        self, db: Database, user: WebUser, choices: Choices, on_added: Callable[[], None]
    ) -> None:
        self.db = db
        self.user = user
        self.choices = choices
        self.on_added = on_added

    def build(self) -> None:
        people = {p.id: f"{p.name} <{p.email}>" for p in self.choices.people}
        zones = sorted(available_timezones() | {self.user.time_zone, "UTC"})
        with ui.card().classes("rp-card w-full p-4 gap-3").props('flat data-testid="alert-form"'):
            ui.label("Add an alert rule").classes("rp-section")
            self.name = self._field(ui.input("Name"), "alert-name").classes("w-full")
            with ui.row().classes("w-full gap-3 no-wrap"):
                self.kind = self._field(
                    ui.select(SUBJECTS, value="all", label="Watch", on_change=self._kind_changed),
                    "alert-subject-kind",
                ).classes("w-48")
                self.value = self._field(
                    ui.select([], label="Which", with_input=True, new_value_mode="add-unique"),
                    "alert-subject-value",
                ).classes("grow")
            with ui.row().classes("w-full gap-3 no-wrap"):
                self.metric = self._field(
                    ui.select(METRICS, value="volume", label="Metric"), "alert-metric"
                ).classes("grow")
                self.interval = self._field(
                    ui.select(INTERVALS, value="hour", label="Bucket"), "alert-interval"
                ).classes("w-32")
            with ui.row().classes("w-full gap-3 no-wrap"):
                self.zone = self._field(
                    ui.select(zones, value=self.user.time_zone or "UTC", label="Time zone",
                              with_input=True),
                    "alert-zone",
                ).classes("grow")  # fmt: skip
                self.sensitivity = self._field(
                    ui.number("Sensitivity", value=4, min=1, max=50, step=0.5), "alert-sensitivity"
                ).classes("w-32")
            ui.label(
                "Sensitivity: how many robust deviations above the expected a bucket must be "
                "(lower hears of smaller jumps, with more false alarms)."
            ).classes("rp-muted")
            self.notify = self._field(
                ui.select(people, multiple=True, label="Tell in the app").props("use-chips"),
                "alert-notify",
            ).classes("w-full")
            self.emails = self._field(
                ui.input("E-mail addresses (comma separated)"), "alert-emails"
            ).classes("w-full")
            with ui.row().classes("w-full gap-3 no-wrap"):
                self.webhook = self._field(
                    ui.input("Webhook URL (optional)"), "alert-webhook"
                ).classes("grow")
                self.secret = self._field(
                    ui.input("Webhook secret", password=True, password_toggle_button=True),
                    "alert-secret",
                ).classes("w-56")
            self.failure = (
                ui.row()
                .classes("w-full items-start gap-2 no-wrap")
                .props('role=alert data-testid="alert-form-error"')
            )
            self.failure.set_visibility(False)
            with ui.row().classes("w-full items-center"):
                ui.space()
                ui.button("Add rule", icon="add_alert", on_click=self.submit).props(
                    'unelevated no-caps data-testid="alert-add"'
                )
        self._kind_changed()
        self._by_field: dict[str, Any] = {
            "name": self.name,
            "subject_kind": self.kind,
            "subject_value": self.value,
            "metric": self.metric,
            "interval": self.interval,
            "time_zone": self.zone,
            "sensitivity": self.sensitivity,
            "notify_user_ids": self.notify,
            "emails": self.emails,
            "webhook_url": self.webhook,
            "webhook_secret": self.secret,
        }

    def _field(self, element: Any, testid: str) -> Any:
        return element.props(f'outlined dense data-testid="{testid}"')

    def _kind_changed(self, _: Any = None) -> None:
        kind = str(self.kind.value)
        options = {
            "channel": self.choices.channels,
            "intent": self.choices.intents,
            "query": self.choices.queries,
        }.get(kind, [])
        self.value.set_options(list(options), value=None)
        self.value.set_visibility(kind != "all")
        label = {"language": "Language (ISO 639-1, e.g. fa)", "query": "Query"}.get(kind, "Which")
        self.value.props(f'label="{label}"')

    def values(self) -> dict[str, Any]:
        """The form as a rule's fields (checked by ``rules.create_rule``)."""
        kind = str(self.kind.value or "all")
        return {
            "name": str(self.name.value or ""),
            "subject_kind": kind,
            "subject_value": None if kind == "all" else (self.value.value or None),
            "metric": str(self.metric.value or ""),
            "interval": str(self.interval.value or "hour"),
            "time_zone": str(self.zone.value or "UTC"),
            "sensitivity": self.sensitivity.value,
            "notify_user_ids": [int(i) for i in (self.notify.value or [])],
            "emails": _split(str(self.emails.value or "")),
            "webhook_url": str(self.webhook.value or "").strip() or None,
            "webhook_secret": str(self.secret.value or "") or None,
        }

    def submit(self) -> None:
        for element in self._by_field.values():
            element.error = None
        self.failure.set_visibility(False)
        try:
            name = add_rule(self.db, self.user.workspace_id, self.values())
        except RapportError as error:
            self._show(error)
            return
        except Exception:
            log.exception("adding an alert rule failed")
            self._show_text(UNEXPECTED)
            return
        done(f"Alert rule {name!r} added.")
        for element in (self.name, self.emails, self.webhook, self.secret):
            element.set_value("")
        self.on_added()

    def _show(self, error: RapportError) -> None:
        text = problem_text(error)
        field, _, detail = str(error).partition(":")
        element = self._by_field.get(field.strip())
        if element is not None:
            detail = detail.strip() or text
            element.error = detail[0].upper() + detail[1:]
        self._show_text(f"Nothing was saved. {text}")

    def _show_text(self, text: str) -> None:
        self.failure.clear()
        with self.failure:
            ui.icon("error", color="negative").classes("mt-0.5")
            plain(text, classes="rp-text text-negative", props='data-testid="alert-form-message"')
        self.failure.set_visibility(True)
