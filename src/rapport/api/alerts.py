"""``/api/v1/alerts``: alert rules, and the events they fired with the posts behind them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from rapport.api.auth import CurrentPrincipal, RequestSession, Writer
from rapport.api.params import MAX_ID, PagingDep
from rapport.intelligence.alerts import rules, store
from rapport.intelligence.alerts.history import list_events, rule_document

router = APIRouter(tags=["alerts"])
RuleId = Annotated[int, Path(ge=1, le=MAX_ID)]


class AlertRuleChange(BaseModel):
    """Fields of a rule to change (PATCH); see docs/trends-and-alerts.md."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    metric: Literal["volume", "negative_share"] | None = None
    subject_kind: Literal["all", "channel", "intent", "language", "sentiment", "query"] | None = (
        None
    )
    subject_value: str | None = Field(None, max_length=200)
    interval: Literal["hour", "day"] | None = None
    time_zone: str | None = Field(None, max_length=64)
    sensitivity: float | None = Field(None, ge=1, le=50)
    min_count: int | None = Field(None, ge=1, le=1_000_000)
    cooldown_seconds: int | None = Field(None, ge=0, le=rules.MAX_COOLDOWN)
    notify_user_ids: list[int] | None = Field(None, max_length=rules.MAX_RECIPIENTS)
    emails: list[str] | None = Field(None, max_length=rules.MAX_RECIPIENTS)
    webhook_url: str | None = Field(None, max_length=2000)
    webhook_secret: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class AlertRuleIn(AlertRuleChange):
    """A new rule: ``name`` and ``metric`` are required, the rest have defaults."""

    name: str = Field(..., max_length=100)
    metric: Literal["volume", "negative_share"]


@router.get("/alerts")
def list_rules(principal: CurrentPrincipal, session: RequestSession) -> Any:
    """Every alert rule of the workspace, by name (webhook secrets are never shown)."""
    return [rule_document(r) for r in store.rules_of(session, principal.workspace_id)]


@router.post("/alerts", status_code=201)
def create_rule(body: AlertRuleIn, principal: Writer, session: RequestSession) -> Any:
    """Add a rule (409 when the name is taken)."""
    values = body.model_dump(exclude_none=True)
    return rule_document(rules.create_rule(session, principal.workspace_id, values))


@router.get("/alerts/events")
def list_alert_events(
    principal: CurrentPrincipal,
    session: RequestSession,
    paging: PagingDep,
    rule_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this rule's.")] = None,
) -> Any:
    """Alerts that fired, newest first, each with its window, figures, delivery status and
    the posts behind it."""
    page = list_events(
        session, principal.workspace_id, rule_id=rule_id, limit=paging.limit, offset=paging.offset
    )
    return {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}


@router.get("/alerts/{rule_id}")
def get_rule(rule_id: RuleId, principal: CurrentPrincipal, session: RequestSession) -> Any:
    """One rule."""
    return rule_document(rules.get_rule(session, principal.workspace_id, rule_id))


@router.patch("/alerts/{rule_id}")
def update_rule(
    rule_id: RuleId, body: AlertRuleChange, principal: Writer, session: RequestSession
) -> Any:
    """Change some fields of a rule; send ``"webhook_url": ""`` to stop the webhook."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("webhook_url") == "":
        changes["webhook_url"], changes["webhook_secret"] = None, None
    return rule_document(rules.update_rule(session, principal.workspace_id, rule_id, changes))


@router.delete("/alerts/{rule_id}", status_code=204)
def delete_rule(rule_id: RuleId, principal: Writer, session: RequestSession) -> Response:
    """Remove a rule and its events."""
    rules.delete_rule(session, principal.workspace_id, rule_id)
    return Response(status_code=204)
