"""Internal notes: what agents see when they write them, and who gets called in by @mentions."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.integration.engage.desk import add_people, open_case

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.engage.case_queries import get_case
from rapport.engage.cases import Actor
from rapport.engage.notes import add_note, delete_note, edit_note, list_notes
from rapport.engage.notifications import list_notifications
from rapport.engage.setup import apply_setup, read_setup
from rapport.errors import InvalidInput, NotFound, PermissionDenied
from rapport.store.db import Database
from rapport.store.engagement import CaseEvent, Delivery, Note
from rapport.store.models import Message, Role, User, Workspace


def add_teams(session: Session, workspace_id: int, teams: dict[str, list[User]]) -> None:
    lines = ["teams:"]
    for name, members in teams.items():
        lines.append(f'  - name: "{name}"')
        lines.append("    members: [" + ", ".join(m.email for m in members) + "]")
    apply_setup(session, workspace_id, read_setup("\n".join(lines)), source="test")


def actor(user: User) -> Actor:
    return Actor(user.id, user.name)


def inbox(db: Database, user: User) -> list[str]:
    with db.session() as session:
        return [n.text for n in list_notifications(session, user.id).items]


@pytest.fixture
def crew(db: Database, workspace_id: int) -> dict[str, User]:
    """alice writes; bob is a colleague; carol and dave are Billing with alice; erin watches."""
    with db.session() as session:
        people = add_people(session, workspace_id, "alice", "bob", "carol", "dave", "erin")
        add_teams(
            session,
            workspace_id,
            {
                "Billing": [people["alice"], people["carol"], people["dave"]],
                "Tier 2": [people["erin"]],
            },
        )
    return people


def test_a_mention_notifies_the_colleague_and_each_team_member_but_not_the_author(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "My invoice is wrong")
    with db.session() as session:
        saved = add_note(
            session,
            workspace_id,
            case_id,
            actor(crew["alice"]),
            "@bob can you check the refund? @Billing the invoice doubled.",
        )
    bob, carol, dave = crew["bob"], crew["carol"], crew["dave"]
    assert sorted(saved.notified) == sorted([bob.id, carol.id, dave.id])
    assert saved.unknown == []
    [to_bob] = inbox(db, bob)
    assert "Alice mentioned you" in to_bob
    assert f"#{case_id}" in to_bob
    assert "can you check the refund" in to_bob
    assert len(inbox(db, carol)) == len(inbox(db, dave)) == 1
    assert "@Billing" in inbox(db, carol)[0]
    assert inbox(db, crew["alice"]) == []  # a member of Billing, but she wrote it
    assert inbox(db, crew["erin"]) == []


def test_e_mail_and_quoted_team_mentions_and_punctuation(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Nothing works")
    bob = crew["bob"]
    with db.session() as session:
        saved = add_note(
            session,
            workspace_id,
            case_id,
            actor(crew["alice"]),
            f'Hand over to @"tier 2", cc @{bob.email}. Customer wrote from x@example.com.',
        )
    assert sorted(saved.notified) == sorted([bob.id, crew["erin"].id])
    assert saved.mentions == ["Tier 2", bob.email]
    assert saved.unknown == []  # x@example.com in running text is not a mention
    assert len(inbox(db, crew["erin"])) == 1


def test_unknown_and_ambiguous_mentions_notify_nobody_and_come_back_for_a_warning(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Where is my parcel")
    with db.session() as session:
        workspace = session.get_one(Workspace, workspace_id)
        for domain in ("north", "south"):
            create_user(
                session,
                workspace,
                email=f"sam@{domain}.{workspace.slug}.example",
                name=f"Sam {domain}",
                role=Role.AGENT,
                password="correct horse battery",
            )
        saved = add_note(
            session, workspace_id, case_id, actor(crew["alice"]), "@nobody and @sam, see this."
        )
    assert saved.notified == []
    assert saved.unknown == ["nobody"]
    assert saved.ambiguous == ["sam"]
    with db.session() as session:
        assert session.scalar(select(func.count()).where(User.workspace_id == workspace_id)) == 7


def test_a_note_is_never_a_delivery_nor_a_message_and_shows_on_the_case(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Please call me back")
    body = "<b>Customer is upset</b> — offer a voucher, don't mention the outage"

    def outgoing(session: Session) -> tuple[int, int]:
        deliveries = session.scalar(
            select(func.count()).where(Delivery.workspace_id == workspace_id)
        )
        messages = session.scalar(select(func.count()).where(Message.workspace_id == workspace_id))
        return int(deliveries or 0), int(messages or 0)

    with db.session() as session:
        before = outgoing(session)
        saved = add_note(session, workspace_id, case_id, actor(crew["alice"]), body)
    with db.session() as session:
        assert outgoing(session) == before
        [note] = list_notes(session, workspace_id, case_id)
        assert (note.body, note.author, note.author_id) == (body, "Alice", crew["alice"].id)
        assert [n.body for n in get_case(session, workspace_id, case_id).notes] == [body]
        event = session.scalars(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.activity == "note_added"
            )
        ).one()
    assert (event.resource, event.actor_id) == ("Alice", crew["alice"].id)
    assert event.attributes == {"note_id": saved.note.id, "mentions": []}


def test_a_persian_note_with_a_mention_is_kept_as_written(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "سفارش من نرسیده است")
    with db.session() as session:
        add_teams(session, workspace_id, {"پشتیبانی فنی": [crew["dave"]]})
    body = '@bob لطفاً این پرونده را بررسی کن؛ @"پشتیبانی فنی" در جریان باشد.'
    with db.session() as session:
        saved = add_note(session, workspace_id, case_id, actor(crew["alice"]), body)
    assert sorted(saved.notified) == sorted([crew["bob"].id, crew["dave"].id])
    assert saved.mentions == [crew["bob"].email, "پشتیبانی فنی"]
    assert "لطفاً این پرونده را بررسی کن" in inbox(db, crew["bob"])[0]
    with db.session() as session:
        assert [n.body for n in list_notes(session, workspace_id, case_id)] == [body]


def test_another_workspaces_case_is_not_found(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Private matter")
    with db.session() as session:
        other = get_or_create_workspace(session, f"ws-{uuid.uuid4().hex[:12]}").id
    with db.session() as session, pytest.raises(NotFound, match=f"case {case_id}"):
        add_note(session, other, case_id, actor(crew["alice"]), "peeking")
    with db.session() as session, pytest.raises(NotFound):
        list_notes(session, other, case_id)
    with db.session() as session:
        assert list_notes(session, workspace_id, case_id) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [("   \n", "empty"), ("x" * 10_001, "at most 10,000 characters; this one has 10,001")],
)
def test_an_empty_or_too_long_note_is_refused_and_nothing_is_stored(
    db: Database, workspace_id: int, crew: dict[str, User], body: str, message: str
) -> None:
    case_id = open_case(db, workspace_id, f"Refused note {len(body)}")
    with db.session() as session, pytest.raises(InvalidInput, match=message):
        add_note(session, workspace_id, case_id, actor(crew["alice"]), body)
    with db.session() as session:
        assert session.scalar(select(func.count()).where(Note.case_id == case_id)) == 0
    with db.session() as session:  # the limit itself is fine
        add_note(session, workspace_id, case_id, actor(crew["alice"]), "y" * 10_000)


def test_only_the_author_or_an_admin_may_edit_or_delete_a_note(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    case_id = open_case(db, workspace_id, "Edit me")
    with db.session() as session:
        [admin] = add_people(session, workspace_id, "root", role=Role.ADMIN).values()
        note_id = add_note(
            session, workspace_id, case_id, actor(crew["alice"]), "@bob look"
        ).note.id
    with db.session() as session, pytest.raises(PermissionDenied, match="only its author"):
        edit_note(session, workspace_id, note_id, actor(crew["bob"]), "rewritten by bob")
    with db.session() as session, pytest.raises(PermissionDenied):
        delete_note(session, workspace_id, note_id, actor(crew["bob"]))

    with db.session() as session:
        edited = edit_note(
            session, workspace_id, note_id, actor(crew["alice"]), "@bob look, @erin too"
        )
    assert edited.notified == [crew["erin"].id]  # bob was already told
    assert len(inbox(db, crew["bob"])) == 1
    with db.session() as session:
        assert [n.body for n in list_notes(session, workspace_id, case_id)] == [
            "@bob look, @erin too"
        ]
        delete_note(session, workspace_id, note_id, actor(admin))
    with db.session() as session:
        assert list_notes(session, workspace_id, case_id) == []
        history = session.execute(
            select(CaseEvent.activity, CaseEvent.resource)
            .where(CaseEvent.case_id == case_id, CaseEvent.activity.like("note_%"))
            .order_by(CaseEvent.id)
        ).all()
    assert [tuple(row) for row in history] == [
        ("note_added", "Alice"),
        ("note_edited", "Alice"),
        ("note_deleted", "Root"),
    ]
    with db.session() as session, pytest.raises(NotFound, match=f"note {note_id}"):
        delete_note(session, workspace_id, note_id, actor(admin))
