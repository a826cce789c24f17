"""The notification inbox of each user, and the workspace's activity feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from tests.integration.engage.desk import add_people, open_case

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.engage.cases import Actor, CaseEditor
from rapport.engage.feed import ActivityItem, list_activity
from rapport.engage.notes import add_note
from rapport.engage.notifications import list_notifications, mark_read, notify, unread_count
from rapport.engage.setup import apply_setup, read_setup
from rapport.errors import InvalidInput
from rapport.store.db import Database
from rapport.store.models import Role, User


@pytest.fixture
def crew(db: Database, workspace_id: int) -> dict[str, User]:
    """alice leads; carol is in Billing, erin in Tier 2."""
    with db.session() as session:
        people = add_people(session, workspace_id, "alice", "bob", "carol", "erin")
        setup = read_setup(
            "teams:\n"
            f"  - name: Billing\n    members: [{people['carol'].email}]\n"
            f'  - name: "Tier 2"\n    members: [{people["erin"].email}]\n'
        )
        apply_setup(session, workspace_id, setup, source="test")
    return people


# -- notifications ----------------------------------------------------------------------------


def test_each_user_sees_only_their_own_notifications_newest_first(
    db: Database, workspace_id: int, crew: dict[str, User]
) -> None:
    bob, carol = crew["bob"], crew["carol"]
    case_id = open_case(db, workspace_id, "Inbox case")
    with db.session() as session:
        stranger = create_user(
            session,
            get_or_create_workspace(session, f"ws-{uuid.uuid4().hex[:12]}"),
            email=f"mallory-{uuid.uuid4().hex[:6]}@elsewhere.example",
            name="Mallory",
            role=Role.AGENT,
            password="correct horse battery",
        )
        told = notify(
            session, workspace_id, [bob.id, carol.id, bob.id, stranger.id], "rule", "first", None
        )
        assert told == [bob.id, carol.id]  # once each; never someone of another workspace
        notify(session, workspace_id, [bob.id], "mention", "second", case_id)
        notify(session, workspace_id, [bob.id], "assigned", "third", case_id)
    with db.session() as session:
        page = list_notifications(session, bob.id)
        assert [n.text for n in page.items] == ["third", "second", "first"]
        assert (page.total, page.items[1].case_id, page.items[1].kind) == (3, case_id, "mention")
        assert [n.text for n in list_notifications(session, bob.id, limit=2, offset=2).items] == [
            "first"
        ]
        assert list_notifications(session, stranger.id).items == []
        assert (unread_count(session, bob.id), unread_count(session, carol.id)) == (3, 1)
        second = page.items[1].id
        carols = list_notifications(session, carol.id).items[0].id
        assert mark_read(session, bob.id, [second, carols]) == 1  # carol's is not bob's to read
    with db.session() as session:
        assert unread_count(session, carol.id) == 1
        unread = list_notifications(session, bob.id, unread_only=True).items
        assert [n.text for n in unread] == ["third", "first"]
        assert mark_read(session, bob.id) == 2
        assert mark_read(session, bob.id) == 0
    with db.session() as session:
        assert unread_count(session, bob.id) == 0
        assert all(not n.unread for n in list_notifications(session, bob.id).items)
        with pytest.raises(InvalidInput, match="limit"):
            list_notifications(session, bob.id, limit=0)


# -- the activity feed ------------------------------------------------------------------------


@pytest.fixture
def busy(db: Database, workspace_id: int, crew: dict[str, User]) -> dict[str, int]:
    """Cases of Billing, of Tier 2 and of no team, escalated, assigned and resolved."""
    names = ("billing-a", "billing-b", "tier2", "loose")
    cases = {name: open_case(db, workspace_id, f"Feed case {name}") for name in names}
    lead = Actor(crew["alice"].id, "Alice")
    steps = [
        lambda e: e.set_team(cases["billing-a"], "Billing"),
        lambda e: e.escalate(cases["billing-a"], "angry customer"),
        lambda e: e.set_team(cases["billing-b"], "Billing"),
        lambda e: e.assign(cases["billing-b"], crew["carol"].id),
        lambda e: e.set_team(cases["tier2"], "Tier 2"),
        lambda e: e.escalate(cases["tier2"], "bug"),
        lambda e: e.set_status(cases["billing-a"], "resolved"),
        lambda e: e.set_status(cases["loose"], "resolved"),
    ]
    for step in steps:
        with db.session() as session:
            editor = CaseEditor(session, workspace_id, lead)
            step(editor)
            editor.save()
    with db.session() as session:  # several events in one instant
        editor = CaseEditor(session, workspace_id, lead)
        editor.set_status(cases["billing-b"], "resolved")
        editor.set_status(cases["tier2"], "resolved")
        editor.save()
    return cases


def _newest_first(items: list[ActivityItem]) -> bool:
    keys = [(item.at, item.id) for item in items]
    return keys == sorted(keys, reverse=True)


def test_the_feed_by_team_shows_only_that_teams_events_newest_first(
    db: Database, workspace_id: int, busy: dict[str, int]
) -> None:
    with db.session() as session:
        billing = list_activity(session, workspace_id, team="billing").items
        everything = list_activity(session, workspace_id).items
    assert {item.team for item in billing} == {"Billing"}
    assert {item.case_id for item in billing} == {busy["billing-a"], busy["billing-b"]}
    assert sorted(item.activity for item in billing) == [
        "assigned",
        "escalated",
        "resolved",
        "resolved",
    ]
    assert _newest_first(billing)
    assert billing[0].case_subject == "Feed case billing-b"  # resolved last
    assert _newest_first(everything)
    assert [item.activity for item in everything].count("created") == 4
    assert {item.team for item in everything} == {"Billing", "Tier 2", None}
    assert "team_changed" not in {item.activity for item in everything}
    tier2_latest = next(item for item in everything if item.case_id == busy["tier2"])
    assert (tier2_latest.activity, tier2_latest.team) == ("resolved", "Tier 2")


def test_the_feed_pages_without_gaps_or_repeats_while_new_events_arrive(
    db: Database, workspace_id: int, busy: dict[str, int]
) -> None:
    with db.session() as session:
        whole = [item.id for item in list_activity(session, workspace_id, limit=500).items]
    seen: list[int] = []
    before: int | None = None
    while True:
        with db.session() as session:
            page = list_activity(session, workspace_id, limit=3, before_id=before)
        seen += [item.id for item in page.items]
        if page.next_before_id is None:
            break
        before = page.next_before_id
        if len(seen) == 3:  # something happens while the user reads the first page
            open_case(db, workspace_id, "A case opened meanwhile")
    assert seen == whole
    assert len(whole) == 4 + 2 + 1 + 4  # created, escalated, assigned, resolved
    with db.session() as session:
        newest = list_activity(session, workspace_id, limit=1).items[0]
    assert (newest.activity, newest.case_subject) == ("created", "A case opened meanwhile")


def test_the_feed_can_show_other_activities_and_a_window_of_time(
    db: Database, workspace_id: int, crew: dict[str, User], busy: dict[str, int]
) -> None:
    with db.session() as session:
        add_note(session, workspace_id, busy["tier2"], Actor(crew["alice"].id, "Alice"), "fixed")
    with db.session() as session:
        notes = list_activity(session, workspace_id, activities={"note_added"}).items
        assert [(n.case_id, n.resource, n.team) for n in notes] == [
            (busy["tier2"], "Alice", "Tier 2")
        ]
        later = datetime.now(UTC) + timedelta(minutes=1)
        assert list_activity(session, workspace_id, since=later).items == []
        with pytest.raises(InvalidInput, match="no team named 'Sales'"):
            list_activity(session, workspace_id, team="Sales")
        with pytest.raises(InvalidInput, match="at least one activity"):
            list_activity(session, workspace_id, activities=set())


def test_the_feed_of_a_workspace_shows_none_of_another(
    db: Database, workspace_id: int, busy: dict[str, int]
) -> None:
    with db.session() as session:
        other = get_or_create_workspace(session, f"ws-{uuid.uuid4().hex[:12]}").id
        theirs = list_activity(session, workspace_id, limit=1).items[0].id
    open_case(db, other, "Someone else's case")
    with db.session() as session:
        feed = list_activity(session, other).items
        assert [item.case_subject for item in feed] == ["Someone else's case"]
        with pytest.raises(InvalidInput, match="before_id"):
            list_activity(session, other, before_id=theirs)
