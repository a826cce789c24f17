"""Internal notes on a case, and the colleagues they call in with @mentions.

A note is for the team only. It is stored on the case as the agent typed it (plain text:
escaping is the UI's job) and is never queued as a delivery nor stored as a message, so no
channel can ever send it to the customer. Adding, editing and deleting a note are case
events (``note_added``, ``note_edited``, ``note_deleted``) with the person who did it.

Mentions
--------
A mention is ``@`` at the start of a word, followed by one of:

* an e-mail address: ``@sara@example.com`` is the user with that address;
* a handle: ``@sara`` is the user whose address starts ``sara@``; when no user has that
  handle it is the team of that name (``@Billing``). Letters of any script, digits and
  ``. _ + -`` make up a handle; punctuation ending it is left out (``@sara,`` is ``sara``);
* a name in double quotes, for names with spaces: ``@"Tier 2"`` is the team, or the user
  with that full name (``@"Sara Ahmadi"``).

Matching ignores case, and only active users and teams of the case's workspace match.
``bob@example.com`` in running text is not a mention (its ``@`` does not start a word).
A mentioned team notifies every member. The author is never notified of their own
mention. A mention that matches nobody, or several users alike, notifies no one: it comes
back in :attr:`SavedNote.unknown` or :attr:`SavedNote.ambiguous` so the UI can warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from rapport.engage.cases import Actor
from rapport.engage.notifications import notify
from rapport.errors import InvalidInput, NotFound, PermissionDenied
from rapport.store.engagement import Case, CaseEvent, Note, Team, TeamMember
from rapport.store.models import Role, User

users = cast(Table, User.__table__)
teams = cast(Table, Team.__table__)
members = cast(Table, TeamMember.__table__)
notes_table = cast(Table, Note.__table__)

MAX_NOTE_LENGTH = 10_000
EXCERPT_LENGTH = 140
# "@" not preceded by a word character or another "@"; then a quoted name, or a handle
# optionally followed by "@domain" (an e-mail address). U+200C (zero-width non-joiner) is
# part of Persian words.
_MENTION = re.compile(
    r'(?<![\w@])@(?:"([^"\n]{1,200})"|([\w.+\-\u200c]+(?:@[\w\-]+(?:\.[\w\-]+)+)?))'
)


@dataclass(frozen=True, slots=True)
class SavedNote:
    """A note just added or edited, and what became of its mentions.

    ``mentions``: the mentions that matched (users by e-mail, teams by name);
    ``notified``: the users who got a notification; ``unknown`` and ``ambiguous``: the
    mentions, as written, that matched nobody or several users.
    """

    note: Note
    mentions: list[str] = field(default_factory=list)
    notified: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NoteItem:
    """A note as the case page lists it."""

    id: int
    case_id: int
    author_id: int | None
    author: str | None
    body: str
    created_at: datetime


# -- shared with the other case services -------------------------------------------------------


def case_in_workspace(
    session: Session, workspace_id: int, case_id: int, *, for_update: bool = False
) -> Case:
    """The case, or NotFound when it does not exist in this workspace."""
    query = select(Case).where(Case.id == case_id, Case.workspace_id == workspace_id)
    if for_update:
        query = query.with_for_update()
    case = session.scalars(query).one_or_none()
    if case is None:
        raise NotFound(f"case {case_id} not found in this workspace")
    return case


def record_case_event(
    session: Session,
    case: Case,
    activity: str,
    resource: str,
    *,
    actor_id: int | None = None,
    attributes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Add one event to the case's history (it shows in the activity feed and the log)."""
    event = CaseEvent(
        workspace_id=case.workspace_id,
        case_id=case.id,
        at=at or datetime.now(UTC),
        activity=activity,
        actor_id=actor_id,
        resource=resource[:200],
        team_id=case.team_id,
        attributes=attributes or {},
    )
    session.add(event)
    return event


# -- mentions ---------------------------------------------------------------------------------


def parse_mentions(body: str) -> list[str]:
    """The mentions in ``body``, as written (without ``@`` and quotes), first seen first."""
    found: list[str] = []
    for match in _MENTION.finditer(body):
        quoted, bare = match.groups()
        token = quoted.strip() if quoted is not None else bare.rstrip(".-+\u200c")
        if token and token not in found:
            found.append(token)
    return found


@dataclass(slots=True)
class _Resolved:
    direct: dict[int, str] = field(default_factory=dict)  # user id -> label
    via_team: dict[int, str] = field(default_factory=dict)  # user id -> team name
    labels: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _resolve(session: Session, workspace_id: int, tokens: list[str]) -> _Resolved:
    resolved = _Resolved()
    if not tokens:
        return resolved
    people = session.execute(
        select(users.c.id, users.c.name, users.c.email).where(
            users.c.workspace_id == workspace_id, users.c.is_active.is_(True)
        )
    ).all()
    by_email: dict[str, list[tuple[int, str]]] = {}
    by_handle: dict[str, list[tuple[int, str]]] = {}
    by_name: dict[str, list[tuple[int, str]]] = {}
    for person in people:
        entry = (person.id, person.email)
        by_email.setdefault(person.email.casefold(), []).append(entry)
        by_handle.setdefault(person.email.split("@", 1)[0].casefold(), []).append(entry)
        by_name.setdefault(person.name.strip().casefold(), []).append(entry)
    team_ids = {
        row.name.casefold(): (row.id, row.name)
        for row in session.execute(
            select(teams.c.id, teams.c.name).where(teams.c.workspace_id == workspace_id)
        )
    }
    wanted_teams: dict[int, str] = {}
    for token in tokens:
        key = token.casefold()
        if "@" in key:
            candidates = by_email.get(key, [])
        else:
            candidates = by_handle.get(key, [])
            if not candidates and key in team_ids:
                team_id, team_name = team_ids[key]
                wanted_teams[team_id] = team_name
                resolved.labels.append(team_name)
                continue
            candidates = candidates or by_name.get(key, [])
        if len(candidates) == 1:
            user_id, email = candidates[0]
            resolved.direct.setdefault(user_id, email)
            resolved.labels.append(email)
        elif candidates:
            resolved.ambiguous.append(token)
        else:
            resolved.unknown.append(token)
    if wanted_teams:
        rows = session.execute(
            select(members.c.team_id, members.c.user_id)
            .where(members.c.team_id.in_(list(wanted_teams)))
            .order_by(members.c.team_id, members.c.user_id)
        )
        for team_id, user_id in rows:
            resolved.via_team.setdefault(user_id, wanted_teams[team_id])
    resolved.labels = list(dict.fromkeys(resolved.labels))
    return resolved


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1] + "…"


def _notify_mentioned(
    session: Session,
    case: Case,
    author: Actor,
    body: str,
    resolved: _Resolved,
    skip: set[int],
) -> list[int]:
    """Notify the mentioned users (not the author, nor anyone in ``skip``)."""
    skip = skip | ({author.user_id} if author.user_id is not None else set())
    excerpt = _excerpt(body)
    direct = [u for u in resolved.direct if u not in skip]
    notified = notify(
        session,
        case.workspace_id,
        direct,
        "mention",
        f"{author.name} mentioned you on case #{case.id}: “{excerpt}”",
        case.id,
    )
    by_team: dict[str, list[int]] = {}
    for user_id, team_name in resolved.via_team.items():
        if user_id not in skip and user_id not in resolved.direct:
            by_team.setdefault(team_name, []).append(user_id)
    for team_name, user_ids in by_team.items():
        notified += notify(
            session,
            case.workspace_id,
            user_ids,
            "mention",
            f"{author.name} mentioned @{team_name} on case #{case.id}: “{excerpt}”",
            case.id,
        )
    return notified


# -- notes ------------------------------------------------------------------------------------


def _checked_body(body: str) -> str:
    if not body.strip():
        raise InvalidInput("note: write something; the note is empty")
    if len(body) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"note: at most {MAX_NOTE_LENGTH:,} characters; this one has {len(body):,}"
        )
    if "\x00" in body:
        raise InvalidInput("note: contains a NUL character, which cannot be stored")
    return body


def add_note(
    session: Session, workspace_id: int, case_id: int, author: Actor, body: str
) -> SavedNote:
    """Add an internal note to a case and notify the colleagues and teams it mentions.

    Raises NotFound when the case is not in this workspace, InvalidInput for an empty
    note or one over 10,000 characters. Records a ``note_added`` event whose attributes
    are ``{note_id, mentions}``.
    """
    body = _checked_body(body)
    case = case_in_workspace(session, workspace_id, case_id)
    now = datetime.now(UTC)
    note = Note(
        workspace_id=workspace_id,
        case_id=case.id,
        author_id=author.user_id,
        body=body,
        created_at=now,
    )
    session.add(note)
    session.flush()
    resolved = _resolve(session, workspace_id, parse_mentions(body))
    notified = _notify_mentioned(session, case, author, body, resolved, set())
    record_case_event(
        session,
        case,
        "note_added",
        author.name,
        actor_id=author.user_id,
        attributes={"note_id": note.id, "mentions": resolved.labels},
        at=now,
    )
    session.flush()
    return SavedNote(note, resolved.labels, notified, resolved.unknown, resolved.ambiguous)


def list_notes(session: Session, workspace_id: int, case_id: int) -> list[NoteItem]:
    """The case's notes, oldest first, with their authors' names."""
    case_in_workspace(session, workspace_id, case_id)
    n = notes_table.c
    rows = session.execute(
        select(n.id, n.case_id, n.author_id, users.c.name, n.body, n.created_at)
        .outerjoin(users, users.c.id == n.author_id)
        .where(n.case_id == case_id, n.workspace_id == workspace_id)
        .order_by(n.created_at, n.id)
    )
    return [NoteItem(*row) for row in rows]


def _own_note(session: Session, workspace_id: int, note_id: int, actor: Actor, verb: str) -> Note:
    note = session.scalars(
        select(Note).where(Note.id == note_id, Note.workspace_id == workspace_id)
    ).one_or_none()
    if note is None:
        raise NotFound(f"note {note_id} not found in this workspace")
    if actor.user_id is not None and actor.user_id == note.author_id:
        return note
    role = None
    if actor.user_id is not None:
        role = session.execute(
            select(users.c.role).where(
                users.c.id == actor.user_id,
                users.c.workspace_id == workspace_id,
                users.c.is_active.is_(True),
            )
        ).scalar()
    if role != Role.ADMIN.value:
        raise PermissionDenied(
            f"note {note_id} on case {note.case_id}: only its author or an admin may {verb} it"
        )
    return note


def edit_note(
    session: Session, workspace_id: int, note_id: int, actor: Actor, body: str
) -> SavedNote:
    """Change a note's text (its author or an admin only), recorded as ``note_edited``.

    Colleagues mentioned for the first time by the new text are notified; those the note
    already mentioned are not notified again.
    """
    body = _checked_body(body)
    note = _own_note(session, workspace_id, note_id, actor, "edit")
    case = case_in_workspace(session, workspace_id, note.case_id)
    previous = _resolve(session, workspace_id, parse_mentions(note.body))
    already = set(previous.direct) | set(previous.via_team)
    note.body = body
    resolved = _resolve(session, workspace_id, parse_mentions(body))
    notified = _notify_mentioned(session, case, actor, body, resolved, already)
    record_case_event(
        session,
        case,
        "note_edited",
        actor.name,
        actor_id=actor.user_id,
        attributes={"note_id": note.id, "mentions": resolved.labels},
    )
    session.flush()
    return SavedNote(note, resolved.labels, notified, resolved.unknown, resolved.ambiguous)


def delete_note(session: Session, workspace_id: int, note_id: int, actor: Actor) -> None:
    """Delete a note (its author or an admin only), recorded as ``note_deleted``.

    The event keeps who wrote the note and when, not its text: a note is usually deleted
    because its text should not have been kept.
    """
    note = _own_note(session, workspace_id, note_id, actor, "delete")
    case = case_in_workspace(session, workspace_id, note.case_id)
    record_case_event(
        session,
        case,
        "note_deleted",
        actor.name,
        actor_id=actor.user_id,
        attributes={
            "note_id": note.id,
            "author_id": note.author_id,
            "written_at": note.created_at.isoformat(),
        },
    )
    session.delete(note)
    session.flush()
