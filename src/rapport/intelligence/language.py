"""Which language a message is written in, offline (py3langid's bundled model).

Social posts start with handles and links that say nothing about the language; they are
removed first. Short or mixed texts give a low-confidence answer, reported as unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_NOISE = re.compile(r"(?:[@#][\w.]+|https?://\S+|www\.\S+|\S+@\S+\.\w+|\d+)")
_LETTERS = re.compile(r"[^\W\d_]")
MIN_CONFIDENCE = 0.5
MIN_LETTERS = 8


@lru_cache(maxsize=1)
def _identifier() -> Any:
    # Loaded on first use, never at import time (the model takes a moment to unpickle).
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when it cannot be told."""
    cleaned = _NOISE.sub(" ", text)
    if len(_LETTERS.findall(cleaned, 0, 8 * MIN_LETTERS)) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(cleaned)
    return str(code) if confidence >= MIN_CONFIDENCE else None
