"""Case- and accent-insensitive keyword matching that works for every script.

Text and keywords are *folded* the same way before matching: compatibility decomposition
(NFKD), case folding, removal of combining marks (so ``á`` → ``a``, Persian harakat vanish),
and a few letters that have no decomposition but that people commonly type without their
diacritics (``ð`` → ``d``, ``þ`` → ``th``, ``æ`` → ``ae``, ``ø`` → ``o``; Arabic ``ي``/``ك`` →
Persian ``ی``/``ک``; tatweel and zero-width non-joiner removed).

A keyword matches whole words only: ``refund`` does not match ``refunded``. A trailing ``*``
matches any word that starts with the keyword (``refund*`` matches ``refunds``, ``refunded``),
which is what agglutinative languages such as Hungarian or Finnish need. A *word* is a run of
Unicode word characters and spacing marks, so boundaries hold in Persian, Hindi or Icelandic
text where ``\\b`` would not always do; phrases match across any run of whitespace.

Matching is built for speed: each message field is folded and split into words once, then
single-word keywords are set lookups and ``word*`` keywords bisections; only phrases and
keywords with punctuation use a regex (with the same lookaround boundaries).
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_PATTERN_LENGTH = 500
MAX_KEYWORD_LENGTH = 200

_FOLD_LETTERS: dict[int, str | None] = {
    ord("ð"): "d",
    ord("þ"): "th",
    ord("æ"): "ae",
    ord("ø"): "o",
    ord("œ"): "oe",
    ord("ł"): "l",
    ord("đ"): "d",
    ord("ħ"): "h",
    0x0131: "i",  # dotless i
    0x064A: "\u06cc",  # Arabic yeh → Persian yeh
    0x0649: "\u06cc",  # alef maksura → Persian yeh
    0x0643: "\u06a9",  # Arabic kaf → Persian keheh
    0x0640: None,  # tatweel (kashida), a stretching character
    0x200C: None,  # zero-width non-joiner: inside a Persian word, not between words
    0x00AD: None,  # soft hyphen
}
# str.translate is slow on non-ASCII text; most messages have none of these letters.
_FOLDABLE = re.compile("[" + "".join(map(chr, _FOLD_LETTERS)) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Control characters and line breaks: never part of a one-line name or keyword."""
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _ranges(codepoints: list[int]) -> str:
    """Body of a regex character class covering the sorted ``codepoints``."""
    parts: list[str] = []
    start = previous = codepoints[0]
    for cp in [*codepoints[1:], -1]:
        if cp == previous + 1:
            previous = cp
            continue
        parts.append(chr(start) if start == previous else f"{chr(start)}-{chr(previous)}")
        start = previous = cp
    return "".join(parts)


@functools.cache
def _mark_classes() -> tuple[re.Pattern[str], re.Pattern[str], str]:
    """Patterns matching nonspacing/enclosing marks (in and beyond the Basic Multilingual
    Plane), and a class body of spacing marks in the BMP.

    Built on first use (about 60 ms) from the running Python's Unicode database; marks only
    live in planes 0, 1 and 14. They are split by plane because ``re`` tests BMP classes with
    a bitmap but astral ranges one by one, twenty times slower. Spacing marks beyond the BMP
    (historic scripts) count as word separators.
    """
    removable: list[int] = []
    spacing: list[int] = []
    category = unicodedata.category
    for cp in [*range(0x20000), *range(0xE0000, min(0xE1000, sys.maxunicode + 1))]:
        kind = category(chr(cp))
        if kind in ("Mn", "Me"):
            removable.append(cp)
        elif kind == "Mc" and cp < 0x10000:
            spacing.append(cp)
    bmp = [cp for cp in removable if cp < 0x10000]
    astral = [cp for cp in removable if cp >= 0x10000]
    return re.compile(f"[{_ranges(bmp)}]+"), re.compile(f"[{_ranges(astral)}]+"), _ranges(spacing)


@functools.cache
def _word_class() -> str:
    return rf"[\w{_mark_classes()[2]}]"


def fold(text: str) -> str:
    """``text`` as keyword matching sees it: case folded, without accents or combining marks."""
    if text.isascii():
        return text.lower()
    bmp_marks, astral_marks, _ = _mark_classes()
    folded = bmp_marks.sub("", unicodedata.normalize("NFKD", text).casefold())
    if folded.isascii():
        return folded
    if _ASTRAL.search(folded):
        folded = astral_marks.sub("", folded)
    return folded.translate(_FOLD_LETTERS) if _FOLDABLE.search(folded) else folded


def quote(value: str, limit: int = 60) -> str:
    """``value`` in double quotes on one line, shortened: safe to show in a log or a UI."""
    if len(value) <= limit and value.isprintable() and '"' not in value:
        return f'"{value}"'
    # Control characters, line breaks and bidi overrides could forge or garble log lines.
    flat = " ".join(_UNSHOWABLE.sub(" ", value).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return '"' + flat.replace('"', '\\"') + '"'


@functools.cache
def _token() -> re.Pattern[str]:
    return re.compile(f"{_word_class()}+")


class FoldedText:
    """A message field folded for matching, with the set of its words; built once per message."""

    __slots__ = ("_sorted", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = fold(text)
        self.words = frozenset(_token().findall(self.text))
        self._sorted: list[str] | None = None

    def sorted_words(self) -> list[str]:
        """The words in order, for prefix search; sorted on first use."""
        if self._sorted is None:
            self._sorted = sorted(self.words)
        return self._sorted


@dataclass(frozen=True, slots=True)
class KeywordMatcher:
    """A list of keywords compiled for fast matching against :class:`FoldedText`.

    Single-word keywords are a set looked up in the message's words, ``word*`` keywords are
    prefixes found by bisection, and phrases (or keywords with punctuation) share one regex.
    ``pattern`` covers all keywords, to tell which one matched once a rule fires.
    """

    keywords: tuple[str, ...]
    """As written by the admin, in the order of ``pattern``'s groups (longest first)."""
    pattern: re.Pattern[str]
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: re.Pattern[str] | None

    def found_in(self, folded: FoldedText) -> bool:
        if not self.exact.isdisjoint(folded.words):
            return True
        if not self.prefixes:
            return self.phrases is not None and self.phrases.search(folded.text) is not None
        words = folded.sorted_words()
        for prefix in self.prefixes:
            at = bisect.bisect_left(words, prefix)
            if at < len(words) and words[at].startswith(prefix):
                return True
        return self.phrases is not None and self.phrases.search(folded.text) is not None

    def first(self, folded: str) -> tuple[str, str] | None:
        """The first keyword found in ``folded`` text and the word it matched, or ``None``."""
        found = self.pattern.search(folded)
        if found is None or found.lastindex is None:
            return None
        return self.keywords[found.lastindex - 1], found.group()


def _parse_keyword(keyword: str) -> tuple[str, bool, str]:
    """(folded keyword without ``*``, whether it had one, regex over folded text)."""
    if len(keyword) > MAX_KEYWORD_LENGTH:
        raise ValueError(f"a keyword may have at most {MAX_KEYWORD_LENGTH} characters")
    wildcard = keyword.endswith("*")
    core = keyword[:-1] if wildcard else keyword
    if "*" in core:
        raise ValueError(f'"*" may only end a keyword, as in "refund*"; got "{keyword}"')
    folded = " ".join(fold(core).split())
    if not folded:
        raise ValueError("a keyword must contain at least one letter, digit or symbol")
    word = _word_class()
    body = r"\s+".join(re.escape(part) for part in folded.split())
    if re.fullmatch(word, folded[0]):
        # The boundary check comes after the first character so the regex engine can skip
        # ahead to that character instead of testing the lookbehind at every position.
        first = re.escape(folded[0])
        body = f"{first}(?<!{word}(?s:.)){body.removeprefix(first)}"
    after = f"(?!{word})" if re.fullmatch(word, folded[-1]) else ""
    if wildcard:
        after = f"{word}*"
    return folded, wildcard, body + after


def check_keyword(keyword: str) -> None:
    """Raise ``ValueError`` saying what is wrong with ``keyword``, if anything."""
    _parse_keyword(keyword)


def compile_keywords(keywords: Sequence[str]) -> KeywordMatcher:
    """A matcher for any of ``keywords``; the longest wins where several start together."""
    ordered = sorted(dict.fromkeys(keywords), key=len, reverse=True)
    exact: set[str] = set()
    prefixes: list[str] = []
    pieces: list[str] = []
    phrases: list[str] = []
    for keyword in ordered:
        folded, wildcard, piece = _parse_keyword(keyword)
        pieces.append(f"({piece})")
        if not _token().fullmatch(folded):
            phrases.append(piece)
        elif wildcard:
            prefixes.append(folded)
        else:
            exact.add(folded)
    return KeywordMatcher(
        keywords=tuple(ordered),
        pattern=re.compile("|".join(pieces)),
        exact=frozenset(exact),
        prefixes=tuple(prefixes),
        phrases=re.compile("|".join(phrases)) if phrases else None,
    )


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """An admin's regular expression, applied to the raw text.

    Python's ``re`` has no time limit: a pattern with nested repetition such as ``(a+)+$`` can
    take exponential time on a hostile message. Length is capped here; review patterns.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"a pattern may have at most {MAX_PATTERN_LENGTH} characters")
    try:
        return re.compile(pattern)
    except re.error as err:
        where = f" at position {err.pos}" if err.pos is not None else ""
        raise ValueError(f"invalid regular expression: {err.msg}{where}") from None
