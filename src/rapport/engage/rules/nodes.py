"""Reading YAML nodes with their line numbers, collecting every problem instead of the first.

Only ``yaml.compose`` with the safe loader is used: nodes are never constructed into Python
objects by PyYAML, so tags such as ``!!python/object`` are inert text. Scalars are read the
YAML 1.2 way: only ``true``/``false`` are booleans and only plain decimals are numbers, so
``language: no`` means Norwegian and ``zip: 0150`` keeps its leading zero.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from rapport.engage.rules.text import CONTROL
from rapport.errors import InvalidInput

Scalar = str | int | float | bool | None

MAX_TEXT_LENGTH = 2_000_000
MAX_NODES = 100_000
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_TAG = "tag:yaml.org,2002:"
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a rules file: where (line, field path) and what."""

    line: int | None
    path: str
    message: str

    def render(self, source: str) -> str:
        where = source if self.line is None else f"{source} line {self.line}"
        return f"{where}, {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RulesError(InvalidInput):
    """Rules that cannot be loaded. ``str()`` has one line per problem; nothing was changed."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda p: p.line or 0))
        super().__init__("\n".join(p.render(source) for p in self.problems))


def line_of(node: yaml.Node | None) -> int | None:
    mark = None if node is None else node.start_mark
    return None if mark is None else int(mark.line) + 1


def compose(text: str, source: str) -> yaml.Node | None:
    """The YAML document in ``text`` as nodes; a syntax error becomes a ``RulesError``."""
    if len(text) > MAX_TEXT_LENGTH:
        raise RulesError(source, [Problem(None, "", "the file is too large to be a rules file")])
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = None if mark is None else int(mark.line) + 1
        what = ": ".join(part for part in (err.context, err.problem) if part)
        raise RulesError(source, [Problem(line, "", f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as err:
        raise RulesError(source, [Problem(None, "", f"not valid YAML: {err}")]) from None
    except RecursionError:
        raise RulesError(source, [Problem(None, "", "the YAML is nested too deeply")]) from None


def represent(data: Any, source: str) -> yaml.Node:
    """Plain data (dicts, lists, scalars) as nodes, so it is validated like a file."""
    try:
        return yaml.representer.SafeRepresenter(sort_keys=False).represent_data(data)
    except yaml.YAMLError as err:
        raise RulesError(source, [Problem(None, "", f"not plain data: {err}")]) from None


def within_budget(root: yaml.Node) -> bool:
    """Whether the document has at most ``MAX_NODES`` nodes once aliases are expanded."""
    stack, seen = [root], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return False
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return True


def scalar_value(node: yaml.ScalarNode) -> Scalar:
    raw = str(node.value)
    if node.tag == _TAG + "null":
        return None
    if node.tag == _TAG + "bool" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if node.tag == _TAG + "int" and _INT.fullmatch(raw):
        return int(raw.replace("_", ""))
    if node.tag == _TAG + "float" and ":" not in raw:
        special = _SPECIAL_FLOATS.get(raw.lower())
        if special is not None:
            return special
        try:
            return float(raw.replace("_", ""))
        except ValueError:
            return raw
    return raw


def as_text(value: Scalar) -> str:
    """A scalar read where text is expected: ``true`` → ``"true"``, ``2024`` → ``"2024"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def plain(node: yaml.Node) -> Any:
    """The node as plain data: dicts, lists and scalars (call on validated nodes only)."""
    if isinstance(node, yaml.MappingNode):
        return {str(key.value): plain(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain(item) for item in node.value]
    return scalar_value(node) if isinstance(node, yaml.ScalarNode) else None


def shown(node: yaml.Node) -> str:
    """How a problem message shows the value it got."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return '"' + (value if len(value) <= 60 else value[:59] + "…") + '"'
    return as_text(value)


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """`` (did you mean "x"?)`` for the closest option, or nothing."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


Entries = dict[str, tuple[yaml.Node, yaml.Node]]


class Reader:
    """Checks node shapes, recording a :class:`Problem` for each mismatch."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, node: yaml.Node | None, path: str, message: str) -> None:
        self.problems.append(Problem(line_of(node), path, message))

    def mapping(
        self, node: yaml.Node, path: str, allowed: Sequence[str] | None, *, what: str = "a mapping"
    ) -> Entries | None:
        """``{key: (key node, value node)}``; unknown and duplicate keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, path, f"expected {what}, got {shown(node)}")
            return None
        entries: Entries = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.report(key_node, path, f"keys must be names, got {shown(key_node)}")
                continue
            key = str(key_node.value)
            at = f"{path}.{key}" if path else key
            if key == "<<":
                self.report(key_node, path, "merge keys (<<) are not supported")
            elif allowed is not None and key not in allowed:
                hint = did_you_mean(key, allowed) or "; expected one of: " + ", ".join(allowed)
                self.report(key_node, path, f'unknown key "{key}"{hint}')
            elif key in entries:
                self.report(key_node, at, "appears more than once")
            else:
                entries[key] = (key_node, value_node)
        return entries

    def sequence(self, node: yaml.Node, path: str, *, what: str = "a list") -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.report(node, path, f"expected {what}, got {shown(node)}")
        return []

    def text(self, node: yaml.Node, path: str, *, what: str = "a text") -> str | None:
        """A non-empty single-line scalar, as text."""
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if value is None:
            self.report(node, path, f"expected {what}, got {shown(node)}")
            return None
        text = as_text(value).strip()
        if not text or CONTROL.search(text):
            self.report(node, path, f"expected {what} on one line, got {shown(node)}")
            return None
        return text

    def texts(self, node: yaml.Node, path: str, *, what: str = "a text") -> tuple[str, ...] | None:
        """One text or a non-empty list of them."""
        if not isinstance(node, yaml.SequenceNode):
            single = self.text(node, path, what=f"{what} or a list of them")
            return None if single is None else (single,)
        if not node.value:
            self.report(node, path, f"expected at least one {what.removeprefix('a ')}")
            return None
        items = [self.text(item, f"{path}[{i}]", what=what) for i, item in enumerate(node.value)]
        found = [item for item in items if item is not None]
        return tuple(found) if len(found) == len(items) else None

    def choice(self, node: yaml.Node, path: str, options: Sequence[str]) -> str | None:
        expected = "one of " + ", ".join(options)
        word = self.text(node, path, what=expected)
        if word is not None and word.casefold() not in options:
            hint = did_you_mean(word.casefold(), options)
            self.report(node, path, f"expected {expected}, got {shown(node)}{hint}")
            return None
        return None if word is None else word.casefold()

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool):
            return value
        self.report(node, path, f"expected true or false, got {shown(node)}")
        return None

    def number(self, node: yaml.Node, path: str, *, whole: bool = False) -> int | float | None:
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool):
            if whole and value < 0:
                self.report(node, path, f"expected zero or more, got {value}")
                return None
            return value
        if not whole and isinstance(value, float) and math.isfinite(value):
            return value
        self.report(node, path, f"expected {'a whole' if whole else 'a'} number, got {shown(node)}")
        return None
