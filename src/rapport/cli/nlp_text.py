"""``rapport nlp language|sentiment`` and their evaluators."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rapport.intelligence.evaluation import Evaluation

JsonOption = typer.Option(False, "--json", help="One JSON object per line, with scores.")
DataOption = typer.Option(
    ...,
    "--data",
    help="A CSV with text,label[,language] columns, or an xlm-t folder (one language's, "
    "or the folder of language folders).",
)
SplitOption = typer.Option("val", "--split", help="Which xlm-t split to read from a folder.")


def register(nlp_app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``language``, ``sentiment`` and ``eval language|sentiment``."""
    nlp_app.command("language")(language_command)
    nlp_app.command("sentiment")(sentiment_command)
    eval_app.command("language")(eval_language_command)
    eval_app.command("sentiment")(eval_sentiment_command)


def _lines() -> Iterator[str]:
    # Only a newline ends a message: a stray carriage return inside one keeps it whole.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    try:
        for line in stdin:
            yield line.rstrip("\r\n")
    finally:
        stdin.detach()


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")


def language_command(as_json: bool = JsonOption) -> None:
    """The language of each line of standard input (ISO 639-1, or ``und``), one per line."""
    from rapport.cli.context import user_errors
    from rapport.intelligence.language import stream_languages

    with user_errors():
        for guess in stream_languages(_lines(), batch_size=256, with_scores=as_json):
            if as_json:
                record = {"label": guess.code, "score": guess.score, "scores": guess.scores}
                _emit(json.dumps(record, ensure_ascii=False))
            else:
                _emit(guess.code)
        sys.stdout.flush()


def sentiment_command(
    accurate: bool = typer.Option(
        False, "--accurate", help="Use the e5 embedding tier (slower, more accurate)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """The sentiment of each line of standard input (negative, neutral, positive)."""
    from rapport.cli.context import user_errors
    from rapport.intelligence.sentiment import stream_sentiment

    with user_errors():
        batch = 32 if accurate else 256
        for result in stream_sentiment(_lines(), "accurate" if accurate else "fast", batch):
            if as_json:
                record = {"label": result.label, "score": result.score, "scores": result.scores}
                _emit(json.dumps(record, ensure_ascii=False))
            else:
                _emit(result.label)
        sys.stdout.flush()


def _print_evaluation(title: str, figures: Evaluation) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{title}[/bold]: {figures.n} texts, accuracy {figures.accuracy:.3f}, "
        f"macro-F1 {figures.macro_f1:.3f}"
    )
    classes = Table(title="per class")
    for column in ("class", "precision", "recall", "F1", "support"):
        classes.add_column(column, justify="left" if column == "class" else "right")
    for label, c in figures.per_class.items():
        classes.add_row(
            label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.support)
        )
    console.print(classes)
    if figures.per_language:
        languages = Table(title="per language")
        for column in ("language", "texts", "accuracy", "macro-F1"):
            languages.add_column(column, justify="left" if column == "language" else "right")
        for language, sub in figures.per_language.items():
            languages.add_row(language, str(sub.n), f"{sub.accuracy:.3f}", f"{sub.macro_f1:.3f}")
        console.print(languages)


def eval_language_command(data: Path = DataOption, split: str = SplitOption) -> None:
    """Accuracy and macro-F1 of the language detector on labelled texts."""
    from rapport.cli.context import user_errors
    from rapport.intelligence.datasets import load_labelled
    from rapport.intelligence.evaluation import evaluate
    from rapport.intelligence.language import detect_languages

    with user_errors():
        items = load_labelled(data, "language", split)
        predicted = [g.code for g in detect_languages([item.text for item in items])]
        gold = [item.label for item in items]
        _print_evaluation(f"language on {data}", evaluate(gold, predicted, gold))


def eval_sentiment_command(
    data: Path = DataOption,
    split: str = SplitOption,
    accurate: bool = typer.Option(False, "--accurate", help="Evaluate the e5 embedding tier."),
) -> None:
    """Accuracy, macro-F1 and per-class / per-language tables of the sentiment model."""
    from rapport.cli.context import user_errors
    from rapport.intelligence.datasets import load_labelled
    from rapport.intelligence.evaluation import evaluate
    from rapport.intelligence.language import detect_languages
    from rapport.intelligence.sentiment import analyse_sentiment

    with user_errors():
        items = load_labelled(data, "sentiment", split)
        texts = [item.text for item in items]
        results = analyse_sentiment(texts, "accurate" if accurate else "fast")
        languages = [item.language for item in items]
        if not any(languages):
            languages = [g.code for g in detect_languages(texts)]
        figures = evaluate([item.label for item in items], [r.label for r in results], languages)
        tier = "accurate" if accurate else "fast"
        _print_evaluation(f"sentiment ({tier} tier) on {data}", figures)
