"""``rapport nlp language|sentiment`` and ``rapport nlp eval``: one answer per input line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rapport.cli import app

runner = CliRunner()
LINES = [
    "The parcel never arrived and nobody answers.",
    "",
    "@support Il pacco non è mai arrivato 😡 https://t.co/x",
    "سفارش من هنوز نرسیده است",
]


def test_language_answers_one_line_per_line_in_order() -> None:
    result = runner.invoke(app, ["nlp", "language"], input="\n".join(LINES) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.split("\n") == ["en", "und", "it", "fa", ""]


def test_language_json_has_label_and_scores() -> None:
    result = runner.invoke(app, ["nlp", "language", "--json"], input="\n".join(LINES))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in records] == ["en", "und", "it", "fa"]
    assert records[0]["scores"]["en"] > 0.5


def test_sentiment_answers_one_line_per_line_with_json() -> None:
    text = "I love it, thank you!\n\nThis is the worst, I want a refund now\n"
    plain = runner.invoke(app, ["nlp", "sentiment"], input=text)
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines() == ["positive", "neutral", "negative"]
    as_json = runner.invoke(app, ["nlp", "sentiment", "--json"], input=text)
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["label"] for r in records] == ["positive", "neutral", "negative"]
    assert set(records[0]["scores"]) == {"negative", "neutral", "positive"}


def test_eval_sentiment_prints_accuracy_macro_f1_and_tables(tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    data.write_text(
        "text,label,language\n"
        "I love it,positive,en\nTerrible service,negative,en\n"
        "Grazie mille!,positive,it\nIl pacco è arrivato,neutral,it\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["nlp", "eval", "sentiment", "--data", str(data)])
    assert result.exit_code == 0, result.output
    for heading in ("accuracy", "macro-F1", "per class", "per language"):
        assert heading in result.stdout


def test_eval_language_on_a_csv(tmp_path: Path) -> None:
    data = tmp_path / "languages.csv"
    data.write_text("text,label\nThank you very much for the help,en\n", encoding="utf-8")
    result = runner.invoke(app, ["nlp", "eval", "language", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "accuracy 1.000" in result.stdout


def test_bad_data_names_file_line_and_field(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("text,label\nfine,positive\nnot fine,angry\n", encoding="utf-8")
    result = runner.invoke(app, ["nlp", "eval", "sentiment", "--data", str(data)])
    assert result.exit_code != 0
    said = " ".join(result.output.split())
    assert "bad.csv," in said
    assert "line 3, field label: label 'angry'" in said
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["nlp", "eval", "language", "--data", str(tmp_path / "no")])
    assert missing.exit_code != 0
    assert "no such file" in " ".join(missing.output.split())
