"""Rules edited as data in the UI and saved as YAML come back exactly as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.engage.rules import MessageFacts, dump_rules, load_rules, rules_from_data
from rapport.engage.rules.text import check_keyword

SAMPLE = """\
rules:
  - name: Norsk
    description: |
      Two lines
      of description.
    when:
      language: no
      contact: {zip: 0150, vip: true, score: {at_least: 2.5}, phone: {exists: false}}
      text: {contains_any: [yes, "on", refund*, "money back"], matches: '\\d{6}'}
      any:
        - time: {timezone: Europe/Oslo, days: mon-fri, between: ["09:00-12:00", "13:00-17:00"]}
        - not: {business_hours: open}
    then:
      assign: {team: norge}
      priority: urgent
      tag: [a, b]
      acknowledge: takk
      escalate: {reason: "Customer said: it's broken"}
      notify: ["@leads", kari@example.no]
    stop: true
  - name: Off
    enabled: false
    when: {direction: any, followers: {at_most: 10}}
    then: {escalate: true}
"""


def test_yaml_1_1_surprises_are_avoided():
    rule = load_rules(SAMPLE).rules[0]
    assert rule.when["language"] == "no"  # Norwegian, not False
    assert rule.when["contact"]["zip"] == "0150"  # a postcode, not the octal number 104
    assert rule.when["contact"]["vip"] is True
    assert rule.when["text"]["contains_any"] == ("yes", "on", "refund*", "money back")


def test_dump_then_load_gives_an_equal_rule_set():
    ruleset = load_rules(SAMPLE)
    text = dump_rules(ruleset)
    assert load_rules(text) == ruleset
    assert dump_rules(load_rules(text)) == text
    assert "language: 'no'" in text
    assert "zip: '0150'" in text
    assert rules_from_data(ruleset.to_data()) == ruleset


def test_to_data_is_editable_plain_data():
    data = load_rules(SAMPLE).to_data()
    data["rules"][1]["enabled"] = True
    data["rules"][0]["when"]["text"]["contains_any"].append("tilbakebetaling")
    edited = rules_from_data(data)
    assert edited.rules[1].enabled is True
    assert "tilbakebetaling" in edited.rules[0].when["text"]["contains_any"]
    assert load_rules(dump_rules(edited)) == edited


def test_rules_from_data_accepts_the_read_only_rules_directly():
    ruleset = load_rules(SAMPLE)
    rule = ruleset.rules[0]
    again = rules_from_data(
        {"rules": [{"name": rule.name, "when": rule.when, "then": rule.then.to_data()}]}
    )
    assert again.rules[0].when == rule.when


# --- generated rule sets ------------------------------------------------------------------

line = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=20,
).filter(lambda s: bool(s.strip()))
word = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=10)


def valid_keyword(keyword: str) -> bool:
    try:
        check_keyword(keyword)
    except ValueError:
        return False
    return True


keyword = st.one_of(
    word,
    word.map(lambda w: w + "*"),
    st.tuples(word, word).map(" ".join),
    st.sampled_from(["e-mail", "😡", "c++", "money back"]),
).filter(valid_keyword)
keywords = st.one_of(keyword, st.lists(keyword, min_size=1, max_size=4))
names = st.one_of(line, st.lists(line, min_size=1, max_size=3))
email = st.builds(lambda user, host: f"{user}@{host}.no", word, word)
scalar = st.one_of(
    line, st.integers(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)
)
counts = st.integers(min_value=0, max_value=10**9)


def text_test() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "contains_any": keywords,
            "contains_all": keywords,
            "matches": st.sampled_from([r"\d{6}", "(?i)refund", "^hi", "a|b", "ø+"]),
        },
    ).filter(bool)


def bounds(numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return (
        st.fixed_dictionaries({}, optional={"at_least": numbers, "at_most": numbers})
        .filter(bool)
        .filter(lambda b: b.get("at_least", -(10**12)) <= b.get("at_most", 10**12))
    )


contact_test = st.one_of(
    scalar,
    st.lists(scalar, min_size=1, max_size=3),
    st.builds(lambda e: {"exists": e}, st.booleans()),
    bounds(st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6))),
)
time_test = st.fixed_dictionaries(
    {"timezone": st.sampled_from(["UTC", "Europe/Oslo", "Asia/Tehran", "Atlantic/Reykjavik"])},
    optional={
        "days": st.sampled_from(["mon-fri", "sat", ["sat", "sun"], "fri-mon", ["Monday"]]),
        "between": st.sampled_from(["09:00-17:00", "22:00-06:00", ["08:00-11:00", "13:00-24:00"]]),
    },
).filter(lambda t: len(t) > 1)

leaf_conditions: dict[str, st.SearchStrategy[Any]] = {
    "channel": names,
    "channel_kind": names,
    "text": text_test(),
    "subject": text_test(),
    "author": st.fixed_dictionaries(
        {}, optional={"handle": names, "email_domain": names, "name_contains": keywords}
    ).filter(bool),
    "contact": st.dictionaries(word, contact_test, min_size=1, max_size=3),
    "followers": bounds(counts),
    "time": time_test,
    "business_hours": st.sampled_from(["open", "closed"]),
    "new_case": st.booleans(),
    "language": st.one_of(
        st.sampled_from(["no", "nb", "fa", "is", "hu", "pt-BR"]),
        st.lists(st.sampled_from(["en", "is", "fa"]), min_size=1),
    ),
    "sentiment": st.one_of(
        st.sampled_from(["negative", "neutral", "positive"]),
        st.lists(st.sampled_from(["negative", "positive"]), min_size=1, max_size=2),
    ),
    "intent": names,
}


@st.composite
def condition_map(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """Up to four conditions, nesting ``any``/``all``/``not`` two levels deep."""
    kinds = [*leaf_conditions, *(["any", "all", "not"] if depth < 2 else [])]
    conditions: dict[str, Any] = {}
    for kind in draw(st.lists(st.sampled_from(kinds), unique=True, max_size=4)):
        inner = condition_map(depth + 1).filter(bool)
        if kind in ("any", "all"):
            conditions[kind] = draw(st.lists(inner, min_size=1, max_size=2))
        elif kind == "not":
            conditions[kind] = draw(inner)
        else:
            conditions[kind] = draw(leaf_conditions[kind])
    return conditions


then = st.fixed_dictionaries(
    {},
    optional={
        "assign": st.one_of(
            st.builds(lambda t: {"team": t}, line), st.builds(lambda a: {"agent": a}, email)
        ),
        "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
        "tag": names,
        "acknowledge": line,
        "escalate": st.one_of(
            st.just(True),
            st.fixed_dictionaries({}, optional={"team": line, "reason": line}).filter(bool),
        ),
        "notify": st.lists(st.one_of(email, word.map(lambda w: "@" + w)), min_size=1, max_size=3),
    },
).filter(bool)

rule = st.fixed_dictionaries(
    {"name": line, "then": then},
    optional={
        "description": st.one_of(line, st.lists(line, min_size=2, max_size=3).map("\n".join)),
        "enabled": st.booleans(),
        "stop": st.booleans(),
        "when": st.one_of(
            condition_map(),
            condition_map().map(lambda m: {**m, "direction": "any"}),
        ),
    },
)
rule_sets = st.lists(rule, max_size=5, unique_by=lambda r: r["name"].strip().casefold()).map(
    lambda rules: {"rules": rules}
)

facts = st.builds(
    MessageFacts,
    channel=line,
    channel_kind=st.sampled_from(["twitter", "email", "api"]),
    text=st.text(max_size=40),
    subject=st.one_of(st.none(), st.text(max_size=20)),
    author_id=st.just("a"),
    author_handle=st.one_of(st.none(), line),
    author_name=st.one_of(st.none(), st.text(max_size=20)),
    author_email=st.one_of(st.none(), email),
    followers_count=st.one_of(st.none(), counts),
    contact=st.dictionaries(word, scalar, max_size=3),
    sent_at=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d + timedelta(0)),
    direction=st.sampled_from(["inbound", "outbound"]),
    is_new_case=st.booleans(),
    business_open=st.one_of(st.none(), st.booleans()),
    language=st.one_of(st.none(), st.sampled_from(["no", "fa", "is", "pt-br"])),
    sentiment=st.one_of(st.none(), st.sampled_from(["negative", "neutral", "positive"])),
    intent=st.one_of(st.none(), line),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rule_sets, message=facts)
def test_generated_rule_sets_survive_a_round_trip(data: dict[str, Any], message: MessageFacts):
    ruleset = rules_from_data(data)
    text = dump_rules(ruleset)
    again = load_rules(text, source="dumped.yaml")
    assert again == ruleset
    assert dump_rules(again) == text
    assert rules_from_data(again.to_data()) == ruleset
    assert again.evaluate(message) == ruleset.evaluate(message)
