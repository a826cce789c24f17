"""What every intent model answers, and the protocol both kinds of model follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class IntentResult:
    """One text's intent: the label, its score (0..1) and every label's score."""

    label: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


class IntentModel(Protocol):
    """Classifies texts into a fixed set of labels."""

    @property
    def labels(self) -> list[str]:
        """Every label the model can answer, in a stable order."""
        ...

    def classify(self, texts: Sequence[str]) -> list[IntentResult]:
        """One result per text, in the same order."""
        ...
