"""Named listening queries: add, edit and remove them, every change kept in their history.

Services flush and never commit: the CLI command or the API request owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.intelligence.listening import store
from rapport.intelligence.listening.compiled import CompiledQuery
from rapport.store.listening import ListeningQuery, ListeningQueryChange, QueryKind
from rapport.store.models import utcnow

MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class QueryView:
    id: int
    name: str
    kind: str
    expression: str
    variants: dict[str, str]
    created_at: datetime
    updated_at: datetime
    created_by: int | None


@dataclass(frozen=True, slots=True)
class ChangeView:
    id: int
    query_id: int
    name: str
    action: str
    changed_by: int | None
    changed_at: datetime
    old_kind: str | None
    new_kind: str | None
    old_expression: str | None
    new_expression: str | None
    old_variants: dict[str, str] | None
    new_variants: dict[str, str] | None


def view(query: ListeningQuery) -> QueryView:
    return QueryView(
        id=query.id,
        name=query.name,
        kind=query.kind,
        expression=query.expression,
        variants=dict(query.variants or {}),
        created_at=query.created_at,
        updated_at=query.updated_at,
        created_by=query.created_by,
    )


def compiled(query: ListeningQuery | QueryView) -> CompiledQuery:
    return CompiledQuery.of(query.name, query.expression, query.variants)


def check_kind(kind: str) -> str:
    try:
        return QueryKind(kind).value
    except ValueError:
        choices = ", ".join(k.value for k in QueryKind)
        raise InvalidInput(f"kind: expected one of {choices}, got {kind!r}") from None


def _check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput("name: must not be empty")
    if len(cleaned) > MAX_NAME:
        raise InvalidInput(f"name: at most {MAX_NAME} characters, got {len(cleaned)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        raise InvalidInput("name: must not contain control characters")
    return cleaned


def _record(
    session: Session,
    query: ListeningQuery,
    action: str,
    user_id: int | None,
    before: QueryView | None,
) -> None:
    removed = action == "removed"
    session.add(
        ListeningQueryChange(
            workspace_id=query.workspace_id,
            query_id=query.id,
            name=query.name,
            action=action,
            changed_by=user_id,
            changed_at=utcnow(),
            old_kind=before.kind if before else None,
            new_kind=None if removed else query.kind,
            old_expression=before.expression if before else None,
            new_expression=None if removed else query.expression,
            old_variants=before.variants if before else None,
            new_variants=None if removed else dict(query.variants),
        )
    )


def get_query(session: Session, workspace_id: int, name_or_id: str | int) -> ListeningQuery:
    """A query by id (an int) or by name; ``NotFound`` otherwise."""
    if isinstance(name_or_id, int):
        found = store.query_by_id(session, workspace_id, name_or_id)
    else:
        found = store.query_by_name(session, workspace_id, name_or_id)
    if found is None:
        what = f"{name_or_id}" if isinstance(name_or_id, int) else repr(name_or_id)
        raise NotFound(f"listening query {what} does not exist in this workspace")
    return found


def list_queries(session: Session, workspace_id: int, kind: str | None = None) -> list[QueryView]:
    kind = check_kind(kind) if kind is not None else None
    return [view(q) for q in store.queries_of(session, workspace_id, kind=kind)]


def add_query(
    session: Session,
    workspace_id: int,
    name: str,
    expression: str,
    *,
    kind: str = QueryKind.BRAND.value,
    variants: Mapping[str, str] | None = None,
    user_id: int | None = None,
) -> QueryView:
    """Save a new named query; ``InvalidQuery`` for a bad expression, ``Conflict`` when the
    name is taken."""
    name = _check_name(name)
    kind = check_kind(kind)
    CompiledQuery.of(name, expression, variants)
    if store.query_by_name(session, workspace_id, name) is not None:
        raise Conflict(f"name: a listening query named {name!r} exists already")
    now = utcnow()
    query = ListeningQuery(
        workspace_id=workspace_id,
        name=name,
        kind=kind,
        expression=expression,
        variants=dict(variants or {}),
        created_at=now,
        updated_at=now,
        created_by=user_id,
    )
    session.add(query)
    session.flush()
    _record(session, query, "created", user_id, None)
    session.flush()
    return view(query)


def edit_query(
    session: Session,
    workspace_id: int,
    name_or_id: str | int,
    *,
    name: str | None = None,
    expression: str | None = None,
    kind: str | None = None,
    variants: Mapping[str, str] | None = None,
    user_id: int | None = None,
) -> QueryView:
    """Change what is given (``variants`` replaces them all); the change is recorded.
    Nothing is recorded when nothing changes."""
    query = get_query(session, workspace_id, name_or_id)
    before = view(query)
    new_name = _check_name(name) if name is not None else query.name
    new_kind = check_kind(kind) if kind is not None else query.kind
    new_expression = expression if expression is not None else query.expression
    new_variants = dict(variants) if variants is not None else dict(query.variants)
    CompiledQuery.of(new_name, new_expression, new_variants)
    if new_name != query.name and store.query_by_name(session, workspace_id, new_name):
        raise Conflict(f"name: a listening query named {new_name!r} exists already")
    if (new_name, new_kind, new_expression, new_variants) == (
        before.name,
        before.kind,
        before.expression,
        before.variants,
    ):
        return before
    query.name, query.kind, query.expression = new_name, new_kind, new_expression
    query.variants = new_variants
    query.updated_at = utcnow()
    session.flush()
    _record(session, query, "edited", user_id, before)
    session.flush()
    return view(query)


def remove_query(
    session: Session, workspace_id: int, name_or_id: str | int, *, user_id: int | None = None
) -> QueryView:
    """Delete a query; its history stays (``history`` still finds it by name)."""
    query = get_query(session, workspace_id, name_or_id)
    before = view(query)
    _record(session, query, "removed", user_id, before)
    session.delete(query)
    session.flush()
    return before


def query_history(session: Session, workspace_id: int, name_or_id: str | int) -> list[ChangeView]:
    """Every change of a query, oldest first, also of one removed since."""
    if isinstance(name_or_id, int):
        query_id: int | None = name_or_id
    else:
        found = store.query_by_name(session, workspace_id, name_or_id)
        query_id = (
            found.id if found else store.last_query_id_named(session, workspace_id, name_or_id)
        )
    changes = store.changes_of(session, workspace_id, query_id) if query_id is not None else []
    if not changes:
        raise NotFound(f"listening query {name_or_id!r} has no history in this workspace")
    return [
        ChangeView(
            id=c.id,
            query_id=c.query_id,
            name=c.name,
            action=c.action,
            changed_by=c.changed_by,
            changed_at=c.changed_at,
            old_kind=c.old_kind,
            new_kind=c.new_kind,
            old_expression=c.old_expression,
            new_expression=c.new_expression,
            old_variants=c.old_variants,
            new_variants=c.new_variants,
        )
        for c in changes
    ]
