"""Turn an HTML mail body into plain text, safely: parse it, keep the words, render nothing."""

from __future__ import annotations

from html.parser import HTMLParser

# Blocks stand apart from the text around them (a paragraph, a heading, a list).
_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "div", "dl", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "ol", "p", "pre", "section", "table", "ul",
    }
)  # fmt: skip
# These start a new line, but not a new paragraph (list items, table rows, line breaks).
_LINE_STARTS = frozenset({"br", "dd", "dt", "hr", "li", "tr"})
# Tags whose content is never text a person wrote to read.
_HIDDEN = frozenset({"head", "script", "style", "template", "title", "noscript"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden_depth += 1
        elif tag in _BLOCKS or tag in _LINE_STARTS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LINE_STARTS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document: tags dropped, entities decoded, lines kept.

    Scripts, styles and the head are dropped; nothing is fetched or executed. Runs of
    spaces collapse and blank lines collapse to one, as a mail client would show them.
    """
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = [" ".join(line.split()) for line in "".join(collector.parts).splitlines()]
    text: list[str] = []
    for line in lines:
        if line or (text and text[-1]):
            text.append(line)
    return "\n".join(text).strip()
