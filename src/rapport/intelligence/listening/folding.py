"""Text folded for matching: case, accents and script variants set aside, split into words.

Folding is the same for a query and for the text it is matched against, so "cafe" finds
"Café", "tromso" finds "Tromsø", "ORDER" finds "order" and Persian written with Arabic
letters (ي, ك) finds Persian written with Persian ones (ی, ک). Only accent-like marks are
removed (Latin, Greek and Cyrillic diacritics, Arabic and Hebrew vowel points); the vowel
signs of Indic and other scripts are part of their letters and stay, as part of the word.

A word is a run of letters, digits, marks and underscores in any script; everything else
(spaces, punctuation, emoji, the zero-width non-joiner of Persian) separates words.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Marks removed by folding: what people leave out when they type without accents.
_ACCENT_RANGES = (
    (0x0300, 0x036F),  # combining diacritical marks (Latin, Greek, Cyrillic)
    (0x0483, 0x0489),  # Cyrillic combining marks
    (0x0591, 0x05C7),  # Hebrew points and cantillation
    (0x0610, 0x061A),  # Arabic honorific marks
    (0x064B, 0x065F),  # Arabic harakat (fatha, kasra, shadda, sukun...)
    (0x0670, 0x0670),  # Arabic superscript alef
    (0x06D6, 0x06ED),  # Quranic annotation marks
    (0x1AB0, 0x1AFF),  # combining diacritical marks extended
    (0x1DC0, 0x1DFF),  # combining diacritical marks supplement
    (0x20D0, 0x20FF),  # combining marks for symbols
    (0xFE20, 0xFE2F),  # combining half marks
)
_TATWEEL = 0x0640  # Arabic letter stretching, typographic only

# Letters whose stroke is a diacritic but which Unicode does not decompose (people type
# "Tromso" for Tromsø, "Lodz" for Łódź), after case folding; þ, ð, æ and œ are letters of
# their own and stay. Then Arabic letters and digits that Persian writes with its own code
# points.
_SCRIPT_VARIANTS = {
    0x00F8: "o",  # ø
    0x0142: "l",  # ł
    0x0111: "d",  # đ
    0x0127: "h",  # ħ
    0x0167: "t",  # ŧ
    0x0180: "b",  # ƀ
    0x01E5: "g",  # ǥ
    0x0268: "i",  # ɨ
    0x064A: "\u06cc",  # Arabic yeh -> Persian yeh
    0x0649: "\u06cc",  # alef maksura -> Persian yeh
    0x0643: "\u06a9",  # Arabic kaf -> Persian keheh
    0x0629: "\u0647",  # teh marbuta -> heh
    **{0x06F0 + n: str(n) for n in range(10)},  # Persian digits
    **{0x0660 + n: str(n) for n in range(10)},  # Arabic-Indic digits
}


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@cache
def _translation() -> dict[int, str | None]:
    table: dict[int, str | None] = {
        code: None for start, end in _ACCENT_RANGES for code in range(start, end + 1)
    }
    table[_TATWEEL] = None
    table.update(_SCRIPT_VARIANTS)
    return table


@cache
def _mark_class() -> str:
    """A regex class body of the combining marks of every script (BMP and SMP)."""
    return _char_class(_mark_ranges(min(sys.maxunicode, 0x1FFFF)))


def _mark_ranges(limit: int) -> tuple[tuple[int, int], ...]:
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for code in range(limit + 1):
        is_mark = unicodedata.category(chr(code))[0] == "M"
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append((start, code - 1))
            start = None
    if start is not None:
        ranges.append((start, limit))
    return tuple(ranges)


@cache
def word_pattern() -> re.Pattern[str]:
    """Words of folded text, a ``#`` or ``@`` before one kept as its own token.

    Built on first use (it lists the marks of every script), not at import."""
    marks = _mark_class()
    word = rf"[\w{marks}]+"
    return re.compile(rf"(?<![\w{marks}])[#@](?={word})|{word}")


# In the joining with markers, a "#" or "@" that starts a word becomes a word of its own,
# spelt with a control character (any such character in the text is a separator anyway, and
# is made a space first).
MARKER_WORDS = {"#": "\x00", "@": "\x01"}


@cache
def _separators() -> tuple[bytes, bytes]:
    """bytes.translate tables for ASCII text: every byte but letters, digits and "_" becomes
    a space (the second table keeps the marker words)."""
    plain = bytes(c if chr(c).isalnum() or c == 0x5F else 0x20 for c in range(256))
    marked = bytes(c if c in (0, 1) else plain[c] for c in range(256))
    return plain, marked


@cache
def _gaps(marked: bool) -> re.Pattern[str]:
    """What separates words in text of any script (keeping the marker words if asked)."""
    marks = _mark_class()
    return re.compile(rf"[^\w{marks}{chr(0) + chr(1) if marked else ''}]+")


@cache
def _marker(char: str, ascii_only: bool) -> re.Pattern[str]:
    """``char`` (``#`` or ``@``) where it starts a word (in ASCII text, or in any)."""
    marks = "" if ascii_only else _mark_class()
    return re.compile(rf"(?<![\w{marks}]){re.escape(char)}(?=[\w{marks}])")


def _join(folded: str, marked: bool, ascii_only: bool) -> str:
    if ascii_only:  # bytes.translate and split: several times faster than a regex
        table = _separators()[1 if marked else 0]
        return " " + " ".join(folded.encode("ascii").translate(table).decode("ascii").split()) + " "
    return f" {_gaps(marked).sub(' ', folded)} "


def joined_words(text: str, markers: bool = False) -> tuple[str, str]:
    """The folded words of ``text`` joined by single spaces, with a space at either end
    (there may be two): " love my vetur 2 tent ", once without the ``#`` and ``@`` markers,
    and once (when ``markers``; otherwise the same string twice) with each ``#`` or ``@``
    that starts a word kept as the word ``MARKER_WORDS[...]`` before it."""
    folded = fold(text)
    ascii_only = folded.isascii()
    plain = _join(folded, False, ascii_only)
    if not markers or ("#" not in folded and "@" not in folded):
        return plain, plain
    marked = folded.replace("\x00", " ").replace("\x01", " ")
    for char, word in MARKER_WORDS.items():
        if char in marked:
            marked = _marker(char, ascii_only).sub(f" {word} ", marked)
    return plain, _join(marked, True, ascii_only)


def fold(text: str) -> str:
    """``text`` with case, accents, compatibility forms and Persian letter variants folded."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.casefold()).translate(_translation())
    return unicodedata.normalize("NFC", folded)


def fold_words(text: str) -> list[str]:
    """The folded words of ``text`` in order, with ``#`` and ``@`` markers as tokens."""
    return word_pattern().findall(fold(text))


# Characters the matcher and SQLite's FTS5 tokenizer (unicode61, remove_diacritics 2, words
# of categories L*, N* and Co) may read differently where ASCII words are concerned: a
# character the matcher folds to ASCII letters or digits (accented Latin letters, ß, ligatures,
# full-width, circled, superscript and mathematical forms, Arabic-Indic digits), one it
# removes (accents, vowel points, tatweel) or one the index keeps inside a word but the matcher
# splits on (private use, modifier letters). A message with none of them has an ASCII word
# for the matcher only if the index has it too; messages with one are always read. The unit
# tests recompute this list from the Unicode database. Ranges are merged where that is cheap.
INDEX_UNSAFE_RANGES = (
    (0x00AA, 0x036F),
    (0x037A, 0x037A),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x0640, 0x0640),
    (0x064B, 0x0670),
    (0x06D6, 0x06F9),
    (0x1AB0, 0x1AFF),
    (0x1D2C, 0x1EFF),
    (0x2070, 0x209C),
    (0x20A8, 0x20A8),
    (0x20D0, 0x2189),
    (0x2460, 0x24EA),
    (0x2C7C, 0x2C7D),
    (0x3220, 0x33FF),
    (0xA7F2, 0xA7F4),
    (0xE000, 0xF8FF),
    (0xFB00, 0xFB06),
    (0xFC5E, 0xFDFB),
    (0xFE20, 0xFE2F),
    (0xFE70, 0xFE7F),
    (0xFF10, 0xFF5A),
    (0x10780, 0x107BA),
    (0x1D400, 0x1D7FF),
    (0x1F100, 0x1F190),
    (0x1FBF0, 0x1FBF9),
    (0xF0000, 0x10FFFF),
)

# Text with a character beyond ASCII (checked first: it is the cheaper test).
NOT_ASCII_GLOB = "*[^\x01-\x7f]*"


def _unsafe_class() -> str:
    """INDEX_UNSAFE_RANGES as a bracket expression (no range starts with ``]``, ``^`` or
    ``-``: they are all beyond ASCII)."""
    ranges = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in INDEX_UNSAFE_RANGES)
    return f"[{ranges}]"


def index_unsafe_glob() -> str:
    """A SQLite GLOB pattern that holds for text with a character of INDEX_UNSAFE_RANGES."""
    return f"*{_unsafe_class()}*"


def index_unsafe_regex() -> str:
    """A PostgreSQL regular expression (``~``) that finds a character of
    INDEX_UNSAFE_RANGES in a text."""
    return _unsafe_class()
