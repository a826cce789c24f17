"""Reading a rule's ``when:`` mapping into one compiled :class:`Condition`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import yaml

from rapport.engage.rules import conditions as c
from rapport.engage.rules.nodes import Entries, Reader, Scalar, scalar_value, shown
from rapport.engage.rules.text import check_keyword, compile_keywords, compile_pattern
from rapport.engage.rules.timing import load_timezone, parse_between, parse_days, time_within

CONDITION_KEYS = (
    "channel", "channel_kind", "direction", "text", "subject", "author", "contact", "followers",
    "time", "business_hours", "new_case", "language", "sentiment", "intent", "any", "all", "not",
)  # fmt: skip
TEXT_KEYS = ("contains_any", "contains_all", "matches")
MAX_DEPTH = 8
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")

Parser = Callable[[Reader, yaml.Node, str, int], c.Condition | None]


def parse_when(reader: Reader, node: yaml.Node, path: str) -> tuple[c.Condition, bool]:
    """The rule's conditions and whether it only sees inbound messages."""
    entries = reader.mapping(node, path, CONDITION_KEYS, what="a mapping of conditions")
    if not entries:
        return c.always("every inbound message"), True
    inbound_only = "direction" not in entries
    direction = None
    if not inbound_only:
        options = ("inbound", "outbound", "any")
        direction = reader.choice(entries["direction"][1], f"{path}.direction", options)
    rest = {key: value for key, value in entries.items() if key != "direction"}
    found = _conditions(reader, rest, path, 0)
    if direction in ("inbound", "outbound"):
        found.insert(0, c.direction_is(str(direction)))
    if not found:
        words = "every message" if direction == "any" else f"every {direction} message"
        return c.always(words), inbound_only
    return c.all_of(found), inbound_only


def _conditions(
    reader: Reader, entries: Mapping[str, tuple[yaml.Node, yaml.Node]], path: str, depth: int
) -> list[c.Condition]:
    found: list[c.Condition] = []
    for key, (key_node, value) in entries.items():
        if key == "direction":
            reader.report(key_node, path, "direction can only be given directly under when")
            continue
        condition = _PARSERS[key](reader, value, f"{path}.{key}", depth)
        if condition is not None:
            found.append(condition)
    return found


def _group(reader: Reader, node: yaml.Node, path: str, depth: int) -> c.Condition | None:
    """A mapping of conditions that must all hold (inside ``any``, ``all`` or ``not``)."""
    if depth >= MAX_DEPTH:
        reader.report(node, path, f"conditions nest more than {MAX_DEPTH} levels deep")
        return None
    entries = reader.mapping(node, path, CONDITION_KEYS, what="a mapping of conditions")
    if entries is None:
        return None
    if not entries:
        reader.report(node, path, "expected at least one condition")
        return None
    found = _conditions(reader, entries, path, depth + 1)
    return c.all_of(found) if found else None


def _groups(reader: Reader, node: yaml.Node, path: str, depth: int) -> list[c.Condition] | None:
    """The groups of an ``any:`` or ``all:`` list, or ``None`` if any is wrong."""
    items = reader.sequence(node, path, what="a list of condition mappings")
    if isinstance(node, yaml.SequenceNode) and not items:
        reader.report(node, path, "expected at least one condition mapping")
    found = [_group(reader, item, f"{path}[{i}]", depth) for i, item in enumerate(items)]
    groups = [group for group in found if group is not None]
    return groups if groups and len(groups) == len(found) else None


def _any(reader: Reader, node: yaml.Node, path: str, depth: int) -> c.Condition | None:
    groups = _groups(reader, node, path, depth)
    return None if groups is None else c.any_of(groups)


def _all(reader: Reader, node: yaml.Node, path: str, depth: int) -> c.Condition | None:
    groups = _groups(reader, node, path, depth)
    return None if groups is None else c.all_of(groups)


def _not(reader: Reader, node: yaml.Node, path: str, depth: int) -> c.Condition | None:
    inner = _group(reader, node, path, depth)
    return None if inner is None else c.negate(inner)


def _keywords(reader: Reader, node: yaml.Node, path: str) -> tuple[str, ...] | None:
    """Keywords, each checked on its own so a bad one is reported at its own line."""
    words = reader.texts(node, path, what="a keyword")
    if words is None:
        return None
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    ok = True
    for i, (word, item) in enumerate(zip(words, items, strict=True)):
        try:
            check_keyword(word)
        except ValueError as err:
            at = f"{path}[{i}]" if isinstance(node, yaml.SequenceNode) else path
            reader.report(item, at, str(err))
            ok = False
    return words if ok else None


def _text_like(label: str, folded: c.FoldedGetter, raw: c.Getter) -> Parser:
    def parse(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
        what = "a mapping with contains_any, contains_all or matches"
        entries = reader.mapping(node, path, TEXT_KEYS, what=what)
        if entries is None:
            return None
        if not entries:
            reader.report(node, path, f"expected {what}")
        found: list[c.Condition] = []
        if "contains_any" in entries:
            words = _keywords(reader, entries["contains_any"][1], f"{path}.contains_any")
            if words:
                found.append(c.contains_any(label, folded, compile_keywords(words), words))
        if "contains_all" in entries:
            words = _keywords(reader, entries["contains_all"][1], f"{path}.contains_all")
            if words:
                matchers = [compile_keywords([w]) for w in words]
                found.append(c.contains_all(label, folded, matchers))
        if "matches" in entries:
            pattern = _pattern(reader, entries["matches"][1], f"{path}.matches")
            if pattern is not None:
                found.append(c.matches(label, raw, pattern))
        return c.all_of(found) if found else None

    return parse


def _pattern(reader: Reader, node: yaml.Node, path: str) -> re.Pattern[str] | None:
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value:
        reader.report(node, path, "expected a regular expression in quotes")
        return None
    try:
        return compile_pattern(value)
    except ValueError as err:
        reader.report(node, path, str(err))
        return None


def _one_of(label: str, get: c.Getter, what: str) -> Parser:
    def parse(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
        values = reader.texts(node, path, what=what)
        return None if values is None else c.one_of(label, get, values)

    return parse


def _choices(label: str, get: c.Getter, options: tuple[str, ...]) -> Parser:
    def parse(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            reader.report(node, path, f"expected one of {', '.join(options)}")
        many = isinstance(node, yaml.SequenceNode)
        values = [
            reader.choice(item, f"{path}[{i}]" if many else path, options)
            for i, item in enumerate(items)
        ]
        found = [v for v in values if v is not None]
        return c.one_of(label, get, found) if found and len(found) == len(values) else None

    return parse


def _language(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
    codes = reader.texts(node, path, what='a language code such as "nb" or "pt-BR"')
    bad = [code for code in codes or () if not _LANGUAGE.fullmatch(code)]
    for code in bad:
        reader.report(node, path, f'"{code}" is not a language code such as "nb" or "pt-BR"')
    return c.language_in(codes) if codes and not bad else None


def _flag(get: Callable[[c.Context], bool | None], yes: str, no: str) -> Parser:
    def parse(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
        value = reader.boolean(node, path)
        return None if value is None else c.flag(value, get, yes, no)

    return parse


def _business_hours(reader: Reader, node: yaml.Node, path: str, _: int) -> c.Condition | None:
    state = reader.choice(node, path, ("open", "closed"))
    if state is None:
        return None
    yes, no = "within business hours", "outside business hours"
    return c.flag(state == "open", lambda ctx: ctx.facts.business_open, yes, no)


def _bounds(
    reader: Reader, node: yaml.Node, path: str, *, whole: bool, entries: Entries | None = None
) -> tuple[float | None, float | None] | None:
    """``at_least``/``at_most`` from ``node`` (or from its ``entries``, already read)."""
    if entries is None:
        what = "at_least and/or at_most"
        entries = reader.mapping(node, path, ("at_least", "at_most"), what=what)
    if entries is None:
        return None
    if not entries:
        reader.report(node, path, "expected at_least, at_most or both")
        return None
    low = high = None
    if "at_least" in entries:
        low = reader.number(entries["at_least"][1], f"{path}.at_least", whole=whole)
    if "at_most" in entries:
        high = reader.number(entries["at_most"][1], f"{path}.at_most", whole=whole)
    if low is not None and high is not None and low > high:
        reader.report(node, path, f"at_least ({low:,}) is more than at_most ({high:,})")
        return None
    return low, high


def _followers(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
    bounds = _bounds(reader, node, path, whole=True)
    if bounds is None:
        return None
    low, high = (None if b is None else int(b) for b in bounds)
    return c.followers_between(low, high)


def _author(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
    keys = ("handle", "email_domain", "name_contains")
    entries = reader.mapping(node, path, keys, what="a mapping with " + ", ".join(keys))
    if entries is None:
        return None
    if not entries:
        reader.report(node, path, "expected at least one of " + ", ".join(keys))
    found: list[c.Condition] = []
    if "handle" in entries:
        handles = reader.texts(entries["handle"][1], f"{path}.handle", what="a handle")
        if handles:
            found.append(c.handle_in(handles))
    if "email_domain" in entries:
        domains = reader.texts(entries["email_domain"][1], f"{path}.email_domain", what="a domain")
        if domains:
            found.append(c.email_domain_in(domains))
    if "name_contains" in entries:
        words = _keywords(reader, entries["name_contains"][1], f"{path}.name_contains")
        if words:
            name = c.Context.author_name
            found.append(c.contains_any("author name", name, compile_keywords(words), words))
    return c.all_of(found) if found else None


def _contact_value(reader: Reader, node: yaml.Node, path: str) -> Scalar:
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        hint = "; to match a missing attribute write {exists: false}" if value is None else ""
        reader.report(node, path, f"expected a value, got {shown(node)}{hint}")
        return None
    return value


def _contact_attribute(reader: Reader, name: str, node: yaml.Node, path: str) -> c.Condition | None:
    if isinstance(node, yaml.MappingNode):
        entries = reader.mapping(node, path, ("exists", "at_least", "at_most"))
        if entries is not None and "exists" in entries:
            if len(entries) > 1:
                reader.report(node, path, "exists cannot be combined with at_least or at_most")
            exists = reader.boolean(entries["exists"][1], f"{path}.exists")
            return None if exists is None else c.contact_exists(name, exists)
        if entries is None:
            return None
        bounds = _bounds(reader, node, path, whole=False, entries=entries)
        return None if bounds is None else c.contact_between(name, *bounds)
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        reader.report(node, path, "expected at least one value")
    many = isinstance(node, yaml.SequenceNode)
    values = [
        _contact_value(reader, item, f"{path}[{i}]" if many else path)
        for i, item in enumerate(items)
    ]
    found = [v for v in values if v is not None]
    return c.contact_equals(name, found) if found and len(found) == len(values) else None


def _contact(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
    entries = reader.mapping(node, path, None, what="a mapping of contact attributes")
    if entries is None:
        return None
    if not entries:
        reader.report(node, path, "expected at least one contact attribute")
    found = [
        _contact_attribute(reader, name, value, f"{path}.{name}")
        for name, (_, value) in entries.items()
    ]
    return c.all_of([f for f in found if f]) if found and all(found) else None


def _time(reader: Reader, node: yaml.Node, path: str, _depth: int) -> c.Condition | None:
    keys = ("timezone", "days", "between")
    entries = reader.mapping(node, path, keys, what="a mapping with timezone, days, between")
    if entries is None:
        return None
    zone = days = None
    ranges: list[tuple[int, int]] = []
    written: list[str] = []
    ok = True
    if "timezone" not in entries:
        reader.report(node, path, 'missing "timezone", such as "Europe/Oslo"')
        ok = False
    else:
        name = reader.text(entries["timezone"][1], f"{path}.timezone", what="a timezone")
        try:
            zone = None if name is None else load_timezone(name)
        except ValueError as err:
            reader.report(entries["timezone"][1], f"{path}.timezone", str(err))
    if "days" not in entries and "between" not in entries:
        reader.report(node, path, 'expected "days", "between" or both')
        ok = False
    for key in ("days", "between"):
        if key not in entries:
            continue
        value, at = entries[key][1], f"{path}.{key}"
        what = 'a day or range such as "mon-fri"' if key == "days" else '"09:00-17:00"'
        texts = reader.texts(value, at, what=what)
        if texts is None:
            ok = False
            continue
        written.append(", ".join(texts))
        try:
            if key == "days":
                days = parse_days(texts)
            else:
                ranges = [parse_between(t) for t in texts]
        except ValueError as err:
            reader.report(value, at, str(err))
            ok = False
    if not ok or zone is None:
        return None
    return time_within(zone, days, ranges, " ".join(written))


_PARSERS: dict[str, Parser] = {
    "channel": _one_of("channel", lambda ctx: ctx.channel, "a channel name"),
    "channel_kind": _one_of("channel kind", lambda ctx: ctx.channel_kind, "a channel kind"),
    "text": _text_like("text", c.Context.text, lambda ctx: ctx.facts.text),
    "subject": _text_like("subject", c.Context.subject, lambda ctx: ctx.facts.subject),
    "author": _author,
    "contact": _contact,
    "followers": _followers,
    "time": _time,
    "business_hours": _business_hours,
    "new_case": _flag(lambda ctx: ctx.facts.is_new_case, "new case", "existing case"),
    "language": _language,
    "sentiment": _choices(
        "sentiment", lambda ctx: ctx.facts.sentiment, ("negative", "neutral", "positive")
    ),
    "intent": _one_of(
        "intent", lambda ctx: ctx.facts.intent.casefold() if ctx.facts.intent else None, "an intent"
    ),
    "any": _any,
    "all": _all,
    "not": _not,
}
