"""The top topics of a period: sample, fit, then assign every message chunk by chunk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import Connection

from rapport.errors import InvalidInput
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.topics.days import day_starts, topic_days
from rapport.intelligence.topics.model import FIT_CAP, SEED, fit_topic_model
from rapport.intelligence.topics.store import posts_after, posts_of, scope_ids
from rapport.intelligence.topics.summary import Topic, TopicTally
from rapport.intelligence.trends.buckets import time_zone

CHUNK = 5_000
MAX_COUNT = 40
MAX_EXAMPLES = 10

# Called with (messages done, messages in all) while they are assigned.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TopicReport:
    """The topics of ``scope``: ``messages`` were read, ``unassigned`` of them are in no
    topic (too far from every one, or in a catch-all or a tiny cluster)."""

    scope: MessageScope
    messages: int
    unassigned: int
    topics: list[Topic]
    tz: str = "UTC"  # the zone each topic's days are cut in


def top_topics(
    conn: Connection,
    workspace_id: int,
    scope: MessageScope,
    *,
    count: int | None = None,
    examples: int = 5,
    progress: Progress | None = None,
    tz: str | None = None,
) -> TopicReport:
    """The largest topics of the customer messages in ``scope``, largest first.

    ``count`` is how many topics to look for (by default as many as the messages hold,
    up to :data:`MAX_COUNT`). The model is fitted on a seeded sample of at most
    :data:`~rapport.intelligence.topics.model.FIT_CAP` messages, then every message is
    assigned in chunks, so memory stays bounded however long the period.

    Each topic carries its messages per local day of ``tz`` (an IANA name, default UTC)
    over the period (from its first to its last message where the period is open).
    """
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise InvalidInput(f"count: give a number of topics from 1 to {MAX_COUNT}, not {count}")
    if not 1 <= examples <= MAX_EXAMPLES:
        raise InvalidInput(f"examples: give 1 to {MAX_EXAMPLES} posts per topic, not {examples}")
    zone = time_zone(tz)
    ids = scope_ids(conn, workspace_id, scope)
    sample = ids
    if len(ids) > FIT_CAP:
        picked = np.random.default_rng(SEED).choice(len(ids), size=FIT_CAP, replace=False)
        sample = [ids[i] for i in np.sort(picked)]
    fitting = posts_of(conn, workspace_id, scope, sample)
    model = fit_topic_model([post.text for post in fitting], count)
    del fitting
    tally = TopicTally(model)
    after = 0
    while True:
        chunk = posts_after(conn, workspace_id, scope, after, CHUNK)
        if not chunk:
            break
        tally.add(chunk)
        after = chunk[-1].message_id
        if progress:
            progress(tally.total, len(ids))
    topics = tally.topics(examples=examples)
    shown = topics[:count] if count else topics
    starts = day_starts(shown, scope.since, scope.until, zone)
    return TopicReport(
        scope=scope,
        messages=tally.total,
        unassigned=tally.total - sum(topic.size for topic in topics),
        topics=[replace(t, days=tuple(topic_days(t.slots, starts, zone))) for t in shown],
        tz=zone.key,
    )
