"""Keyword folding and matching: the fast word-set path agrees with the whole-word regex."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.engage.rules.text import (
    FoldedText,
    _mark_classes,
    check_keyword,
    compile_keywords,
    fold,
    quote,
)


def test_folding_removes_case_accents_and_script_variants():
    assert fold("Ég vil ENDURGREIÐSLU") == "eg vil endurgreidslu"
    assert fold("Þjónusta Æði Øl") == "thjonusta aedi ol"
    assert fold("Visszatérítés Ő") == "visszaterites o"
    assert fold("مُشكِل") == "مشکل"  # harakat gone, Arabic kaf → Persian keheh
    full_width = (
        "\uff52\uff45\uff46\uff55\uff4e\uff44 \ufb01x"  # full-width "refund", "fi" ligature
    )
    assert fold(full_width) == "refund fix"
    assert fold("Straße") == "strasse"


def test_mark_tables_cover_every_mark_in_the_unicode_database():
    # marks are only looked for in planes 0, 1 and 14, to keep start-up fast
    outside = [
        cp
        for cp in range(sys.maxunicode + 1)
        if not (cp < 0x20000 or 0xE0000 <= cp < 0xE1000)
        and unicodedata.category(chr(cp)) in ("Mn", "Me", "Mc")
    ]
    assert outside == []
    bmp, astral, _ = _mark_classes()
    assert bmp.fullmatch("\u0301\u064e\u20dd")
    assert astral.fullmatch("\U0001d167\U000e0100")


def test_quote_makes_untrusted_text_safe_to_log():
    assert quote("refund") == '"refund"'
    assert quote('say "hi"') == '"say \\"hi\\""'
    assert quote("a\nb\u202etxt.exe") == '"a b txt.exe"'
    assert quote("x" * 100, 10) == '"xxxxxxxxx…"'


def test_the_longest_keyword_wins_where_several_start_together():
    matcher = compile_keywords(["money", "money back"])
    assert matcher.first(fold("I want my money back")) == ("money back", "money back")
    assert matcher.first(fold("money talks")) == ("money", "money")


words = st.text(st.sampled_from("aáðþøeé oمکیيك-*"), min_size=1, max_size=8)
texts = st.text(st.sampled_from("aAáÁðÐþøeéE oمکیيك-\u200c.!\n"), max_size=40)


def valid(keyword: str) -> bool:
    try:
        check_keyword(keyword)
    except ValueError:
        return False
    return True


@settings(max_examples=400)
@given(keywords=st.lists(words.filter(valid), min_size=1, max_size=4), text=texts)
def test_word_sets_and_the_regex_agree(keywords: list[str], text: str):
    matcher = compile_keywords(keywords)
    folded = FoldedText(text)
    assert matcher.found_in(folded) == (matcher.first(folded.text) is not None)
