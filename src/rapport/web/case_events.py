"""Case events in words: what happened ("Priority normal → high"), with an icon."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_ICONS = {
    "created": "add_circle",
    "assigned": "person_add",
    "unassigned": "person_remove",
    "team_changed": "groups",
    "priority_changed": "flag",
    "status_changed": "swap_horiz",
    "resolved": "task_alt",
    "closed": "lock",
    "reopened": "lock_open",
    "tagged": "sell",
    "escalated": "priority_high",
    "note_added": "sticky_note_2",
    "note_edited": "edit_note",
    "note_deleted": "delete",
    "reply_queued": "outbox",
    "replied": "reply",
    "customer_replied": "chat",
    "sla_warning": "alarm",
    "sla_breached": "alarm_off",
    "merged": "merge",
    "conversation_linked": "link",
}


def event_icon(activity: str) -> str:
    """A Material icon for the activity."""
    if activity.startswith("reply_"):
        return "outbox"
    if activity.startswith("csat"):
        return "sentiment_satisfied"
    return _ICONS.get(activity, "radio_button_checked")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _change(label: str) -> Callable[[Mapping[str, Any]], str]:
    def describe(a: Mapping[str, Any]) -> str:
        return f"{label} {_text(a.get('from')) or '—'} → {_text(a.get('to')) or '—'}"

    return describe


def _tagged(a: Mapping[str, Any]) -> str:
    added = list(a.get("added") or a.get("tags") or [])
    removed = list(a.get("removed") or [])
    parts = []
    if added:
        parts.append("Tagged " + ", ".join(map(str, added)))
    if removed:
        parts.append("untagged " + ", ".join(map(str, removed)))
    return "; ".join(parts) or "Tags changed"


def _note(verb: str) -> Callable[[Mapping[str, Any]], str]:
    def describe(a: Mapping[str, Any]) -> str:
        mentions = [str(m) for m in a.get("mentions") or []]
        text = f"Internal note {verb}"
        return text + (f", mentioning {', '.join(mentions)}" if mentions else "")

    return describe


def _merged(a: Mapping[str, Any]) -> str:
    if a.get("into") is not None:
        return f"Merged into case #{a['into']}"
    return f"Case #{_text(a.get('from'))} merged into this one"


def _delivery(a: Mapping[str, Any], what: str) -> str:
    error = _text(a.get("error"))
    return what + (f": {error}" if error else "")


_DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "created": lambda a: (
        "Case opened"
        + (f" from conversation #{a['conversation']}" if a.get("conversation") else "")
    ),
    "assigned": lambda a: f"Assigned to {_text(a.get('assignee')) or 'an agent'}",
    "unassigned": lambda a: "Unassigned",
    "team_changed": lambda a: f"Moved to team {a['team']}" if a.get("team") else "Team removed",
    "priority_changed": _change("Priority"),
    "status_changed": _change("Status"),
    "resolved": lambda a: "Resolved" + (f" ({a['reason']})" if a.get("reason") else ""),
    "closed": lambda a: "Closed",
    "reopened": lambda a: "Reopened",
    "tagged": _tagged,
    "escalated": lambda a: "Escalated" + (f": {a['reason']}" if a.get("reason") else ""),
    "note_added": _note("added"),
    "note_edited": _note("edited"),
    "note_deleted": lambda a: "Internal note deleted",
    "reply_queued": lambda a: (
        ("Public" if a.get("public") else "Private")
        + " reply queued"
        + (f" (canned: {a['canned']})" if a.get("canned") else "")
    ),
    "reply_retried": lambda a: "Reply sent again",
    "reply_cancelled": lambda a: "Reply cancelled",
    "reply_failed": lambda a: _delivery(a, "Reply failed"),
    "reply_uncertain": lambda a: _delivery(a, "Reply may not have been sent"),
    "replied": lambda a: "Replied to the customer",
    "customer_replied": lambda a: "The customer wrote again",
    "sla_warning": lambda a: "SLA warning: first response due soon",
    "sla_breached": lambda a: (
        "SLA breached: "
        + ("first response" if a.get("target") == "first_response" else "resolution")
        + (f" ({a['policy']})" if a.get("policy") else "")
    ),
    "merged": _merged,
    "conversation_linked": lambda a: f"Conversation #{_text(a.get('conversation'))} linked",
}


def describe_event(activity: str, attributes: Mapping[str, Any]) -> str:
    """One line saying what happened."""
    describe = _DESCRIBE.get(activity)
    if describe is not None:
        try:
            return describe(attributes)
        except (KeyError, TypeError):  # an event written by an older version
            pass
    return activity.replace("_", " ").capitalize()
