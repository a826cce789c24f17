"""Empty a workspace of its conversation data, keeping the workspace and its users."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

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
    """Delete the workspace's channels, contacts, conversations, messages and dead letters.

    Users, tokens and the workspace itself stay. Returns how many messages were removed.
    Children go before parents, so it works whatever foreign keys the backend enforces
    (search indexes follow: SQLite's full-text table has a delete trigger).
    """
    channel_ids = select(Channel.id).where(Channel.workspace_id == workspace_id)
    removed = session.execute(
        select(func.count()).select_from(Message).where(Message.workspace_id == workspace_id)
    ).scalar_one()
    for statement in (
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
