"""``rapport nlp intent|train-intent`` and the intent evaluator."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

if TYPE_CHECKING:
    from rapport.intelligence.intent import IntentModel, IntentResult

BATCH = 64

ModelOption = typer.Option(
    None,
    "--model",
    help="A model folder made by `rapport nlp train-intent` (default: the customer-care "
    "taxonomy, or RAPPORT_INTENT_MODEL_DIR).",
)


def register(nlp_app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``intent``, ``train-intent`` and ``eval intent``."""
    nlp_app.command("intent")(intent_command)
    nlp_app.command("train-intent")(train_intent_command)
    eval_app.command("intent")(eval_intent_command)


def _model(folder: Path | None) -> IntentModel:
    from rapport.intelligence.intent import configured_intent_model

    return configured_intent_model(folder)


def _batches(stream: TextIO) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in stream:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def intent_command(
    model: Path | None = ModelOption,
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line, with scores."),
) -> None:
    """The intent of each line of standard input, one label per line, in the same order."""
    from rapport.cli.context import user_errors

    with user_errors():
        chosen = _model(model)
        # Only a newline ends a message: a stray carriage return inside one keeps it whole.
        stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
        for batch in _batches(stdin):
            _write(chosen.classify(batch), as_json)
        stdin.detach()


def _write(results: list[IntentResult], as_json: bool) -> None:
    if as_json:
        lines = [
            json.dumps({"label": r.label, "score": r.score, "scores": r.scores}, ensure_ascii=False)
            for r in results
        ]
    else:
        lines = [r.label for r in results]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def train_intent_command(
    data: Path = typer.Option(..., "--data", help="A UTF-8 CSV file with a header line."),
    text_column: str = typer.Option("text", "--text-column", help="The column of the texts."),
    label_column: str = typer.Option("intent", "--label-column", help="The column of the labels."),
    out: Path = typer.Option(..., "--out", help="The model folder to write."),
    validation: float = typer.Option(
        0.2,
        "--validation",
        min=0.0,
        max=0.5,
        help="Share held out (stratified, seeded) to measure the model; 0 trains on all.",
    ),
    no_validation: bool = typer.Option(
        False, "--no-validation", help="Train on every row; no figures are measured."
    ),
    seed: int = typer.Option(42, "--seed", help="Seed of the validation split."),
) -> None:
    """Train a custom intent model from a labelled CSV file."""
    from rich.console import Console

    from rapport.cli.context import progress_bar, user_errors
    from rapport.cli.terminal import safe
    from rapport.intelligence.intent.custom import train_intent_model
    from rapport.intelligence.intent.labelled import check_trainable, read_labelled_csv

    console = Console(stderr=True)
    with user_errors():
        labelled = read_labelled_csv(data, text_column, label_column)
        for line, reason in labelled.skipped[:10]:
            console.print(f"[yellow]skipped[/yellow] {safe(str(data))}, line {line}: {reason}")
        if len(labelled.skipped) > 10:
            console.print(f"[yellow]skipped[/yellow] {len(labelled.skipped) - 10} more rows")
        check_trainable(labelled, label_column)
        share = 0.0 if no_validation else validation
        with progress_bar("{task.description}", "intents", console=console) as progress:
            task = progress.add_task("training", total=len(set(labelled.labels)))
            model, figures = train_intent_model(
                labelled.texts,
                labelled.labels,
                validation=share,
                seed=seed,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                provenance={
                    "data_file": data.name,
                    "data_sha256": labelled.sha256,
                    "text_column": text_column,
                    "label_column": label_column,
                    "skipped_rows": len(labelled.skipped),
                },
            )
        model.save(out)
    labels = len(model.labels)
    seconds = model.manifest["training_seconds"]
    trained_on = model.manifest["trained_on"]
    print(f"trained on {trained_on} messages, {labels} intents, in {seconds:.1f} s")
    if labelled.skipped:
        print(f"skipped rows: {len(labelled.skipped)}")
    if figures is not None:
        print(
            f"held-out accuracy: {figures.accuracy:.4f}  macro-F1: {figures.macro_f1:.4f}  "
            f"({figures.examples} messages)"
        )
    print(f"model: {out}")


def eval_intent_command(
    data: Path = typer.Option(..., "--data", help="A UTF-8 CSV file with a header line."),
    model: Path | None = ModelOption,
    text_column: str = typer.Option("text", "--text-column"),
    label_column: str = typer.Option("intent", "--label-column"),
    language_column: str | None = typer.Option(
        None, "--language-column", help="Per-language figures (default: a 'language' column)."
    ),
) -> None:
    """Accuracy, macro-F1, a per-label and a per-language table of a model on labelled data."""
    from rich.console import Console
    from rich.table import Table

    from rapport.cli.context import user_errors
    from rapport.cli.terminal import safe
    from rapport.intelligence.intent.evaluation import evaluate_intent_model
    from rapport.intelligence.intent.labelled import read_labelled_csv

    console = Console()
    with user_errors():
        labelled = read_labelled_csv(data, text_column, label_column, language_column)
        chosen = _model(model)
        with console.status(f"classifying {len(labelled.texts)} messages"):
            report = evaluate_intent_model(
                chosen, labelled.texts, labelled.labels, labelled.languages
            )
    if labelled.skipped:
        console.print(f"skipped rows: {len(labelled.skipped)} (no text or no label)")
    console.print(
        f"messages: {report.examples}  accuracy: [bold]{report.accuracy:.4f}[/bold]  "
        f"macro-F1: [bold]{report.macro_f1:.4f}[/bold]  ({report.texts_per_second:.0f} texts/s)"
    )
    table = Table(title="per intent")
    for name in ("intent", "precision", "recall", "F1", "support"):
        table.add_column(name, justify="left" if name == "intent" else "right")
    for row in report.per_class:
        table.add_row(
            safe(row.label),
            f"{row.precision:.3f}",
            f"{row.recall:.3f}",
            f"{row.f1:.3f}",
            str(row.support),
        )
    console.print(table)
    if report.per_language:
        languages = Table(title="per language")
        for name in ("language", "messages", "accuracy"):
            languages.add_column(name, justify="left" if name == "language" else "right")
        for language, (count, accuracy) in report.per_language.items():
            languages.add_row(safe(language), str(count), f"{accuracy:.3f}")
        console.print(languages)
