"""The automation rules (``/rules``): each rule in order with what it checks, what it does
and how often it fired; admins edit the YAML (every problem listed with its line, and
then nothing changes) and restore earlier versions. Others read."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from rapport.engage.rule_store import (
    RulesVersion,
    SavedRules,
    current_rules,
    firing_counts,
    restore_rules,
    rule_history,
    save_rules,
)
from rapport.engage.rules import Problem, Rule, RulesError
from rapport.errors import RapportError
from rapport.store.db import Database
from rapport.store.models import Role
from rapport.web.auth import require_user
from rapport.web.feedback import attempt, done, problem_text
from rapport.web.layout import page_frame
from rapport.web.presentation import exact_time, short_time
from rapport.web.session import WebUser
from rapport.web.text import plain

EDITOR_ROWS = 26
# select a line of the editor's textarea (%d: the element id, then the line number)
_GO_TO_LINE = """
const found = getHtmlElement(%d);
const area = found.tagName === "TEXTAREA" ? found : found.querySelector("textarea");
const line = %d;
const lines = area.value.split("\\n");
let start = 0;
for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
area.focus();
area.setSelectionRange(start, start + (lines[line - 1] || "").length);
const height = parseFloat(getComputedStyle(area).lineHeight) || 18;
area.scrollTop = Math.max(0, (line - 4) * height);
"""


class RulesView:
    """One browser tab's rules page."""

    def __init__(self, db: Database, user: WebUser) -> None:
        self.db = db
        self.user = user
        self.is_admin = user.role == Role.ADMIN.value

    def fetch(self) -> tuple[SavedRules, dict[str, int], list[RulesVersion]]:
        with self.db.session() as session:
            workspace = self.user.workspace_id
            return (
                current_rules(session, workspace),
                firing_counts(session, workspace),
                rule_history(session, workspace),
            )

    def build(self) -> None:
        saved, counts, versions = self.fetch()
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Automation rules").classes("text-2xl font-semibold")
                self.version_label = (
                    ui.label("").classes("rp-muted").props('data-testid="rules-version"')
                )
                ui.space()
                ui.label("They run in this order on every new message.").classes("rp-muted")
            with ui.row().classes("w-full gap-4 no-wrap items-start"):
                self.rules_box = (
                    ui.column().classes("grow min-w-0 gap-3").props('data-testid="rules"')
                )
                with ui.column().classes("w-[560px] flex-none gap-4"):
                    self._editor(saved)
                    with ui.card().classes("rp-card w-full p-4 gap-2").props("flat"):
                        ui.label("Versions").classes("rp-section")
                        self.history_box = (
                            ui.column().classes("w-full gap-0").props('data-testid="rule-versions"')
                        )
        self.show(saved, counts, versions)

    def _editor(self, saved: SavedRules) -> None:
        with ui.card().classes("rp-card w-full p-4 gap-3").props("flat"):
            with ui.row().classes("w-full items-center"):
                ui.label("Rules file (YAML)").classes("rp-section")
                ui.space()
                if not self.is_admin:
                    ui.label("Only admins change the rules.").classes("rp-muted")
            self.editor = (
                ui.textarea(value=saved.source)
                .props(
                    f"outlined rows={EDITOR_ROWS} spellcheck=false autocomplete=off "
                    'data-testid="rules-editor"'
                )
                .classes("w-full rp-mono")
            )
            if not self.is_admin:
                self.editor.props("readonly")
            self.problems = (
                ui.column().classes("w-full gap-1").props('role=alert data-testid="rules-problems"')
            )
            self.problems.set_visibility(False)
            if self.is_admin:
                with ui.row().classes("w-full items-center gap-2"):
                    ui.label("Saving checks every rule first.").classes("rp-muted")
                    ui.space()
                    ui.button(
                        "Discard changes", on_click=lambda: self.editor.set_value(self.source)
                    ).props("flat no-caps")
                    ui.button("Save rules", icon="save", on_click=self.save).props(
                        'unelevated no-caps data-testid="rules-save"'
                    )

    def show(self, saved: SavedRules, counts: dict[str, int], versions: list[RulesVersion]) -> None:
        self.source = saved.source
        version = f"version {saved.version}" if saved.version is not None else "none saved yet"
        count = len(saved.ruleset.rules)
        self.version_label.set_text(f"{count} rule{'s' if count != 1 else ''} · {version}")
        self.rules_box.clear()
        with self.rules_box:
            if not saved.ruleset.rules:
                ui.label("No rules yet: every message waits in the queue for a person.").classes(
                    "rp-muted"
                )
            for number, rule in enumerate(saved.ruleset.rules, start=1):
                self._rule(number, rule, counts.get(rule.name, 0))
        self.history_box.clear()
        with self.history_box:
            for index, item in enumerate(versions):
                self._version(item, current=index == 0)

    def _rule(self, number: int, rule: Rule, fired: int) -> None:
        with (
            ui.card()
            .classes("rp-card w-full p-4 gap-1")
            .props(f'flat data-testid="rule" data-enabled="{str(rule.enabled).lower()}"')
        ):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.badge(str(number), color="blue-grey-2", text_color="black").props("rounded")
                plain(rule.name, classes="font-semibold truncate",
                      props='dir=auto data-testid="rule-name"')  # fmt: skip
                if not rule.enabled:
                    ui.badge("disabled", color="grey-6")
                if rule.stop:
                    ui.badge("stops here", color="blue-grey-6").tooltip(
                        "When it fires, the rules after it are not checked"
                    )
                ui.space()
                ui.label(f"fired {fired:,} time{'s' if fired != 1 else ''}").classes(
                    "rp-muted flex-none"
                ).props(f'data-testid="rule-fired" data-count="{fired}"')
            if rule.description:
                plain(rule.description, classes="rp-muted text-sm", props="dir=auto")
            with ui.grid(columns="auto 1fr").classes("w-full gap-x-3 gap-y-0 text-sm"):
                ui.label("When").classes("rp-muted")
                plain(rule.summary or "always", classes="rp-text", props="dir=auto")
                ui.label("Then").classes("rp-muted")
                plain(rule.then.describe(), classes="rp-text", props="dir=auto")

    def _version(self, item: RulesVersion, *, current: bool) -> None:
        tz = self.user.time_zone
        with (
            ui.row()
            .classes("w-full items-center gap-2 no-wrap py-1 rp-grid-row")
            .props(f'data-testid="rule-version" data-id="{item.id}"')
        ):
            ui.label(f"v{item.id}").classes("font-medium w-10")
            with ui.label(short_time(item.created_at, tz)).classes("rp-muted"):
                ui.tooltip(exact_time(item.created_at, tz))
            ui.label(f"{item.created_by or 'setup'} · {item.rules} rules").classes(
                "truncate grow"
            ).props("dir=auto")
            if current:
                ui.badge("in force", color="positive")
            elif self.is_admin:
                ui.button("Restore", icon="restore", on_click=lambda: self.restore(item.id)).props(
                    'flat dense no-caps data-testid="rule-restore"'
                )

    def _show_problems(self, error: RapportError) -> None:
        self.problems.clear()
        problems: tuple[Problem, ...] = error.problems if isinstance(error, RulesError) else ()
        with self.problems:
            with ui.row().classes("items-center gap-2"):
                ui.icon("error", color="negative")
                count = len(problems) or 1
                ui.label(
                    f"{count} problem{'s' if count != 1 else ''} — nothing was saved; "
                    "the rules in force are unchanged."
                ).classes("text-negative font-medium")
            if not problems:
                plain(problem_text(error), classes="rp-text text-negative text-sm")
            lines = str(self.editor.value or "").splitlines()
            for item in problems:
                with (
                    ui.row()
                    .classes("w-full items-start gap-2 no-wrap text-sm")
                    .props(f'data-testid="rules-problem" data-line="{item.line or ""}"')
                ):
                    if item.line:
                        ui.button(
                            f"line {item.line}", on_click=lambda n=item.line: self.go_to(n)
                        ).props("outline dense no-caps color=negative size=sm").classes(
                            "flex-none"
                        ).tooltip("Show this line in the editor")
                    else:
                        ui.badge("whole file", color="negative").props("outline").classes(
                            "flex-none mt-0.5"
                        )
                    with ui.column().classes("gap-0 min-w-0"):
                        if item.path:
                            plain(item.path, classes="font-mono text-xs rp-muted")
                        plain(item.message, classes="rp-text")
                        if item.line and item.line <= len(lines):
                            plain(lines[item.line - 1].strip()[:120], tag="code",
                                  classes="text-xs bg-red-50 px-1 rounded")  # fmt: skip
        self.problems.set_visibility(True)

    def go_to(self, line: int) -> None:
        """Select line ``line`` in the editor and scroll to it."""
        ui.run_javascript(_GO_TO_LINE % (self.editor.id, line))

    def save(self) -> None:
        if not self.is_admin:  # the button is not there for them; be sure all the same
            return
        text = str(self.editor.value or "")
        self.problems.set_visibility(False)
        try:
            with self.db.session() as session:
                saved = save_rules(
                    session,
                    self.user.workspace_id,
                    text,
                    source="rules",
                    user_id=self.user.user_id,
                )
                version = saved.version
        except RapportError as error:
            self._show_problems(error)
            return
        done(f"Rules saved as version {version}.")
        self.show(*self.fetch())

    def restore(self, version_id: int) -> None:
        if not self.is_admin:
            return

        def put_back() -> int | None:
            with self.db.session() as session:
                return restore_rules(
                    session, self.user.workspace_id, version_id, user_id=self.user.user_id
                ).version

        restored = attempt(put_back)
        if restored is not None:
            done(f"Version {version_id} restored (now in force as version {restored}).")
            saved, counts, versions = self.fetch()
            self.editor.set_value(saved.source)
            self.problems.set_visibility(False)
            self.show(saved, counts, versions)


def register(db: Database) -> None:
    """Register ``/rules``."""

    @ui.page("/rules", title="Rules · Rapport")
    def rules_page() -> RedirectResponse | None:
        user = require_user(db, "/rules")
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/rules")
        RulesView(db, user).build()
        return None
