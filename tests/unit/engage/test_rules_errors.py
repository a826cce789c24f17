"""Bad rules files: every problem is reported at once, with its line and field path."""

from __future__ import annotations

import pytest

from rapport.engage.rules import Problem, RulesError, load_rules, rules_from_data
from rapport.errors import InvalidInput


def problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_rules(text, source="rules.yaml")
    return str(caught.value).splitlines()


def test_every_problem_is_listed_with_line_and_path():
    text = """\
rules:
  - name: VIP refunds
    when:
      channel: twitter-support
      folowers: {at_least: 10000}
      text:
        contains_any: [refund, "ref*und"]
        matches: "(unclosed"
    then:
      priority: hihg
  - name: Night shift
    when:
      time: {timezone: Europe/Oslo, between: "25:00-06:00"}
      followers:
        at_least: many
    then:
      assign: {team: night, agent: kari@example.com}
  - name: vip refunds
    then: {tag: vip}
"""
    assert problems(text) == [
        'rules.yaml line 5, rules[0].when: unknown key "folowers" (did you mean "followers"?)',
        'rules.yaml line 7, rules[0].when.text.contains_any[1]: "*" may only end a keyword, '
        'as in "refund*"; got "ref*und"',
        "rules.yaml line 8, rules[0].when.text.matches: invalid regular expression: "
        "missing ), unterminated subpattern at position 0",
        "rules.yaml line 10, rules[0].then.priority: expected one of low, normal, high, urgent, "
        'got "hihg" (did you mean "high"?)',
        'rules.yaml line 13, rules[1].when.time.between: "25:00-06:00" is not a valid time '
        "range; times go from 00:00 to 24:00",
        'rules.yaml line 15, rules[1].when.followers.at_least: expected a whole number, got "many"',
        'rules.yaml line 17, rules[1].then.assign: expected exactly one of "team" or "agent"',
        "rules.yaml line 18, rules[2].name: names must be unique, but rules[0] (line 2) is "
        'already named "VIP refunds"',
    ]


def test_the_error_is_an_invalid_input_with_structured_problems():
    with pytest.raises(InvalidInput) as caught:
        load_rules("rules:\n  - name: x\n    then: {tag: [a, '']}\n", source="rules.yaml")
    assert isinstance(caught.value, RulesError)
    assert caught.value.status_code == 422
    assert caught.value.problems == (
        Problem(3, "rules[0].then.tag[1]", 'expected a tag on one line, got ""'),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 'rules.yaml line 1: the file is empty; expected a "rules:" list'),
        ("- name: x\n", 'rules.yaml line 1: expected a mapping with a "rules:" list, got a list'),
        ("rule:\n  - name: x\n", 'rules.yaml line 1: unknown key "rule" (did you mean "rules"?)'),
        ("rules: [\n", "rules.yaml line 2: not valid YAML: while parsing a flow node: expected"),
        ("rules:\n  - name: a\n    then: {tag: x}\n  name: b\n", "rules.yaml line 4: not valid"),
        ("rules: []\n---\nrules: []\n", "rules.yaml line 2: not valid YAML"),
        ("rules: {name: x}\n", "rules.yaml line 1, rules: expected a list of rules, got a mapping"),
    ],
)
def test_file_level_problems(text: str, expected: str):
    assert problems(text)[0].startswith(expected)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{then: {tag: x}}", 'line 2, rules[0]: missing "name"'),
        ("{name: x}", 'line 2, rules[0]: missing "then" (what the rule does)'),
        ("{name: x, then: {}}", "line 2, rules[0].then: expected at least one action"),
        ("{name: x, then: {tag: x}, enabled: maybe}", "rules[0].enabled: expected true or false"),
        (
            "{name: x, then: {tag: x}, stop: yes}",
            'rules[0].stop: expected true or false, got "yes"',
        ),
        ("{name: x, then: {tag: x}, when: [channel]}", "rules[0].when: expected a mapping"),
        ("{name: x, then: {tag: x}, when: {channel: []}}", "expected at least one channel name"),
        ("{name: x, then: {tag: x}, when: {any: []}}", "expected at least one condition"),
        ("{name: x, then: {tag: x}, when: {not: {}}}", "expected at least one condition"),
        ("{name: x, then: {tag: x}, when: {all: []}}", "expected at least one condition"),
        ("{name: x, then: {tag: x}, when: {any: [{direction: any}]}}", "direction can only"),
        ("{name: x, then: {tag: x}, when: {sentiment: angry}}", "expected one of negative"),
        ("{name: x, then: {tag: x}, when: {language: english}}", "is not a language code"),
        ("{name: x, then: {tag: x}, when: {business_hours: yes}}", "expected one of open, closed"),
        ("{name: x, then: {tag: x}, when: {followers: {at_least: -1}}}", "expected zero or more"),
        ("{name: x, then: {tag: x}, when: {followers: {at_least: 5, at_most: 1}}}", "is more"),
        ("{name: x, then: {tag: x}, when: {contact: {tier: null}}}", "{exists: false}"),
        ("{name: x, then: {tag: x}, when: {contact: {n: {exists: true, at_least: 1}}}}", "cannot"),
        ("{name: x, then: {tag: x}, when: {text: {contains: [a]}}}", 'unknown key "contains"'),
        ("{name: x, then: {tag: x}, when: {text: {contains_any: ['*']}}}", "at least one letter"),
        ("{name: x, then: {tag: x}, when: {text: {matches: ''}}}", "expected a regular express"),
        ("{name: x, then: {assign: {agent: kari}}}", 'expected an email address, got "kari"'),
        ("{name: x, then: {notify: [kari, '@ops']}}", 'expected an email or "@team-name"'),
        ("{name: x, then: {escalate: {team: ops, why: x}}}", 'unknown key "why"'),
        ("{name: x, then: {tag: x, tag: y}}", "rules[0].then.tag: appears more than once"),
        ("{name: x, then: {<<: {tag: x}}}", "merge keys (<<) are not supported"),
        ("{name: x, then: {tag: x}, colour: red}", "expected one of: name, description"),
    ],
)
def test_rule_level_problems(rule: str, expected: str):
    found = problems(f"rules:\n  - {rule}\n")
    assert any(expected in line for line in found), found


def test_a_long_pattern_is_refused():
    pattern = "a" * 501
    found = problems(
        f"rules:\n  - name: x\n    when: {{text: {{matches: {pattern}}}}}\n    then: {{tag: x}}\n"
    )
    assert found == [
        "rules.yaml line 3, rules[0].when.text.matches: a pattern may have at most 500 characters"
    ]


def test_conditions_cannot_nest_endlessly():
    when = "{not: " * 12 + "{channel: x}" + "}" * 12
    found = problems(f"rules:\n  - name: x\n    when: {when}\n    then: {{tag: x}}\n")
    assert any("nest more than 8 levels" in line for line in found)


def test_alias_bombs_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    text = "\n".join(lines) + "\nrules: *a7\n"
    assert problems(text) == ["rules.yaml: too many entries (or aliases) for rules"]


def test_python_tags_are_never_constructed():
    text = "rules:\n  - name: !!python/object/apply:os.system [echo hacked]\n    then: {tag: x}\n"
    assert problems(text) == ["rules.yaml line 2, rules[0].name: expected a name, got a list"]


def test_plain_data_problems_have_no_line_numbers():
    with pytest.raises(RulesError) as caught:
        rules_from_data({"rules": [{"name": "x", "then": {"priority": "asap"}}]}, source="UI")
    assert str(caught.value) == (
        'UI, rules[0].then.priority: expected one of low, normal, high, urgent, got "asap"'
    )


def test_plain_data_must_be_plain():
    with pytest.raises(RulesError, match="not plain data"):
        rules_from_data({"rules": [{"name": object(), "then": {"tag": "x"}}]})
