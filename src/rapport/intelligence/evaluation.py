"""Accuracy, macro-F1 and per-class / per-language figures of a classifier on labelled texts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClassFigures:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """How a classifier did on labelled texts, overall, per class and per language."""

    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassFigures]
    per_language: dict[str, Evaluation] = field(default_factory=dict)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Mean F1 over the classes present in ``gold``."""
    return evaluate(gold, predicted).macro_f1


def evaluate(
    gold: Sequence[str], predicted: Sequence[str], languages: Sequence[str | None] | None = None
) -> Evaluation:
    """Figures of ``predicted`` against ``gold``; per language too where languages are given."""
    pairs = list(zip(gold, predicted, strict=True))
    n = len(pairs)
    hits = Counter(g for g, p in pairs if g == p)
    gold_count = Counter(gold)
    pred_count = Counter(predicted)
    per_class: dict[str, ClassFigures] = {}
    for label in sorted(gold_count):
        tp = hits[label]
        precision = tp / pred_count[label] if pred_count[label] else 0.0
        recall = tp / gold_count[label]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = ClassFigures(precision, recall, f1, gold_count[label])
    accuracy = sum(hits.values()) / n if n else 0.0
    macro = sum(c.f1 for c in per_class.values()) / len(per_class) if per_class else 0.0
    per_language: dict[str, Evaluation] = {}
    if languages is not None and any(languages):
        for language in sorted({lang or "und" for lang in languages}):
            idx = [i for i, lang in enumerate(languages) if (lang or "und") == language]
            per_language[language] = evaluate([gold[i] for i in idx], [predicted[i] for i in idx])
    return Evaluation(n, accuracy, macro, per_class, per_language)
