"""``rapport jobs``: send due replies now, or run a Celery worker.

Register in ``rapport.cli``: ``app.add_typer(jobs_app, name="jobs")``.
"""

from __future__ import annotations

import typer

from rapport.cli.context import open_database, print_json, user_errors

jobs_app = typer.Typer(
    help="Background jobs: sending replies and their retries, SLA checks.",
    no_args_is_help=True,
)


@jobs_app.command("deliver-due")
def deliver_due_command(
    sla: bool = typer.Option(True, "--sla/--no-sla", help="Also run the SLA sweep."),
) -> None:
    """Send every reply that is due now (and its retries), once, then stop."""
    from rapport.jobs.tasks import deliver_due_replies, sweep_all_workspaces

    with user_errors():
        db = open_database()
        try:
            outcome: dict[str, int] = deliver_due_replies(db)
            if sla:
                outcome["sla_cases_changed"] = sweep_all_workspaces(db)
        finally:
            db.dispose()
    print_json(outcome)


@jobs_app.command("worker")
def worker_command(
    beat: bool = typer.Option(
        True, "--beat/--no-beat", help="Also run the periodic tasks (one beat per cluster)."
    ),
    loglevel: str = typer.Option("info", help="Celery's log level."),
) -> None:
    """Run a Celery worker in this process (pool solo) on RAPPORT_BROKER_URL."""
    from rapport.jobs.celery_app import make_celery_from_settings

    with user_errors():
        open_database().dispose()  # migrated before any task runs
    argv = ["worker", "--pool", "solo", "--loglevel", loglevel]
    if beat:
        argv.append("--beat")
    make_celery_from_settings().worker_main(argv)
