"""The hashed n-gram features and models: language copies, saving and loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rapport.intelligence.hashed import HashedLinearModel, NgramSpec, featurize

SPEC = NgramSpec(char_orders=(2, 3), words=True, word_pairs=False, bits=10, language_copies=True)


def test_language_copies_land_in_the_second_table_and_differ_by_language() -> None:
    it = featurize(["fino"], SPEC, ["it"])
    es = featurize(["fino"], SPEC, ["es"])
    half = 1 << SPEC.bits
    shared_it, copies_it = it.cols[it.cols < half], it.cols[it.cols >= half]
    shared_es, copies_es = es.cols[es.cols < half], es.cols[es.cols >= half]
    assert len(copies_it) == len(shared_it) > 0
    assert np.array_equal(shared_it, shared_es)
    assert not np.array_equal(copies_it, copies_es)
    assert it.cols.max() < SPEC.dim


def test_a_model_reading_languages_asks_for_them() -> None:
    with pytest.raises(ValueError, match="languages"):
        featurize(["fino"], SPEC)
    with pytest.raises(ValueError, match="1 texts"):
        featurize(["fino"], SPEC, ["it", "es"])


def test_the_same_word_can_mean_different_things_per_language(tmp_path: Path) -> None:
    weights = np.zeros((SPEC.dim, 2), np.float32)
    copies = featurize(["fino"], SPEC, ["it"]).cols
    weights[copies[copies >= 1 << SPEC.bits], 1] = 3.0  # "fino" is good in Italian only
    model = HashedLinearModel(("bad", "good"), SPEC, weights, np.zeros(2, np.float32))
    model.save(tmp_path / "m.npz")
    loaded = HashedLinearModel.load(tmp_path / "m.npz")
    assert loaded.spec == SPEC
    scores = loaded.scores(["fino", "fino"], ["it", "es"])
    assert scores[0, 1] > 0.9
    assert scores[1, 1] == pytest.approx(0.5)
