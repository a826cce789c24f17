"""User text on screen: always text nodes, never HTML, in the direction of its language.

@mentions and links are wrapped in ``<bdi>`` so that inside a right-to-left post they keep
their own left-to-right order ('@fjordandpine', not 'fjordandpine@').
"""

from __future__ import annotations

import re

from nicegui.elements.mixins.text_element import TextElement

from rapport.web.presentation import text_direction

_ISOLATED = re.compile(r"(@\w+|https?://\S+|www\.\S+)")


class _Text(TextElement):
    """An element whose content is plain text (rendered by Vue as a text node)."""

    def __init__(self, tag: str, text: str) -> None:
        super().__init__(tag=tag, text=text)


def user_text(text: str, *, classes: str = "", testid: str | None = None) -> _Text:
    """A block showing ``text`` as text, ``dir`` set from its language, mentions isolated."""
    props = f"dir={text_direction(text)}"
    if testid:
        props += f' data-testid="{testid}"'
    pieces = _ISOLATED.split(text)
    if len(pieces) == 1:
        return _Text("div", text).classes(classes).props(props)
    with _Text("div", "").classes(classes).props(props) as block:
        for index, piece in enumerate(pieces):
            if piece:
                # odd pieces are the mentions and links the pattern captured
                _Text("bdi" if index % 2 else "span", piece)
    return block


def plain(text: str, *, tag: str = "div", classes: str = "", props: str = "") -> _Text:
    """``text`` as a text node in a ``tag`` element: for anything a person wrote (a rule
    file, an error that quotes input) where mentions need no special treatment."""
    return _Text(tag, text).classes(classes).props(props)
