"""Enrichment on Celery workers: the backfill cut into spans of message ids, one task each.

A task reads the messages of its span that the models have not read yet, so a span
delivered twice (a worker died before acknowledging it) reads nothing the second time, and
a span some worker has half done is finished, not repeated. (With ``redo`` a second
delivery reads its span again and stores the same readings in place of the first.) The
analyzer is loaded once per worker process, at its first task.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapport.intelligence.analyzer import DefaultAnalyzer, default_analyzer
from rapport.intelligence.enrichment import enrich_messages
from rapport.intelligence.enrichment_store import count_read_since, pending_spans
from rapport.store.db import Database

SPAN_SIZE = 2000


@lru_cache(maxsize=4)
def _analyzer(accurate: bool, intent_model: str | None) -> DefaultAnalyzer:
    return default_analyzer(
        accurate=accurate, intent_model=Path(intent_model) if intent_model else None
    )


def enrich_span(db: Database, job: dict[str, Any]) -> int:
    """Enrich one span of a workspace's messages (``job`` as ``queue_enrichment`` made it);
    returns how many messages were read."""
    analyzer = _analyzer(bool(job.get("accurate")), job.get("intent_model"))
    since = datetime.fromisoformat(job["since"]) if job.get("since") else None
    report = enrich_messages(
        db,
        int(job["workspace_id"]),
        analyzer,
        since=since,
        redo=bool(job.get("redo")),
        after_id=int(job["after_id"]),
        through_id=int(job["through_id"]),
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
) -> list[dict[str, Any]]:
    """The JSON jobs that together enrich what ``enrich_messages`` would, a span each."""
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
        }
        for after, through, count in spans
    ]


def read_since(db: Database, workspace_id: int, analyzer: DefaultAnalyzer, moment: datetime) -> int:
    """How many of the workspace's messages the analyzer's models read since ``moment``
    (the progress of queued jobs, ``--redo`` or not)."""
    with db.engine.connect() as conn:
        return count_read_since(conn, workspace_id, models=analyzer.models, moment=moment)
