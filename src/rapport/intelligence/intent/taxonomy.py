"""The default customer-care intents, told apart without labelled data.

Each intent is the centroid of its example messages (``prototypes.yaml``, ten languages) in
multilingual-e5-small's embedding space; a message gets the closest intent, or ``other`` when
even the closest is further than ``MIN_SIMILARITY``. Scores are a softmax over the
similarities, so they sum to one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

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
# The prototypes' centroids, embedded once and shipped, so the first message is classified
# without embedding 130 prototypes; recomputed whenever prototypes.yaml no longer matches.
CENTROIDS = "centroids.npz"


def load_prototypes() -> dict[str, list[str]]:
    """The shipped example messages of each default intent."""
    text = resources.files(__package__).joinpath("prototypes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {label: [str(example) for example in data[label]] for label in DEFAULT_LABELS}


def _prototypes_digest() -> str:
    data = resources.files(__package__).joinpath("prototypes.yaml").read_bytes()
    return hashlib.sha256(data).hexdigest()


def embed_centroids() -> npt.NDArray[np.float32]:
    """Each intent's centroid (one row per label of ``DEFAULT_LABELS``), embedded now."""
    from rapport.intelligence.intent.embedder import embed_queries

    prototypes = load_prototypes()
    rows = []
    for label in DEFAULT_LABELS:
        centroid = embed_queries(prototypes[label]).mean(axis=0)
        rows.append(centroid / np.linalg.norm(centroid))
    return np.vstack(rows).astype(np.float32)


def cached_centroids() -> npt.NDArray[np.float32] | None:
    """The shipped centroids, or None when ``prototypes.yaml`` changed since they were made."""
    cache = resources.files(__package__).joinpath(CENTROIDS)
    if not cache.is_file():
        return None
    with cache.open("rb") as handle, np.load(handle) as arrays:
        if str(arrays["digest"]) != _prototypes_digest():
            return None
        return np.asarray(arrays["centroids"], dtype=np.float32)


def write_centroid_cache(folder: Path) -> None:
    """Embed the prototypes and save their centroids beside them (run after editing them)."""
    np.savez_compressed(
        folder / CENTROIDS, centroids=embed_centroids(), digest=np.array(_prototypes_digest())
    )


class DefaultIntentModel:
    """The default taxonomy; its centroids are read (or embedded) on the first ``classify``."""

    def __init__(self) -> None:
        self._centroids: npt.NDArray[np.float32] | None = None

    @property
    def labels(self) -> list[str]:
        return list(DEFAULT_LABELS)

    def _intent_centroids(self) -> npt.NDArray[np.float32]:
        if self._centroids is None:
            self._centroids = cached_centroids()
            if self._centroids is None:
                self._centroids = embed_centroids()
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
