"""What the case panel says about SLA clocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rapport.engage.case_queries import CaseSummary
from rapport.web.sla_state import BREACHED, PAUSED, RUNNING, resolution_clock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CASE = CaseSummary(
    id=7,
    status="open",
    priority="normal",
    subject="Where is my order?",
    channel="mail",
    customer="Ola",
    contact_id=1,
    assignee=None,
    assignee_email=None,
    team="Desk",
    tags=[],
    language=None,
    escalated=False,
    opened_at=NOW - timedelta(days=2),
    updated_at=NOW,
    first_response_due=NOW - timedelta(days=1),
    resolution_due=NOW - timedelta(hours=1),
    first_responded_at=NOW - timedelta(days=1, hours=1),
    resolved_at=None,
    sla_policy="Standard",
    first_response_breached=False,
    resolution_breached=False,
    merged_into_id=None,
)


def test_a_case_waiting_on_the_customer_shows_its_resolution_clock_paused() -> None:
    clock = resolution_clock(replace(CASE, status="pending"), NOW)
    assert clock.state == PAUSED
    assert clock.text == "paused: waiting on the customer"


def test_the_same_case_back_with_the_team_is_overdue() -> None:
    assert resolution_clock(CASE, NOW).state == BREACHED
    later = replace(CASE, resolution_due=NOW + timedelta(hours=3))
    assert resolution_clock(later, NOW).state == RUNNING
