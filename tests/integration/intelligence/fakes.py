"""A stand-in analyzer for the enrichment service's own tests (the models have theirs)."""

from __future__ import annotations

from collections.abc import Sequence

from rapport.intelligence.enrichment import Enrichment


class ShoutingAnalyzer:
    """Reads a text as negative when it has '!' in it; remembers what it was asked."""

    def __init__(self, models: str = "test-1", fail_after: int | None = None) -> None:
        self._models = models
        self.seen: list[str] = []
        self.fail_after = fail_after

    @property
    def models(self) -> str:
        return self._models

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise RuntimeError("model crashed")
        self.seen.extend(texts)
        return [
            Enrichment(
                language="en",
                sentiment="negative" if "!" in text else "neutral",
                sentiment_score=0.9,
                intent="complaint" if "!" in text else "other",
                intent_score=0.5,
                keywords=tuple(text.split()[:2]),
            )
            for text in texts
        ]
