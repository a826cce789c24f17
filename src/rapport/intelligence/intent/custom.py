"""Intent models trained on a user's labelled messages, saved as a folder.

The model is TF-IDF word (1-2) and character (2-5, within words) n-grams with one linear SVM
per label (one-vs-rest). The folder holds ``manifest.json`` (labels, training date, data hash,
figures, Rapport's version, the hash of every file) and plain arrays (``weights.npz``,
``vocabulary.json``); nothing is pickled, so loading a folder runs no code from it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rapport.errors import InvalidModel, InvalidTrainingData
from rapport.intelligence.intent.model import IntentResult

FORMAT = "rapport-intent-model"
FORMAT_VERSION = 1
KIND = "tfidf-linear-svm"
MANIFEST = "manifest.json"
WEIGHTS = "weights.npz"
VOCABULARY = "vocabulary.json"
WORD_PARAMS: dict[str, Any] = {"ngram_range": (1, 2), "sublinear_tf": True}
CHAR_PARAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 5),
    "sublinear_tf": True,
    "min_df": 2,
}
C = 0.7
SCORE_SCALE = 4.0  # spreads SVM margins into softmax scores that read like confidences

Progress = Callable[[int, int], None]


def _vectorizer(params: dict[str, Any]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**params)


@dataclass(frozen=True, slots=True)
class Figures:
    """How well a model did on the messages held out from its training."""

    accuracy: float
    macro_f1: float
    examples: int


class CustomIntentModel:
    """A trained intent model; ``classify`` answers one result per text."""

    def __init__(
        self,
        labels: list[str],
        word: Any,
        char: Any,
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
        manifest: dict[str, Any] | None = None,
    ) -> None:
        self._labels = labels
        self._word = word
        self._char = char
        self._coef = coef
        self._intercept = intercept
        self.manifest: dict[str, Any] = manifest or {}

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def _features(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        return hstack([self._word.transform(texts), self._char.transform(texts)]).tocsr()

    def decision(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The SVM margin of every label for every text (rows: texts)."""
        margins = self._features(list(texts)) @ self._coef.T + self._intercept
        return np.asarray(margins, dtype=np.float32)

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Only the labels (faster than ``classify``: no scores)."""
        if not texts:
            return []
        best = self.decision(texts).argmax(axis=1)
        return [self._labels[int(j)] for j in best]

    def classify(self, texts: Sequence[str]) -> list[IntentResult]:
        if not texts:
            return []
        margins = self.decision(texts) * SCORE_SCALE
        margins -= margins.max(axis=1, keepdims=True)
        probabilities = np.exp(margins)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        results = []
        for row in probabilities:
            best = int(row.argmax())
            top = np.argsort(row)[::-1][:5]
            scores = {self._labels[int(j)]: round(float(row[j]), 4) for j in top}
            results.append(IntentResult(self._labels[best], scores[self._labels[best]], scores))
        return results

    # -- saving and loading -------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the model folder (created if needed; files of an older model are replaced)."""
        folder.mkdir(parents=True, exist_ok=True)
        vocabulary = {
            "word": _ordered_vocabulary(self._word),
            "char": _ordered_vocabulary(self._char),
        }
        (folder / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False), "utf-8")
        np.savez_compressed(
            folder / WEIGHTS,
            coef=self._coef.astype(np.float16),
            intercept=self._intercept,
            word_idf=self._word.idf_.astype(np.float32),
            char_idf=self._char.idf_.astype(np.float32),
        )
        manifest = dict(self.manifest)
        manifest.update(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            kind=KIND,
            labels=self._labels,
            files={name: _sha256(folder / name) for name in (WEIGHTS, VOCABULARY)},
        )
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        self.manifest = manifest

    @classmethod
    def load(cls, folder: Path) -> CustomIntentModel:
        """Read a model folder; ``InvalidModel`` says what is wrong with one that is not."""
        manifest = _read_manifest(folder)
        labels = manifest["labels"]
        try:
            vocabulary = json.loads((folder / VOCABULARY).read_text("utf-8"))
            with np.load(folder / WEIGHTS) as arrays:
                coef = arrays["coef"].astype(np.float32)
                intercept = arrays["intercept"].astype(np.float32)
                word_idf = arrays["word_idf"]
                char_idf = arrays["char_idf"]
            word = _restore(WORD_PARAMS, vocabulary["word"], word_idf)
            char = _restore(CHAR_PARAMS, vocabulary["char"], char_idf)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InvalidModel(f"{folder}: the model files are corrupt ({exc})") from exc
        features = len(vocabulary["word"]) + len(vocabulary["char"])
        if coef.shape != (len(labels), features) or intercept.shape != (len(labels),):
            raise InvalidModel(f"{folder}: the weights do not match the manifest's labels")
        return cls(labels, word, char, coef, intercept, manifest)


def _ordered_vocabulary(vectorizer: Any) -> list[str]:
    terms = [""] * len(vectorizer.vocabulary_)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    return terms


def _restore(params: dict[str, Any], terms: list[str], idf: npt.NDArray[Any]) -> Any:
    vectorizer = _vectorizer(params)
    vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
    vectorizer.idf_ = idf
    return vectorizer


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise InvalidModel(f"{folder}: no such model folder")
    path = folder / MANIFEST
    if not path.is_file():
        raise InvalidModel(
            f"{folder}: not an intent model folder (no {MANIFEST}; make one with "
            "`rapport nlp train-intent`)"
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidModel(f"{path}: the manifest is not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidModel(f"{path}: not a Rapport intent model manifest")
    if manifest.get("format_version") != FORMAT_VERSION or manifest.get("kind") != KIND:
        raise InvalidModel(
            f"{path}: model format {manifest.get('kind')!r} version "
            f"{manifest.get('format_version')!r} is not supported by this Rapport"
        )
    labels = manifest.get("labels")
    if not isinstance(labels, list) or len(labels) < 2:
        raise InvalidModel(f"{path}: the manifest lists no labels")
    for name, digest in (manifest.get("files") or {}).items():
        file = folder / name
        if not file.is_file():
            raise InvalidModel(f"{folder}: {name} is missing")
        if _sha256(file) != digest:
            raise InvalidModel(f"{folder}: {name} is corrupt (its checksum does not match)")
    return manifest


# -- training ---------------------------------------------------------------------------


def fit_intent_model(
    texts: Sequence[str], labels: Sequence[str], progress: Progress | None = None
) -> CustomIntentModel:
    """Train on every text given (one linear SVM per label, reported through ``progress``)."""
    from scipy.sparse import hstack
    from sklearn.svm import LinearSVC

    classes = sorted(set(labels))
    word, char = _vectorizer(WORD_PARAMS), _vectorizer(CHAR_PARAMS)
    features = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    targets = np.asarray(labels)
    coef = np.zeros((len(classes), features.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(classes), dtype=np.float32)
    for j, label in enumerate(classes):
        svm = LinearSVC(C=C).fit(features, targets == label)
        coef[j] = svm.coef_[0]
        intercept[j] = svm.intercept_[0]
        if progress is not None:
            progress(j + 1, len(classes))
    return CustomIntentModel(classes, word, char, coef, intercept)


def score_predictions(truth: Sequence[str], predicted: Sequence[str]) -> Figures:
    """Accuracy and macro-F1 (over the labels present in ``truth``)."""
    from sklearn.metrics import accuracy_score, f1_score

    present = sorted(set(truth))
    return Figures(
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=present, average="macro")),
        examples=len(truth),
    )


def train_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    validation: float = 0.2,
    seed: int = 42,
    progress: Progress | None = None,
    provenance: dict[str, Any] | None = None,
) -> tuple[CustomIntentModel, Figures | None]:
    """Train a model; with ``validation`` > 0 a stratified, seeded part is held out and scored.

    The returned model is the one that was scored (trained on the rest), so its figures are
    honest; with ``validation=0`` it is trained on everything and there are no figures.
    """
    from rapport import __version__

    started = time.perf_counter()
    figures: Figures | None = None
    if validation > 0:
        from sklearn.model_selection import train_test_split

        lonely = sorted(label for label, n in Counter(labels).items() if n < 2)
        if lonely:
            raise InvalidTrainingData(
                f"labels with only one example cannot be held out for validation: {lonely}"
            )
        held_out = max(round(len(texts) * validation), len(set(labels)))
        if len(texts) - held_out < len(set(labels)):
            raise InvalidTrainingData(
                f"{len(texts)} examples are too few to hold out a validation part with every "
                "label in it; add examples or train without validation"
            )
        train_x, test_x, train_y, test_y = train_test_split(
            list(texts),
            list(labels),
            test_size=held_out,
            stratify=list(labels),
            random_state=seed,
        )
        model = fit_intent_model(train_x, train_y, progress)
        figures = score_predictions(test_y, model.predict(test_x))
    else:
        model = fit_intent_model(texts, labels, progress)
    model.manifest = {
        **(provenance or {}),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rapport_version": __version__,
        "examples": len(texts),
        "trained_on": len(texts) - (figures.examples if figures is not None else 0),
        "validation": {"share": validation, "seed": seed},
        "training_seconds": round(time.perf_counter() - started, 2),
        "figures": None
        if figures is None
        else {
            "accuracy": round(figures.accuracy, 4),
            "macro_f1": round(figures.macro_f1, 4),
            "examples": figures.examples,
        },
    }
    return model, figures
