"""Custom intent models: training from a user's CSV, the model folder, and bad input."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
from tests.conftest import shared_data

from rapport.errors import InvalidModel, InvalidTrainingData
from rapport.intelligence.intent import classify_intents, configured_intent_model, load_intent_model
from rapport.intelligence.intent.custom import CustomIntentModel, train_intent_model
from rapport.intelligence.intent.labelled import check_trainable, read_labelled_csv

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "intent_train_small.csv"


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = read_labelled_csv(SMALL, "message", "topic")
    model, _ = train_intent_model(data.texts, data.labels, validation=0)
    folder = tmp_path_factory.mktemp("model") / "bikes"
    model.save(folder)
    return folder


def test_a_trained_model_answers_its_own_labels(small_model: Path) -> None:
    model = load_intent_model(small_model)
    results = classify_intents(
        [
            "Has my order been shipped?",
            "Are you open on Saturday morning?",
            "Is a broken chain covered by the warranty?",
            "Can I apply for the mechanic job?",
        ],
        model,
    )
    assert [r.label for r in results] == [
        "order_status",
        "opening_hours",
        "warranty",
        "job_application",
    ]
    assert all(0 < r.score <= 1 and r.label in r.scores for r in results)


def test_the_manifest_says_what_was_trained(small_model: Path) -> None:
    manifest = json.loads((small_model / "manifest.json").read_text())
    assert manifest["labels"] == ["job_application", "opening_hours", "order_status", "warranty"]
    assert manifest["examples"] == 32
    assert manifest["rapport_version"]
    assert manifest["trained_at"]
    assert sum(path.stat().st_size for path in small_model.iterdir()) < 1_000_000


def test_a_folder_that_is_no_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidModel, match="no such model folder"):
        load_intent_model(tmp_path / "missing")
    with pytest.raises(InvalidModel, match=r"no manifest\.json"):
        load_intent_model(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(InvalidModel, match="not valid JSON"):
        load_intent_model(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "something-else"}')
    with pytest.raises(InvalidModel, match="not a Rapport intent model"):
        load_intent_model(tmp_path)


def test_a_damaged_model_file_is_refused(small_model: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in small_model.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    weights = copy / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-100])
    with pytest.raises(InvalidModel, match=r"weights\.npz is corrupt"):
        CustomIntentModel.load(copy)
    weights.unlink()
    with pytest.raises(InvalidModel, match=r"weights\.npz is missing"):
        CustomIntentModel.load(copy)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidTrainingData, match=r"line 1: no column 'label'.*'message'"):
        read_labelled_csv(SMALL, "message", "label")


def test_rows_without_text_or_label_are_skipped_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("text,intent\nhello,a\n,a\nthere,\nagain,a\nbye,b\nsee you,b\n")
    data = read_labelled_csv(path, "text", "intent")
    assert data.texts == ["hello", "again", "bye", "see you"]
    assert data.skipped == [
        (3, "empty text in column 'text'"),
        (4, "empty label in column 'intent'"),
    ]


def test_a_label_with_one_example_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "lonely.csv"
    path.write_text("text,intent\nhello,a\nhi,a\nbye,b\n")
    data = read_labelled_csv(path, "text", "intent")
    with pytest.raises(InvalidTrainingData, match=r"lonely\.csv, line 4, column 'intent'.*'b'"):
        check_trainable(data, "intent")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,intent\nhello,a\ncafé,b\n".encode("latin-1"))
    with pytest.raises(InvalidTrainingData, match=r"latin1\.csv, line 3: the file is not UTF-8"):
        read_labelled_csv(path, "text", "intent")


def test_banking77_subset_is_learnt_quickly() -> None:
    """40 messages a label for training, 10 others for testing; the full set is in the benchmark."""
    data = read_labelled_csv(shared_data("intent/banking77/train.csv"), "text", "category")
    by_label: defaultdict[str, list[str]] = defaultdict(list)
    for text, label in zip(data.texts, data.labels, strict=True):
        by_label[label].append(text)
    train = [(t, label) for label, texts in by_label.items() for t in texts[:40]]
    test = [(t, label) for label, texts in by_label.items() for t in texts[40:50]]
    started = time.perf_counter()
    model, _ = train_intent_model([t for t, _ in train], [y for _, y in train], validation=0)
    assert time.perf_counter() - started < 30
    predicted = model.predict([t for t, _ in test])
    accuracy = sum(p == y for p, (_, y) in zip(predicted, test, strict=True)) / len(test)
    assert len(model.labels) == 77
    assert accuracy >= 0.80, accuracy


def test_configured_model_prefers_the_folder_given(small_model: Path) -> None:
    assert configured_intent_model(small_model).labels == load_intent_model(small_model).labels


def test_a_lonely_label_cannot_be_held_out() -> None:
    with pytest.raises(InvalidTrainingData, match=r"only one example.*\['y'\]"):
        train_intent_model(["a", "b", "c"], ["x", "x", "y"], validation=0.2)
