"""Customer satisfaction: ask after resolution, record the answer, report the scores.

A request goes out as an ordinary reply in the customer's conversation (a delivery with
purpose ``csat``) carrying a link ``{public_url}/csat/{token}``; the token is the only key
to the survey. The text is the workspace's canned reply named ``csat`` in the case's
language, else its English one, else a built-in English text; it may use the placeholders
``{customer_name}``, ``{case_number}``, ``{agent_name}`` and ``{csat_link}`` (the link is
added at the end when the text has no ``{csat_link}``).

A case has at most one survey waiting for an answer. The first answer is final: answering
again is a Conflict, so a forwarded or replayed link cannot change a score already reported.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from rapport.config import get_settings
from rapport.engage.actions import render_template
from rapport.engage.cases import Actor
from rapport.engage.notes import case_in_workspace, record_case_event
from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.store.engagement import (
    CannedReply,
    Case,
    CaseConversation,
    CaseStatus,
    CsatSurvey,
    Delivery,
    DeliveryStatus,
    Team,
)
from rapport.store.models import (
    Channel,
    ChannelKind,
    Contact,
    Conversation,
    Direction,
    Message,
    User,
)

surveys = cast(Table, CsatSurvey.__table__)
cases = cast(Table, Case.__table__)
links = cast(Table, CaseConversation.__table__)
messages = cast(Table, Message.__table__)
canned = cast(Table, CannedReply.__table__)
contacts = cast(Table, Contact.__table__)
teams = cast(Table, Team.__table__)
users = cast(Table, User.__table__)

CANNED_NAME = "csat"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
DEFAULT_TEXT = (
    "How did we do with your case #{case_number}? "
    "Please rate our help from 1 (poor) to 5 (excellent): {csat_link}"
)
MAX_COMMENT_LENGTH = 2000
SCORES = range(1, 6)
HAPPY_SCORE = 4  # 4 and 5 count as satisfied
TOKEN_LENGTH = 64  # the column's size


def _public_url() -> str:
    return (get_settings().public_url or DEFAULT_PUBLIC_URL).rstrip("/")


@dataclass(frozen=True, slots=True)
class _Route:
    conversation_id: int
    reply_to_message_id: int | None


def _route(session: Session, case: Case) -> _Route:
    """Where the request goes: the conversation the customer last wrote in, in reply to
    that message; else the case's first conversation."""
    m = messages.c
    latest = session.execute(
        select(m.id, m.conversation_id)
        .join(links, links.c.conversation_id == m.conversation_id)
        .where(links.c.case_id == case.id, m.direction == Direction.INBOUND.value)
        .order_by(m.sent_at.desc(), m.id.desc())
        .limit(1)
    ).first()
    if latest is not None:
        return _Route(latest.conversation_id, latest.id)
    first = session.execute(
        select(links.c.conversation_id)
        .where(links.c.case_id == case.id)
        .order_by(links.c.conversation_id)
        .limit(1)
    ).scalar()
    if first is None:
        raise Conflict(f"case {case.id} has no conversation to send a satisfaction request in")
    return _Route(first, None)


def _text(session: Session, case: Case, actor: Actor, link: str) -> str:
    versions = {
        row.language: row.body
        for row in session.execute(
            select(canned.c.language, canned.c.body).where(
                canned.c.workspace_id == case.workspace_id,
                func.lower(canned.c.name) == CANNED_NAME,
            )
        )
    }
    body = (case.language and versions.get(case.language)) or versions.get("en") or DEFAULT_TEXT
    customer = None
    if case.contact_id is not None:
        customer = session.execute(
            select(contacts.c.display_name).where(contacts.c.id == case.contact_id)
        ).scalar()
    agent = None
    if case.assignee_id is not None:
        agent = session.execute(select(users.c.name).where(users.c.id == case.assignee_id)).scalar()
    values = {
        "customer_name": customer or "",
        "case_number": str(case.id),
        "agent_name": agent or actor.name,
        "csat_link": link,
    }
    text = render_template(body, values)
    return text if "{csat_link}" in body else f"{text.rstrip()}\n\n{link}"


def request_csat(session: Session, workspace_id: int, case_id: int, actor: Actor) -> CsatSurvey:
    """Ask the customer of a resolved or closed case how satisfied they are.

    Queues the request as a delivery (purpose ``csat``) in the customer's conversation and
    records a ``csat_requested`` event. Raises NotFound when the case is not in this
    workspace, Conflict when it is not resolved or closed, was merged into another case, or
    already has a survey waiting for an answer.
    """
    case = case_in_workspace(session, workspace_id, case_id, for_update=True)
    if case.merged_into_id is not None:
        raise Conflict(
            f"case {case_id} was merged into case {case.merged_into_id}; ask on that case"
        )
    if case.status not in (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value):
        raise Conflict(
            f"case {case_id} is {case.status}: a satisfaction request can be sent once it "
            "is resolved or closed"
        )
    waiting = session.execute(
        select(surveys.c.sent_at).where(
            surveys.c.case_id == case_id, surveys.c.answered_at.is_(None)
        )
    ).scalar()
    if waiting is not None:
        raise Conflict(
            f"case {case_id} already has a satisfaction request waiting for an answer "
            f"(sent {waiting:%Y-%m-%d %H:%M} UTC)"
        )
    route = _route(session, case)
    kind = session.execute(
        select(Channel.kind)
        .join(Conversation, Conversation.channel_id == Channel.id)
        .where(Conversation.id == route.conversation_id)
    ).scalar_one()
    if kind == ChannelKind.TWITTER.value:
        # The link is the only key to the survey: posted publicly, anyone could answer it.
        raise Conflict(
            f"case {case_id}: a satisfaction request needs a private channel (e-mail, "
            "Messenger or a private Facebook reply); X direct messages are not supported yet"
        )
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    link = f"{_public_url()}/csat/{token}"
    survey = CsatSurvey(workspace_id=workspace_id, case_id=case.id, token=token, sent_at=now)
    delivery = Delivery(
        workspace_id=workspace_id,
        case_id=case.id,
        conversation_id=route.conversation_id,
        reply_to_message_id=route.reply_to_message_id,
        author_id=actor.user_id,
        purpose="csat",
        public=False,  # the link is the survey's key: never posted publicly
        text=_text(session, case, actor, link),
        status=DeliveryStatus.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add_all([survey, delivery])
    session.flush()
    record_case_event(
        session,
        case,
        "csat_requested",
        actor.name,
        actor_id=actor.user_id,
        attributes={"survey_id": survey.id, "delivery_id": delivery.id},
        at=now,
    )
    session.flush()
    return survey


def answer_csat(session: Session, token: str, score: int, comment: str | None) -> CsatSurvey:
    """Record the customer's answer (score 1 to 5, optional comment up to 2,000 characters).

    Raises NotFound for an unknown link, InvalidInput for a bad score or comment, and
    Conflict when the survey was already answered (the first answer is final). Records a
    ``csat_answered`` event by ``customer`` with ``{score}``.
    """
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise InvalidInput(f"score: a whole number from 1 to 5, not {score!r}")
    if comment is not None:
        comment = comment.strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            f"comment: at most {MAX_COMMENT_LENGTH:,} characters; this one has {len(comment):,}"
        )
    if comment is not None and "\x00" in comment:
        raise InvalidInput("comment: contains a NUL character, which cannot be stored")
    survey = None
    if token and len(token) <= TOKEN_LENGTH:
        survey = session.scalars(
            select(CsatSurvey).where(CsatSurvey.token == token).with_for_update()
        ).one_or_none()
    if survey is None:
        raise NotFound("satisfaction survey not found: the link is wrong or incomplete")
    if survey.answered_at is not None:
        raise Conflict(
            f"this satisfaction survey was already answered on {survey.answered_at:%Y-%m-%d}; "
            "the first answer counts"
        )
    now = datetime.now(UTC)
    survey.score = score
    survey.comment = comment
    survey.answered_at = now
    case = case_in_workspace(session, survey.workspace_id, survey.case_id)
    record_case_event(
        session,
        case,
        "csat_answered",
        "customer",
        attributes={"score": score, "survey_id": survey.id},
        at=now,
    )
    session.flush()
    return survey


# -- reporting --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    answered: int = 0
    total: int = 0
    happy: int = 0

    def add(self, sent: int, answered: int, total: int, happy: int) -> None:
        self.sent += sent
        self.answered += answered
        self.total += total
        self.happy += happy

    def metrics(self) -> dict[str, Any]:
        answered = self.answered
        return {
            "sent": self.sent,
            "answered": answered,
            "response_rate": round(answered / self.sent, 4) if self.sent else None,
            "average_score": round(self.total / answered, 2) if answered else None,
            "csat_percent": round(100 * self.happy / answered, 1) if answered else None,
        }


def _names(session: Session, table: Table, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(table.c.id, table.c.name).where(table.c.id.in_(ids)))
    return {row.id: row.name for row in rows}


def csat_report(
    session: Session,
    workspace_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Satisfaction of the surveys sent in ``[since, until)``.

    ``sent`` and ``answered`` count surveys; ``response_rate`` is answered / sent (0 to 1);
    ``average_score`` the mean score (1 to 5); ``csat_percent`` the share of 4s and 5s
    among the answers (0 to 100); each is None when there is nothing to divide by.
    ``by_team`` and ``by_agent`` give the same figures per the case's current team and
    assignee (``team`` / ``agent`` None for cases without one).
    """
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"{name}: give a time with its time zone")
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since: must be before until")
    s = surveys.c
    query = (
        select(
            cases.c.team_id,
            cases.c.assignee_id,
            func.count(),
            func.count(s.score),
            func.coalesce(func.sum(s.score), 0),
            func.coalesce(func.sum(sql_case((s.score >= HAPPY_SCORE, 1), else_=0)), 0),
        )
        .join(cases, cases.c.id == s.case_id)
        .where(s.workspace_id == workspace_id)
        .group_by(cases.c.team_id, cases.c.assignee_id)
    )
    if since is not None:
        query = query.where(s.sent_at >= since)
    if until is not None:
        query = query.where(s.sent_at < until)
    overall = _Tally()
    per_team: dict[int | None, _Tally] = {}
    per_agent: dict[int | None, _Tally] = {}
    for team_id, assignee_id, sent, answered, total, happy in session.execute(query):
        counts = (int(sent), int(answered), int(total), int(happy))
        overall.add(*counts)
        per_team.setdefault(team_id, _Tally()).add(*counts)
        per_agent.setdefault(assignee_id, _Tally()).add(*counts)
    team_names = _names(session, teams, {t for t in per_team if t is not None})
    agent_names = _names(session, users, {a for a in per_agent if a is not None})
    return {
        **overall.metrics(),
        "by_team": _rows("team", per_team, team_names),
        "by_agent": _rows("agent", per_agent, agent_names),
    }


def _rows(
    label: str, tallies: dict[int | None, _Tally], names: dict[int, str]
) -> list[dict[str, Any]]:
    def name(key: int | None) -> str | None:
        return None if key is None else names.get(key, str(key))

    def order(key: int | None) -> tuple[bool, str]:
        return (key is None, name(key) or "")

    return [
        {label: name(key), f"{label}_id": key, **tallies[key].metrics()}
        for key in sorted(tallies, key=order)
    ]
