"""Where a ``rapport discover`` command reads its log: one set of options for every command.

``@log_command()`` gives a command the LOG argument, the column options of CSV and SQL logs,
``--object-type`` for OCEL, ``--sql``/``--db``, ``--cases`` (the workspace's own case
history) and the case filters; the command receives them as one ``LogSource``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from rapport.cli.context import WorkspaceOption, err_console, open_database, workspace_id
from rapport.discovery.filters import MapFilters, apply_filters
from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping, read_log, read_sql


@dataclass(frozen=True)
class LogSource:
    """The options that say which log to read, and which of its cases to keep."""

    log: Path | None = None
    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"
    resource: str = "org:resource"
    object_type: str | None = None
    sql: str | None = None
    db: str | None = None
    cases: bool = False
    workspace: str | None = None
    filters: MapFilters = field(default_factory=MapFilters)

    def load(self) -> EventLog:
        """Read the log (notes on missing values go to stderr) and apply the filters."""
        mapping = ColumnMapping(
            case=self.case, activity=self.activity, timestamp=self.timestamp, resource=self.resource
        )
        given = sum((self.log is not None, self.sql is not None, self.cases))
        if given != 1:
            raise typer.BadParameter(
                "give one of: a LOG file, --sql QUERY --db DATABASE, or --cases"
            )
        if self.cases:
            result = _case_log(self.workspace)
        elif self.sql is not None:
            if self.db is None:
                raise typer.BadParameter("--sql needs --db DATABASE")
            result = read_sql(self.db, self.sql, mapping)
        else:
            assert self.log is not None
            result = read_log(self.log, mapping=mapping, object_type=self.object_type)
        for line in result.missing.lines():
            err_console.print(f"[yellow]note:[/yellow] {line}", highlight=False)
        return apply_filters(result, self.filters)

    def other(self, path: Path) -> LogSource:
        """The same options for another log file (``--against``)."""
        return replace(self, log=path, sql=None, cases=False)


def _case_log(workspace: str | None) -> EventLog:
    from rapport.discovery.caselog import read_case_log

    db = open_database()
    ws = workspace_id(db, workspace)
    with db.session() as session:
        return read_case_log(session.connection(), ws)


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


_LOG = inspect.Parameter(
    "log",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    default=typer.Argument(
        None,
        metavar="LOG",
        help="The event log file (format from its extension).",
        show_default=False,
    ),
    annotation=Path | None,
)
_READING = "Reading the log"
_CASES = "Which cases"
_SOURCE = [
    _option(
        "case",
        str,
        typer.Option(
            "case:concept:name",
            "--case",
            rich_help_panel=_READING,
            help="CSV/SQL column of the case id.",
        ),
    ),
    _option(
        "activity",
        str,
        typer.Option(
            "concept:name",
            "--activity",
            rich_help_panel=_READING,
            help="CSV/SQL column of the activity.",
        ),
    ),
    _option(
        "timestamp",
        str,
        typer.Option(
            "time:timestamp",
            "--timestamp",
            rich_help_panel=_READING,
            help="CSV/SQL column of the timestamp (ISO 8601).",
        ),
    ),
    _option(
        "resource",
        str,
        typer.Option(
            "org:resource",
            "--resource",
            rich_help_panel=_READING,
            help="CSV/SQL column of the resource.",
        ),
    ),
    _option(
        "object_type",
        str | None,
        typer.Option(
            None,
            "--object-type",
            rich_help_panel=_READING,
            help="OCEL logs: the object type whose objects become the cases.",
        ),
    ),
    _option(
        "sql",
        str | None,
        typer.Option(
            None, "--sql", rich_help_panel=_READING, help="A SQL query whose rows are the events."
        ),
    ),
    _option(
        "db",
        str | None,
        typer.Option(
            None,
            "--db",
            rich_help_panel=_READING,
            help="The database for --sql: a SQLite file or a URL.",
        ),
    ),
    _option(
        "cases",
        bool,
        typer.Option(
            False,
            "--cases",
            rich_help_panel=_READING,
            help="Read the workspace's own case history instead of LOG.",
        ),
    ),
    _option("workspace", str | None, WorkspaceOption),
]
_FILTERS = [
    _option(
        "since",
        datetime | None,
        typer.Option(
            None, "--since", rich_help_panel=_CASES, help="Only cases started at or after."
        ),
    ),
    _option(
        "until",
        datetime | None,
        typer.Option(None, "--until", rich_help_panel=_CASES, help="Only cases started before."),
    ),
    _option(
        "where",
        list[str],
        typer.Option(
            [],
            "--where",
            rich_help_panel=_CASES,
            help="KEY=VALUE: only cases with an event having that attribute value (repeatable).",
        ),
    ),
    _option(
        "top_variants",
        int | None,
        typer.Option(
            None,
            "--top-variants",
            min=1,
            rich_help_panel=_CASES,
            help="Only cases of the N most frequent variants.",
        ),
    ),
    _option(
        "variant",
        str | None,
        typer.Option(
            None,
            "--variant",
            rich_help_panel=_CASES,
            help="Only cases of this variant: activities joined by ','.",
        ),
    ),
]


def log_command(*, filters: bool = True) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give the decorated command (whose first parameter is ``source: LogSource``) the LOG
    argument and the shared options; ``filters=False`` leaves out the case filters for a
    command that uses ``--where`` for something else."""
    shared = [*_SOURCE, *(_FILTERS if filters else [])]
    names = [p.name for p in shared]

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = list(inspect.signature(func, eval_str=True).parameters.values())[1:]
        own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]

        @functools.wraps(func)
        def command(log: Path | None = None, **kwargs: Any) -> None:
            values = {name: kwargs.pop(name) for name in names}
            picked = MapFilters(
                since=values.pop("since", None),
                until=values.pop("until", None),
                where=tuple(values.pop("where", None) or ()),
                top_variants=values.pop("top_variants", None),
                variant=tuple(v.split(",")) if (v := values.pop("variant", None)) else None,
            )
            func(LogSource(log=log, filters=picked, **values), **kwargs)

        # --help shows the docstring's paragraphs as paragraphs, not as the source's lines
        paragraphs = inspect.cleandoc(func.__doc__ or "").split("\n\n")
        command.__doc__ = "\n\n".join(" ".join(p.split()) for p in paragraphs)
        params = [_LOG, *own, *shared]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return decorate


def duration_text(value: float | None) -> str:
    """Seconds as the largest unit that fits: ``3.5 d``, ``2.0 h``, ``45 s``."""
    if value is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(value) >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} s"


def number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
