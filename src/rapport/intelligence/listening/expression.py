"""The listening query language: parse a boolean keyword expression into a tree.

    expression := or
    or         := and ("OR" and)*
    and        := unary (["AND"] unary)*        two terms side by side are ANDed
    unary      := "NOT" unary | "-" unary | primary
    primary    := "(" expression ")" | '"' phrase '"' | term

A term is a word (``refund``), a prefix (``refund*``), a hashtag (``#vetur``) or a handle
(``@fjordandpine``); a term with punctuation inside (``e-mail``) is the phrase of its words.
Operators are upper case: ``and``, ``or`` and ``not`` in lower case are words. NOT binds
tighter than AND, AND tighter than OR. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapport.errors import InvalidInput
from rapport.intelligence.listening.folding import fold_words

MAX_LENGTH = 2_000
_OPERATORS = {"AND", "OR", "NOT"}
_SPECIAL = set('()"')


class InvalidQuery(InvalidInput):
    """An expression that cannot be parsed; says what and at which character (1-based)."""

    def __init__(self, problem: str, position: int, field: str = "expression") -> None:
        super().__init__(f"{field}: {problem} at character {position}")
        self.problem = problem
        self.position = position


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must appear in this order (one word for a plain term).

    ``marker`` is ``#`` or ``@`` for a hashtag or a handle; ``prefix`` lets the last word
    be the start of a longer one."""

    words: tuple[str, ...]
    marker: str = ""
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "phrase", "word", "AND", "OR", "NOT", "-", "end"
    text: str
    position: int  # 1-based character position in the expression


def _lex(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i + 1))
            i += 1
        elif char == '"':
            end = source.find('"', i + 1)
            if end < 0:
                raise InvalidQuery("unclosed quote", i + 1)
            tokens.append(_Token("phrase", source[i + 1 : end], i + 1))
            i = end + 1
        elif char == "-" and i + 1 < n and not source[i + 1].isspace():
            tokens.append(_Token("-", char, i + 1))
            i += 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in _SPECIAL:
                i += 1
            text = source[start:i]
            kind = text if text in _OPERATORS else "word"
            tokens.append(_Token(kind, text, start + 1))
    tokens.append(_Token("end", "", n + 1))
    return tokens


def _term(token: _Token) -> Term:
    text = token.text
    prefix = text.endswith("*")
    if prefix:
        text = text[:-1]
    if "*" in text:
        star = token.position + token.text.index("*")
        raise InvalidQuery("'*' may only end a term (as in refund*)", star)
    marker = ""
    if token.kind == "word" and text[:1] in ("#", "@"):
        marker, text = text[0], text[1:]
    words = tuple(w for w in fold_words(text) if w not in ("#", "@"))
    if not words:
        what = "phrase" if token.kind == "phrase" else "term"
        raise InvalidQuery(f"{what} {token.text!r} has no letters or digits", token.position)
    return Term(words, marker, prefix)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _lex(source)
        self.at = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise InvalidQuery('empty expression; write a word, a "phrase" or #tag', 1)
        node = self.or_()
        token = self.peek()
        if token.kind == ")":
            raise InvalidQuery("')' without a matching '('", token.position)
        if token.kind != "end":  # pragma: no cover - or_() consumes all else
            raise InvalidQuery(f"unexpected {token.text!r}", token.position)
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek().kind == "OR":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
            elif kind not in ("word", "phrase", "(", "NOT", "-"):
                break
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        if self.peek().kind in ("NOT", "-"):
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind in ("word", "phrase"):
            return _term(token)
        if token.kind == "(":
            if self.peek().kind == ")":
                raise InvalidQuery("empty parentheses", self.peek().position)
            node = self.or_()
            closing = self.take()
            if closing.kind != ")":
                raise InvalidQuery("'(' is never closed", token.position)
            return node
        previous = self.tokens[self.at - 2] if self.at >= 2 else None
        after = f" after {previous.text}" if previous and previous.kind in _OPERATORS else ""
        found = "the end" if token.kind == "end" else repr(token.text)
        raise InvalidQuery(f"expected a term{after}, found {found}", token.position)


def parse(source: str, field: str = "expression") -> Node:
    """The tree of ``source``; raises ``InvalidQuery`` naming the problem and its position."""
    if len(source) > MAX_LENGTH:
        raise InvalidQuery(f"longer than {MAX_LENGTH} characters", MAX_LENGTH + 1, field)
    try:
        return _Parser(source).parse()
    except InvalidQuery as exc:
        if field == "expression":
            raise
        raise InvalidQuery(exc.problem, exc.position, field) from None


def render(node: Node) -> str:
    """A canonical text of the tree (fully parenthesised), which parses back to it."""
    if isinstance(node, Term):
        star = "*" if node.prefix else ""
        if node.marker:  # words are letters and digits: "-" joins them back into one term
            return node.marker + "-".join(node.words) + star
        # Folded words are lower case, so a word never reads as an operator.
        return node.words[0] + star if len(node.words) == 1 else f'"{" ".join(node.words)}{star}"'
    if isinstance(node, Not):
        return f"NOT {render(node.item)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(render(item) for item in node.items) + ")"
