"""What the command line prints of untrusted text cannot drive the terminal."""

from __future__ import annotations

from rich.console import Console

from rapport.cli.terminal import safe


def test_escape_sequences_and_markup_are_shown_not_obeyed() -> None:
    hostile = "hi\x1b[2J\x1b]0;owned\x07 [bold]x[/bold] \x9b31m\tok\nnext"
    console = Console(force_terminal=True, color_system=None, width=200)
    with console.capture() as captured:
        console.print(safe(hostile), highlight=False)
    out = captured.get()
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\x9b" not in out
    assert "[bold]x[/bold]" in out  # markup printed literally
    assert "ok\nnext" in out  # newlines are kept
    assert out.count("\ufffd") == 4
