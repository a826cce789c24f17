"""Reading a rule's ``then:`` mapping into typed :class:`Actions`."""

from __future__ import annotations

import re

import yaml

from rapport.engage.rules.model import Actions, Assign, Escalate, Priority
from rapport.engage.rules.nodes import Reader, scalar_value

ACTION_KEYS = ("assign", "priority", "tag", "acknowledge", "escalate", "notify")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MAX_NAME = 200


def _email(reader: Reader, node: yaml.Node, path: str) -> str | None:
    email = reader.text(node, path, what="an email address")
    if email is not None and not _EMAIL.fullmatch(email):
        reader.report(node, path, f'expected an email address, got "{email}"')
        return None
    return email


def _name(reader: Reader, node: yaml.Node, path: str, what: str) -> str | None:
    name = reader.text(node, path, what=what)
    if name is not None and len(name) > _MAX_NAME:
        reader.report(node, path, f"{what} may have at most {_MAX_NAME} characters")
        return None
    return name


def _assign(reader: Reader, node: yaml.Node, path: str) -> Assign | None:
    entries = reader.mapping(
        node, path, ("team", "agent"), what='a mapping such as "team: billing"'
    )
    if entries is None:
        return None
    if len(entries) != 1:
        reader.report(node, path, 'expected exactly one of "team" or "agent"')
        return None
    if "team" in entries:
        team = _name(reader, entries["team"][1], f"{path}.team", "a team name")
        return None if team is None else Assign(team=team)
    agent = _email(reader, entries["agent"][1], f"{path}.agent")
    return None if agent is None else Assign(agent=agent)


def _escalate(reader: Reader, node: yaml.Node, path: str) -> Escalate | None:
    if isinstance(node, yaml.ScalarNode) and isinstance(scalar_value(node), bool):
        return Escalate() if scalar_value(node) else None
    entries = reader.mapping(node, path, ("team", "reason"), what="true or a mapping")
    if entries is None:
        return None
    team = reason = None
    if "team" in entries:
        team = _name(reader, entries["team"][1], f"{path}.team", "a team name")
    if "reason" in entries:
        reason = reader.text(entries["reason"][1], f"{path}.reason", what="a reason")
    return Escalate(team=team, reason=reason)


def _notify(reader: Reader, node: yaml.Node, path: str) -> tuple[str, ...]:
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not items:
        reader.report(node, path, "expected at least one email or @team")
    found: list[str] = []
    for i, item in enumerate(items):
        at = f"{path}[{i}]" if isinstance(node, yaml.SequenceNode) else path
        who = reader.text(item, at, what="an email or @team")
        if who is None:
            continue
        team = who.startswith("@") and len(who) > 1 and "@" not in who[1:]
        if team or _EMAIL.fullmatch(who):
            found.append(who)
        else:
            reader.report(item, at, f'expected an email or "@team-name", got "{who}"')
    return tuple(dict.fromkeys(found))


def parse_actions(reader: Reader, node: yaml.Node, path: str) -> Actions:
    """The typed actions of a ``then:`` mapping; problems go to ``reader``."""
    if isinstance(node, yaml.ScalarNode) and scalar_value(node) is None:
        return Actions()
    entries = reader.mapping(node, path, ACTION_KEYS, what="a mapping of actions")
    if entries is None:
        return Actions()
    nodes = {key: value for key, (_, value) in entries.items()}
    assign = priority = acknowledge = escalate = None
    tags: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    if "assign" in nodes:
        assign = _assign(reader, nodes["assign"], f"{path}.assign")
    if "priority" in nodes:
        level = reader.choice(nodes["priority"], f"{path}.priority", [p.value for p in Priority])
        priority = None if level is None else Priority(level)
    if "tag" in nodes:
        tags = tuple(dict.fromkeys(reader.texts(nodes["tag"], f"{path}.tag", what="a tag") or ()))
    if "acknowledge" in nodes:
        acknowledge = _name(reader, nodes["acknowledge"], f"{path}.acknowledge", "a canned reply")
    if "escalate" in nodes:
        escalate = _escalate(reader, nodes["escalate"], f"{path}.escalate")
    if "notify" in nodes:
        notify = _notify(reader, nodes["notify"], f"{path}.notify")
    return Actions(assign, priority, tags, acknowledge, escalate, notify)
