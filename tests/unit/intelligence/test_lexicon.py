"""The sentiment lexicon: a text's scores are the weighted mean of its known words' shares,
the words are found by the same hashes the analyzer makes, and the file keeps it all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rapport.intelligence.hashed import hash_ngrams, hash_ngrams_many
from rapport.intelligence.lexicon import WORD_KEYS, WordLexicon, word_keys
from rapport.intelligence.sentiment import LEXICON_FILE, blend, fast_spec, softmax


def _small() -> WordLexicon:
    shares = np.array([[-2.0, 0.0, 2.0], [2.0, 0.0, -2.0], [0.0, 1.0, 0.0]], np.float32)
    weights = np.array([1.0, 3.0, 1.0], np.float32)
    bias = np.array([0.1, 0.2, 0.3], np.float32)
    return WordLexicon.from_words(["frábært", "hræðilegt", "kannski"], shares, weights, bias, 0.4)


def test_scores_are_the_weighted_mean_of_the_known_words() -> None:
    lexicon = _small()
    texts = ["frábært", "frábært hræðilegt", "ekkert sem það þekkir", "kannski kannski frábært"]
    logits = lexicon.logits(hash_ngrams(texts, WORD_KEYS))
    bias = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(logits[0], bias + np.array([-2, 0, 2]), rtol=1e-6)
    # "hræðilegt" counts three times as much as "frábært"
    np.testing.assert_allclose(
        logits[1], bias + np.array([(-2 + 6) / 4, 0, (2 - 6) / 4]), rtol=1e-6
    )
    # no known word: the bias alone, not a division by zero
    np.testing.assert_allclose(logits[2], bias, rtol=1e-6)
    np.testing.assert_allclose(logits[3], bias + np.array([-2 / 3, 2 / 3, 2 / 3]), rtol=1e-6)


def test_the_analyzer_s_shared_hashing_finds_the_same_words() -> None:
    texts = ["þetta var frábært 😍", "", "hræðilegt"]
    _, shared, _ = hash_ngrams_many(texts, (fast_spec(), WORD_KEYS, fast_spec()))
    alone = hash_ngrams(texts, WORD_KEYS)
    np.testing.assert_array_equal(shared.cols, alone.cols)
    np.testing.assert_array_equal(shared.rows, alone.rows)
    assert set(word_keys(["frábært", "hræðilegt"]).tolist()) <= set(alone.cols.tolist())


def test_a_word_key_is_one_word() -> None:
    with pytest.raises(ValueError, match="one run"):
        word_keys(["two words"])


def test_saved_and_loaded_it_reads_the_same(tmp_path: Path) -> None:
    lexicon = _small()
    lexicon.save(tmp_path / "words.npz")
    again = WordLexicon.load(tmp_path / "words.npz")
    feats = hash_ngrams(["frábært hræðilegt", "kannski"], WORD_KEYS)
    np.testing.assert_allclose(again.logits(feats), lexicon.logits(feats), rtol=1e-3)
    assert again.share == pytest.approx(0.4)


def test_blend_is_a_weighted_geometric_mean() -> None:
    ngrams = np.array([[0.6, 0.3, 0.1]], np.float32)
    words = np.array([[0.1, 0.3, 0.6]], np.float32)
    assert blend(ngrams, words, 0.0) is ngrams
    even = blend(ngrams, words, 0.5)
    root = 0.06**0.5  # sqrt(0.6 * 0.1), the first and the last class
    expected = np.array([[root, 0.3, root]]) / (2 * root + 0.3)
    np.testing.assert_allclose(even, expected, rtol=1e-4)
    np.testing.assert_allclose(softmax(np.log(words)), words, rtol=1e-5)


def test_the_shipped_lexicon_is_small_and_knows_many_words() -> None:
    assert LEXICON_FILE.stat().st_size < 5_000_000
    lexicon = WordLexicon.load(LEXICON_FILE)
    assert len(lexicon.keys) > 150_000
    assert 0.0 < lexicon.share < 1.0
