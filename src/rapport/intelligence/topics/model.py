"""Clustering messages into topics: TF-IDF over words and word pairs, spherical k-means.

Words are those of :func:`rapport.intelligence.keywords.content_words` (any script,
case-folded, handles and links stripped, hashtags kept, function words of the common
languages dropped), plus each pair of neighbouring words. The model is fitted on a sample
of at most :data:`FIT_CAP` texts and then assigns any number of texts, chunk by chunk, so
memory stays bounded. Everything random is seeded: the same texts give the same topics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from rapport.intelligence.keywords import content_words

if TYPE_CHECKING:  # scikit-learn takes seconds to import: only when topics are fitted
    from scipy import sparse
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

FIT_CAP = 20_000
MAX_TERMS = 30_000
MAX_TOPICS = 40
# Clusters whose centres are this similar (cosine) say the same thing: they are merged.
MERGE_SIMILARITY = 0.35
# A text this far from every centre (cosine below) belongs to no topic.
MIN_SIMILARITY = 0.08
SEED = 0
# Below this many texts to fit on, full k-means (several starts) is cheap and steadier.
FULL_KMEANS_BELOW = 3_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# Words that say nothing about a subject on their own, beyond the function words the
# keywords drop: scikit-learn's English list, contractions, customer-care chatter, and a
# few German auxiliaries.
_CHATTER = """
    i'm i've i'd i'll you're you've we're we've they're it's that's what's there's let's
    isn't aren't wasn't weren't haven't hasn't hadn't doesn't don't didn't won't wouldn't
    can't couldn't shouldn't ain't amp just like know want need make did does done got
    getting going really already today yesterday tomorrow day days week ago time guys hey
    hi ok okay yeah lol pls plz thx dm sure good great way thing things tried try trying
    habe hast haben hat hatte sind war kein keine keinen gibt jetzt heute immer
"""


@lru_cache(maxsize=1)
def _topic_stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(_CHATTER.split())


def topic_terms(text: str) -> list[str]:
    """The terms a text is clustered on: its content words and each neighbouring pair."""
    stopwords = _topic_stopwords()
    words = [word for word in content_words(text) if word not in stopwords]
    return words + [f"{a} {b}" for a, b in pairwise(words) if a != b]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where each text of a chunk went: its topic (-1 for none), its similarity to that
    topic's centre, and its term counts (for the labels)."""

    topics: IntArray
    similarity: FloatArray
    counts: sparse.csr_matrix


class TopicModel:
    """A fitted vocabulary, IDF weights and topic centres (unit vectors)."""

    def __init__(
        self, counter: CountVectorizer, weigher: TfidfTransformer, centres: FloatArray
    ) -> None:
        self._counter = counter
        self._weigher = weigher
        self.centres = centres
        self.terms: list[str] = list(counter.get_feature_names_out())

    @property
    def size(self) -> int:
        return int(self.centres.shape[0])

    def vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The unit TF-IDF vectors of ``texts`` in this model's vocabulary."""
        return self._weigher.transform(self._counter.transform(texts)).tocsr()

    def assign(self, texts: Sequence[str]) -> Assignment:
        """The topic of each text (the most similar centre, or -1)."""
        counts = self._counter.transform(texts).tocsr()
        if self.size == 0:
            nothing = np.full(len(texts), -1, dtype=np.int64)
            return Assignment(nothing, np.zeros(len(texts)), counts)
        vectors = self._weigher.transform(counts)
        similarity = np.asarray(vectors @ self.centres.T)
        best = similarity.argmax(axis=1).astype(np.int64)
        score = similarity[np.arange(len(texts)), best]
        best[score < MIN_SIMILARITY] = -1
        return Assignment(best, score, counts)


def fit_topic_model(texts: Sequence[str], count: int | None = None) -> TopicModel:
    """Fit topics on ``texts`` (a sample of at most :data:`FIT_CAP` is best): ``count``
    topics, or as many as the texts hold when ``None``; near-duplicate ones are merged."""
    from threadpoolctl import threadpool_limits

    if len(texts) > FIT_CAP:
        texts = _sample(texts, FIT_CAP)
    # One thread: on these sizes BLAS threads cost far more in start-up than they save,
    # and a busy server has no idle core to give them.
    with threadpool_limits(limits=1):
        return _fit(texts, count)


def _fit(texts: Sequence[str], count: int | None) -> TopicModel:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    counter = CountVectorizer(
        analyzer=topic_terms,
        min_df=2 if len(texts) >= 20 else 1,
        max_df=0.6 if len(texts) >= 20 else 1.0,
        max_features=MAX_TERMS,
        dtype=np.float64,
    )
    try:
        counts = counter.fit_transform(texts).tocsr()
    except ValueError:  # no text has a single term
        return _empty_model()
    weigher = TfidfTransformer(sublinear_tf=True).fit(counts)
    vectors = weigher.transform(counts).tocsr()
    vectors = vectors[np.diff(vectors.indptr) > 0]  # texts with no known term
    if vectors.shape[0] < 2:
        return TopicModel(counter, weigher, np.zeros((0, vectors.shape[1])))
    k = count if count is not None else default_count(vectors.shape[0])
    k = max(1, min(k, vectors.shape[0]))
    labels, centres = _cluster(vectors, k)
    return TopicModel(counter, weigher, _merge_similar(centres, np.bincount(labels, minlength=k)))


def _empty_model() -> TopicModel:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    counter = CountVectorizer(analyzer=topic_terms).fit(["placeholder"])
    weigher = TfidfTransformer().fit(counter.transform(["placeholder"]))
    return TopicModel(counter, weigher, np.zeros((0, 1)))


def _sample(texts: Sequence[str], cap: int) -> list[str]:
    picked = np.random.default_rng(SEED).choice(len(texts), size=cap, replace=False)
    return [texts[i] for i in sorted(picked)]


def _cluster(vectors: sparse.csr_matrix, k: int) -> tuple[IntArray, FloatArray]:
    """Cluster the unit rows of ``vectors`` in ``k``; labels and unit centres."""
    from sklearn.cluster import KMeans, MiniBatchKMeans

    model: KMeans | MiniBatchKMeans
    if vectors.shape[0] < FULL_KMEANS_BELOW:
        model = KMeans(n_clusters=k, n_init=8, random_state=SEED)
    else:
        model = MiniBatchKMeans(
            n_clusters=k, n_init=3, batch_size=2048, random_state=SEED, max_no_improvement=10
        )
    labels = model.fit_predict(vectors).astype(np.int64)
    return labels, _unit_rows(np.asarray(model.cluster_centers_, dtype=np.float64))


def default_count(texts: int) -> int:
    """How many clusters to look for in ``texts`` texts: the square root of half of them
    (4 for 30, 16 for 500, :data:`MAX_TOPICS` from 3,200 on).

    Deliberately a few too many rather than too few: clusters that turn out to say the same
    thing are merged, and the loose catch-all is dropped, which a too-small number cannot
    undo. (Silhouette scores were tried and rejected: on short texts they keep rising with
    more, smaller clusters.)"""
    return max(2, min(MAX_TOPICS, round(math.sqrt(texts / 2))))


def _merge_similar(centres: FloatArray, sizes: IntArray) -> FloatArray:
    """Merge clusters whose centres are at least :data:`MERGE_SIMILARITY` alike (and drop
    empty ones); the merged centre is the size-weighted mean."""
    keep = np.flatnonzero(sizes > 0)
    centres, sizes = centres[keep], sizes[keep]
    parent = list(range(len(centres)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similarity = centres @ centres.T
    first, second = np.triu_indices(len(centres), k=1)
    for a, b in zip(first.tolist(), second.tolist(), strict=True):
        if similarity[a, b] >= MERGE_SIMILARITY:
            parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(centres)):
        groups.setdefault(root(i), []).append(i)
    merged = [(centres[members] * sizes[members, None]).sum(axis=0) for members in groups.values()]
    return _unit_rows(np.vstack(merged)) if merged else centres


def _unit_rows(matrix: FloatArray) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: FloatArray = matrix / norms
    return unit
