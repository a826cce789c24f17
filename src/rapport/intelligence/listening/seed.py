"""Listening queries read from YAML (the demo ships some): added where their name is free."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy.orm import Session

from rapport.errors import InvalidInput
from rapport.intelligence.listening import store
from rapport.intelligence.listening.queries import add_query


def load_queries(session: Session, workspace_id: int, text: str, *, source: str) -> list[str]:
    """Add the queries of ``text`` (``queries: [{name, kind, expression, variants}]``) that
    the workspace does not have by name yet; returns the names added. A query that exists
    is left as it is, so a user's edits survive loading again."""
    data: Any = yaml.safe_load(text) or {}
    items = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InvalidInput(f"{source}: expected a list under 'queries'")
    added: list[str] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not {"name", "expression"} <= set(item):
            raise InvalidInput(f"{source}: query {number}: needs a name and an expression")
        name = str(item["name"])
        if store.query_by_name(session, workspace_id, name) is not None:
            continue
        add_query(
            session,
            workspace_id,
            name,
            str(item["expression"]),
            kind=str(item.get("kind", "brand")),
            variants={str(k): str(v) for k, v in (item.get("variants") or {}).items()},
        )
        added.append(name)
    return added
