"""``rapport demo load``: fill the workspace with Rapport's demo conversations."""

from __future__ import annotations

from pathlib import Path

import typer

from rapport.cli.context import WorkspaceOption, open_database, progress_bar, user_errors
from rapport.config import get_settings
from rapport.demo.content import DEMO_CHANNELS, count_demo_messages
from rapport.demo.service import DEMO_PASSWORD, DEMO_USERS, TWCS_SAMPLE, DemoReport, load_demo

demo_app = typer.Typer(help="Rapport's demo workspace.", no_args_is_help=True)


@demo_app.command("load")
def demo_load(
    reset: bool = typer.Option(
        False, "--reset", help="Empty the workspace's conversations first (users stay)."
    ),
    with_twcs: bool = typer.Option(
        True,
        "--with-twcs/--no-twcs",
        help="Also import the real twcs sample from RAPPORT_DATA_DIR (default ../shared/data).",
    ),
    workspace: str | None = WorkspaceOption,
    port: int = typer.Option(
        8000, envvar="PORT", help="Port the closing hint names (the one `rapport serve` uses)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Load the demo: conversations on X, Facebook, e-mail and the API in English, Persian,
    Icelandic, Hungarian, Italian, German and Spanish; the real twcs sample where present;
    and the demo users. Loading again adds nothing; --reset starts the workspace afresh.
    """
    settings = get_settings()
    twcs_path = Path(settings.data_dir) / TWCS_SAMPLE if with_twcs else None
    with user_errors():
        db = open_database()
        with progress_bar("{task.description}", "messages", quiet=quiet, spinner=True) as progress:
            demo_task = progress.add_task("demo conversations", total=count_demo_messages())
            twcs_task = progress.add_task("twcs sample", total=None, visible=False)

            def advance_demo(n: int) -> None:
                progress.advance(demo_task, n)

            def advance_twcs(n: int) -> None:
                progress.update(twcs_task, visible=True)
                progress.advance(twcs_task, n)

            report = load_demo(
                db,
                workspace or settings.workspace,
                reset=reset,
                twcs_path=twcs_path,
                progress=advance_demo,
                twcs_progress=advance_twcs,
            )
            if report.twcs is not None:
                done = progress.tasks[twcs_task].completed
                progress.update(twcs_task, total=done, visible=True)
        db.dispose()
    _print_summary(report, reset=reset, port=port)


def _print_summary(report: DemoReport, *, reset: bool, port: int) -> None:
    if reset:
        typer.echo(f"reset: removed {report.cleared_messages} messages from the workspace")
    kinds = {channel.name: channel.description for channel in DEMO_CHANNELS}
    for name, channel_report in report.channels.items():
        typer.echo(f"demo {name:<9} {channel_report.summary()}  ({kinds[name]})")
    if report.twcs is not None:
        typer.echo(f"twcs sample    {report.twcs.summary()}")
    elif report.twcs_missing is not None:
        typer.echo(
            f"twcs sample    not found at {report.twcs_missing}; skipped "
            "(set RAPPORT_DATA_DIR to the folder that holds twcs/twcs_sample.csv)"
        )
    typer.echo(
        f"total          imported={report.imported} duplicates={report.duplicates} "
        f"conversations created={report.conversations_created}"
    )
    for email in report.users_created:
        typer.echo(f"created user   {email}")
    typer.echo("listening:     rapport listen share-of-voice [--kind product]")
    admin = DEMO_USERS[0]
    typer.echo(f"Rapport demo:  http://127.0.0.1:{port}  (start it with `rapport serve`)")
    typer.echo(f"demo login:    {admin.email} / {DEMO_PASSWORD}")
