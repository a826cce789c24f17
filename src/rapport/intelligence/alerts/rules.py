"""Alert rules: checked, created, changed and removed. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Mapping
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from rapport.errors import Conflict, InvalidInput, NotFound
from rapport.intelligence.alerts import store
from rapport.intelligence.trends.buckets import interval_of, time_zone
from rapport.intelligence.trends.detect import DEFAULT_MIN_COUNT, DEFAULT_SENSITIVITY
from rapport.intelligence.trends.subjects import make_subject
from rapport.store.alerts import AlertMetric, AlertRule

METRICS = tuple(m.value for m in AlertMetric)
NAME_LENGTH = 100
DEFAULT_COOLDOWN = 6 * 3600
MAX_COOLDOWN = 30 * 86400
MAX_RECIPIENTS = 50

DEFAULTS: dict[str, Any] = {
    "subject_kind": "all",
    "subject_value": None,
    "sensitivity": DEFAULT_SENSITIVITY,
    "min_count": DEFAULT_MIN_COUNT,
    "interval": "hour",
    "time_zone": "UTC",
    "cooldown_seconds": DEFAULT_COOLDOWN,
    "notify_user_ids": [],
    "emails": [],
    "webhook_url": None,
    "webhook_secret": None,
    "enabled": True,
}
FIELDS = ("name", "metric", *DEFAULTS)


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}: must be text of 1 to {limit} characters")
    text = value.strip()
    if len(text) > limit or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidInput(f"{field}: at most {limit} characters, no control characters")
    return text


def _number(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(f"{field}: must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _email(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    try:
        address = Address(addr_spec=text)
    except (ValueError, HeaderParseError, IndexError):
        address = None
    if address is None or not address.username or "." not in address.domain:
        raise InvalidInput(f"emails: {value!r} is not an e-mail address")
    return address.addr_spec


def _webhook(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = _text(value, "webhook_url", 2000)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"webhook_url: must be an http:// or https:// address, not {text!r}")
    return text


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """A rule's fields, checked and normalised; an :class:`InvalidInput` names the field."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise InvalidInput(f"{sorted(unknown)[0]}: not a field of an alert rule")
    out: dict[str, Any] = {**DEFAULTS, **values}
    out["name"] = _text(out.get("name"), "name", NAME_LENGTH)
    metric = str(out.get("metric") or "").replace("-", "_")
    if metric not in METRICS:
        raise InvalidInput(
            f"metric: must be one of {', '.join(METRICS)}, not {out.get('metric')!r}"
        )
    out["metric"] = metric
    value = out["subject_value"]
    out["subject_value"] = value.strip() if isinstance(value, str) and value.strip() else None
    if out["subject_kind"] == "all":
        out["subject_value"] = None
    make_subject(str(out["subject_kind"]), out["subject_value"])
    out["sensitivity"] = _number(out["sensitivity"], "sensitivity", 1.0, 50.0)
    out["min_count"] = int(_number(out["min_count"], "min_count", 1, 1_000_000))
    out["interval"] = interval_of(str(out["interval"]))
    out["time_zone"] = time_zone(str(out["time_zone"] or "UTC"), "time_zone").key
    out["cooldown_seconds"] = int(
        _number(out["cooldown_seconds"], "cooldown_seconds", 0, MAX_COOLDOWN)
    )
    for field in ("notify_user_ids", "emails"):
        if not isinstance(out[field], list | tuple) or len(out[field]) > MAX_RECIPIENTS:
            raise InvalidInput(f"{field}: must be a list of at most {MAX_RECIPIENTS}")
    ids = out["notify_user_ids"]
    if any(isinstance(i, bool) or not isinstance(i, int) or i < 1 for i in ids):
        raise InvalidInput("notify_user_ids: must be user ids (positive whole numbers)")
    out["notify_user_ids"] = list(dict.fromkeys(ids))
    out["emails"] = list(dict.fromkeys(_email(e) for e in out["emails"]))
    out["webhook_url"] = _webhook(out["webhook_url"])
    secret = out["webhook_secret"]
    out["webhook_secret"] = _text(secret, "webhook_secret", 200) if secret else None
    if out["webhook_url"] and not out["webhook_secret"]:
        raise InvalidInput("webhook_secret: required with webhook_url (it signs every POST)")
    if not isinstance(out["enabled"], bool):
        raise InvalidInput(f"enabled: must be true or false, not {out['enabled']!r}")
    return out


def _check_users(session: Session, workspace_id: int, ids: list[int]) -> None:
    members = store.active_members(session, workspace_id, ids)
    strangers = [i for i in ids if i not in members]
    if strangers:
        raise InvalidInput(f"notify_user_ids: no active user {strangers[0]} in this workspace")


def create_rule(session: Session, workspace_id: int, values: Mapping[str, Any]) -> AlertRule:
    """Add a rule; a :class:`Conflict` when the workspace has one of that name."""
    data = checked(values)
    _check_users(session, workspace_id, data["notify_user_ids"])
    if store.rule_by_name(session, workspace_id, data["name"]) is not None:
        raise Conflict(f"name: an alert rule named {data['name']!r} exists already")
    rule = AlertRule(workspace_id=workspace_id, **data)
    session.add(rule)
    session.flush()
    return rule


def get_rule(session: Session, workspace_id: int, rule_id: int) -> AlertRule:
    rule = store.rule_by_id(session, workspace_id, rule_id)
    if rule is None:
        raise NotFound(f"no alert rule {rule_id} in this workspace")
    return rule


def find_rule(session: Session, workspace_id: int, name: str) -> AlertRule:
    rule = store.rule_by_name(session, workspace_id, name)
    if rule is None:
        raise NotFound(f"no alert rule named {name!r}; see `rapport alerts list`")
    return rule


def update_rule(
    session: Session, workspace_id: int, rule_id: int, changes: Mapping[str, Any]
) -> AlertRule:
    """Change some fields of a rule (the others stay as they are)."""
    rule = get_rule(session, workspace_id, rule_id)
    current = {field: getattr(rule, field) for field in FIELDS}
    data = checked({**current, **changes})
    _check_users(session, workspace_id, data["notify_user_ids"])
    if data["name"] != rule.name and store.rule_by_name(session, workspace_id, data["name"]):
        raise Conflict(f"name: an alert rule named {data['name']!r} exists already")
    for field, value in data.items():
        setattr(rule, field, value)
    rule.checked_until = None  # a changed rule judges its last bucket afresh
    session.flush()
    return rule


def delete_rule(session: Session, workspace_id: int, rule_id: int) -> None:
    """Remove a rule and its events."""
    session.delete(get_rule(session, workspace_id, rule_id))
    session.flush()
