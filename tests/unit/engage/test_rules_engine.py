"""Evaluating a rule set: order, stop, disabled rules, typed actions and the example file."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import rapport.engage.rules as rules_package
from rapport.engage.rules import (
    Actions,
    Assign,
    Escalate,
    Firing,
    MessageFacts,
    Priority,
    RuleSet,
    load_rules,
)

EXAMPLE = Path(rules_package.__file__).parent / "example-rules.yaml"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "rules.md"

MESSAGE = MessageFacts(
    channel="twitter-support",
    channel_kind="twitter",
    text="Where is my refund?",
    author_id="tw:42",
    author_handle="@kari",
    sent_at=datetime(2024, 3, 6, 10, 0, tzinfo=UTC),
    followers_count=12_400,
)

RULES = """\
rules:
  - name: Refunds
    when:
      text: {contains_any: [refund*]}
    then:
      assign: {team: billing}
      priority: normal
      tag: refund
  - name: Twitter
    when: {channel_kind: twitter}
    then:
      priority: high
      tag: [social, twitter]
  - name: Influencers
    when:
      followers: {at_least: 10000}
    then:
      escalate: {team: social-media, reason: Large audience}
      notify: ["@social-media", kari@example.com]
    stop: true
  - name: Never reached after a stop
    then: {tag: unreachable}
"""


def names(firings: list[Firing]) -> list[str]:
    return [firing.rule for firing in firings]


def test_rules_fire_in_file_order_until_a_stop():
    firings = load_rules(RULES).evaluate(MESSAGE)
    assert names(firings) == ["Refunds", "Twitter", "Influencers"]
    assert [f.reason for f in firings] == [
        'text contains "refund*" ("refund")',
        'channel kind is "twitter"',
        "followers 12,400 ≥ 10,000",
    ]


def test_stop_only_applies_when_its_rule_fires():
    firings = load_rules(RULES).evaluate(replace(MESSAGE, followers_count=50))
    assert names(firings) == ["Refunds", "Twitter", "Never reached after a stop"]


def test_actions_are_typed():
    firings = load_rules(RULES).evaluate(MESSAGE)
    assert firings[0].actions == Actions(
        assign=Assign(team="billing"), priority=Priority.NORMAL, tags=("refund",)
    )
    assert firings[1].actions.tags == ("social", "twitter")
    assert firings[2].actions == Actions(
        escalate=Escalate(team="social-media", reason="Large audience"),
        notify=("@social-media", "kari@example.com"),
    )


def test_escalate_true_and_agent_assignment():
    ruleset = load_rules(
        "rules:\n  - name: x\n    then:\n      escalate: true\n"
        "      assign: {agent: kari@example.com}\n      acknowledge: got-it\n"
    )
    (firing,) = ruleset.evaluate(MESSAGE)
    assert firing.actions == Actions(
        assign=Assign(agent="kari@example.com"), escalate=Escalate(), acknowledge="got-it"
    )
    assert firing.actions.describe() == (
        'assign to agent kari@example.com; acknowledge with "got-it"; escalate'
    )


def test_disabled_rules_never_fire_but_are_listed():
    ruleset = load_rules(
        RULES.replace("  - name: Twitter\n", "  - name: Twitter\n    enabled: false\n")
    )
    assert names(ruleset.evaluate(MESSAGE)) == ["Refunds", "Influencers"]
    assert [rule.name for rule in ruleset.rules][1] == "Twitter"
    assert ruleset.rules[1].enabled is False


def test_outbound_messages_only_reach_rules_that_ask_for_them():
    ruleset = load_rules(
        "rules:\n"
        "  - {name: all inbound, then: {tag: a}}\n"
        "  - {name: outbound, when: {direction: outbound}, then: {tag: b}}\n"
        "  - {name: both, when: {direction: any}, then: {tag: c}}\n"
    )
    assert names(ruleset.evaluate(MESSAGE)) == ["all inbound", "both"]
    assert names(ruleset.evaluate(replace(MESSAGE, direction="outbound"))) == ["outbound", "both"]


def test_an_empty_rule_set_fires_nothing():
    assert load_rules("rules: []\n").evaluate(MESSAGE) == []
    assert RuleSet().evaluate(MESSAGE) == []


def test_rules_list_shows_conditions_and_actions_in_words():
    ruleset = load_rules(RULES)
    first = ruleset.rules[0]
    assert first.name == "Refunds"
    assert dict(first.when) == {"text": {"contains_any": ("refund*",)}}
    assert first.summary == 'text contains "refund*"'
    assert first.then.describe() == 'assign to team "billing"; priority normal; tag "refund"'
    assert ruleset.rules[3].summary == "every inbound message"


def test_parsed_rules_are_read_only():
    rule = load_rules(RULES).rules[0]
    with pytest.raises(TypeError):
        rule.when["channel"] = "x"  # type: ignore[index]


def test_facts_must_have_a_timezone():
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(MESSAGE, sent_at=datetime(2024, 3, 6, 10, 0))


def test_the_example_file_loads_and_routes_messages():
    ruleset = load_rules(EXAMPLE.read_text(encoding="utf-8"), source=EXAMPLE.name)
    assert len(ruleset) == 12
    refund = replace(MESSAGE, text="Ég vil fá endurgreiðslu strax!", language="is")
    assert ruleset.evaluate(refund) == [
        Firing(
            rule="Refund requests from influential accounts",
            reason='channel kind is "twitter"; text contains "endurgreiðsl*" ("endurgreidslu"); '
            "followers 12,400 ≥ 10,000",
            actions=Actions(
                assign=Assign(team="billing"), priority=Priority.HIGH, tags=("refund", "influencer")
            ),
        )
    ]
    spam = replace(MESSAGE, author_handle="@crypto-giveaway", text="outage! refund!")
    assert names(ruleset.evaluate(spam)) == ["Ignore known spam accounts"]
    night_mail = replace(
        MESSAGE,
        channel="support-mail",
        channel_kind="email",
        text="Hei, jeg har et spørsmål",
        subject="Faktura / invoice #123456",
        language="nb",
        sent_at=datetime(2024, 3, 6, 23, 30, tzinfo=UTC),
        is_new_case=True,
        business_open=False,
    )
    assert names(ruleset.evaluate(night_mail)) == [
        "Norwegian-speaking customers",
        "Invoice questions by email",
        "After-hours acknowledgement",
        "Night and weekend emails",
    ]
    assert ruleset.rules[-1].enabled is False


def test_the_rule_files_in_the_documentation_load():
    blocks = re.findall(r"```yaml\n(rules:.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        assert load_rules(block, source="docs/rules.md").rules


def test_aliases_reuse_a_keyword_list():
    ruleset = load_rules(
        "rules:\n"
        "  - name: a\n"
        "    when: {text: {contains_any: &refund [refund*, money back]}}\n"
        "    then: {tag: a}\n"
        "  - {name: b, when: {subject: {contains_any: *refund}}, then: {tag: b}}\n"
    )
    assert ruleset.rules[1].when["subject"]["contains_any"] == ("refund*", "money back")
    assert names(ruleset.evaluate(replace(MESSAGE, subject="Money back"))) == ["a", "b"]
