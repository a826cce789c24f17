"""Empty a workspace of its conversation data, keeping the workspace and its users."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rapport.store.engagement import (
    Case,
    CaseConversation,
    CaseEvent,
    CsatSurvey,
    Delivery,
    Note,
    Notification,
    RuleFiring,
)
from rapport.store.models import (
    Channel,
    Contact,
    Conversation,
    DeadLetter,
    Identity,
    Message,
    ThreadLink,
)


def clear_workspace_data(session: Session, workspace_id: int) -> int:
    """Delete the workspace's channels, contacts, conversations, messages, dead letters,
    and the cases made of them with their history, notes and outgoing replies.

    Users, tokens, teams, rules, SLA policies and the workspace itself stay. Returns how
    many messages were removed.
    Children go before parents, so it works whatever foreign keys the backend enforces
    (search indexes follow: SQLite's full-text table has a delete trigger).
    """
    channel_ids = select(Channel.id).where(Channel.workspace_id == workspace_id)
    removed = session.execute(
        select(func.count()).select_from(Message).where(Message.workspace_id == workspace_id)
    ).scalar_one()
    case_ids = select(Case.id).where(Case.workspace_id == workspace_id)
    for statement in (
        delete(Notification).where(Notification.workspace_id == workspace_id),
        delete(RuleFiring).where(RuleFiring.workspace_id == workspace_id),
        delete(Delivery).where(Delivery.workspace_id == workspace_id),
        delete(CsatSurvey).where(CsatSurvey.workspace_id == workspace_id),
        delete(Note).where(Note.workspace_id == workspace_id),
        delete(CaseEvent).where(CaseEvent.workspace_id == workspace_id),
        delete(CaseConversation).where(CaseConversation.case_id.in_(case_ids)),
        delete(Case).where(Case.workspace_id == workspace_id),
        delete(Message).where(Message.workspace_id == workspace_id),
        delete(ThreadLink).where(ThreadLink.channel_id.in_(channel_ids)),
        delete(Conversation).where(Conversation.workspace_id == workspace_id),
        delete(Identity).where(Identity.workspace_id == workspace_id),
        delete(Contact).where(Contact.workspace_id == workspace_id),
        delete(DeadLetter).where(DeadLetter.workspace_id == workspace_id),
        delete(Channel).where(Channel.workspace_id == workspace_id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.flush()
    return int(removed)
