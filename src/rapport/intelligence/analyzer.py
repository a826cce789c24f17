"""Rapport's default analyzer: the bundled models, put together for the enrichment service.

Every message as it arrives gets the fast tiers: language (lid.176 with Rapport's own model
for the short and the ambiguous), fast sentiment, the fast default intents and keywords, at
thousands of messages a second. ``accurate`` reads sentiment and the default intents with
multilingual-e5 embeddings instead (tens of messages a second: for backfills, ``rapport
enrich --accurate``). A custom intent model folder (``rapport nlp train-intent``) replaces
the default intents, at either tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rapport.config import get_settings
from rapport.intelligence.enrichment import Enrichment
from rapport.intelligence.hashed import hash_ngrams_many
from rapport.intelligence.intent import IntentModel, default_intent_model, load_intent_model
from rapport.intelligence.intent.fast import FastIntentModel
from rapport.intelligence.keywords import extract_keywords
from rapport.intelligence.language import detect_languages
from rapport.intelligence.lexicon import WORD_KEYS
from rapport.intelligence.sentiment import (
    analyse_sentiment,
    clean_for_sentiment,
    fast_readings,
    fast_spec,
)

# Bumped whenever a bundled model changes, so a backfill knows what to read again.
MODELS_VERSION = "2026-12-04.1"


class DefaultAnalyzer:
    """Language, sentiment, intent and keywords of texts, with the bundled models."""

    def __init__(self, *, accurate: bool = False, intent_model: Path | None = None) -> None:
        self._sentiment_mode = "accurate" if accurate else "fast"
        self._intent: IntentModel
        if intent_model is not None:
            self._intent = load_intent_model(intent_model)
            intent_tag = f"custom:{intent_model.resolve().name}"
        elif accurate:
            self._intent = default_intent_model()
            intent_tag = "e5"
        else:
            self._intent = FastIntentModel()
            intent_tag = "fast"
        self._models = f"{MODELS_VERSION}/sentiment:{self._sentiment_mode}/intent:{intent_tag}"

    @property
    def models(self) -> str:
        return self._models

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        if not texts:
            return []
        languages = [guess.code for guess in detect_languages(texts)]
        fast_sentiment = self._sentiment_mode == "fast" and not get_settings().sentiment_model_dir
        fast_intent = self._intent if isinstance(self._intent, FastIntentModel) else None
        sentiments: list[tuple[str, float]] | None = None
        intents: list[tuple[str, float]] | None = None
        if fast_sentiment or fast_intent is not None:
            # the fast sentiment and intent tiers read the same cleaned text: clean it once
            cleaned = [clean_for_sentiment(text) for text in texts]
            if fast_sentiment and fast_intent is not None:
                # and hash the n-grams both read once
                ngrams, words, intent_ngrams = hash_ngrams_many(
                    cleaned, (fast_spec(), WORD_KEYS, fast_intent.spec)
                )
                sentiments = fast_readings(texts, cleaned, languages, ngrams, words)
                intents = fast_intent.readings(texts, cleaned, intent_ngrams)
            elif fast_sentiment:
                sentiments = fast_readings(texts, cleaned, languages)
            elif fast_intent is not None:
                intents = fast_intent.readings(texts, cleaned)
        if sentiments is None:
            found = analyse_sentiment(texts, mode=self._sentiment_mode, languages=languages)
            sentiments = [(reading.label, reading.score) for reading in found]
        if intents is None:
            intents = [(reading.label, reading.score) for reading in self._intent.classify(texts)]
        return [
            Enrichment(language, sentiment, sentiment_score, intent, intent_score, keywords)
            for language, (sentiment, sentiment_score), (intent, intent_score), keywords in zip(
                languages, sentiments, intents, map(extract_keywords, texts), strict=True
            )
        ]


def default_analyzer(
    *, accurate: bool = False, intent_model: Path | None = None
) -> DefaultAnalyzer:
    """The analyzer commands and the server use; the intent model setting applies when no
    folder is given (``RAPPORT_INTENT_MODEL_DIR``)."""
    if intent_model is None:
        configured = get_settings().intent_model_dir
        intent_model = Path(configured) if configured else None
    return DefaultAnalyzer(accurate=accurate, intent_model=intent_model)


def analyzer_from_settings() -> DefaultAnalyzer | None:
    """The analyzer for new messages, or None when settings turn enrichment off
    (``RAPPORT_ENRICH=false``)."""
    return default_analyzer() if get_settings().enrich else None
