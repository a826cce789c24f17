"""``rapport topics``: what the customer messages of a period are about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

from rapport.cli.context import (
    WorkspaceOption,
    open_database,
    parse_when,
    print_json,
    progress_bar,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe

if TYPE_CHECKING:
    from rapport.intelligence.topics.schemas import TopicOut, TopicsOut

TOPICS_HELP = (
    "The top topics of the customer messages of a period, largest first."
    "\n\nMessages are clustered on their words and word pairs (any language); each topic "
    "gets a label of its most distinctive words, its size and share, its sentiment, its "
    "languages and the posts closest to its centre. The same messages always give the same "
    "topics. Needs no enrichment, but sentiment and languages are shown only for messages "
    "already read (see `rapport enrich`). Each topic shows its messages per day as a "
    "sparkline (days in --tz; the JSON lists each day's messages and negative ones)."
    "\n\nExample: rapport topics --since 2026-11-01 --channel twitter --count 8"
)
EXAMPLE_WIDTH = 110
SPARK_WIDTH = 60  # at most this many columns; longer periods are summed into groups of days


def topics_command(
    since: str | None = typer.Option(
        None, help="Messages sent at or after this date or time (ISO 8601; UTC if no zone)."
    ),
    until: str | None = typer.Option(None, help="Messages sent before this date or time."),
    channel: str | None = typer.Option(None, help="Only this channel (its name)."),
    language: str | None = typer.Option(
        None, help="Only messages read as this language (ISO 639-1, e.g. en, fa)."
    ),
    count: int | None = typer.Option(
        None, "--count", "-n", help="How many topics to find (1-40; default: chosen from the data)."
    ),
    examples: int = typer.Option(3, "--examples", "-k", help="Example posts per topic (1-10)."),
    tz: str | None = typer.Option(
        None, "--tz", help="Cut each topic's days in this zone (IANA name; default UTC)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (as the API returns it)."),
    workspace: str | None = WorkspaceOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """The top topics of a period (see TOPICS_HELP)."""
    from rapport.intelligence.scope_store import MessageScope
    from rapport.intelligence.topics import top_topics
    from rapport.intelligence.topics.schemas import topics_out

    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        scope = MessageScope(start, end, channel, language)
        db = open_database()
        ws = workspace_id(db, workspace)
        with (
            progress_bar(
                "clustering", "messages", quiet=quiet or as_json, transient=True
            ) as progress,
            db.session() as session,
        ):
            task = progress.add_task("topics", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = top_topics(
                session.connection(), ws, scope, count=count, examples=examples,
                progress=advance, tz=tz,
            )  # fmt: skip
    data = topics_out(report)
    if as_json:
        print_json(data.model_dump(mode="json"))
        return
    _print(data)


def _print(data: TopicsOut) -> None:
    out = Console(highlight=False, soft_wrap=True)
    out.print(
        f"{data.messages:,} customer messages · {len(data.topics)} topics · "
        f"{data.unassigned:,} in no topic"
    )
    if not data.topics:
        out.print("No topics: the period has too few customer messages with words in them.")
    for number, topic in enumerate(data.topics, 1):
        feeling = " ".join(f"{name} {n}" for name, n in topic.sentiment.items() if n)
        languages = ", ".join(f"{item.language} {item.messages}" for item in topic.languages)
        out.print(
            f"\n[bold]{number}. {safe(topic.label)}[/bold]  {topic.size:,} messages "
            f"({topic.share:.1%}) · {safe(feeling)} · {safe(languages)}"
        )
        if topic.days:
            out.print(f"   {_days_line(topic, data.tz)}")
        for post in topic.examples:
            line = " ".join(post.text.split())
            if len(line) > EXAMPLE_WIDTH:
                line = line[: EXAMPLE_WIDTH - 1] + "…"
            out.print(f"   #{post.conversation_id}  {safe(line)}")


def _days_line(topic: TopicOut, tz: str) -> str:
    """The topic's messages per day as a sparkline, with its first and last day."""
    from rapport.intelligence.trends.series import sparkline

    counts = [day.messages for day in topic.days]
    group = -(-len(counts) // SPARK_WIDTH)
    summed = [sum(counts[i : i + group]) for i in range(0, len(counts), group)]
    per = "day" if group == 1 else f"{group} days"
    return (
        f"{sparkline(summed)}  per {per}, {topic.days[0].day} to {topic.days[-1].day} ({tz}), "
        f"busiest {max(counts):,}"
    )
