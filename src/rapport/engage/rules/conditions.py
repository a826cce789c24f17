"""Conditions compiled into predicates over one message's facts.

Each :class:`Condition` has a fast ``test`` and an ``explain`` that is only called once the
rule fires, so messages that match nothing pay for no string formatting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapport.engage.rules.facts import MessageFacts
from rapport.engage.rules.text import FoldedText, KeywordMatcher, fold, quote


class Context:
    """One message's facts plus the folded forms that conditions share, computed once."""

    __slots__ = ("_author_name", "_subject", "_text", "channel", "channel_kind", "facts")

    def __init__(self, facts: MessageFacts) -> None:
        self.facts = facts
        self.channel = facts.channel.casefold()
        self.channel_kind = facts.channel_kind.casefold()
        self._text: FoldedText | None = None
        self._subject: FoldedText | None = None
        self._author_name: FoldedText | None = None

    def text(self) -> FoldedText:
        if self._text is None:
            self._text = FoldedText(self.facts.text)
        return self._text

    def subject(self) -> FoldedText | None:
        if self._subject is None and self.facts.subject is not None:
            self._subject = FoldedText(self.facts.subject)
        return self._subject

    def author_name(self) -> FoldedText | None:
        if self._author_name is None and self.facts.author_name is not None:
            self._author_name = FoldedText(self.facts.author_name)
        return self._author_name


Test = Callable[[Context], bool]
Explain = Callable[[Context], str]
Getter = Callable[[Context], str | None]
FoldedGetter = Callable[[Context], FoldedText | None]


@dataclass(frozen=True, slots=True)
class Condition:
    test: Test
    explain: Explain
    """Why the condition holds for this message; only called when ``test`` is true."""
    describe: str
    """What the condition asks for, independent of any message."""
    cost: int = 1
    """Rough relative cost; the cheap conditions of a rule are tested first."""


def _listing(values: Iterable[str]) -> str:
    return ", ".join(quote(v) for v in values)


def _is(label: str, values: Sequence[str]) -> str:
    if len(values) == 1:
        return f"{label} is {quote(values[0])}"
    return f"{label} is one of {_listing(values)}"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def one_of(label: str, get: Getter, values: Sequence[str]) -> Condition:
    """The fact that ``get`` returns (already case folded) is one of ``values``."""
    wanted = frozenset(v.casefold() for v in values)

    def test(ctx: Context) -> bool:
        return get(ctx) in wanted

    def explain(ctx: Context) -> str:
        return f"{label} is {quote(get(ctx) or '')}"

    return Condition(test, explain, _is(label, values))


def language_in(codes: Sequence[str]) -> Condition:
    """The language is one of ``codes``; ``pt`` also matches ``pt-BR``, not the reverse."""
    wanted = frozenset(c.casefold().replace("_", "-") for c in codes)

    def normalized(ctx: Context) -> str | None:
        language = ctx.facts.language
        return None if language is None else language.casefold().replace("_", "-")

    def test(ctx: Context) -> bool:
        language = normalized(ctx)
        return language is not None and (language in wanted or language.partition("-")[0] in wanted)

    def explain(ctx: Context) -> str:
        return f"language is {quote(ctx.facts.language or '')}"

    return Condition(test, explain, _is("language", codes))


def direction_is(direction: str) -> Condition:
    def test(ctx: Context) -> bool:
        return ctx.facts.direction == direction

    return Condition(test, lambda _ctx: f"direction is {direction}", f"direction is {direction}")


def flag(value: bool, get: Callable[[Context], bool | None], yes: str, no: str) -> Condition:
    """A yes/no fact equals ``value``; ``None`` matches neither."""
    words = yes if value else no

    def test(ctx: Context) -> bool:
        return get(ctx) is value

    return Condition(test, lambda _ctx: words, words)


def contains_any(
    label: str, get: FoldedGetter, matcher: KeywordMatcher, written: Sequence[str]
) -> Condition:
    """The folded text contains any of the keywords (``written`` in the admin's order)."""

    def test(ctx: Context) -> bool:
        folded = get(ctx)
        return folded is not None and matcher.found_in(folded)

    def explain(ctx: Context) -> str:
        folded = get(ctx)
        keyword, word = matcher.first(folded.text if folded else "") or ("", "")
        seen = f" ({quote(word)})" if keyword.endswith("*") else ""
        return f"{label} contains {quote(keyword)}{seen}"

    shown = _listing(written)
    if len(written) > 1:
        shown = "any of " + shown
    return Condition(test, explain, f"{label} contains {shown}", cost=4)


def contains_all(label: str, get: FoldedGetter, matchers: Sequence[KeywordMatcher]) -> Condition:
    """The folded text contains every keyword (one matcher per keyword)."""
    words = [m.keywords[0] for m in matchers]

    def test(ctx: Context) -> bool:
        folded = get(ctx)
        if folded is None:
            return False
        for matcher in matchers:  # noqa: SIM110 - faster than all() on this hot path
            if not matcher.found_in(folded):
                return False
        return True

    def explain(_ctx: Context) -> str:
        return f"{label} contains {' and '.join(quote(w) for w in words)}"

    return Condition(test, explain, f"{label} contains all of {_listing(words)}", cost=4)


def matches(
    label: str, get: Callable[[Context], str | None], pattern: re.Pattern[str]
) -> Condition:
    """The raw text matches an admin's regular expression (searched, not anchored)."""
    shown = f"{label} matches /{pattern.pattern}/"

    def test(ctx: Context) -> bool:
        raw = get(ctx)
        return raw is not None and pattern.search(raw) is not None

    def explain(ctx: Context) -> str:
        found = pattern.search(get(ctx) or "")
        return f"{shown} ({quote(found.group() if found else '', 40)})"

    return Condition(test, explain, shown, cost=8)


def handle_in(handles: Sequence[str]) -> Condition:
    """The author's handle, compared without a leading ``@`` and case-insensitively."""
    wanted = frozenset(h.casefold().lstrip("@") for h in handles)

    def test(ctx: Context) -> bool:
        handle = ctx.facts.author_handle
        return handle is not None and handle.casefold().lstrip("@") in wanted

    def explain(ctx: Context) -> str:
        return f"author handle is {quote('@' + (ctx.facts.author_handle or '').lstrip('@'))}"

    return Condition(test, explain, _is("author handle", ["@" + h.lstrip("@") for h in handles]))


def email_domain_in(domains: Sequence[str]) -> Condition:
    """The author's email is at one of ``domains`` or a subdomain of one."""
    wanted = tuple(d.casefold().lstrip("@").strip(".") for d in domains)

    def domain(ctx: Context) -> str:
        return (ctx.facts.author_email or "").rpartition("@")[2].casefold()

    def test(ctx: Context) -> bool:
        host = domain(ctx)
        return bool(host) and any(host == d or host.endswith("." + d) for d in wanted)

    def explain(ctx: Context) -> str:
        return f"author email domain is {quote(domain(ctx))}"

    return Condition(test, explain, _is("author email domain", wanted))


_MANY = (list, tuple, set, frozenset)
_NUMBERS = (int, float)


def _canonical(value: Any) -> str:
    """How contact values compare: folded text, ``true``/``false``, numbers without ``.0``."""
    if isinstance(value, str):
        return fold(value.strip())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _NUMBERS):
        return str(value)
    return fold(str(value).strip())


def _attribute_values(contact: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """A contact attribute's values; a list-valued attribute (e.g. tags) counts each element."""
    value = contact.get(name)
    if value is None or value == "":
        return ()
    if isinstance(value, _MANY):
        return tuple(v for v in value if v is not None and v != "")
    return (value,)


def contact_equals(name: str, values: Sequence[str | int | float | bool]) -> Condition:
    wanted = frozenset(_canonical(v) for v in values)
    label = f"contact {name}"

    def test(ctx: Context) -> bool:
        for value in _attribute_values(ctx.facts.contact, name):
            if _canonical(value) in wanted:
                return True
        return False

    def explain(ctx: Context) -> str:
        for value in _attribute_values(ctx.facts.contact, name):
            if _canonical(value) in wanted:
                return f"{label} is {quote(str(value))}"
        return label

    return Condition(test, explain, _is(label, [str(v) for v in values]))


def contact_exists(name: str, exists: bool) -> Condition:
    """The attribute is present with a non-empty value (or, with ``exists: false``, is not)."""
    words = f"contact {name} is {'set' if exists else 'not set'}"

    def test(ctx: Context) -> bool:
        return bool(_attribute_values(ctx.facts.contact, name)) is exists

    return Condition(test, lambda _ctx: words, words)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, _NUMBERS):
        return value
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return None
    return None


def _bounds(label: str, value: float, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{label} {_number(value)} between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"{label} {_number(value)} ≥ {_number(low)}"
    return f"{label} {_number(value)} ≤ {_number(high or 0)}"


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _describe_bounds(label: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{label} between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"{label} ≥ {_number(low)}"
    return f"{label} ≤ {_number(high or 0)}"


def contact_between(name: str, low: float | None, high: float | None) -> Condition:
    """A numeric attribute (numbers, or text such as ``"12"``) lies within the bounds."""
    label = f"contact {name}"

    def numbers(ctx: Context) -> list[float]:
        found = (_as_number(v) for v in _attribute_values(ctx.facts.contact, name))
        return [n for n in found if n is not None]

    def test(ctx: Context) -> bool:
        for value in _attribute_values(ctx.facts.contact, name):
            number = _as_number(value)
            if number is not None and _within(number, low, high):
                return True
        return False

    def explain(ctx: Context) -> str:
        value = next(n for n in numbers(ctx) if _within(n, low, high))
        return _bounds(label, value, low, high)

    return Condition(test, explain, _describe_bounds(label, low, high))


def followers_between(low: int | None, high: int | None) -> Condition:
    def test(ctx: Context) -> bool:
        count = ctx.facts.followers_count
        return count is not None and _within(count, low, high)

    def explain(ctx: Context) -> str:
        return _bounds("followers", ctx.facts.followers_count or 0, low, high)

    return Condition(test, explain, _describe_bounds("followers", low, high))


def always(words: str) -> Condition:
    return Condition(lambda _ctx: True, lambda _ctx: words, words, cost=0)


def all_of(conditions: Sequence[Condition]) -> Condition:
    """Every condition holds; tested cheapest first, explained in the order written."""
    if len(conditions) == 1:
        return conditions[0]
    tests = tuple(c.test for c in sorted(conditions, key=lambda c: c.cost))

    def test(ctx: Context) -> bool:
        for check in tests:  # noqa: SIM110 - a plain loop is twice as fast as all() on this hot path
            if not check(ctx):
                return False
        return True

    def explain(ctx: Context) -> str:
        return "; ".join(c.explain(ctx) for c in conditions)

    shown = "; ".join(c.describe for c in conditions)
    return Condition(test, explain, shown, cost=sum(c.cost for c in conditions))


def any_of(conditions: Sequence[Condition]) -> Condition:
    """At least one condition holds; explained by the first that does."""
    if len(conditions) == 1:
        return conditions[0]

    tests = tuple(c.test for c in sorted(conditions, key=lambda c: c.cost))

    def test(ctx: Context) -> bool:
        for check in tests:  # noqa: SIM110 - faster than any() on this hot path
            if check(ctx):
                return True
        return False

    def explain(ctx: Context) -> str:
        return next(c.explain(ctx) for c in conditions if c.test(ctx))

    shown = "any of (" + " | ".join(c.describe for c in conditions) + ")"
    return Condition(test, explain, shown, cost=sum(c.cost for c in conditions))


def negate(condition: Condition) -> Condition:
    shown = f"not ({condition.describe})"

    def test(ctx: Context) -> bool:
        return not condition.test(ctx)

    return Condition(test, lambda _ctx: shown, shown, cost=condition.cost)
