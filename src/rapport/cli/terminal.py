"""Untrusted text made safe for a terminal.

Posts and e-mails come from the public internet; printed raw, an escape sequence in one
could clear the screen or rewrite what the user sees. Control characters are shown as
visible symbols, and Rich markup is escaped.
"""

from __future__ import annotations

from rich.markup import escape

# C0 controls but tab and newline, DEL, and the C1 controls: shown as U+FFFD.
_CONTROLS = {code: "\ufffd" for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]}
del _CONTROLS[0x09], _CONTROLS[0x0A]


def safe(text: str) -> str:
    """``text`` with control characters made visible and Rich markup escaped."""
    return escape(text.translate(_CONTROLS))
