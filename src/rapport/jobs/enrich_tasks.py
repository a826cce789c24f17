"""Enrichment on Celery workers: the backfill cut into spans of message ids, one task each.

A task reads the messages of its span that the models have not read yet, so a span
delivered twice (a worker died before acknowledging it) reads nothing the second time, and
a span some worker has half done is finished, not repeated. A ``redo`` job carries the
moment it was queued, and its task spares the messages the same models read since then:
a redo span delivered twice reads each message once too.

Every job names the models it was queued for (``analyzer.models``, with its
``MODELS_VERSION``); a worker whose models differ refuses it, storing nothing, rather than
keep readings under a version the command did not ask for. The analyzer is loaded once per
worker process, at its first task.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapport.errors import ModelsMismatch
from rapport.intelligence.analyzer import DefaultAnalyzer, default_analyzer
from rapport.intelligence.enrichment import Analyzer, enrich_messages
from rapport.intelligence.enrichment_store import count_read_since, pending_spans
from rapport.store.db import Database

SPAN_SIZE = 2000
# A worker commits this many readings at a time: small enough that the command following
# the workers sees progress every few seconds, even with the slow accurate models.
WORKER_BATCH = 250


@lru_cache(maxsize=4)
def _analyzer(accurate: bool, intent_model: str | None) -> DefaultAnalyzer:
    return default_analyzer(
        accurate=accurate, intent_model=Path(intent_model) if intent_model else None
    )


def check_models(job: dict[str, Any], models: str) -> None:
    """Refuse a job queued for other models than ``models`` (this worker's): its readings
    would be stored under a version the command that queued it did not ask for."""
    wanted = job.get("models")
    if wanted == models:
        return
    queued_for = f"the models {wanted}" if wanted else "no models named (an older Rapport?)"
    raise ModelsMismatch(
        f"span {job.get('after_id')}..{job.get('through_id')} of workspace "
        f"{job.get('workspace_id')} was queued for {queued_for}, but this worker reads with "
        f"{models}; it stored nothing. Give the workers the same Rapport, models and "
        "--intent-model as the command that queued it, then run `rapport enrich "
        "--on-workers` again."
    )


def enrich_span(db: Database, job: dict[str, Any], *, analyzer: Analyzer | None = None) -> int:
    """Enrich one span of a workspace's messages (``job`` as ``enrichment_jobs`` made it)
    with ``analyzer`` (by default the one the job asks for); returns how many messages were
    read. Raises ``ModelsMismatch``, having stored nothing, when the analyzer's models are
    not those the job was queued for."""
    if analyzer is None:
        analyzer = _analyzer(bool(job.get("accurate")), job.get("intent_model"))
    check_models(job, analyzer.models)
    since = datetime.fromisoformat(job["since"]) if job.get("since") else None
    queued_at = datetime.fromisoformat(job["queued_at"]) if job.get("queued_at") else None
    report = enrich_messages(
        db,
        int(job["workspace_id"]),
        analyzer,
        since=since,
        redo=bool(job.get("redo")),
        fresh_since=queued_at,
        after_id=int(job["after_id"]),
        through_id=int(job["through_id"]),
        batch_size=WORKER_BATCH,
    )
    return report.enriched


def enrichment_jobs(
    db: Database,
    workspace_id: int,
    analyzer: DefaultAnalyzer,
    *,
    since: datetime | None = None,
    redo: bool = False,
    accurate: bool = False,
    intent_model: Path | None = None,
    size: int = SPAN_SIZE,
    queued_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The JSON jobs that together enrich what ``enrich_messages`` would, a span each.

    Each names ``analyzer.models`` and ``queued_at`` (by default now, before the spans are
    cut): readings by those models since then are what the jobs did, so a ``redo`` job
    delivered again spares them."""
    queued_at = queued_at or datetime.now(UTC)
    with db.engine.connect() as conn:
        spans = pending_spans(
            conn, workspace_id, models=analyzer.models, since=since, redo=redo, size=size
        )
    return [
        {
            "workspace_id": workspace_id,
            "after_id": after,
            "through_id": through,
            "count": count,
            "since": since.isoformat() if since else None,
            "redo": redo,
            "accurate": accurate,
            "intent_model": str(intent_model) if intent_model else None,
            "models": analyzer.models,
            "queued_at": queued_at.isoformat(),
        }
        for after, through, count in spans
    ]


def read_since(db: Database, workspace_id: int, analyzer: DefaultAnalyzer, moment: datetime) -> int:
    """How many of the workspace's messages the analyzer's models read since ``moment``
    (the progress of queued jobs, ``--redo`` or not)."""
    with db.engine.connect() as conn:
        return count_read_since(conn, workspace_id, models=analyzer.models, moment=moment)
