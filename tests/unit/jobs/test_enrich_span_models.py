"""A worker refuses an enrichment span queued for other models than its own, before it
reads or stores anything, and says which models on both sides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from rapport.errors import ModelsMismatch
from rapport.intelligence.enrichment import Enrichment
from rapport.jobs.enrich_tasks import check_models, enrich_span

WORKER_MODELS = "2026-12-03.4/sentiment:fast/intent:fast"


class _Analyzer:
    """An analyzer that records whether anything asked it to read."""

    def __init__(self, models: str) -> None:
        self._models = models
        self.read: list[str] = []

    @property
    def models(self) -> str:
        return self._models

    def analyze(self, texts: Sequence[str]) -> list[Enrichment]:
        self.read.extend(texts)
        return [Enrichment("en", "neutral", 0.5, "other", 0.5, ()) for _ in texts]


class _NoDatabase:
    """Any use of the database fails the test: a refused span must not touch it."""

    def __getattr__(self, name: str) -> Any:
        pytest.fail(f"the refused span used the database ({name})")


def _job(**changes: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "workspace_id": 7,
        "after_id": 0,
        "through_id": 2000,
        "count": 2000,
        "since": None,
        "redo": False,
        "accurate": False,
        "intent_model": None,
        "models": WORKER_MODELS,
        "queued_at": "2026-12-04T10:00:00+00:00",
    }
    job.update(changes)
    return job


def test_a_span_queued_for_the_workers_own_models_is_accepted() -> None:
    check_models(_job(), WORKER_MODELS)  # no error


def test_a_span_queued_for_older_models_is_refused_before_anything_is_read() -> None:
    analyzer = _Analyzer(WORKER_MODELS)
    job = _job(models="2026-11-01.1/sentiment:fast/intent:fast")
    with pytest.raises(ModelsMismatch) as refused:
        enrich_span(_NoDatabase(), job, analyzer=analyzer)  # type: ignore[arg-type]
    said = str(refused.value)
    assert "span 0..2000 of workspace 7" in said
    assert "queued for the models 2026-11-01.1/sentiment:fast/intent:fast" in said
    assert f"this worker reads with {WORKER_MODELS}; it stored nothing" in said
    assert "rapport enrich --on-workers" in said
    assert analyzer.read == []


def test_a_span_queued_with_the_accurate_models_is_refused_by_a_fast_worker() -> None:
    accurate = WORKER_MODELS.replace("sentiment:fast", "sentiment:accurate")
    with pytest.raises(ModelsMismatch, match=r"queued for the models .*sentiment:accurate"):
        check_models(_job(models=accurate), WORKER_MODELS)


def test_a_span_that_names_no_models_is_refused() -> None:
    job = _job()
    del job["models"]  # queued by a Rapport from before jobs named their models
    with pytest.raises(ModelsMismatch, match=r"no models named \(an older Rapport\?\)"):
        check_models(job, WORKER_MODELS)
