"""A compiled, ordered rule set and its evaluation against one message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapport.engage.rules.conditions import Condition, Context
from rapport.engage.rules.facts import MessageFacts
from rapport.engage.rules.model import Firing, Rule


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    condition: Condition
    inbound_only: bool
    """No ``direction:`` was given, so the rule only sees inbound messages."""


class RuleSet:
    """Validated rules in file order, compiled once; get one from ``load_rules``.

    Immutable and safe to share between threads. Equal when the rules are equal.
    """

    __slots__ = ("_active", "rules")

    def __init__(self, compiled: Sequence[CompiledRule] = ()) -> None:
        self.rules: tuple[Rule, ...] = tuple(c.rule for c in compiled)
        self._active = tuple(
            (c.rule, c.condition.test, c.condition.explain, c.inbound_only)
            for c in compiled
            if c.rule.enabled
        )

    def evaluate(self, facts: MessageFacts) -> list[Firing]:
        """The rules that fire for ``facts``, in order; stops after a firing rule with ``stop``.

        Disabled rules are skipped. Each firing says why in plain words; log it.
        """
        ctx = Context(facts)
        inbound = facts.direction == "inbound"
        firings: list[Firing] = []
        for rule, test, explain, inbound_only in self._active:
            if inbound_only and not inbound:
                continue
            if test(ctx):
                firings.append(Firing(rule.name, explain(ctx), rule.then))
                if rule.stop:
                    break
        return firings

    def to_data(self) -> dict[str, Any]:
        """``{"rules": [...]}`` as plain, editable data; ``rules_from_data`` reads it back."""
        return {"rules": [rule.to_data() for rule in self.rules]}

    def __len__(self) -> int:
        return len(self.rules)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.rules == other.rules

    def __repr__(self) -> str:
        return f"RuleSet({', '.join(repr(rule.name) for rule in self.rules)})"
