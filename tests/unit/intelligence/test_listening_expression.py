"""The listening query language: what an expression means, and where a mistake is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.errors import InvalidInput
from rapport.intelligence.listening.expression import (
    And,
    InvalidQuery,
    Node,
    Not,
    Or,
    Term,
    parse,
    render,
)


def t(*words: str, marker: str = "", prefix: bool = False) -> Term:
    return Term(tuple(words), marker, prefix)


def test_adjacent_terms_are_anded_and_and_binds_tighter_than_or() -> None:
    assert parse("vetur tent") == And((t("vetur"), t("tent")))
    assert parse("a OR b c") == Or((t("a"), And((t("b"), t("c")))))
    assert parse("a AND b OR c") == Or((And((t("a"), t("b"))), t("c")))
    assert parse("(a OR b) c") == And((Or((t("a"), t("b"))), t("c")))


def test_not_and_minus_bind_tightest() -> None:
    assert parse("NOT a b") == And((Not(t("a")), t("b")))
    assert parse("a -b") == And((t("a"), Not(t("b"))))
    assert parse("-(a OR b)") == Not(Or((t("a"), t("b"))))
    # A hyphen inside a word is part of it: the phrase of its words.
    assert parse("e-mail") == t("e", "mail")


def test_lower_case_operators_are_words() -> None:
    assert parse("salt and pepper") == And((t("salt"), t("and"), t("pepper")))


def test_phrases_hashtags_handles_and_prefixes() -> None:
    assert parse('"Vetur 2" #Camping @FjordAndPine refund*') == And(
        (
            t("vetur", "2"),
            t("camping", marker="#"),
            t("fjordandpine", marker="@"),
            t("refund", prefix=True),
        )
    )
    assert parse('"money back*"') == t("money", "back", prefix=True)


def test_terms_are_folded_like_the_text() -> None:
    assert parse("Café") == t("cafe")
    assert parse("ÞJÓNUSTA") == t("þjonusta")
    assert parse("kabátom") == t("kabatom")
    # Arabic yeh and kaf read as Persian ones.
    assert parse("كيف") == parse("کیف")


@pytest.mark.parametrize(
    ("expression", "problem", "position"),
    [
        ("", "empty expression", 1),
        ("   ", "empty expression", 1),
        ('vetur "tent', "unclosed quote", 7),
        ("vetur AND", "expected a term after AND, found the end", 10),
        ("OR vetur", "expected a term, found 'OR'", 1),
        ("(vetur OR tent", "'(' is never closed", 1),
        ("vetur)", "')' without a matching '('", 6),
        ("vetur ()", "empty parentheses", 8),
        ("ve*tur", "'*' may only end a term", 3),
        ("vetur !!!", "term '!!!' has no letters or digits", 7),
        ('a ""', "phrase '' has no letters or digits", 3),
        ("a NOT", "expected a term after NOT, found the end", 6),
    ],
)
def test_mistakes_say_what_and_where(expression: str, problem: str, position: int) -> None:
    with pytest.raises(InvalidQuery) as caught:
        parse(expression)
    assert problem in str(caught.value)
    assert caught.value.position == position
    assert str(caught.value).endswith(f"at character {position}")
    assert str(caught.value).startswith("expression: ")
    assert isinstance(caught.value, InvalidInput)  # a 422, not a crash


def test_an_overlong_expression_is_refused() -> None:
    with pytest.raises(InvalidQuery, match="longer than"):
        parse("a " * 1_500)


_words = st.sampled_from(["vetur", "tent", "café", "hríma", "سفارش", "kabát", "2", "e-mail"])


def _terms() -> st.SearchStrategy[Node]:
    plain = st.builds(lambda w, p: parse(w + ("*" if p else "")), _words, st.booleans())
    marked = st.builds(lambda m, w: parse(m + w), st.sampled_from("#@"), _words)
    phrase = st.builds(lambda a, b: parse(f'"{a} {b}"'), _words, _words)
    return st.one_of(plain, marked, phrase)


trees = st.recursive(
    _terms(),
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(lambda xs: And(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(inner, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)


@given(trees)
def test_rendering_parses_back_to_the_same_tree(tree: Node) -> None:
    assert parse(render(tree)) == tree


@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_position_inside_it(source: str) -> None:
    try:
        parse(source)
    except InvalidQuery as exc:
        position = exc.position
    else:
        return
    assert 1 <= position <= len(source) + 1
