"""How well an intent model does on labelled messages: overall, per label, per language."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapport.intelligence.intent.custom import score_predictions
from rapport.intelligence.intent.model import IntentModel

BATCH = 256


@dataclass(frozen=True, slots=True)
class ClassFigures:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class EvaluationReport:
    """Accuracy and macro-F1 overall, a row per label, and accuracy per language if known."""

    accuracy: float
    macro_f1: float
    examples: int
    per_class: list[ClassFigures] = field(default_factory=list)
    per_language: dict[str, tuple[int, float]] = field(default_factory=dict)
    texts_per_second: float = 0.0


def evaluate_intent_model(
    model: IntentModel,
    texts: Sequence[str],
    truth: Sequence[str],
    languages: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> EvaluationReport:
    """Classify every text and compare with ``truth``; ``progress`` gets the texts done."""
    import time

    from sklearn.metrics import precision_recall_fscore_support

    started = time.perf_counter()
    predicted: list[str] = []
    for start in range(0, len(texts), BATCH):
        predicted.extend(result.label for result in model.classify(texts[start : start + BATCH]))
        if progress is not None:
            progress(len(predicted))
    elapsed = time.perf_counter() - started
    figures = score_predictions(truth, predicted)
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    report = EvaluationReport(
        accuracy=figures.accuracy,
        macro_f1=figures.macro_f1,
        examples=len(texts),
        texts_per_second=len(texts) / elapsed if elapsed > 0 else 0.0,
    )
    report.per_class = [
        ClassFigures(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]
    if languages is not None:
        right: Counter[str] = Counter()
        total: defaultdict[str, int] = defaultdict(int)
        for language, gold, guess in zip(languages, truth, predicted, strict=True):
            total[language] += 1
            right[language] += gold == guess
        report.per_language = {
            language: (count, right[language] / count) for language, count in sorted(total.items())
        }
    return report
