"""Internal notes on a case: the list, and a box to write one with @mentions.

Notes look nothing like replies (amber, labelled "internal"), so nobody mistakes one for
something the customer will read. Their text is shown as text, in its own direction.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nicegui import ui

from rapport.engage.case_queries import NoteView
from rapport.engage.cases import Actor
from rapport.engage.notes import SavedNote, add_note
from rapport.errors import RapportError
from rapport.store.db import Database
from rapport.web.directory import Colleague, mention_token
from rapport.web.feedback import done, problem_text
from rapport.web.presentation import exact_time, short_time
from rapport.web.session import WebUser
from rapport.web.text import user_text

# the word being typed at the end of the note, when it starts a mention
_TYPING_MENTION = re.compile(r'(?:^|(?<=\s))@("?[^\s@"]*)$')
MAX_SUGGESTIONS = 6


def mention_warnings(saved: SavedNote) -> list[str]:
    """What the author should know about mentions that reached nobody."""
    warnings = [
        f"@{token}: no colleague or team has this name, so nobody was notified."
        for token in saved.unknown
    ]
    warnings += [
        f"@{token} matches several colleagues, so nobody was notified; "
        "write their e-mail address after the @."
        for token in saved.ambiguous
    ]
    return warnings


class CaseNotes:
    """The notes of one case, and (for those who may write) the note box."""

    def __init__(
        self,
        db: Database,
        user: WebUser,
        case_id: int,
        people: list[Colleague],
        teams: list[str],
        on_saved: Callable[[], None],
        *,
        can_write: bool,
    ) -> None:
        self.db = db
        self.user = user
        self.case_id = case_id
        self.people = [p for p in people if p.id != user.user_id]
        self.teams = teams
        self.on_saved = on_saved
        self.can_write = can_write
        handles = [p.handle.casefold() for p in people]
        # a handle two colleagues share cannot name either: suggest the full address
        self.tokens = {
            p.id: f"@{p.handle}" if handles.count(p.handle.casefold()) == 1 else f"@{p.email}"
            for p in self.people
        }

    def build(self, notes: list[NoteView]) -> None:
        with ui.column().classes("rp-note w-full p-3 gap-2").props('data-testid="notes"'):
            with ui.row().classes("items-center gap-1 no-wrap"):
                ui.icon("lock", color="amber-9").classes("text-base")
                ui.label("INTERNAL NOTES").classes("rp-note-label")
                ui.label("· only your team sees these").classes("rp-muted")
            self.list_box = ui.column().classes("w-full gap-2")
            if self.can_write:
                self._editor()
        self.show(notes)

    def _editor(self) -> None:
        self.input = (
            ui.textarea(placeholder="Internal note… type @ to mention a colleague or team")
            .props('outlined dense autogrow dir=auto maxlength=10000 data-testid="note-input"')
            .classes("w-full bg-white")
        )
        self.input.on_value_change(lambda e: self.suggest(str(e.value or "")))
        self.suggestions = (
            ui.row().classes("w-full gap-1").props('data-testid="mention-suggestions"')
        )
        self.warning = (
            ui.column()
            .classes("w-full gap-0 text-sm text-orange-10")
            .props('role=alert data-testid="note-warning"')
        )
        self.warning.set_visibility(False)
        with ui.row().classes("w-full items-center"):
            ui.space()
            ui.button("Add internal note", icon="sticky_note_2", on_click=self.save).props(
                'unelevated no-caps color=amber-9 data-testid="note-save"'
            )

    def show(self, notes: list[NoteView]) -> None:
        self.list_box.clear()
        with self.list_box:
            if not notes:
                ui.label("No notes yet.").classes("rp-muted")
            for note in notes:
                with (
                    ui.column()
                    .classes("w-full gap-0 bg-white/70 rounded p-2")
                    .props(f'data-testid="note" data-id="{note.id}"')
                ):
                    with ui.row().classes("w-full items-baseline gap-2 no-wrap"):
                        ui.label(note.author or "a former colleague").classes(
                            "rp-author truncate"
                        ).props('dir=auto data-testid="note-author"')
                        ui.space()
                        with ui.label(short_time(note.created_at, self.user.time_zone)).classes(
                            "rp-muted flex-none"
                        ):
                            ui.tooltip(exact_time(note.created_at, self.user.time_zone))
                    user_text(note.body, classes="rp-text text-sm", testid="note-text")

    def suggest(self, text: str) -> None:
        """Colleagues and teams whose name starts with the mention being typed."""
        self.suggestions.clear()
        typing = _TYPING_MENTION.search(text)
        if typing is None:
            return
        start = typing.group(1).lstrip('"').casefold()
        found: list[tuple[str, str]] = []
        for person in self.people:
            if person.handle.casefold().startswith(start) or person.name.casefold().startswith(
                start
            ):
                found.append((f"{person.name} ({self.tokens[person.id]})", self.tokens[person.id]))
        for team in self.teams:
            if team.casefold().startswith(start):
                found.append((f"Team {team}", mention_token(team)))
        with self.suggestions:
            for label, token in found[:MAX_SUGGESTIONS]:
                ui.chip(
                    label,
                    icon="alternate_email",
                    color="white",
                    on_click=lambda token=token, cut=len(typing.group(0)): self.complete(
                        token, cut
                    ),
                ).props('dense outline data-testid="mention-suggestion" dir=auto')

    def complete(self, token: str, cut: int) -> None:
        text = str(self.input.value or "")
        self.input.set_value(text[: len(text) - cut] + token + " ")
        self.suggestions.clear()
        self.input.run_method("focus")

    def save(self) -> None:
        body = str(self.input.value or "")
        self.warning.clear()
        self.warning.set_visibility(False)
        try:
            with self.db.session() as session:
                saved = add_note(
                    session,
                    self.user.workspace_id,
                    self.case_id,
                    Actor(self.user.user_id, self.user.name),
                    body,
                )
                warnings = mention_warnings(saved)
                notified = len(saved.notified)
        except RapportError as error:
            self._warn([problem_text(error)])
            return
        self.input.set_value("")
        self.suggestions.clear()
        told = f"; {notified} colleague{'s' if notified != 1 else ''} notified" if notified else ""
        done(f"Note added{told}.")
        if warnings:
            self._warn(["The note was saved.", *warnings])
        self.on_saved()

    def _warn(self, lines: list[str]) -> None:
        with self.warning:
            for line in lines:
                user_text(line, classes="rp-text")
        self.warning.set_visibility(True)
