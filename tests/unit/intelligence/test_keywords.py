"""Keywords say what a post is about, in any script, without handles, links or filler."""

from rapport.intelligence.keywords import extract_keywords


def test_hashtags_first_then_repeated_then_longer_words() -> None:
    text = "@FjordPine my parcel never arrived, tracking says the parcel was delivered #fail"
    assert extract_keywords(text) == ("#fail", "parcel", "delivered", "tracking", "arrived")


def test_handles_links_numbers_and_function_words_are_never_keywords() -> None:
    text = "@support https://t.co/abc www.example.com me@example.com 12345 the and please thanks"
    assert extract_keywords(text) == ()


def test_words_are_case_folded_into_one_keyword() -> None:
    assert extract_keywords("Refund REFUND refund now") == ("refund",)


def test_persian_icelandic_and_hungarian_words_are_kept_whole() -> None:
    assert extract_keywords("سلام، سفارش من هنوز نرسیده است. لطفا پیگیری کنید")[:3] == (
        "نرسیده",
        "پیگیری",
        "سفارش",
    )
    assert extract_keywords("Pakkinn minn kom ekki, ég vil endurgreiðslu")[0] == "endurgreiðslu"
    assert "visszatérítést" in extract_keywords("Kérem a visszatérítést, a csomag sérült")


def test_limit() -> None:
    assert len(extract_keywords("alpha bravo charlie delta echo foxtrot golf", limit=3)) == 3


def test_a_typographic_apostrophe_is_a_plain_one() -> None:
    assert extract_keywords("I don\u2019t get it, the parcel didn\u2019t arrive") == (
        "parcel",
        "arrive",
    )


def test_a_persian_word_with_a_zero_width_non_joiner_stays_one_word() -> None:
    assert "راهنمایی\u200cتون" in extract_keywords("ممنون از راهنمایی\u200cتون")
