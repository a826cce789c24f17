"""``rapport nlp intent``, ``train-intent`` and ``eval intent`` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rapport.cli import app
from rapport.intelligence.intent import DEFAULT_LABELS

FIXTURES = Path(__file__).resolve().parents[2] / "unit" / "intelligence" / "fixtures"
SMALL = FIXTURES / "intent_train_small.csv"
runner = CliRunner()


def said(output: str) -> str:
    """The output with Rich's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "bikes"
    result = runner.invoke(
        app,
        [
            "nlp",
            "train-intent",
            "--data",
            str(SMALL),
            "--text-column",
            "message",
            "--label-column",
            "topic",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "held-out accuracy:" in result.output
    assert "macro-F1:" in result.output
    return out


def test_one_label_per_line_in_order_from_real_stdin() -> None:
    lines = [
        "Where is my parcel?",
        "",
        "Mi avete addebitato due volte",
        "Takk fyrir frábæra þjónustu",
    ]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("rapport")), "nlp", "intent"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = done.stdout.splitlines()
    assert answers == ["delivery", "other", "billing", "praise"]


def test_json_lines_carry_the_label_and_its_scores() -> None:
    result = runner.invoke(app, ["nlp", "intent", "--json"], input="Please cancel my order\nhi\n")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2
    assert rows[0]["label"] == "cancellation"
    assert set(rows[0]["scores"]) == set(DEFAULT_LABELS)
    assert rows[0]["score"] == rows[0]["scores"]["cancellation"]


def test_a_trained_model_is_used_with_model(model_folder: Path) -> None:
    result = runner.invoke(
        app,
        ["nlp", "intent", "--model", str(model_folder)],
        input="When do you open on Sunday?\nIs the battery covered by warranty?\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["opening_hours", "warranty"]


def test_a_wrong_model_folder_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["nlp", "intent", "--model", str(tmp_path)], input="hi\n")
    assert result.exit_code == 1
    assert "not an intent model folder" in said(result.output)
    assert "Traceback" not in result.output


def test_bad_training_data_is_named_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,intent\nhello,a\nhi,a\nbye,b\n", encoding="utf-8")
    result = runner.invoke(
        app, ["nlp", "train-intent", "--data", str(bad), "--out", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "bad.csv, line 4, column 'intent'" in said(result.output)
    assert "Traceback" not in result.output
    missing = runner.invoke(
        app,
        [
            "nlp",
            "train-intent",
            "--data",
            str(bad),
            "--label-column",
            "topic",
            "--out",
            str(tmp_path / "m"),
        ],
    )
    assert "no column 'topic'" in said(missing.output)


def test_eval_prints_figures_and_tables(model_folder: Path) -> None:
    result = runner.invoke(
        app,
        [
            "nlp",
            "eval",
            "intent",
            "--data",
            str(SMALL),
            "--model",
            str(model_folder),
            "--text-column",
            "message",
            "--label-column",
            "topic",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "accuracy:" in result.output
    assert "macro-F1:" in result.output
    assert "warranty" in result.output


def test_eval_of_the_default_taxonomy_has_a_language_table() -> None:
    result = runner.invoke(
        app, ["nlp", "eval", "intent", "--data", str(FIXTURES / "intent_eval.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "per language" in result.output
    assert "hu" in result.output
