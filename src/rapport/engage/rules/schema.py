"""Loading rules: YAML or plain data → validated, compiled :class:`RuleSet`; and back to YAML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from rapport.engage.rules.actions import parse_actions
from rapport.engage.rules.conditions import always
from rapport.engage.rules.engine import CompiledRule, RuleSet
from rapport.engage.rules.model import Actions, Rule, freeze, thaw
from rapport.engage.rules.nodes import (
    Problem,
    Reader,
    RulesError,
    compose,
    line_of,
    plain,
    represent,
    scalar_value,
    within_budget,
)
from rapport.engage.rules.when import parse_when

RULE_KEYS = ("name", "description", "enabled", "when", "then", "stop")
_MAX_NAME = 200


def load_rules(text: str, *, source: str = "<rules>") -> RuleSet:
    """Parse and validate a YAML rules file.

    Raises :class:`RulesError` (an ``InvalidInput``) listing every problem found, each with the
    line and field path: ``rules.yaml line 14, rules[2].when.followers.at_least: …``.
    """
    return _build(compose(text, source), source)


def rules_from_data(data: Mapping[str, Any], *, source: str = "<rules>") -> RuleSet:
    """Validate rules given as plain data (``{"rules": [...]}``, as ``RuleSet.to_data`` gives)."""
    return _build(represent(thaw(data), source), source)


class _Dumper(yaml.SafeDumper):
    """Writes lists of plain values on one line and multi-line texts as ``|`` blocks."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_rules(ruleset: RuleSet) -> str:
    """The rules as YAML that ``load_rules`` reads back to an equal rule set."""
    body = yaml.dump(
        ruleset.to_data(),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=None,
    )
    return "# Rapport automation rules; the format is described in docs/rules.md.\n" + body


def _build(root: yaml.Node | None, source: str) -> RuleSet:
    if root is None:
        raise RulesError(source, [Problem(1, "", 'the file is empty; expected a "rules:" list')])
    if not within_budget(root):
        raise RulesError(source, [Problem(None, "", "too many entries (or aliases) for rules")])
    reader = Reader()
    top = reader.mapping(root, "", ("rules",), what='a mapping with a "rules:" list')
    compiled: list[CompiledRule] = []
    if top is not None and "rules" not in top:
        reader.report(root, "", 'missing the top-level "rules:" list')
    elif top is not None:
        names: dict[str, str] = {}
        rules = top["rules"][1]
        items = [] if _is_null(rules) else reader.sequence(rules, "rules", what="a list of rules")
        for i, node in enumerate(items):
            rule = _rule(reader, node, f"rules[{i}]", names)
            if rule is not None:
                compiled.append(rule)
    if reader.problems:
        raise RulesError(source, reader.problems)
    return RuleSet(compiled)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and scalar_value(node) is None


def _name(reader: Reader, node: yaml.Node, path: str, names: dict[str, str]) -> str | None:
    """The rule's name, unique regardless of case among ``names`` (folded name → first use)."""
    name = reader.text(node, path, what="a name")
    if name is not None and len(name) > _MAX_NAME:
        reader.report(node, path, f"a name may have at most {_MAX_NAME} characters")
    elif name is not None and name.casefold() in names:
        reader.report(node, path, f"names must be unique, but {names[name.casefold()]}")
    elif name is not None:
        line = line_of(node)
        where = path.removesuffix(".name") + (f" (line {line})" if line else "")
        names[name.casefold()] = f'{where} is already named "{name}"'
        return name
    return None


def _rule(reader: Reader, node: yaml.Node, path: str, names: dict[str, str]) -> CompiledRule | None:
    entries = reader.mapping(node, path, RULE_KEYS, what="a rule (a mapping with name and then)")
    if entries is None:
        return None
    before = len(reader.problems)
    values = {key: value for key, (_, value) in entries.items()}
    name = None
    if "name" not in values:
        reader.report(node, path, 'missing "name"')
    else:
        name = _name(reader, values["name"], f"{path}.name", names)
    description = None
    if "description" in values and not _is_null(values["description"]):
        description = _description(reader, values["description"], f"{path}.description")
    enabled = reader.boolean(values["enabled"], f"{path}.enabled") if "enabled" in values else True
    stop = reader.boolean(values["stop"], f"{path}.stop") if "stop" in values else False
    when = values.get("when")
    condition, inbound_only = always("every inbound message"), True
    if when is not None and not _is_null(when):
        condition, inbound_only = parse_when(reader, when, f"{path}.when")
    actions, then_problems = None, len(reader.problems)
    if "then" in values:
        actions = parse_actions(reader, values["then"], f"{path}.then")
    if actions is None and not stop:
        reader.report(node, path, 'missing "then" (what the rule does)')
    no_action = actions == Actions() and len(reader.problems) == then_problems
    if no_action and not stop:
        reader.report(values["then"], f"{path}.then", "expected at least one action")
    if len(reader.problems) > before or name is None:
        return None
    rule = Rule(
        name=name,
        when=freeze(plain(when) if when is not None and not _is_null(when) else {}),
        then=actions or Actions(),
        description=description,
        enabled=bool(enabled),
        stop=bool(stop),
        summary=condition.describe,
    )
    return CompiledRule(rule, condition, inbound_only)


def _description(reader: Reader, node: yaml.Node, path: str) -> str | None:
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value.strip():
        reader.report(node, path, "expected a text")
        return None
    return value
