"""``rapport discover model`` and ``conformance``: a BPMN model and how well the log fits."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import err_console, print_json, progress_bar, user_errors
from rapport.cli.discover_source import LogSource, log_command
from rapport.cli.terminal import safe

NoiseOption = typer.Option(
    0.2,
    "--noise",
    min=0.0,
    max=1.0,
    help="The inductive miner's noise threshold: 0 keeps every path, higher leaves rare ones out.",
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of text.")


@log_command()
def model_command(
    source: LogSource,
    noise: float = NoiseOption,
    bpmn_out: Path | None = typer.Option(
        None, "--bpmn-out", help="Write the model as BPMN 2.0 XML to this file.", show_default=False
    ),
    as_json: bool = JsonOption,
) -> None:
    """A process model discovered with the inductive miner (pm4py): its process tree, and
    the BPMN model as nodes and flows (--json) or as a BPMN file (--bpmn-out)."""
    from rapport.discovery.model import discover_model, model_json, write_bpmn

    with user_errors():
        log = source.load()
        with err_console.status(f"discovering a model of {log.cases:,} cases"):
            model = discover_model(log, noise=noise)
        if bpmn_out is not None:
            write_bpmn(model, bpmn_out)
        data = model_json(model)
    if bpmn_out is not None:
        err_console.print(f"wrote the BPMN model to {safe(str(bpmn_out))}", highlight=False)
    if as_json:
        print_json(data)
        return
    console = Console()
    tasks = sum(1 for n in data["nodes"] if n["type"] == "task")
    gateways = sum(1 for n in data["nodes"] if n["type"] in ("xor", "and", "or"))
    console.print(
        f"Inductive miner (noise {noise}): {tasks} activities, {gateways} gateways, "
        f"{len(data['flows'])} flows",
        highlight=False,
    )
    console.print(f"Process tree: {safe(data['tree'])}", highlight=False)


@log_command()
def conformance_command(
    source: LogSource,
    model_file: Path | None = typer.Option(
        None,
        "--model",
        help="The model to check against: a .bpmn or .pnml file (default: discover one).",
        show_default=False,
    ),
    noise: float = NoiseOption,
    alignments: bool = typer.Option(
        False, "--alignments", help="Exact deviating steps by alignments (slower; small logs)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, help="Deviating cases to list."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = JsonOption,
) -> None:
    """Fitness of the log against a model (token-based replay, or alignments) and the cases
    that deviate from it, the least fitting first."""
    from rapport.discovery.conformance import check_conformance
    from rapport.discovery.model import discover_model, read_model
    from rapport.discovery.views import conformance_json

    with user_errors():
        net = read_model(model_file) if model_file is not None else None
        log = source.load()
        if net is None:
            with err_console.status(f"discovering a model of {log.cases:,} cases"):
                net = discover_model(log, noise=noise).petri_net()
        with progress_bar("replaying", "variants", quiet=quiet) as bar:
            task = bar.add_task("replay", total=None)
            result = check_conformance(
                log,
                net,
                alignments=alignments,
                limit=limit,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if as_json:
        print_json(conformance_json(result))
        return
    console = Console()
    fitness = "-" if result.log_fitness is None else f"{result.log_fitness:.3f}"
    console.print(
        f"{safe(result.model)} ({result.method}): {result.fitting_cases:,} of {result.cases:,} "
        f"cases fit ({result.fitting_share:.1%}); average fitness {result.average_fitness:.3f}, "
        f"log fitness {fitness}",
        highlight=False,
    )
    table = Table(title=f"Deviating cases: {result.deviating_cases:,}")
    for name in ("case", "fitness", "missing", "remaining", "where"):
        table.add_column(name, justify="left" if name in ("case", "where") else "right")
    for d in result.deviating:
        table.add_row(
            safe(d.case),
            f"{d.fitness:.3f}",
            str(d.missing_tokens),
            str(d.remaining_tokens),
            safe(", ".join(d.steps or d.problems))
            or (safe("not in the model: " + ", ".join(d.not_in_model)) if d.not_in_model else "-"),
        )
    console.print(table)
