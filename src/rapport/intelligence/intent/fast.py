"""The fast tier of the default intents: hashed n-grams, numpy only, for every message.

The default taxonomy's accurate model embeds each message with multilingual-e5 (about 25
texts/s on one core here), far too slow to read every message as it arrives. This tier is a
linear model over hashed character 3-4-grams and words, trained on the same multilingual
example messages (``prototypes.yaml``) by ``python -m rapport.intelligence.train_models``;
it reads tens of thousands of texts a second and is much less accurate (see
docs/language-and-sentiment.md). ``rapport enrich --accurate`` reads again with the
embedding model.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from rapport.intelligence.hashed import HashedFeatures, HashedLinearModel, NgramSpec
from rapport.intelligence.intent.model import IntentResult

MODEL_FILE = Path(__file__).resolve().parent.parent / "models" / "intent_fast.npz"
SPEC = NgramSpec(char_orders=(3, 4), words=True, word_pairs=False, bits=18)
OTHER = "other"
# Below this score the fast tier says "other" rather than guess: on the hand-written
# evaluation set that keeps 72% of the intents it names right (58% with no threshold), so
# filters and rules on an intent are not misled, at the cost of naming fewer.
MIN_SCORE = 0.15


@lru_cache(maxsize=1)
def _model() -> HashedLinearModel:
    return HashedLinearModel.load(MODEL_FILE)


def normalise(text: str) -> str:
    """The text as the model was trained on it (the fast sentiment tier's cleaning)."""
    from rapport.intelligence.sentiment import clean_for_sentiment

    return clean_for_sentiment(text)


class FastIntentModel:
    """The default intents, read from hashed n-grams (loaded on the first ``classify``)."""

    @property
    def labels(self) -> list[str]:
        return list(_model().labels)

    def classify(self, texts: Sequence[str]) -> list[IntentResult]:
        if not texts:
            return []
        model = _model()
        probabilities = model.scores([normalise(text) for text in texts])
        results = []
        for text, row in zip(texts, probabilities, strict=True):
            scores = {label: round(float(p), 4) for label, p in zip(model.labels, row, strict=True)}
            if not text.strip():
                results.append(IntentResult(OTHER, 1.0, scores))
                continue
            best = int(row.argmax())
            label = model.labels[best] if row[best] >= MIN_SCORE else OTHER
            results.append(IntentResult(label, float(row[best]), scores))
        return results

    @property
    def spec(self) -> NgramSpec:
        """The n-grams the model reads (of the ``normalise``d text)."""
        return _model().spec

    def readings(
        self,
        texts: Sequence[str],
        normalised: Sequence[str],
        ngrams: HashedFeatures | None = None,
    ) -> list[tuple[str, float]]:
        """Each text's intent and its score, as ``classify`` names them, from the texts
        already put through ``normalise`` (shared with the fast sentiment tier), and their
        ``hash_ngrams`` with ``spec`` where already made."""
        model = _model()
        probabilities = model.scores(normalised) if ngrams is None else model.scores_of(ngrams)
        best = probabilities.argmax(axis=1)
        tops = probabilities[np.arange(len(best)), best]
        sure = (tops >= MIN_SCORE).tolist()
        labels = model.labels
        return [
            (labels[index] if confident else OTHER, top) if text.strip() else (OTHER, 1.0)
            for text, index, top, confident in zip(
                texts, best.tolist(), tops.tolist(), sure, strict=True
            )
        ]
