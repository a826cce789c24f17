"""``rapport rules`` and ``rapport setup``: automation rules and the engagement setup."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import (
    WorkspaceOption,
    fail,
    open_database,
    print_json,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.engage.rule_store import (
    current_rules,
    firing_counts,
    restore_rules,
    rule_history,
    save_rules,
)
from rapport.engage.rules import dump_rules, load_rules
from rapport.engage.setup import apply_setup, read_setup

rules_app = typer.Typer(
    help="Automation rules: what happens to every new message.", no_args_is_help=True
)
setup_app = typer.Typer(
    help="Teams, agents, SLA policies and canned replies.", no_args_is_help=True
)
console = Console()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{path}: no such file", 2)
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text (byte {exc.start})", 2)
    except OSError as exc:
        fail(f"{path}: {exc.strerror}", 2)


@rules_app.command("load")
def load_command(
    path: Path = typer.Argument(..., metavar="FILE", help="A rules YAML file (see docs/rules.md)."),
    check: bool = typer.Option(False, "--check", help="Only check the file; change nothing."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Check a rules file and put it in force. Nothing changes if any rule is wrong; every
    problem is listed with its line and field."""
    text = _read(path)
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            if check:
                ruleset = load_rules(text, source=str(path))
                console.print(f"{len(ruleset.rules)} rules, all valid", highlight=False)
                return
            saved = save_rules(session, ws, text, source=str(path), user_id=None)
    console.print(
        f"loaded {len(saved.ruleset.rules)} rules (version {saved.version})", highlight=False
    )


@rules_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """The rules in force, in the order they run, with how often each has fired."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            saved = current_rules(session, ws)
            counts = firing_counts(session, ws)
    rules = saved.ruleset.rules
    if as_json:
        print_json(
            [
                {
                    **rule.to_data(),
                    "order": n,
                    "summary": rule.summary,
                    "fired": counts.get(rule.name, 0),
                }
                for n, rule in enumerate(rules, 1)
            ]
        )
        return
    if not rules:
        console.print(
            "no rules yet: write a file (see docs/rules.md) and run `rapport rules load FILE`"
        )
        return
    table = Table(title=f"{len(rules)} rules (version {saved.version})", title_justify="left")
    for column in ("#", "name", "when", "then", "fired"):
        table.add_column(column, overflow="fold")
    for n, rule in enumerate(rules, 1):
        name = (
            rule.name + ("" if rule.enabled else " (disabled)") + (" ⏹ stop" if rule.stop else "")
        )
        table.add_row(
            str(n),
            safe(name),
            safe(rule.summary or "always"),
            safe(rule.then.describe()),
            str(counts.get(rule.name, 0)),
        )
    console.print(table)


@rules_app.command("show")
def show_command(workspace: str | None = WorkspaceOption) -> None:
    """Print the rules in force as YAML (to edit and load again)."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            saved = current_rules(session, ws)
    typer.echo(saved.source or dump_rules(saved.ruleset), nl=False)


@rules_app.command("history")
def history_command(workspace: str | None = WorkspaceOption) -> None:
    """Every saved version of the rules, newest first."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            versions = rule_history(session, ws)
    table = Table(title="rules versions", title_justify="left")
    for column in ("version", "saved at", "by", "rules"):
        table.add_column(column)
    for v in versions:
        table.add_row(
            str(v.id),
            f"{v.created_at:%Y-%m-%d %H:%M} UTC",
            safe(v.created_by or "command line"),
            str(v.rules),
        )
    console.print(table)


@rules_app.command("restore")
def restore_command(
    version: int = typer.Argument(..., help="The version to put back in force."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Undo: put an earlier version of the rules back in force."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            saved = restore_rules(session, ws, version, user_id=None)
    console.print(f"version {version} is in force again (saved as version {saved.version})")


@setup_app.command("load")
def setup_load_command(
    path: Path = typer.Argument(
        ..., metavar="FILE", help="A setup YAML file (see docs/engagement.md)."
    ),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Create or update teams, agents' profiles, SLA policies and canned replies from a file.
    Nothing changes if anything in it is wrong."""
    text = _read(path)
    with user_errors():
        setup = read_setup(text, source=str(path))
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            report = apply_setup(session, ws, setup, source=str(path))
    console.print(report.summary(), highlight=False)
