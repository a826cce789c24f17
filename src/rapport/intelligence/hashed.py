"""Hashed character and word n-grams, and the linear models Rapport trains on them.

A batch of texts is turned into n-gram hashes with a handful of numpy operations over the
whole batch at once (a polynomial hash over prefix sums, so any span of any length hashes in
O(1)), which is what makes tens of thousands of texts a second possible in Python. The same
function feeds training (as a sparse matrix) and inference (as a weighted bincount), so the
two can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

_P = np.uint64(1_000_003)  # odd, so invertible modulo 2**64
_P_INV = np.uint64(pow(1_000_003, -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_SALT = np.uint64(0x51ED270B27A3F4C1)
_BIGRAM_SALT = np.uint64(0x2545F4914F6CDD1D)
_POWERS: dict[int, tuple[NDArray[np.uint64], NDArray[np.uint64]]] = {}


@dataclass(frozen=True)
class NgramSpec:
    """Which n-grams a model reads: character n-gram lengths, words, word pairs, table size."""

    char_orders: tuple[int, ...]
    words: bool
    word_pairs: bool
    bits: int
    # every n-gram once more in a second table keyed by the text's language, so a model
    # learns what a word means in general and what it means in each language
    language_copies: bool = False

    @property
    def dim(self) -> int:
        return (2 if self.language_copies else 1) << self.bits


@dataclass(frozen=True)
class HashedFeatures:
    """One row per (text, n-gram): which text, which hashed column, what weight."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    weights: NDArray[np.float32]
    n_texts: int


def _powers(length: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """P**i and P**-i modulo 2**64 for i < length (doubling; cached for the largest asked)."""
    size = 1 << max(10, (length - 1).bit_length())
    cached = _POWERS.get(0)
    if cached is not None and len(cached[0]) >= size:
        return cached
    pw = np.ones(size, dtype=np.uint64)
    inv = np.ones(size, dtype=np.uint64)
    step, base, base_inv = 1, _P, _P_INV
    with np.errstate(over="ignore"):
        while step < size:
            pw[step : 2 * step] = pw[:step] * base
            inv[step : 2 * step] = inv[:step] * base_inv
            base, base_inv = base * base, base_inv * base_inv
            step *= 2
    _POWERS[0] = (pw, inv)
    return pw, inv


def _language_salt(code: str) -> int:
    raw = int.from_bytes(code.encode("utf-8")[:8].ljust(8, b"\0"), "little")
    return (raw * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) % 2**64


def with_language_copies(
    feats: HashedFeatures, languages: Sequence[str], bits: int
) -> HashedFeatures:
    """``feats`` and, in the second table (columns from ``2**bits``), each n-gram again
    hashed with its text's language."""
    if len(languages) != feats.n_texts:
        raise ValueError(f"{len(languages)} languages for {feats.n_texts} texts")
    salts = np.array([_language_salt(code) for code in languages], dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = ((feats.cols.astype(np.uint64) * _MIX) ^ salts[feats.rows]) * _MIX
    copies = (mixed >> np.uint64(64 - bits)).astype(np.int64) + (1 << bits)
    return HashedFeatures(
        np.concatenate((feats.rows, feats.rows)),
        np.concatenate((feats.cols, copies)),
        np.concatenate((feats.weights, feats.weights)),
        feats.n_texts,
    )


def featurize(
    texts: Sequence[str], spec: NgramSpec, languages: Sequence[str] | None = None
) -> HashedFeatures:
    """The hashed features ``spec`` asks for: the n-grams, plus their language copies when
    the spec has them (``languages`` then gives each text's language)."""
    feats = hash_ngrams(texts, spec)
    if not spec.language_copies:
        return feats
    if languages is None:
        raise ValueError("this model reads each text's language: pass languages")
    return with_language_copies(feats, languages, spec.bits)


def hash_ngrams(texts: Sequence[str], spec: NgramSpec) -> HashedFeatures:
    """The hashed n-grams of already normalised ``texts`` (spaces separate words).

    Each text is read as `` text `` so that n-grams see where words begin and end. A text's
    n-gram weights are 1/sqrt(count), so long and short texts score on the same scale.
    """
    return hash_ngrams_many(texts, (spec,))[0]


def hash_ngrams_many(texts: Sequence[str], specs: Sequence[NgramSpec]) -> list[HashedFeatures]:
    """``hash_ngrams(texts, spec)`` for each of ``specs``, each kind of n-gram hashed once for
    all of them (two models reading the same cleaned text share their common n-grams)."""
    n_texts = len(texts)
    joined = "\x00" + "\x00".join(f" {t} " for t in texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    length = len(codes)
    pw, inv = _powers(length + 1)
    sep = codes == 0
    # text index of every position: the number of separators before it, less one
    text_of = np.cumsum(sep) - 1
    seps_before = np.concatenate(([0], np.cumsum(sep)))
    with np.errstate(over="ignore"):
        prefix = np.concatenate((np.zeros(1, np.uint64), np.cumsum(codes * pw[:length])))
    words: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None
    blocks: dict[tuple[str, int], tuple[NDArray[np.int64], NDArray[np.uint64]]] = {}

    def span_hash(
        start: NDArray[np.int64], end: NDArray[np.int64], salt: np.uint64
    ) -> NDArray[np.uint64]:
        with np.errstate(over="ignore"):
            h = (prefix[end] - prefix[start]) * inv[start]
            mixed: NDArray[np.uint64] = (h ^ salt ^ (end - start).astype(np.uint64)) * _MIX
        return mixed

    def word_spans() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        nonlocal words
        if words is None:
            inner = ~(sep | (codes == 32))
            edges = np.diff(np.concatenate(([False], inner, [False])).astype(np.int8))
            words = (
                np.flatnonzero(edges == 1).astype(np.int64),
                np.flatnonzero(edges == -1).astype(np.int64),
            )
        return words

    def block(kind: str, n: int) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
        """The rows and (unshifted) hashes of one kind of n-gram: characters, words, pairs."""
        key = (kind, n)
        if key not in blocks:
            if kind == "chars":
                start = np.arange(length - n + 1, dtype=np.int64)
                start = start[seps_before[start + n] == seps_before[start]]
                # skip n-grams that are only spaces
                if n == 1:
                    start = start[codes[start] != 32]
                blocks[key] = (text_of[start], span_hash(start, start + n, np.uint64(0)))
            elif kind == "words":
                w_start, w_end = word_spans()
                blocks[key] = (text_of[w_start], span_hash(w_start, w_end, _WORD_SALT))
            else:
                w_start, w_end = word_spans()
                same = text_of[w_start[1:]] == text_of[w_start[:-1]]
                first, second_end = w_start[:-1][same], w_end[1:][same]
                blocks[key] = (text_of[first], span_hash(first, second_end, _BIGRAM_SALT))
        return blocks[key]

    out: list[HashedFeatures] = []
    for spec in specs:
        wanted = [("chars", n) for n in spec.char_orders if length > n]
        if spec.words and len(word_spans()[0]):
            wanted.append(("words", 0))
        if spec.word_pairs and len(word_spans()[0]) > 1:
            wanted.append(("pairs", 0))
        shift = np.uint64(64 - spec.bits)
        rows = [block(kind, n)[0] for kind, n in wanted]
        cols = [(block(kind, n)[1] >> shift).astype(np.int64) for kind, n in wanted]
        row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        counts = np.bincount(row, minlength=n_texts).astype(np.float32)
        scale = (1.0 / np.sqrt(np.maximum(counts, 1.0))).astype(np.float32)
        out.append(HashedFeatures(row, col, scale[row], n_texts))
    return out


@dataclass(frozen=True)
class HashedLinearModel:
    """A softmax-linear classifier over hashed n-grams, stored as one small ``.npz`` file."""

    labels: tuple[str, ...]
    spec: NgramSpec
    weights: NDArray[np.float32]  # (dim, classes)
    bias: NDArray[np.float32]  # (classes,)

    def scores(
        self, texts: Sequence[str], languages: Sequence[str] | None = None
    ) -> NDArray[np.float32]:
        """Class probabilities, one row per normalised text (softmax of the linear scores).
        ``languages`` (each text's ISO code) is needed when the spec has language copies."""
        return self.scores_of(featurize(texts, self.spec, languages))

    @cached_property
    def _columns(self) -> NDArray[np.float32]:
        # one contiguous row per class: gathering from it is much cheaper than from rows
        out: NDArray[np.float32] = np.ascontiguousarray(self.weights.T)
        return out

    def scores_of_ngrams(
        self, ngrams: HashedFeatures, languages: Sequence[str] | None = None
    ) -> NDArray[np.float32]:
        """``scores`` from the texts' ``hash_ngrams`` with this model's spec, made already."""
        if not self.spec.language_copies:
            return self.scores_of(ngrams)
        if languages is None:
            raise ValueError("this model reads each text's language: pass languages")
        return self.scores_of(with_language_copies(ngrams, languages, self.spec.bits))

    def scores_of(self, feats: HashedFeatures) -> NDArray[np.float32]:
        """Class probabilities from features already hashed with this model's spec."""
        n = feats.n_texts
        logits = np.empty((n, len(self.labels)), dtype=np.float32)
        for k, column in enumerate(self._columns):
            # the same float32 products, summed in the same order, as weights[cols] * w
            logits[:, k] = np.bincount(
                feats.rows, weights=column[feats.cols] * feats.weights, minlength=n
            )
        logits += self.bias
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            spec=np.array(
                [
                    *self.spec.char_orders,
                    -1,
                    int(self.spec.words),
                    int(self.spec.word_pairs),
                    self.spec.bits,
                    int(self.spec.language_copies),
                ]
            ),
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> HashedLinearModel:
        with np.load(path, allow_pickle=False) as data:
            raw = [int(v) for v in data["spec"]]
            cut = raw.index(-1)
            copies = len(raw) > cut + 4 and bool(raw[cut + 4])
            spec = NgramSpec(
                tuple(raw[:cut]), bool(raw[cut + 1]), bool(raw[cut + 2]), raw[cut + 3], copies
            )
            return cls(
                labels=tuple(str(v) for v in data["labels"]),
                spec=spec,
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
            )
