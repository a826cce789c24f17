"""Rules, their actions and firings as immutable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True)
class Assign:
    """Assign the case to a team (by name) or to an agent (by email); exactly one is set."""

    team: str | None = None
    agent: str | None = None


@dataclass(frozen=True, slots=True)
class Escalate:
    """Escalate the case, optionally to a team and with a reason shown to the agents."""

    team: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Actions:
    """What a rule does when it fires.

    The caller applies the firings of one message in order. Single-valued actions (``assign``,
    ``priority``, ``acknowledge``, ``escalate``) from a later firing replace an earlier one's;
    ``tags`` and ``notify`` add up. To keep a specific rule's choice, place it before the
    general ones and give it ``stop: true``.
    """

    assign: Assign | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    acknowledge: str | None = None
    """Name of the canned reply sent as an automatic acknowledgement."""
    escalate: Escalate | None = None
    notify: tuple[str, ...] = ()
    """Agent emails and ``@team`` names."""

    def describe(self) -> str:
        """One line for ``rapport rules list``: ``assign to team "billing"; priority high``."""
        parts: list[str] = []
        if self.assign is not None:
            who = f'team "{self.assign.team}"' if self.assign.team else f"agent {self.assign.agent}"
            parts.append(f"assign to {who}")
        if self.priority is not None:
            parts.append(f"priority {self.priority.value}")
        if self.tags:
            parts.append("tag " + ", ".join(f'"{t}"' for t in self.tags))
        if self.acknowledge is not None:
            parts.append(f'acknowledge with "{self.acknowledge}"')
        if self.escalate is not None:
            to = f' to team "{self.escalate.team}"' if self.escalate.team else ""
            why = f" ({self.escalate.reason})" if self.escalate.reason else ""
            parts.append(f"escalate{to}{why}")
        if self.notify:
            parts.append("notify " + ", ".join(self.notify))
        return "; ".join(parts) or "no actions"

    def to_data(self) -> dict[str, Any]:
        """The ``then:`` mapping, as plain data that ``rules_from_data`` accepts back."""
        data: dict[str, Any] = {}
        if self.assign is not None:
            data["assign"] = (
                {"team": self.assign.team} if self.assign.team else {"agent": self.assign.agent}
            )
        if self.priority is not None:
            data["priority"] = self.priority.value
        if self.tags:
            data["tag"] = self.tags[0] if len(self.tags) == 1 else list(self.tags)
        if self.acknowledge is not None:
            data["acknowledge"] = self.acknowledge
        if self.escalate is not None:
            escalate = {
                key: value
                for key, value in (("team", self.escalate.team), ("reason", self.escalate.reason))
                if value is not None
            }
            data["escalate"] = escalate or True
        if self.notify:
            data["notify"] = list(self.notify)
        return data


def freeze(value: Any) -> Any:
    """Plain data made read-only: mappings become mapping proxies, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """Read-only data made plain again (dicts and lists), e.g. for editing or YAML output."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    return value


_NO_CONDITIONS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Rule:
    """One validated rule. Built by ``load_rules``/``rules_from_data``, never by hand.

    ``when`` is the condition mapping as written (read-only), for display and editing;
    ``summary`` is the same in words. Two rules are equal when name, description, enabled,
    conditions, actions and stop are.
    """

    name: str
    when: Mapping[str, Any] = field(default_factory=lambda: _NO_CONDITIONS)
    then: Actions = field(default_factory=Actions)
    description: str | None = None
    enabled: bool = True
    stop: bool = False
    summary: str = field(default="", compare=False, repr=False)

    def to_data(self) -> dict[str, Any]:
        """The rule as plain data, defaults left out; ``rules_from_data`` reads it back."""
        data: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            data["description"] = self.description
        if not self.enabled:
            data["enabled"] = False
        if self.when:
            data["when"] = thaw(self.when)
        data["then"] = self.then.to_data()
        if self.stop:
            data["stop"] = True
        return data


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule that fired for a message, why, and what it asks for. Log each one."""

    rule: str
    reason: str
    """Which conditions held, e.g. ``channel is "twitter-support"; text contains "refund"``."""
    actions: Actions
