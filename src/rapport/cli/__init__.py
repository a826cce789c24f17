"""The ``rapport`` command."""

from __future__ import annotations

import sys

import typer

from rapport.cli.accounts import tokens_app, users_app
from rapport.cli.alerts import alerts_app
from rapport.cli.browse import conversations_app, deadletters_app
from rapport.cli.cases import cases_app, sla_app
from rapport.cli.demo import demo_app
from rapport.cli.discover import discover_app
from rapport.cli.discover_drilldown import cases_of_command
from rapport.cli.enrich import ENRICH_HELP, enrich_command
from rapport.cli.imports import IMPORT_HELP, import_command
from rapport.cli.jobs import jobs_app
from rapport.cli.listen import listen_app
from rapport.cli.nlp import nlp_app, register_commands
from rapport.cli.rules import rules_app, setup_app
from rapport.cli.server import db_app, serve_command
from rapport.cli.topics import TOPICS_HELP, topics_command
from rapport.cli.trends import TRENDS_HELP, trends_command

app = typer.Typer(
    name="rapport",
    help="Rapport: every customer conversation in one inbox, self-hosted and offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("import", help=IMPORT_HELP)(import_command)
app.command("serve")(serve_command)
app.command("enrich", help=ENRICH_HELP)(enrich_command)
app.command("trends", help=TRENDS_HELP)(trends_command)
app.command("topics", help=TOPICS_HELP)(topics_command)
app.add_typer(conversations_app, name="conversations")
app.add_typer(cases_app, name="cases")
app.add_typer(sla_app, name="sla")
app.add_typer(rules_app, name="rules")
app.add_typer(setup_app, name="setup")
app.add_typer(deadletters_app, name="deadletters")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(jobs_app, name="jobs")
register_commands()
app.add_typer(nlp_app, name="nlp")
discover_app.command("cases-of")(cases_of_command)
app.add_typer(discover_app, name="discover")
app.add_typer(alerts_app, name="alerts")
app.add_typer(listen_app, name="listen")


def main() -> None:
    sys.exit(app())
