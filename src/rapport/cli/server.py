"""``rapport serve`` and ``rapport db``."""

from __future__ import annotations

import typer

from rapport.cli.context import open_database, user_errors

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, envvar="PORT", help="Port to listen on (or PORT=...)."),
) -> None:
    """Serve the web app and the API (OpenAPI at /docs)."""
    import uvicorn

    from rapport.api.app import create_app

    with user_errors():
        open_database().dispose()
    typer.echo(f"Rapport is at http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(run_jobs=True), host=host, port=port, log_level="warning")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema to the newest version."""
    with user_errors():
        open_database().dispose()
    typer.echo("database is up to date")
