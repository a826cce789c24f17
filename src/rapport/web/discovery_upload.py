"""Where ``/discovery`` gets its log: the workspace's cases, or a file the user uploads
(a CSV asks which columns hold what; an OCEL log asks for an object type)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nicegui import run, ui
from nicegui.events import UploadEventArguments

from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping
from rapport.errors import RapportError
from rapport.web.discovery_source import (
    MAX_UPLOAD_BYTES,
    ROLES,
    PendingUpload,
    guess_mapping,
    read_pending,
    receive,
)
from rapport.web.feedback import UNEXPECTED

log = logging.getLogger(__name__)
ACCEPT = ".xes,.gz,.csv,.jsonocel,.xmlocel,.sqlite"
NO_COLUMN = ""


class UploadBox:
    """The source card; ``on_log`` gets an uploaded log once read, ``on_cases`` switches
    back to the workspace's cases."""

    def __init__(
        self,
        on_log: Callable[[EventLog], Awaitable[None]],
        on_cases: Callable[[], Awaitable[None]],
    ) -> None:
        self.on_log = on_log
        self.on_cases = on_cases
        self.pending: PendingUpload | None = None

    def build(self) -> None:
        with ui.card().classes("rp-card w-full p-3 gap-2").props('flat data-testid="source"'):
            with ui.row().classes("w-full items-center gap-3"):
                ui.label("Log").classes("rp-section")
                self.choice = ui.toggle(
                    {"cases": "Our cases", "upload": "Upload a log"},
                    value="cases",
                    on_change=self._choose,
                ).props('no-caps dense unelevated toggle-color=primary data-testid="source-kind"')
                self.busy = ui.row().classes("items-center gap-2")
                self.busy.set_visibility(False)
                with self.busy:
                    ui.spinner(size="sm")
                    self.busy_text = ui.label("").classes("rp-muted")
            self.area = ui.column().classes("w-full gap-2")
            self.area.set_visibility(False)
            with self.area:
                ui.label(
                    "XES (.xes, .xes.gz), CSV with a header row, or OCEL 2.0 (.jsonocel, "
                    f".xmlocel, .sqlite); at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB. The log "
                    "stays in this tab's memory only."
                ).classes("rp-muted")
                ui.upload(
                    label="Drop a log file here, or click +",
                    auto_upload=True,
                    max_file_size=MAX_UPLOAD_BYTES,
                    on_upload=self._received,
                    on_rejected=self._rejected,
                ).props(f'accept="{ACCEPT}" flat bordered data-testid="log-upload"').classes(
                    "w-full max-w-xl"
                )
                self.form = ui.row().classes("w-full items-end gap-3")
            self.error = (
                ui.label("")
                .classes("text-negative rp-text")
                .props('role=alert data-testid="upload-error"')
            )
        ui.context.client.on_delete(self._discard)

    def set_busy(self, text: str | None) -> None:
        self.busy.set_visibility(text is not None)
        self.busy_text.text = text or ""

    async def _choose(self) -> None:
        self.area.set_visibility(self.choice.value == "upload")
        self.error.text = ""
        if self.choice.value == "cases":
            await self.on_cases()

    def _rejected(self) -> None:
        self.error.text = (
            f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB, the most this "
            "server reads; nothing was stored."
        )

    def _discard(self) -> None:
        if self.pending is not None:
            self.pending.discard()
            self.pending = None

    async def _received(self, event: UploadEventArguments) -> None:
        self._discard()
        self.error.text = ""
        self.form.clear()
        try:
            self.pending = await receive(event.file)
        except RapportError as error:
            self.error.text = str(error)  # starts with the file name, kept as written
            return
        event.sender.run_method("reset")
        pending = self.pending
        if pending.columns:
            self._mapping_form(pending)
        elif pending.object_types:
            self._object_type_form(pending)
        else:
            await self._read()

    def _mapping_form(self, pending: PendingUpload) -> None:
        guessed = guess_mapping(pending.columns)
        options = {c: c for c in pending.columns}
        self.selects: dict[str, ui.select] = {}
        with self.form:
            ui.label(f"{pending.name}: which columns hold").classes("self-center").props("dir=auto")
            for role in ROLES:
                choices = ({NO_COLUMN: "(none)"} | options) if role == "resource" else options
                value = guessed[role] or (NO_COLUMN if role == "resource" else None)
                select = ui.select(choices, value=value, label=role)
                select.props(f'dense options-dense data-testid="map-{role}"').classes("w-44")
                self.selects[role] = select
            ui.button("Read the log", icon="play_arrow", on_click=self._read).props(
                'unelevated no-caps data-testid="read-log"'
            )

    def _object_type_form(self, pending: PendingUpload) -> None:
        with self.form:
            ui.label(f"{pending.name}: the cases are the objects of type").classes(
                "self-center"
            ).props("dir=auto")
            self.object_type = (
                ui.select(pending.object_types, value=pending.object_types[0], label="object type")
                .props('dense options-dense data-testid="object-type"')
                .classes("w-56")
            )
            ui.button("Read the log", icon="play_arrow", on_click=self._read).props(
                'unelevated no-caps data-testid="read-log"'
            )

    async def _read(self) -> None:
        pending = self.pending
        if pending is None:
            return
        mapping = None
        object_type = None
        if pending.columns:
            chosen = {role: self.selects[role].value for role in ROLES}
            if not all(chosen[r] for r in ("case", "activity", "timestamp")):
                self.error.text = "Pick the columns of the case, the activity and the timestamp."
                return
            mapping = ColumnMapping(
                case=str(chosen["case"]),
                activity=str(chosen["activity"]),
                timestamp=str(chosen["timestamp"]),
                resource=str(chosen["resource"]) if chosen["resource"] else None,
            )
        elif pending.object_types:
            object_type = str(self.object_type.value)
        self.error.text = ""
        self.set_busy(f"Reading {pending.name}…")
        try:
            result = await run.io_bound(read_pending, pending, mapping, object_type)
        except RapportError as error:
            self.error.text = str(error)  # "FILE: row N, field F: ...", never a traceback
            return
        except Exception:
            log.exception("reading an uploaded log failed")
            self.error.text = UNEXPECTED
            return
        finally:
            self.set_busy(None)
        if result is None:
            return
        self._discard()
        self.form.clear()
        await self.on_log(result)
