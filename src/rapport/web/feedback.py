"""Telling the user how an action went: a short confirmation, or what was wrong and that
nothing changed. Never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from nicegui import ui

from rapport.errors import RapportError

log = logging.getLogger(__name__)
T = TypeVar("T")

UNEXPECTED = "Something went wrong on our side; nothing was changed. Please try again."


def done(message: str) -> None:
    """A short confirmation at the bottom right."""
    ui.notify(message, type="positive", position="bottom-right")


def problem(message: str) -> None:
    """A problem the user can act on, kept on screen until read."""
    ui.notify(message, type="negative", position="bottom-right", multi_line=True, close_button="OK")


def problem_text(error: Exception) -> str:
    """What to tell the user about ``error``: its own words for a Rapport error."""
    if isinstance(error, RapportError):
        text = str(error).strip() or type(error).__name__
        return text[0].upper() + text[1:]
    return UNEXPECTED


def attempt(action: Callable[[], T]) -> T | None:
    """Run ``action`` (which owns its transaction); on failure tell the user what was
    wrong and return None: the transaction was rolled back, so nothing changed."""
    try:
        return action()
    except RapportError as error:
        problem(problem_text(error))
    except Exception:
        log.exception("web action failed")
        problem(UNEXPECTED)
    return None
