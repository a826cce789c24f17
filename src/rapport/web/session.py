"""Who is signed in to this browser: kept in NiceGUI's server-side user storage.

The browser only holds a signed session cookie; the user id, workspace and role live on
the server, so a user cannot change what they may see by editing the cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import app

from rapport.accounts.service import Principal

_KEY = "rapport_user"


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in user of this browser session."""

    user_id: int
    workspace_id: int
    workspace_name: str
    role: str
    name: str
    email: str
    time_zone: str


def current_user() -> WebUser | None:
    """The signed-in user, or None when this browser has not logged in."""
    data: Any = app.storage.user.get(_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return WebUser(
            user_id=int(data["user_id"]),
            workspace_id=int(data["workspace_id"]),
            workspace_name=str(data["workspace_name"]),
            role=str(data["role"]),
            name=str(data["name"]),
            email=str(data["email"]),
            time_zone=str(data.get("time_zone") or "UTC"),
        )
    except (KeyError, TypeError, ValueError):
        # A session written by an older version: make the user log in again.
        return None


def sign_in(principal: Principal, workspace_name: str, time_zone: str) -> None:
    """Remember ``principal`` as this browser's user."""
    app.storage.user[_KEY] = {
        "user_id": principal.user_id,
        "workspace_id": principal.workspace_id,
        "workspace_name": workspace_name,
        "role": principal.role.value,
        "name": principal.name,
        "email": principal.email,
        "time_zone": time_zone,
    }


def sign_out() -> None:
    """Forget this browser's user."""
    app.storage.user.pop(_KEY, None)
