"""The default customer-care intents, told apart without labelled data.

Each intent is the centroid of its example messages (``prototypes.yaml``, ten languages) in
multilingual-e5-small's embedding space; a message gets the closest intent, or ``other`` when
even the closest is further than ``MIN_SIMILARITY``. Scores are a softmax over the
similarities, so they sum to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

import numpy as np
import numpy.typing as npt
import yaml

from rapport.intelligence.intent.model import IntentResult

DEFAULT_LABELS: tuple[str, ...] = (
    "complaint",
    "question",
    "praise",
    "purchase_intent",
    "return_or_refund",
    "cancellation",
    "technical_problem",
    "delivery",
    "billing",
    "spam",
    "other",
)
FALLBACK = "other"
MIN_SIMILARITY = 0.78
TEMPERATURE = 0.01


def load_prototypes() -> dict[str, list[str]]:
    """The shipped example messages of each default intent."""
    text = resources.files(__package__).joinpath("prototypes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {label: [str(example) for example in data[label]] for label in DEFAULT_LABELS}


class DefaultIntentModel:
    """The default taxonomy; embeds its prototypes on the first call to ``classify``."""

    def __init__(self) -> None:
        self._centroids: npt.NDArray[np.float32] | None = None

    @property
    def labels(self) -> list[str]:
        return list(DEFAULT_LABELS)

    def _intent_centroids(self) -> npt.NDArray[np.float32]:
        if self._centroids is None:
            from rapport.intelligence.intent.embedder import embed_queries

            prototypes = load_prototypes()
            rows = []
            for label in DEFAULT_LABELS:
                centroid = embed_queries(prototypes[label]).mean(axis=0)
                rows.append(centroid / np.linalg.norm(centroid))
            self._centroids = np.vstack(rows).astype(np.float32)
        return self._centroids

    def classify(self, texts: Sequence[str]) -> list[IntentResult]:
        if not texts:
            return []
        from rapport.intelligence.intent.embedder import embed_queries

        centroids = self._intent_centroids()
        blank = [not text.strip() for text in texts]
        vectors = embed_queries([text if text.strip() else "." for text in texts])
        similarity = vectors @ centroids.T
        logits = (similarity - similarity.max(axis=1, keepdims=True)) / TEMPERATURE
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        results = []
        for row, empty in enumerate(blank):
            best = int(similarity[row].argmax())
            scores = {
                label: round(float(probabilities[row, j]), 4)
                for j, label in enumerate(DEFAULT_LABELS)
            }
            if empty or similarity[row, best] < MIN_SIMILARITY:
                label = FALLBACK
            else:
                label = DEFAULT_LABELS[best]
            results.append(IntentResult(label, scores[label], scores))
        return results
