"""Text that was UTF-8 but was read as Windows-1252 on its way here (four odd letters
beginning with "ð" for an emoji, "cafÃ©" for "café"), put back before it is analysed.

Exports from other tools and old mail gateways do this, and the broken letters look like
a language of their own to a detector, while the emoji they hid carry the sentiment. The
repair itself is ftfy's; it is asked only where a tell-tale pair of characters is present,
so clean text costs one regular-expression search.
"""

from __future__ import annotations

import re

# a UTF-8 lead byte as Windows-1252 or Latin-1 shows it (Â..ô), then a continuation byte
# as one of them shows it (U+0080..U+00BF, or the Windows-1252 letters and punctuation in
# 0x80..0x9F)
_TELL = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8 read as Windows-1252 or Latin-1 undone; anything else unchanged."""
    if not _TELL.search(text):
        return text
    import ftfy

    return str(ftfy.fix_encoding(text))
