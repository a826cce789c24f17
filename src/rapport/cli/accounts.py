"""``rapport users`` and ``rapport tokens``: the first accounts of a workspace."""

from __future__ import annotations

import typer

from rapport.accounts.service import create_token, create_user, find_user, get_or_create_workspace
from rapport.cli.context import WorkspaceOption, open_database, user_errors
from rapport.config import get_settings
from rapport.store.models import Role

users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="Login e-mail."),
    name: str = typer.Option(..., help="Name shown to colleagues and customers."),
    role: Role = typer.Option(Role.AGENT, help="admin, agent or analyst."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="RAPPORT_NEW_PASSWORD",
        help="At least 8 characters (prompted if not given).",
    ),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Create a user in a workspace (the workspace is created if it does not exist)."""
    with user_errors():
        db = open_database()
        with db.session() as session:
            ws = get_or_create_workspace(session, workspace or get_settings().workspace)
            user = create_user(session, ws, email=email, name=name, role=role, password=password)
            typer.echo(f"created user {user.email} ({user.role}) in workspace {ws.slug}")


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Option(
        ..., "--user", "--email", help="E-mail of the user the token acts as."
    ),
    name: str = typer.Option("cli", help="What the token is for."),
) -> None:
    """Create an API token; it is printed once and cannot be shown again."""
    with user_errors():
        db = open_database()
        with db.session() as session:
            user = find_user(session, email)
            _token, secret = create_token(session, user, name)
    typer.echo(secret)
