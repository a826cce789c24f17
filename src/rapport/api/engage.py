"""``/api/v1``: automation rules, the SLA report, the activity feed, each user's
notifications, and the customer's satisfaction answer (the one route without a token)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, Field

from rapport.api.auth import Admin, CurrentPrincipal, RequestSession, Writer
from rapport.api.params import MAX_ID, text_query
from rapport.engage import feed, notifications
from rapport.engage.csat import answer_csat, csat_report
from rapport.engage.rule_store import (
    current_rules,
    firing_counts,
    recent_firings,
    restore_rules,
    rule_history,
    save_rules,
)
from rapport.engage.sla import sla_report

router = APIRouter(tags=["engagement"])


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# -- rules ------------------------------------------------------------------------------------


class RulesOut(BaseModel):
    version: int | None
    source: str
    rules: list[dict[str, Any]]


@router.get("/rules", response_model=RulesOut)
def get_rules(principal: CurrentPrincipal, session: RequestSession) -> RulesOut:
    """The rules in force: the YAML, and each rule with its summary and firing count."""
    saved = current_rules(session, principal.workspace_id)
    counts = firing_counts(session, principal.workspace_id)
    return RulesOut(
        version=saved.version,
        source=saved.source,
        rules=[
            {**rule.to_data(), "summary": rule.summary, "fired": counts.get(rule.name, 0)}
            for rule in saved.ruleset.rules
        ],
    )


@router.put("/rules", response_model=RulesOut)
def put_rules(
    principal: Admin,
    session: RequestSession,
    source: Annotated[str, Body(media_type="application/yaml", max_length=2_000_000)],
) -> RulesOut:
    """Replace the rules with a YAML document (see docs/rules.md). Every problem comes back
    at once with its line and field (422), and then nothing changes."""
    save_rules(session, principal.workspace_id, source, source="rules", user_id=principal.user_id)
    return get_rules(principal, session)


@router.get("/rules/versions")
def list_rule_versions(principal: CurrentPrincipal, session: RequestSession) -> Any:
    """Every saved version of the rules, newest first."""
    return [asdict(v) for v in rule_history(session, principal.workspace_id)]


@router.post("/rules/versions/{version_id}/restore", response_model=RulesOut)
def restore_rule_version(
    version_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: Admin, session: RequestSession
) -> RulesOut:
    """Undo: put an earlier version back in force (saved as a new version)."""
    restore_rules(session, principal.workspace_id, version_id, user_id=principal.user_id)
    return get_rules(principal, session)


@router.get("/rules/firings")
def list_firings(
    principal: CurrentPrincipal,
    session: RequestSession,
    rule: Annotated[str | None, text_query("Only this rule.", 200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """The latest rule firings with the reason each matched."""
    return [
        asdict(f) for f in recent_firings(session, principal.workspace_id, rule=rule, limit=limit)
    ]


# -- reports ------------------------------------------------------------------------------------


@router.get("/sla/report")
def get_sla_report(
    principal: CurrentPrincipal,
    session: RequestSession,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """Share of cases within SLA, first-response and resolution times (median, p90), per
    team, agent and channel, for cases opened in [since, until)."""
    return sla_report(
        session.connection(), principal.workspace_id, since=_utc(since), until=_utc(until)
    )


@router.get("/csat/report")
def get_csat_report(
    principal: CurrentPrincipal,
    session: RequestSession,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """Satisfaction: requests sent, answered, response rate, average score, per team/agent."""
    return csat_report(session, principal.workspace_id, since=_utc(since), until=_utc(until))


@router.get("/activity")
def get_activity(
    principal: CurrentPrincipal,
    session: RequestSession,
    team: Annotated[str | None, text_query("Only this team's cases.", 100)] = None,
    activity: Annotated[list[str] | None, Query(description="Only these activities.")] = None,
    since: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Any:
    """What is happening across the workspace, newest first: new cases, escalations,
    breaches, resolutions. Page on with ``before_id`` from the previous page."""
    page = feed.list_activity(
        session,
        principal.workspace_id,
        team=team,
        activities=set(activity) if activity else None,
        since=_utc(since),
        limit=limit,
        before_id=before_id,
    )
    return {"items": [asdict(i) for i in page.items], "next_before_id": page.next_before_id}


# -- the user's own notifications ------------------------------------------------------------------


@router.get("/notifications")
def get_notifications(
    principal: CurrentPrincipal,
    session: RequestSession,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Any:
    """Your notifications (mentions, assignments, escalations, SLA warnings), newest first."""
    page = notifications.list_notifications(
        session, principal.user_id, unread_only=unread, limit=limit, offset=offset
    )
    return {
        "items": [asdict(i) for i in page.items],
        "total": page.total,
        "unread": notifications.unread_count(session, principal.user_id),
    }


class ReadIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        default=None, description="Which to mark read; all of yours when left out."
    )


@router.post("/notifications/read")
def read_notifications(body: ReadIn, principal: Writer, session: RequestSession) -> Any:
    """Mark your notifications read."""
    marked = notifications.mark_read(session, principal.user_id, body.ids)
    return {"marked": marked, "unread": notifications.unread_count(session, principal.user_id)}


# -- the customer's answer: no token, the survey's own secret is the key ---------------------------

public_router = APIRouter(tags=["satisfaction"])


class CsatIn(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


@public_router.post("/csat/{token}")
def answer_survey(
    token: Annotated[str, Path(min_length=10, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    body: CsatIn,
    session: RequestSession,
) -> Any:
    """Record a customer's satisfaction answer (1 to 5, and an optional comment)."""
    survey = answer_csat(session, token, body.score, body.comment)
    return {"score": survey.score, "answered_at": survey.answered_at}
