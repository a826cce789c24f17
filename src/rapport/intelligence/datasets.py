"""Labelled texts for training and evaluating the language and sentiment models.

Two layouts are read:

* a CSV file (UTF-8, a header row) with the columns ``text`` and ``label`` and optionally
  ``language``. For sentiment the label is ``negative``, ``neutral`` or ``positive`` (or 0, 1,
  2); for language it is an ISO 639-1 code.
* an xlm-t folder: either one language's folder holding ``{split}_text.txt`` and
  ``{split}_labels.txt`` (one tweet and one 0/1/2 label per line), or the folder holding such
  language folders (``arabic/``, ``english/``, ...). For language evaluation the label is the
  folder's language.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rapport.errors import InvalidTrainingData

SENTIMENT_LABELS = ("negative", "neutral", "positive")
XLMT_LANGUAGES = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
Task = Literal["language", "sentiment"]


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: str
    language: str | None = None


def _sentiment_label(raw: str, where: str) -> str:
    value = raw.strip().lower()
    if value in SENTIMENT_LABELS:
        return value
    if value in ("0", "1", "2"):
        return SENTIMENT_LABELS[int(value)]
    raise InvalidTrainingData(
        f"{where}: label {raw!r} is not negative, neutral, positive, 0, 1 or 2"
    )


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise InvalidTrainingData(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def _xlmt_language(folder: Path, split: str, task: Task) -> list[LabelledText]:
    text_path = folder / f"{split}_text.txt"
    label_path = folder / f"{split}_labels.txt"
    code = XLMT_LANGUAGES.get(folder.name.lower(), folder.name.lower())
    texts = _read_lines(text_path)
    labels = _read_lines(label_path)
    if texts and texts[-1] == "" and labels and labels[-1] == "":
        texts, labels = texts[:-1], labels[:-1]
    if len(texts) != len(labels):
        raise InvalidTrainingData(
            f"{label_path}: {len(labels)} labels for {len(texts)} texts in {text_path}"
        )
    out = []
    for number, (text, raw) in enumerate(zip(texts, labels, strict=True), start=1):
        if task == "language":
            label = code
        else:
            label = _sentiment_label(raw, f"{label_path}, line {number}, field label")
        out.append(LabelledText(text, label, code))
    return out


def read_xlmt(folder: Path, split: str = "val", task: Task = "sentiment") -> list[LabelledText]:
    """The texts of an xlm-t language folder, or of every language folder under ``folder``."""
    if (folder / f"{split}_text.txt").exists():
        return _xlmt_language(folder, split, task)
    subfolders = sorted(p for p in folder.iterdir() if (p / f"{split}_text.txt").exists())
    if not subfolders:
        raise InvalidTrainingData(
            f"{folder}: no {split}_text.txt here nor in any language folder below it"
        )
    return [item for sub in subfolders for item in _xlmt_language(sub, split, task)]


def read_labelled_csv(path: Path, task: Task) -> list[LabelledText]:
    """The rows of a CSV with ``text``, ``label`` and optionally ``language`` columns."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for needed in ("text", "label"):
                if needed not in columns:
                    raise InvalidTrainingData(
                        f"{path}, line 1: no {needed!r} column (columns: {', '.join(columns)})"
                    )
            out = []
            for row in reader:
                where = f"{path}, line {reader.line_num}"
                text, raw = row.get("text"), row.get("label")
                if text is None or raw is None:
                    raise InvalidTrainingData(f"{where}: missing field text or label")
                if task == "sentiment":
                    label = _sentiment_label(raw, f"{where}, field label")
                else:
                    label = raw.strip().lower()
                    if not label:
                        raise InvalidTrainingData(f"{where}, field label: empty language code")
                language = (row.get("language") or "").strip().lower() or None
                out.append(LabelledText(text, label, language))
    except UnicodeDecodeError as exc:
        raise InvalidTrainingData(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except csv.Error as exc:
        raise InvalidTrainingData(f"{path}: not a readable CSV ({exc})") from None
    if not out:
        raise InvalidTrainingData(f"{path}: no rows")
    return out


def load_labelled(path: Path, task: Task, split: str = "val") -> list[LabelledText]:
    """A CSV file or an xlm-t folder, whichever ``path`` is."""
    if not path.exists():
        raise InvalidTrainingData(f"{path}: no such file or folder")
    if path.is_dir():
        return read_xlmt(path, split, task)
    return read_labelled_csv(path, task)


def read_language_checks(path: Path) -> dict[tuple[str, int], str]:
    """Hand-checked languages of single xlm-t tweets: ``(folder, line) -> code``.

    The file is a TSV with the header ``folder  line  language  note``; ``line`` counts from 1
    in the folder's ``val_text.txt`` (``train_text.txt`` for a file of training tweets). The
    xlm-t sets are labelled by where a tweet was collected, so a tweet in the Hindi set may
    well be English; these say what it is.
    """
    checks: dict[tuple[str, int], str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            try:
                checks[(row["folder"], int(row["line"]))] = row["language"].strip()
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidTrainingData(f"{path}, line {number}: {exc!r}") from None
    return checks


def checked_languages(items: list[LabelledText], checks: dict[tuple[str, int], str]) -> list[str]:
    """The language of each of ``read_xlmt(folder, "val", "language")``'s tweets, in order:
    the hand-checked one where there is one, else the folder's."""
    folders = {code: name for name, code in XLMT_LANGUAGES.items()}
    seen: dict[str, int] = {}
    out = []
    for item in items:
        code = item.language or item.label
        seen[code] = seen.get(code, 0) + 1
        out.append(checks.get((folders.get(code, code), seen[code]), item.label))
    return out
