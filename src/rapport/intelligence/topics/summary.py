"""What each topic is: tallied chunk by chunk as messages are assigned, then labelled.

A label is the topic's most distinctive terms by class-based TF-IDF (how often a term
occurs in the topic, against how often it occurs in all topics), so a Persian topic gets
Persian words. The catch-all cluster k-means leaves behind (loose, far from its centre) and
topics too small to say anything are not reported as topics.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from rapport.intelligence.keywords import content_words
from rapport.intelligence.topics.model import Assignment, FloatArray, TopicModel
from rapport.intelligence.trends.buckets import slot_start

CANDIDATES = 40  # closest texts kept per topic, to pick distinct examples from
LABEL_TERMS = 3
TOP_TERMS = 8
# A topic whose members are on average less than this share of the typical topic's
# closeness to their centre is a catch-all, not a topic.
LOOSE = 0.5
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class TopicPost:
    """A message as the topics see it: its text and what the enrichment read in it."""

    message_id: int
    conversation_id: int
    text: str
    language: str | None
    sentiment: str | None
    sent_at: datetime | None = None


# (UTC quarter hour, sentiment or None): messages; folded into local days later
SlotTally = Counter[tuple[datetime, str | None]]


@dataclass(frozen=True, slots=True)
class TopicDay:
    """A topic's customer messages of one local day (``negative``: read as negative)."""

    day: date
    start: datetime  # UTC
    messages: int
    negative: int


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of a period."""

    label: str
    terms: tuple[str, ...]
    size: int
    share: float
    sentiment: dict[str, int]
    languages: list[tuple[str, int]]
    examples: list[TopicPost]
    members: tuple[int, ...] = ()  # the ids of its messages, for listing them
    # its messages per UTC quarter hour and sentiment (see ``topics.days``)
    slots: SlotTally = field(default_factory=Counter)
    days: tuple[TopicDay, ...] = ()  # per local day of the period, set by ``top_topics``


@dataclass(slots=True)
class _Tally:
    size: int = 0
    similarity: float = 0.0
    sentiment: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    members: list[int] = field(default_factory=list)
    slots: SlotTally = field(default_factory=Counter)
    # (similarity, -message_id, post): the closest texts, a min-heap
    closest: list[tuple[float, int, TopicPost]] = field(default_factory=list)


class TopicTally:
    """Adds up sizes, readings, term counts and the closest texts of every topic."""

    def __init__(self, model: TopicModel) -> None:
        self.model = model
        self.total = 0
        self.unassigned = 0
        self._tallies = [_Tally() for _ in range(model.size)]
        self._terms: FloatArray = np.zeros((model.size, len(model.terms)))

    def add(self, posts: Sequence[TopicPost]) -> None:
        """Assign ``posts`` to topics and count them."""
        if not posts:
            return
        found = self.model.assign([post.text for post in posts])
        self.total += len(posts)
        self._add_terms(found)
        for post, topic, score in zip(posts, found.topics, found.similarity, strict=True):
            if topic < 0:
                self.unassigned += 1
                continue
            tally = self._tallies[topic]
            tally.size += 1
            tally.members.append(post.message_id)
            tally.similarity += float(score)
            tally.sentiment[post.sentiment or "unread"] += 1
            tally.languages[post.language or "und"] += 1
            if post.sent_at is not None:
                tally.slots[slot_start(post.sent_at), post.sentiment] += 1
            entry = (float(score), -post.message_id, post)
            if len(tally.closest) < CANDIDATES:
                heapq.heappush(tally.closest, entry)
            elif entry[:2] > tally.closest[0][:2]:
                heapq.heapreplace(tally.closest, entry)

    def _add_terms(self, found: Assignment) -> None:
        assigned = np.flatnonzero(found.topics >= 0)
        if not len(assigned) or not self._terms.shape[1]:
            return
        rows = found.topics[assigned]
        from scipy import sparse

        # one row per topic: the sum of its texts' term counts
        membership = sparse.csr_matrix(
            (np.ones(len(assigned)), (rows, np.arange(len(assigned)))),
            shape=(self.model.size, len(assigned)),
        )
        self._terms += (membership @ found.counts[assigned]).toarray()

    def topics(self, count: int | None = None, examples: int = 5) -> list[Topic]:
        """The topics, largest first (at most ``count``), each with ``examples`` posts."""
        sizes = np.array([t.size for t in self._tallies], dtype=np.float64)
        closeness = np.divide(
            [t.similarity for t in self._tallies], sizes, out=np.zeros(len(sizes)),
            where=sizes > 0,
        )  # fmt: skip
        minimum = max(2, round(0.002 * self.total))
        real = [i for i, t in enumerate(self._tallies) if t.size >= minimum]
        if len(real) > 2:
            typical = float(np.median(closeness[real]))
            real = [i for i in real if closeness[i] >= LOOSE * typical]
        ranked = self._ranked_terms()
        found: dict[str, Topic] = {}
        for i in sorted(real, key=lambda i: (-self._tallies[i].size, i)):
            tally = self._tallies[i]
            terms = tuple(ranked[i][:TOP_TERMS])
            label = make_label(terms)
            if label in found:  # two clusters said the same thing: one topic
                found[label] = _merged(found[label], tally, self.total)
                continue
            found[label] = Topic(
                label=label,
                terms=terms,
                size=tally.size,
                share=round(tally.size / self.total, 4) if self.total else 0.0,
                sentiment={s: tally.sentiment.get(s, 0) for s in SENTIMENTS}
                | {s: n for s, n in tally.sentiment.items() if s not in SENTIMENTS},
                languages=tally.languages.most_common(3),
                examples=distinct_examples(tally.closest, examples),
                members=tuple(tally.members),
                slots=tally.slots,
            )
        return sorted(found.values(), key=lambda t: -t.size)[: count or None]

    def _ranked_terms(self) -> list[list[str]]:
        """Each topic's terms, most distinctive first (class-based TF-IDF)."""
        counts = self._terms
        if not counts.size:
            return [[] for _ in range(self.model.size)]
        per_topic = counts.sum(axis=1, keepdims=True)
        frequency = np.divide(counts, per_topic, out=np.zeros_like(counts), where=per_topic > 0)
        overall = counts.sum(axis=0)
        average = float(per_topic.mean())
        idf = np.log1p(np.divide(average, overall, out=np.zeros_like(overall), where=overall > 0))
        scores = frequency * idf
        terms = self.model.terms
        ranked: list[list[str]] = []
        for row in scores:
            best = np.argsort(-row, kind="stable")[: TOP_TERMS * 3]
            ranked.append([terms[j] for j in best if row[j] > 0])
        return ranked


def make_label(terms: Sequence[str]) -> str:
    """A readable label from a topic's most distinctive terms: up to three, a word pair
    standing in for the single words it holds, and no word said twice."""
    chosen: list[str] = []
    for term in terms:
        words = term.split()
        if len(words) == 1:
            if any(words[0] in other.split() for other in chosen):
                continue
        else:
            if any(len(other.split()) > 1 and set(words) & set(other.split()) for other in chosen):
                continue
            chosen = [other for other in chosen if other not in words]
        chosen.append(term)
        if len(chosen) == LABEL_TERMS:
            break
    return ", ".join(chosen) or "(no words)"


def distinct_examples(closest: list[tuple[float, int, TopicPost]], limit: int) -> list[TopicPost]:
    """The ``limit`` texts closest to the centre that do not repeat each other (same
    words, or nearly: four in five shared)."""
    picked: list[TopicPost] = []
    seen: list[set[str]] = []
    for _, _, post in sorted(closest, key=lambda entry: (-entry[0], -entry[1])):
        words = set(content_words(post.text))
        if any(_overlap(words, other) >= 0.8 for other in seen):
            continue
        picked.append(post)
        seen.append(words)
        if len(picked) == limit:
            break
    return picked


def _overlap(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _merged(topic: Topic, tally: _Tally, total: int) -> Topic:
    size = topic.size + tally.size
    sentiment = Counter(topic.sentiment) + tally.sentiment
    languages = Counter(dict(topic.languages)) + tally.languages
    return Topic(
        label=topic.label,
        terms=topic.terms,
        size=size,
        share=round(size / total, 4) if total else 0.0,
        sentiment={s: sentiment.get(s, 0) for s in SENTIMENTS}
        | {s: n for s, n in sentiment.items() if s not in SENTIMENTS},
        languages=languages.most_common(3),
        examples=topic.examples,
        members=topic.members + tuple(tally.members),
        slots=topic.slots + tally.slots,
    )
