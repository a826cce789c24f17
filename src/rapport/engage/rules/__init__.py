"""Automation rules: conditions on a new message and the actions to take, kept as YAML.

Pure Python, no database: the caller gathers :class:`MessageFacts`, calls
``ruleset.evaluate(facts)`` and applies (and logs) each :class:`Firing` in order.
The file format is described in ``docs/rules.md``.
"""

from __future__ import annotations

from rapport.engage.rules.engine import RuleSet
from rapport.engage.rules.facts import MessageFacts
from rapport.engage.rules.model import Actions, Assign, Escalate, Firing, Priority, Rule
from rapport.engage.rules.nodes import Problem, RulesError
from rapport.engage.rules.schema import dump_rules, load_rules, rules_from_data

__all__ = [
    "Actions",
    "Assign",
    "Escalate",
    "Firing",
    "MessageFacts",
    "Priority",
    "Problem",
    "Rule",
    "RuleSet",
    "RulesError",
    "dump_rules",
    "load_rules",
    "rules_from_data",
]
