"""Labelled messages read from a user's CSV file, with errors that say file, line and column."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rapport.errors import InvalidTrainingData


@dataclass(slots=True)
class LabelledData:
    """Texts and labels; ``lines`` are their CSV line numbers, ``skipped`` what was left out."""

    path: Path
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    languages: list[str] | None = None
    skipped: list[tuple[int, str]] = field(default_factory=list)
    sha256: str = ""


def read_labelled_csv(
    path: Path,
    text_column: str,
    label_column: str,
    language_column: str | None = None,
) -> LabelledData:
    """Every row with a text and a label; rows missing either are skipped and listed.

    ``language_column`` is optional: when it is named it must exist; when it is None, a column
    called ``language`` is used where present.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidTrainingData(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidTrainingData(f"{path}, line {line}: the file is not UTF-8 text") from exc
    reader = csv.DictReader(content.splitlines(keepends=True))
    header = reader.fieldnames or []
    if not header:
        raise InvalidTrainingData(f"{path}: the file is empty (a header line is expected)")
    for column in (text_column, label_column, language_column):
        if column is not None and column not in header:
            raise InvalidTrainingData(
                f"{path}, line 1: no column {column!r}; the columns are "
                + ", ".join(repr(name) for name in header)
            )
    if language_column is None and "language" in header:
        language_column = "language"
    data = LabelledData(path=path, sha256=hashlib.sha256(raw).hexdigest())
    languages: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            text = (row.get(text_column) or "").strip()
            label = (row.get(label_column) or "").strip()
            if not text:
                data.skipped.append((line, f"empty text in column {text_column!r}"))
                continue
            if not label:
                data.skipped.append((line, f"empty label in column {label_column!r}"))
                continue
            data.texts.append(text)
            data.labels.append(label)
            data.lines.append(line)
            if language_column is not None:
                languages.append((row.get(language_column) or "").strip() or "und")
    except csv.Error as exc:
        raise InvalidTrainingData(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from exc
    if language_column is not None:
        data.languages = languages
    if not data.texts:
        raise InvalidTrainingData(
            f"{path}: no row has both a text in {text_column!r} and a label in {label_column!r}"
        )
    return data


def check_trainable(data: LabelledData, label_column: str) -> None:
    """Raise unless there are two labels and every label has at least two examples."""
    counts = Counter(data.labels)
    if len(counts) < 2:
        raise InvalidTrainingData(
            f"{data.path}: column {label_column!r} has only one label; at least two are needed"
        )
    for label, count in counts.items():
        if count < 2:
            line = data.lines[data.labels.index(label)]
            raise InvalidTrainingData(
                f"{data.path}, line {line}, column {label_column!r}: label {label!r} has only "
                "one example; every label needs at least two"
            )
