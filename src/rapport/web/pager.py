"""The pager under a list: page size, "1-25 of 300", previous and next."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from rapport.inbox.queries import Page

PAGE_SIZES = (25, 50, 100)


def render_pager(
    box: Any, page: Page[Any], number: int, size: int, apply: Callable[..., None]
) -> None:
    """Fill ``box`` with the pager of ``page`` (page ``number`` of ``size`` items);
    ``apply(page=...)`` or ``apply(size=...)`` moves. When the total is a lower bound, next
    stays possible while pages come back full."""
    box.clear()
    last_page = max(1, -(-page.total // size))
    first = (number - 1) * size + 1 if page.items else 0
    last = (number - 1) * size + len(page.items)
    with box:
        ui.label("Per page").classes("rp-muted")
        ui.select(list(PAGE_SIZES), value=size, on_change=lambda e: apply(size=int(e.value))).props(
            'dense borderless options-dense data-testid="page-size"'
        )
        ui.space()
        more = "" if page.total_exact else "+"
        ui.label(f"{first}\u2013{last} of {page.total}{more}").classes("rp-muted").props(
            'data-testid="range"'
        )
        ui.button(icon="chevron_left", on_click=lambda: apply(page=number - 1)).props(
            'flat round dense aria-label="Previous page" data-testid="prev"'
        ).set_enabled(number > 1)
        ui.button(icon="chevron_right", on_click=lambda: apply(page=number + 1)).props(
            'flat round dense aria-label="Next page" data-testid="next"'
        ).set_enabled(number < last_page or (not page.total_exact and len(page.items) == size))
