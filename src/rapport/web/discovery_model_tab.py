"""The Model tab of ``/discovery``: the inductive miner's BPMN model of the log
(``discovery/model.py``) drawn left to right, its BPMN XML to download, and how well the
cases fit it (``discovery/conformance.py``, token-based replay), or fit a BPMN or PNML model
the user uploads in the tab.

Mining and replay run in a worker thread; the model file is on disk only while it is read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from nicegui import run, ui
from nicegui.events import UploadEventArguments

from rapport.discovery.log import ACTIVITY, CASE, EventLog
from rapport.errors import RapportError
from rapport.web.discovery_model_chart import GATEWAY_MARK, MAX_MODEL_NODES, draw_model
from rapport.web.feedback import problem_text
from rapport.web.latest import Latest
from rapport.web.presentation import percent

MAX_AUTO_VARIANTS = 2000  # more distinct paths are replayed on request only (minutes)
MAX_DEVIATING = 5000  # deviating cases listed (the least fitting first)
MAX_MODEL_BYTES = 20 * 1024 * 1024
_NUMBER: dict[str, Any] = {"align": "right", "headerClasses": "text-right", "sortable": True}
_DEVIATING_COLUMNS: list[dict[str, Any]] = [
    {"name": "case", "label": "Case", "field": "case", "align": "left", "sortable": True},
    {"name": "fitness", "label": "Fitness", "field": "fitness", **_NUMBER},
    {"name": "missing", "label": "Missing tokens", "field": "missing", **_NUMBER},
    {"name": "remaining", "label": "Remaining tokens", "field": "remaining", **_NUMBER},
    {"name": "problems", "label": "Done without a token", "field": "problems", "align": "left"},
    {"name": "unknown", "label": "Not in the model", "field": "unknown", "align": "left"},
]


def fitness_text(data: dict[str, Any]) -> str:
    """The figures of ``conformance_json`` in a sentence."""
    log_fitness = data["log_fitness"]
    return (f"Log fitness {log_fitness:.4f} · " if log_fitness is not None else "") + (
        f"average case fitness {data['average_fitness']:.4f} · {data['fitting_cases']:,} of "
        f"{data['cases']:,} cases fit ({percent(data['fitting_share'])}), "
        f"{data['deviating_cases']:,} deviate"
    )


class ModelTab:
    def __init__(self) -> None:
        self.log: EventLog | None = None
        self.user_model: Any = None  # a PetriNet read from the user's file, or None
        self.user_model_name = ""
        self.xml = b""
        self.net: Any = None  # the discovered model's Petri net
        self.latest = Latest()

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            self.noise = ui.number("Noise threshold (0 keeps every path)", value=0.2, min=0,
                                   max=1, step=0.05, precision=2)  # fmt: skip
            self.noise.props('dense data-testid="model-noise"').classes("w-60")
            self.noise.on("change", self._changed)
            self.download = ui.button("Download BPMN", icon="download", on_click=self._download)
            self.download.props('flat no-caps data-testid="model-download"')
            self.download.disable()
        self.summary = ui.label("").classes("rp-muted").props('data-testid="model-summary"')
        self.chart_box = ui.element("div").classes("w-full overflow-auto")
        ui.label("Conformance: how well the cases fit").classes("rp-section")
        with ui.row().classes("w-full items-center gap-3"):
            self.against = ui.label("Against the discovered model.").props(
                'data-testid="conformance-against"'
            )
            ui.upload(
                label="Or check against a .bpmn / .pnml model",
                auto_upload=True,
                max_file_size=MAX_MODEL_BYTES,
                on_upload=self._model_uploaded,
            ).props('accept=".bpmn,.pnml" flat bordered dense data-testid="model-upload"').classes(
                "w-80"
            )
            self.back = ui.button("Use the discovered model", on_click=self._forget_model)
            self.back.props("flat no-caps").set_visibility(False)
        self.model_error = (
            ui.label("").classes("text-negative").props('role=alert data-testid="model-error"')
        )
        self.conformance_box = ui.column().classes("w-full gap-2")

    async def refresh(self, log: EventLog) -> None:
        self.log = log
        await self._compute()

    async def _changed(self) -> None:
        if self.log is not None:
            await self._compute()

    async def _compute(self) -> None:
        log = self.log
        if log is None:
            return
        noise = min(1.0, max(0.0, float(self.noise.value or 0.0)))
        self.download.disable()
        self.xml = b""
        self.summary.text = "Discovering the model…"
        for box in (self.chart_box, self.conformance_box):
            box.clear()
            with box:
                ui.spinner(size="lg")
        ticket = self.latest.start()
        try:
            result = await run.io_bound(_discover, log, noise)
            if result is None or not self.latest.current(ticket):
                return  # the server is shutting down, or a newer computation runs
            model, self.xml, self.net, variants = result
            self.download.enable()
            self._draw(model)
            if variants > MAX_AUTO_VARIANTS:
                self._offer_replay(variants)
                return
            await self._replay(ticket)
        except RapportError as error:
            if not self.latest.current(ticket):
                return
            if not self.xml:
                self.summary.text = ""
                self.chart_box.clear()
            self.conformance_box.clear()
            with self.conformance_box if self.xml else self.chart_box:
                ui.label(problem_text(error)).classes("text-negative")

    def _offer_replay(self, variants: int) -> None:
        self.conformance_box.clear()
        with self.conformance_box:
            ui.label(
                f"The cases follow {variants:,} different paths; replaying them all on the "
                "model may take several minutes."
            ).classes("rp-muted")
            ui.button(f"Replay the {variants:,} paths", on_click=self._replay_on_request).props(
                'unelevated no-caps data-testid="conformance-run"'
            )

    async def _replay_on_request(self) -> None:
        ticket = self.latest.start()
        try:
            await self._replay(ticket)
        except RapportError as error:
            self.conformance_box.clear()
            with self.conformance_box:
                ui.label(problem_text(error)).classes("text-negative")

    async def _replay(self, ticket: int) -> None:
        """Replay the cases on the user's model, or the discovered one (drawn meanwhile)."""
        log = self.log
        if log is None:
            return
        self.conformance_box.clear()
        with self.conformance_box, ui.row().classes("items-center gap-2"):
            ui.spinner(size="md")
            ui.label(f"Replaying {log.cases:,} cases…").classes("rp-muted")
        fit = await run.io_bound(_replay, log, self.user_model or self.net)
        if fit is not None and self.latest.current(ticket):
            self._show_fit(fit)

    def _draw(self, model: dict[str, Any]) -> None:
        self.chart_box.clear()
        nodes = model["nodes"]
        with self.chart_box:
            if len(nodes) > MAX_MODEL_NODES:
                self.summary.text = (
                    f"The model has {len(nodes):,} nodes, too many to draw here (at most "
                    f"{MAX_MODEL_NODES}); raise the noise threshold, or download the BPMN."
                )
                return
            drawing = draw_model(model)
            self.summary.text = (
                f"{drawing.tasks:,} activities, {drawing.gateways:,} gateways "
                f"({GATEWAY_MARK['xor']} exclusive choice, + parallel), noise threshold "
                f"{model['noise']:g}. Drag to pan, the mouse wheel zooms."
            )
            chart = ui.echart(drawing.options).classes("w-full")
            chart.props('data-testid="model-chart"')
            chart.style(f"height: {drawing.height}px; min-width: {drawing.width}px")

    def _show_fit(self, fit: dict[str, Any]) -> None:
        self.conformance_box.clear()
        with self.conformance_box:
            ui.label(fitness_text(fit)).props('data-testid="conformance-fitness"')
            rows = [
                {
                    "key": i,
                    "case": d["case"],
                    "fitness": round(float(d["fitness"]), 4),
                    "missing": d["missing_tokens"],
                    "remaining": d["remaining_tokens"],
                    "problems": ", ".join(d["problems"]) or "—",
                    "unknown": ", ".join(d["not_in_model"]) or "—",
                }
                for i, d in enumerate(fit["deviating"])
            ]
            if not rows:
                ui.label("Every case fits the model.").classes("rp-muted")
                return
            shown = f"{fit['deviating_cases']:,} deviating cases, the least fitting first"
            if fit["deviating_cases"] > len(rows):
                shown += f"; the first {len(rows):,} are listed"
            ui.label(shown + ".").classes("rp-muted")
            ui.table(
                columns=_DEVIATING_COLUMNS,
                rows=rows,
                row_key="key",
                pagination={"rowsPerPage": 15},
            ).props('flat dense wrap-cells data-testid="conformance-deviating"').classes("w-full")

    def _download(self) -> None:
        if self.xml:
            ui.download(self.xml, "model.bpmn", "application/xml")

    async def _model_uploaded(self, event: UploadEventArguments) -> None:
        self.model_error.text = ""
        name = Path(event.file.name or "model").name or "model"
        suffix = Path(name).suffix.lower()
        event.sender.run_method("reset")
        if suffix not in (".bpmn", ".pnml"):
            self.model_error.text = f"{name}: unknown model format; expected .bpmn or .pnml"
            return
        folder = Path(tempfile.mkdtemp(prefix="rapport-model-web-"))
        try:
            path = folder / f"model{suffix}"  # the client's name never reaches the file system
            await event.file.save(path)
            net = await run.io_bound(_read_model, path, name)
            if net is None:
                return
        except RapportError as error:
            self.model_error.text = str(error).replace(str(folder / f"model{suffix}"), name)
            return
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.user_model, self.user_model_name = net, name
        self.against.text = f"Against {name}."
        self.back.set_visibility(True)
        await self._against_changed()

    async def _forget_model(self) -> None:
        self.user_model, self.user_model_name = None, ""
        self.against.text = "Against the discovered model."
        self.back.set_visibility(False)
        self.model_error.text = ""
        await self._against_changed()

    async def _against_changed(self) -> None:
        """Another model to check against: replay only (the discovered one stays drawn)."""
        if self.net is not None and self.xml:
            await self._replay_on_request()
        else:
            await self._changed()


def _read_model(path: Path, name: str) -> Any:
    from rapport.discovery.model import PetriNet, read_model

    net = read_model(path)
    return PetriNet(net.net, net.initial, net.final, name)


def _discover(log: EventLog, noise: float) -> tuple[dict[str, Any], bytes, Any, int]:
    """The model as nodes and flows, its BPMN XML, its Petri net to replay on, and the
    number of distinct paths of the cases (what a replay costs)."""
    from rapport.discovery.model import bpmn_xml, discover_model, model_json

    model = discover_model(log, noise=noise)
    paths = log.frame.group_by(CASE).agg(pl.col(ACTIVITY).str.join("\x1f"))[ACTIVITY]
    return model_json(model), bpmn_xml(model), model.petri_net(), paths.n_unique()


def _replay(log: EventLog, net: Any) -> dict[str, Any]:
    from rapport.discovery.conformance import check_conformance

    return check_conformance(log, net, limit=MAX_DEVIATING).as_dict()
