"""Where a case stands against its SLA targets, in words an agent reads at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rapport.engage.case_queries import CaseSummary
from rapport.web.presentation import human_duration

RUNNING = "running"
MET = "met"
BREACHED = "breached"
PAUSED = "paused"
NONE = "none"

STATE_COLORS = {
    RUNNING: "primary",
    MET: "positive",
    BREACHED: "negative",
    PAUSED: "grey-7",
    NONE: "grey-6",
}
STATE_ICONS = {
    RUNNING: "timer",
    MET: "check_circle",
    BREACHED: "error",
    PAUSED: "pause_circle",
    NONE: "remove",
}
_ACTIVE = ("new", "open", "pending")


@dataclass(frozen=True, slots=True)
class Clock:
    """One SLA target of a case: running, met, breached (or none), and a short text."""

    target: str  # "First response" or "Resolution"
    state: str
    due: datetime | None
    text: str

    @property
    def color(self) -> str:
        return STATE_COLORS[self.state]

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]


def _clock(
    target: str,
    due: datetime | None,
    done: datetime | None,
    breached: bool,
    active: bool,
    now: datetime,
) -> Clock:
    if due is None:
        return Clock(target, NONE, None, "no target")
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    if done is not None:
        done = done if done.tzinfo else done.replace(tzinfo=UTC)
        if breached or done > due:
            return Clock(
                target,
                BREACHED,
                due,
                f"breached: {human_duration((done - due).total_seconds())} late",
            )
        return Clock(target, MET, due, f"met, {human_duration((due - done).total_seconds())} early")
    if breached or now > due:
        if active:
            return Clock(
                target, BREACHED, due, f"overdue by {human_duration((now - due).total_seconds())}"
            )
        return Clock(target, BREACHED, due, "breached")
    if not active:
        return Clock(target, MET, due, "met: closed before it was due")
    return Clock(target, RUNNING, due, f"{human_duration((due - now).total_seconds())} left")


def first_response_clock(case: CaseSummary, now: datetime | None = None) -> Clock:
    """The first-response target: answered in time, late, or still running."""
    now = now or datetime.now(UTC)
    return _clock(
        "First response",
        case.first_response_due,
        case.first_responded_at,
        case.first_response_breached,
        case.status in _ACTIVE,
        now,
    )


def resolution_clock(case: CaseSummary, now: datetime | None = None) -> Clock:
    """The resolution target: resolved in time, late, still running, or paused while the
    case waits on the customer (the SLA does not judge it then)."""
    now = now or datetime.now(UTC)
    if (
        case.status == "pending"
        and case.resolution_due is not None
        and case.resolved_at is None
        and not case.resolution_breached
    ):
        return Clock("Resolution", PAUSED, case.resolution_due, "paused: waiting on the customer")
    return _clock(
        "Resolution",
        case.resolution_due,
        case.resolved_at,
        case.resolution_breached,
        case.status in _ACTIVE,
        now,
    )


def current_clock(case: CaseSummary, now: datetime | None = None) -> Clock:
    """The clock that matters now: the first response until there is one, then resolution.
    A breach of either shows."""
    first = first_response_clock(case, now)
    resolution = resolution_clock(case, now)
    if first.state == BREACHED:
        return first
    if first.state == RUNNING or resolution.state == NONE:
        return first
    return resolution
