"""Which of several overlapping computations of a view is the latest: a user who changes a
filter twice gets the second result, even when the first one finishes after it."""

from __future__ import annotations


class Latest:
    """Tickets in order; only the last one handed out is current."""

    def __init__(self) -> None:
        self._last = 0

    def start(self) -> int:
        self._last += 1
        return self._last

    def current(self, ticket: int) -> bool:
        return ticket == self._last
