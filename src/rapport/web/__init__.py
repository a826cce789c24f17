"""The web app: NiceGUI pages mounted on the API's FastAPI app.

Nothing happens at import time; ``mount_ui`` registers the pages and mounts NiceGUI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from rapport.store.db import Database

__all__ = ["mount_ui"]

# NiceGUI keeps one process-wide app; run_with() may configure it only once per process.
_configured = False


def mount_ui(app: FastAPI, db: Database) -> None:
    """Register Rapport's pages (login, inbox, conversation, cases, activity, rules, the SLA
    report, insights, alerts, processes, notifications) and mount NiceGUI on ``app``.

    Every page reads through ``db``. Calling it again in the same process (tests that build
    several apps) re-registers the pages against the new database and mounts the same UI.
    """
    global _configured
    from nicegui import core, ui

    from rapport.config import get_settings
    from rapport.web import (
        activity_page,
        alerts_page,
        auth,
        cases_page,
        conversation,
        discovery_page,
        inbox,
        insights_page,
        notifications,
        reports_page,
        rules_page,
    )

    auth.register(db)
    inbox.register(db)
    insights_page.register(db)
    alerts_page.register(db)
    conversation.register(db)
    cases_page.register(db)
    activity_page.register(db)
    rules_page.register(db)
    reports_page.register(db)
    discovery_page.register(db)
    notifications.register(db)
    if _configured:
        app.mount("/", core.app)
        return
    ui.run_with(
        app,
        storage_secret=get_settings().secret_key,
        title="Rapport",
        favicon="💬",
        show_welcome_message=False,
        reconnect_timeout=10.0,
    )
    _configured = True
