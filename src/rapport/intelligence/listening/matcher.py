"""A parsed expression compiled into a matcher, and the index search that can prefilter it.

A text is folded and split into words once; each term is then a substring test on the
words joined by spaces (" vetur 2 " for a phrase, " refund" for a prefix), which Python runs
in C. Hashtags and handles are tested against a second joining that keeps the ``#`` and
``@`` markers, so ``vetur`` also finds "#vetur" but ``#vetur`` finds only the hashtag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapport.intelligence.listening.expression import And, Node, Not, Term, parse
from rapport.intelligence.listening.folding import MARKER_WORDS, joined_words

_Test = Callable[[str, str], bool]  # (plain words, words with markers) -> bool


def _needle(term: Term) -> str:
    body = " ".join(term.words)
    if term.marker:
        body = f"{MARKER_WORDS[term.marker]} {body}"
    return f" {body}" if term.prefix else f" {body} "


def _compile(node: Node) -> _Test:
    if isinstance(node, Term):
        needle = _needle(node)
        if node.marker:
            return lambda _plain, marked: needle in marked
        return lambda plain, _marked: needle in plain
    if isinstance(node, Not):
        inner = _compile(node.item)
        return lambda plain, marked: not inner(plain, marked)
    parts = tuple(_compile(item) for item in node.items)
    if isinstance(node, And):
        # Plain loops, not all()/any() over a generator: this runs for every message.
        def all_of(plain: str, marked: str) -> bool:
            for part in parts:  # noqa: SIM110
                if not part(plain, marked):
                    return False
            return True

        return all_of

    def any_of(plain: str, marked: str) -> bool:
        for part in parts:  # noqa: SIM110
            if part(plain, marked):
                return True
        return False

    return any_of


@dataclass(frozen=True, slots=True)
class Matcher:
    """An expression ready to test texts: ``Matcher.of("vetur AND -recall").matches(text)``."""

    expression: str
    tree: Node
    _test: _Test
    markers: bool  # whether it has a hashtag or a handle

    @classmethod
    def of(cls, expression: str, field: str = "expression") -> Matcher:
        """Parse and compile; raises ``InvalidQuery`` with the position of a mistake."""
        tree = parse(expression, field)
        return cls(expression, tree, _compile(tree), _uses_markers(tree))

    def matches(self, text: str) -> bool:
        """Whether ``text`` matches (case, accents and letter variants aside)."""
        return self._test(*Words.of(text, self.markers))

    def matches_words(self, words: Words) -> bool:
        """Whether a text already split by ``Words.of`` matches (to test many queries)."""
        return self._test(*words)


class Words(tuple[str, str]):
    """A text folded and split once: its words joined by spaces, without and (if asked
    for) with the ``#``/``@`` markers."""

    __slots__ = ()

    @classmethod
    def of(cls, text: str, markers: bool = True) -> Words:
        return cls(joined_words(text, markers))


def _uses_markers(node: Node) -> bool:
    if isinstance(node, Term):
        return bool(node.marker)
    if isinstance(node, Not):
        return _uses_markers(node.item)
    return any(_uses_markers(item) for item in node.items)


# What the full-text index can narrow down: ASCII words (the index and the matcher fold
# other scripts' letters in ways that differ), all required ("and") or any ("or").
@dataclass(frozen=True, slots=True)
class IndexWord:
    word: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class IndexAll:
    items: tuple[IndexNeed, ...]


@dataclass(frozen=True, slots=True)
class IndexAny:
    items: tuple[IndexNeed, ...]


IndexNeed = IndexWord | IndexAll | IndexAny


def _indexable(word: str) -> bool:
    return word.isascii() and word.isalnum()


def index_need(node: Node) -> IndexNeed | None:
    """What every matching text must contain as index words, or None when nothing can be
    said (a NOT, or a term with no plain ASCII word): the index then cannot prefilter."""
    if isinstance(node, Term):
        last = len(node.words) - 1
        words = [
            IndexWord(w, node.prefix and i == last)
            for i, w in enumerate(node.words)
            if _indexable(w)
        ]
        if not words:
            return None
        return words[0] if len(words) == 1 else IndexAll(tuple(words))
    if isinstance(node, Not):
        return None
    needs = [index_need(item) for item in node.items]
    if isinstance(node, And):
        known = tuple(n for n in needs if n is not None)
        if not known:
            return None
        return known[0] if len(known) == 1 else IndexAll(known)
    if any(n is None for n in needs):
        return None
    return IndexAny(tuple(n for n in needs if n is not None))


def any_of_needs(needs: list[IndexNeed | None]) -> IndexNeed | None:
    """The need of "one of these" (a query and its language variants)."""
    if not needs or any(n is None for n in needs):
        return None
    known = tuple(n for n in needs if n is not None)
    return known[0] if len(known) == 1 else IndexAny(known)


def fts5_query(need: IndexNeed) -> str:
    """The need as an SQLite FTS5 query (only ASCII letters and digits ever reach it)."""
    if isinstance(need, IndexWord):
        return f'"{need.word}"' + ("*" if need.prefix else "")
    joiner = " AND " if isinstance(need, IndexAll) else " OR "
    return "(" + joiner.join(fts5_query(item) for item in need.items) + ")"
