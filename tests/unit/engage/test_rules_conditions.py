"""Each kind of rule condition: when it matches, when it does not, and the reason it gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from rapport.engage.rules import MessageFacts, rules_from_data

BASE = MessageFacts(
    channel="twitter-support",
    channel_kind="twitter",
    text="Hello there",
    author_id="tw:1",
    sent_at=datetime(2024, 3, 6, 10, 0, tzinfo=UTC),
)


def reason(when: dict[str, Any], **facts: Any) -> str | None:
    """Why a rule with these conditions fires for a message with these facts, or None."""
    ruleset = rules_from_data({"rules": [{"name": "r", "when": when, "then": {"tag": "t"}}]})
    firings = ruleset.evaluate(replace(BASE, **facts))
    return firings[0].reason if firings else None


def test_channel_matches_by_name_in_any_case():
    assert reason({"channel": "Twitter-Support"}) == 'channel is "twitter-support"'
    assert reason({"channel": ["email", "twitter-support"]}) == 'channel is "twitter-support"'
    assert reason({"channel": "email"}) is None


def test_channel_kind():
    assert reason({"channel_kind": ["facebook", "twitter"]}) == 'channel kind is "twitter"'
    assert reason({"channel_kind": "email"}) is None


def test_keywords_match_whole_words_ignoring_case():
    when = {"text": {"contains_any": ["refund", "money back"]}}
    assert reason(when, text="I want a REFUND.") == 'text contains "refund"'
    assert reason(when, text="I was refunded already") is None
    assert reason(when, text="prefund scheme") is None
    assert reason(when, text="money\n  back now") == 'text contains "money back"'


def test_a_trailing_star_matches_any_ending_and_reports_the_word():
    when = {"text": {"contains_any": ["refund*"]}}
    assert reason(when, text="Was it Refunded?") == 'text contains "refund*" ("refunded")'
    assert reason(when, text="refund") == 'text contains "refund*" ("refund")'
    assert reason(when, text="prefunded") is None


def test_keywords_with_punctuation_and_emoji():
    when = {"text": {"contains_any": ["e-mail", "😡", "c++"]}}
    assert reason(when, text="your e-mail bounced") == 'text contains "e-mail"'
    assert reason(when, text="great😡") == 'text contains "😡"'
    assert reason(when, text="I code c++ daily") == 'text contains "c++"'
    assert reason(when, text="email") is None


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("endurgreiðsla", "Ég vil fá ENDURGREIÐSLA strax"),
        ("endurgreiðsla", "eg vil fa endurgreidsla strax"),  # typed without Icelandic letters
        ("endurgreidsla", "Ég vil fá endurgreiðsla"),
        ("þjónusta", "Thjonusta ykkar er góð"),
        ("kvörtun", "Formleg kvortun"),
        ("mushkil", "no mushkil"),
        ("مشکل", "یک مُشکل دارم"),  # Persian with a damma
        ("مُشکل", "یک مشکل دارم"),
        ("شکایت", "من شكايت دارم"),  # Arabic kaf and yeh typed for Persian ones
        ("می‌خواهم", "من میخواهم"),  # with and without the zero-width non-joiner
        ("visszatérítés*", "Kérem a visszatérítést"),  # Hungarian: accusative ending
        ("ő", "Ő mondta"),
    ],
)
def test_keywords_ignore_accents_and_script_variants(keyword: str, text: str):
    assert reason({"text": {"contains_any": [keyword]}}, text=text) is not None


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("شکایت", "شکایتها"),  # a longer Persian word
        ("مشکل", "بیمشکل"),
        ("kvörtun", "kvörtunum"),  # Icelandic inflection needs a *
        ("visszatérítés", "visszatérítést"),
    ],
)
def test_keywords_respect_word_boundaries_in_every_script(keyword: str, text: str):
    assert reason({"text": {"contains_any": [keyword]}}, text=text) is None


def test_contains_all_needs_every_keyword():
    when = {"text": {"contains_all": ["order", "broken*"]}}
    assert reason(when, text="My order arrived broken") == 'text contains "order" and "broken*"'
    assert reason(when, text="My order arrived late") is None


def test_matches_is_a_regex_on_the_raw_text():
    when = {"text": {"matches": r"#\d{6}\b"}}
    assert reason(when, text="Order #123456 is late") == 'text matches /#\\d{6}\\b/ ("#123456")'
    assert reason(when, text="Order #12345 is late") is None
    assert reason({"text": {"matches": "Refund"}}, text="refund") is None  # case-sensitive
    assert reason({"text": {"matches": "(?i)Refund"}}, text="refund") is not None


def test_all_text_tests_must_hold():
    when = {"text": {"contains_any": ["refund"], "matches": r"\d+"}}
    assert reason(when, text="refund 42") is not None
    assert reason(when, text="refund please") is None


def test_subject_conditions_never_match_without_a_subject():
    when = {"subject": {"contains_any": ["invoice"]}}
    assert reason(when, subject="Re: Invoice 2024") == 'subject contains "invoice"'
    assert reason(when, subject=None, text="invoice") is None


def test_author_conditions():
    assert reason({"author": {"handle": ["@Acme"]}}, author_handle="acme") == (
        'author handle is "@acme"'
    )
    assert reason({"author": {"handle": "acme"}}, author_handle="@other") is None
    domain = {"author": {"email_domain": ["example.com"]}}
    assert reason(domain, author_email="kari@Example.com") == 'author email domain is "example.com"'
    assert reason(domain, author_email="kari@mail.example.com") is not None
    assert reason(domain, author_email="kari@notexample.com") is None
    assert reason(domain, author_email=None) is None
    name = {"author": {"name_contains": ["bot*"]}}
    assert reason(name, author_name="Newsletter Bot") is not None
    assert reason(name, author_name="Abbott") is None
    both = {"author": {"handle": "acme", "name_contains": ["acme"]}}
    assert reason(both, author_handle="acme", author_name="Someone") is None


def test_contact_attribute_values():
    tier = {"contact": {"tier": ["gold", "platinum"]}}
    assert reason(tier, contact={"tier": "Gold"}) == 'contact tier is "Gold"'
    assert reason(tier, contact={"tier": "silver"}) is None
    assert reason(tier, contact={}) is None
    assert reason({"contact": {"vip": True}}, contact={"vip": True}) is not None
    assert reason({"contact": {"vip": True}}, contact={"vip": "true"}) is not None
    assert reason({"contact": {"vip": True}}, contact={"vip": False}) is None
    assert reason({"contact": {"city": "Reykjavík"}}, contact={"city": "reykjavik"}) is not None
    assert reason({"contact": {"tags": "press"}}, contact={"tags": ["press", "vip"]}) is not None


def test_contact_exists_and_numbers():
    assert reason({"contact": {"phone": {"exists": True}}}, contact={"phone": "+47"}) == (
        "contact phone is set"
    )
    assert reason({"contact": {"phone": {"exists": True}}}, contact={"phone": ""}) is None
    assert reason({"contact": {"phone": {"exists": False}}}, contact={}) is not None
    orders = {"contact": {"orders": {"at_least": 10}}}
    assert reason(orders, contact={"orders": 12}) == "contact orders 12 ≥ 10"
    assert reason(orders, contact={"orders": "15"}) is not None
    assert reason(orders, contact={"orders": 9}) is None
    assert reason(orders, contact={"orders": "many"}) is None


def test_followers_bounds_are_inclusive():
    when = {"followers": {"at_least": 10_000}}
    assert reason(when, followers_count=12_400) == "followers 12,400 ≥ 10,000"
    assert reason(when, followers_count=10_000) is not None
    assert reason(when, followers_count=9_999) is None
    assert reason(when, followers_count=None) is None
    band = {"followers": {"at_least": 100, "at_most": 1000}}
    assert reason(band, followers_count=500) == "followers 500 between 100 and 1,000"
    assert reason(band, followers_count=1001) is None


def test_business_hours_and_new_case():
    assert reason({"business_hours": "closed"}, business_open=False) == "outside business hours"
    assert reason({"business_hours": "open"}, business_open=True) == "within business hours"
    assert reason({"business_hours": "open"}, business_open=None) is None
    assert reason({"business_hours": "closed"}, business_open=None) is None
    assert reason({"new_case": True}, is_new_case=True) == "new case"
    assert reason({"new_case": False}, is_new_case=True) is None


@pytest.mark.parametrize("kind", ["language", "sentiment", "intent"])
def test_analysis_conditions_never_match_before_analysis(kind: str):
    value = {"language": "en", "sentiment": "negative", "intent": "complaint"}[kind]
    assert reason({kind: value}) is None
    assert reason({"not": {kind: value}}) is not None  # …though their negation does


def test_language_primary_tag_covers_regional_variants():
    assert reason({"language": "pt"}, language="pt-BR") == 'language is "pt-BR"'
    assert reason({"language": "pt_BR"}, language="pt-br") is not None
    assert reason({"language": "pt-BR"}, language="pt") is None
    assert reason({"language": ["nb", "nn"]}, language="sv") is None


def test_sentiment_and_intent():
    assert reason({"sentiment": "negative"}, sentiment="negative") == 'sentiment is "negative"'
    assert reason({"sentiment": ["neutral", "positive"]}, sentiment="negative") is None
    assert reason({"intent": "Refund_Request"}, intent="refund_request") is not None


def test_all_conditions_must_hold_and_the_reason_lists_each_in_written_order():
    when = {
        "text": {"contains_any": ["refund"]},
        "channel": "twitter-support",
        "followers": {"at_least": 10_000},
    }
    assert reason(when, text="refund please", followers_count=12_400) == (
        'text contains "refund"; channel is "twitter-support"; followers 12,400 ≥ 10,000'
    )
    assert reason(when, text="refund please", followers_count=5) is None


def test_any_matches_when_one_branch_does_and_explains_that_branch():
    when = {"any": [{"channel": "email"}, {"text": {"contains_any": ["urgent"]}}]}
    assert reason(when, text="URGENT!") == 'text contains "urgent"'
    assert reason(when, text="whenever") is None


def test_not_negates_all_of_its_conditions():
    when = {"not": {"channel_kind": "twitter", "text": {"contains_any": ["spam"]}}}
    assert reason(when, text="spam") is None
    assert reason(when, text="hello") == ('not (channel kind is "twitter"; text contains "spam")')


def test_all_groups_let_two_any_lists_combine():
    when = {
        "all": [
            {"any": [{"channel_kind": "twitter"}, {"channel_kind": "facebook"}]},
            {"any": [{"followers": {"at_least": 100}}, {"contact": {"vip": True}}]},
        ]
    }
    assert reason(when, followers_count=150) is not None
    assert reason(when, followers_count=5) is None
    assert reason(when, followers_count=5, contact={"vip": True}) is not None


def test_a_rule_without_conditions_matches_every_inbound_message():
    assert reason({}) == "every inbound message"
    assert reason({}, direction="outbound") is None


def test_direction():
    assert reason({"direction": "outbound"}, direction="outbound") == "direction is outbound"
    assert reason({"direction": "outbound"}) is None
    assert reason({"direction": "any"}, direction="outbound") == "every message"
    assert reason({"direction": "any", "channel": "twitter-support"}) is not None


def test_untrusted_text_is_quoted_safely_in_reasons():
    when = {"text": {"matches": "steal.*"}}
    text = 'steal "this"\n\x1b[31m' + "x" * 200
    why = reason(when, text=text)
    assert why is not None
    assert "\n" not in why
    assert "\x1b" not in why
    assert len(why) < 100
