"""Whether a text matches a listening query, in every script, and what the index may skip."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.intelligence.listening.compiled import CompiledQuery
from rapport.intelligence.listening.expression import And, Node, Not, Term
from rapport.intelligence.listening.folding import INDEX_UNSAFE_RANGES, fold, word_pattern
from rapport.intelligence.listening.matcher import (
    IndexAll,
    IndexAny,
    IndexNeed,
    IndexWord,
    Matcher,
    fts5_query,
    index_need,
)


def matches(expression: str, text: str) -> bool:
    return Matcher.of(expression).matches(text)


@pytest.mark.parametrize(
    ("expression", "text", "expected"),
    [
        # case and accents
        ("cafe", "Best CAFÉ in town", True),
        ("café", "best cafe in town", True),
        ("cafe", "cafe\u0301 written decomposed", True),
        ("strasse", "Hauptstraße 5", False),  # a word boundary: strasse is inside a word
        ("hauptstrasse", "Hauptstraße 5", True),
        ("tromso", "Tromsø in January", True),
        ("lodz", "Łódź", True),
        ("aegir", "Ægir", False),  # æ is a letter of its own, not an accented a
        # word boundaries, not substrings
        ("tent", "my tent broke", True),
        ("tent", "the content is fine", False),
        ("tent", "tent, tent!", True),
        ("tent", "tents", False),
        ("tent*", "tents", True),
        ("tent*", "attention", False),
        # phrases: words in order, next to each other, punctuation aside
        ('"vetur 2"', "My Vetur-2 tent", True),
        ('"vetur 2"', "Vetur 3, not 2", False),
        ('"money back"', "I want my money... back!", True),
        # NOT and precedence
        ("vetur -recall", "Vetur tent recall", False),
        ("vetur -recall", "Vetur tent", True),
        ("vetur OR hríma NOT recall", "hríma recall", False),
        ("vetur OR hríma NOT recall", "vetur recall", True),
        ("(vetur OR hríma) NOT recall", "vetur recall", False),
        ("NOT vetur", "nothing here", True),
        # hashtags and handles
        ("#vetur", "Love it #Vetur", True),
        ("#vetur", "Love the Vetur", False),
        ("vetur", "Love it #vetur", True),
        ("@fjordandpine", "@FjordAndPine help!", True),
        ("@fjordandpine", "fjordandpine help", False),
        ("@fjordandpine", "mail me at me@fjordandpine", False),
        ("#vet*", "#Vetur2 rocks", True),
        ("#vetur", "a\x00vetur", False),  # control characters never pose as markers
        ("@fp", "x\x01fp", False),
        ("#vetur", "\uff03Vetur", True),  # a full-width hash sign is a hash sign
        # Icelandic: þ, ð, æ, ö and accents
        ("þjónustu", "Takk fyrir frábæra ÞJÓNUSTU!", True),
        ("þjonustu", "Takk fyrir frábæra þjónustu", True),
        ("hrím*", "dúnúlpuna Hrímu í stærð S", True),
        ('"góðan dag"', "Góðan dag, ég heiti Jón", True),
        ("ferð", "ferðalag", False),
        # Hungarian: double acute accents
        ("kabátom", "A Szél KABÁTOM cipzárja", True),
        ("cipzarja", "A Szél kabátom cipzárja két hét után", True),
        ("köszönöm", "Köszönöm szépen!", True),
        ("koszonom", "Köszönöm szépen!", True),
        ("ő", "ő és ű", True),
        # Persian: words of Arabic script, the zero-width non-joiner, Arabic letter forms
        ("سفارش", "سلام، سفارش من هنوز نرسیده است", True),
        ("سفارش", "سفارشم رسید", False),
        ("سفارش*", "سفارشم رسید", True),
        ("خواب", "کیسه\u200cخواب «هکلا»", True),  # noqa: RUF001
        ("هکلا", "کیسه\u200cخواب «هکلا» رو", True),  # noqa: RUF001
        ("کیف", "كيف جديد", True),  # written with Arabic kaf and yeh
        ("۳۸", "۳۸ فرانک گمرک", True),
        ("38", "۳۸ فرانک گمرک", True),
        ('"فرانک گمرک"', "۳۸ فرانک گمرک ازم گرفتن", True),
        # other scripts keep their word boundaries
        ("हिंदी", "मुझे हिंदी पसंद है", True),
        ("हिं", "मुझे हिंदी पसंद है", False),
        ("ελλάδα", "Ταξίδι στην Ελλάδα", True),
    ],
)
def test_matching(expression: str, text: str, expected: bool) -> None:
    assert matches(expression, text) is expected


def test_variants_match_messages_of_their_language() -> None:
    query = CompiledQuery.of("Hekla", "hekla", {"fa": "هکلا"})
    assert query.matches("Il sacco a pelo Hekla", "it")
    assert query.matches("کیسه\u200cخواب «هکلا»", "fa")  # noqa: RUF001
    assert not query.matches("Hekla sleeping bag", "fa")  # Persian messages use the variant
    assert query.matches("Hekla sleeping bag", None)  # unread: the default expression


def test_a_bad_variant_names_its_language() -> None:
    with pytest.raises(Exception, match=r"variants\.fa: unclosed quote at character 1"):
        CompiledQuery.of("x", "hekla", {"fa": '"هکلا'})
    with pytest.raises(Exception, match="not a language code"):
        CompiledQuery.of("x", "hekla", {"Persian": "هکلا"})


def test_index_need_keeps_required_ascii_words_only() -> None:
    need = index_need(Matcher.of('(vetur OR hrima*) "dry bag" -recall سفارش').tree)
    assert need == IndexAll(
        (
            IndexAny((IndexWord("vetur"), IndexWord("hrima", prefix=True))),
            IndexAll((IndexWord("dry"), IndexWord("bag"))),
        )
    )
    assert fts5_query(need) == '(("vetur" OR "hrima"*) AND ("dry" AND "bag"))'
    assert index_need(Matcher.of("vetur OR سفارش").tree) is None
    assert index_need(Matcher.of("NOT vetur").tree) is None
    # Folded to ASCII: the index finds "hrima"; texts spelling it "Hríma" have a character
    # the index folds its own way, and are read whatever the index says.
    assert index_need(Matcher.of("hríma").tree) == IndexWord("hrima")


# A reference evaluator: the tree read directly against the list of folded words.
def _words(text: str) -> list[str]:
    return word_pattern().findall(fold(text))


def _has(term: Term, tokens: list[str]) -> bool:
    seq = [*([term.marker] if term.marker else []), *term.words]
    plain = tokens if term.marker else [w for w in tokens if w not in ("#", "@")]
    for i in range(len(plain) - len(seq) + 1):
        window = plain[i : i + len(seq)]
        head, last = window[:-1], window[-1]
        if head == seq[:-1] and (last.startswith(seq[-1]) if term.prefix else last == seq[-1]):
            return True
    return False


def _reference(node: Node, tokens: list[str]) -> bool:
    if isinstance(node, Term):
        return _has(node, tokens)
    if isinstance(node, Not):
        return not _reference(node.item, tokens)
    results = [_reference(item, tokens) for item in node.items]
    return all(results) if isinstance(node, And) else any(results)


def _need_holds(need: IndexNeed, tokens: set[str]) -> bool:
    if isinstance(need, IndexWord):
        return any(t.startswith(need.word) for t in tokens) if need.prefix else need.word in tokens
    results = [_need_holds(item, tokens) for item in need.items]
    return all(results) if isinstance(need, IndexAll) else any(results)


VOCABULARY = ["vetur", "tent", "café", "hríma", "سفارش", "kabát", "2", "#camp", "@fp", "ve"]
texts = st.lists(
    st.sampled_from([*VOCABULARY, "CAFE", "Vetur-2", "#Vetur", "Hrímu", "!", "،", "\u200c"]),
    max_size=8,
).map(" ".join)
expressions = st.recursive(
    st.builds(
        lambda w, star: w + ("*" if star and not w.startswith(("#", "@")) else ""),
        st.sampled_from(VOCABULARY),
        st.booleans(),
    )
    | st.builds(
        lambda a, b: f'"{a} {b}"', st.sampled_from(VOCABULARY[:6]), st.sampled_from(VOCABULARY[:6])
    ),
    lambda inner: st.one_of(
        st.builds(lambda e: f"NOT {e}", inner),
        st.builds(lambda e: f"-({e})", inner),
        st.builds(lambda a, b: f"({a} {b})", inner, inner),
        st.builds(lambda a, b: f"({a} OR {b})", inner, inner),
        st.builds(lambda a, b: f"({a} AND {b})", inner, inner),
    ),
    max_leaves=6,
)


@given(expressions, texts)
def test_matcher_agrees_with_the_reference_reading(expression: str, text: str) -> None:
    matcher = Matcher.of(expression)
    assert matcher.matches(text) is _reference(matcher.tree, _words(text))


ANY_TEXT_QUERIES = [
    Matcher.of(e) for e in ("a", "a*", '"a b"', "#a", "@a*", "#a OR @b", "é", "ab -#c", '"#a b"')
]


@given(
    st.text(
        alphabet=st.sampled_from("aAbBcé_ #@\x00\x01.-\u0301\u200c\u0627\u0628\uff21\uff03ß"),
        max_size=12,
    )
)
def test_any_text_is_split_as_the_reference_splits_it(text: str) -> None:
    for matcher in ANY_TEXT_QUERIES:
        assert matcher.matches(text) is _reference(matcher.tree, _words(text)), matcher.expression


@given(st.text(max_size=30))
def test_arbitrary_unicode_is_split_as_the_reference_splits_it(text: str) -> None:
    for matcher in ANY_TEXT_QUERIES:
        assert matcher.matches(text) is _reference(matcher.tree, _words(text)), matcher.expression


@given(expressions, texts)
def test_every_match_has_what_the_index_is_asked_for(expression: str, text: str) -> None:
    matcher = Matcher.of(expression)
    need = index_need(matcher.tree)
    if need is not None and matcher.matches(text):
        assert _need_holds(need, {w for w in _words(text) if w not in ("#", "@")})


def _index_reads_differently(code: int) -> bool:
    """Whether SQLite's FTS5 (unicode61, remove_diacritics 2; words are L*, N*, Co) may see
    ASCII words around this character that the matcher does not, or the reverse."""
    char = chr(code)
    folded = fold(char)
    token_char = unicodedata.category(char)[0] in "LN" or unicodedata.category(char) == "Co"
    if folded == "" or any(c.isascii() and c.isalnum() for c in folded):
        return True
    if token_char:
        return word_pattern().findall(folded) != [folded]
    return False


def test_index_unsafe_ranges_cover_every_character_the_index_reads_differently() -> None:
    def covered(code: int) -> bool:
        return any(a <= code <= b for a, b in INDEX_UNSAFE_RANGES)

    missing = [
        hex(code)
        for code in range(0x80, sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF and not covered(code) and _index_reads_differently(code)
    ]
    assert missing == []
