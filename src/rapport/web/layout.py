"""The frame every signed-in page shares: header, styles, and the 'not found' panel."""

from __future__ import annotations

from nicegui import ui

from rapport.store.db import Database
from rapport.web.bell import Bell
from rapport.web.session import WebUser, sign_out

# (path, label, icon) of the pages every signed-in user can reach
NAVIGATION = (
    ("/", "Inbox", "inbox"),
    ("/cases", "Cases", "work"),
    ("/activity", "Activity", "timeline"),
    ("/rules", "Rules", "rule"),
    ("/insights", "Insights", "query_stats"),
    ("/alerts", "Alerts", "campaign"),
    ("/reports/sla", "SLA report", "insights"),
    ("/discovery", "Processes", "account_tree"),
)

_CSS = """
body { background: #f4f6f9; color: #1f2933; }
.rp-header { background: #ffffff; color: #1f2933; border-bottom: 1px solid #e3e8ef; }
.rp-brand { font-weight: 700; font-size: 1.15rem; letter-spacing: .01em; color: #1d4ed8; }
.rp-workspace { color: #52606d; font-size: .95rem; }
.rp-card { background: #fff; border: 1px solid #e3e8ef; border-radius: 10px; }
.rp-row { border-bottom: 1px solid #eef1f5; cursor: pointer; transition: background .1s; }
.rp-row:hover { background: #f5f8ff; }
.rp-row:last-child { border-bottom: none; }
.rp-row.rp-unread { background: #fbfcff; }
.rp-row.rp-unread .rp-customer, .rp-row.rp-unread .rp-preview { font-weight: 700; color: #111827; }
.rp-dot { width: 9px; height: 9px; border-radius: 50%; background: #2563eb; flex: none; }
.rp-dot-empty { width: 9px; height: 9px; flex: none; }
.rp-customer { font-weight: 500; color: #1f2933; }
.rp-subject { font-weight: 500; color: #323f4b; }
.rp-preview { color: #52606d; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.rp-muted { color: #7b8794; font-size: .82rem; }
.rp-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.rp-bubble { max-width: min(640px, 80%); border-radius: 14px; padding: 10px 14px; }
.rp-in { background: #ffffff; border: 1px solid #e3e8ef; border-top-left-radius: 4px; }
.rp-out { background: #2563eb; color: #fff; border-top-right-radius: 4px; }
.rp-out .rp-muted { color: #dbe6ff; }
.rp-author { font-weight: 600; font-size: .88rem; }
.rp-nav-active { background: #e8efff; }
.rp-note { background: #fff8e1; border: 1px solid #f3d27a; border-radius: 10px; }
.rp-note-label { color: #8a5a00; font-weight: 700; font-size: .72rem; letter-spacing: .06em; }
.rp-section { color: #7b8794; font-size: .72rem; letter-spacing: .06em; text-transform: uppercase;
  font-weight: 600; }
.rp-mono textarea { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
  font-size: .85rem; line-height: 1.45; white-space: pre; overflow-wrap: normal;
  overflow-x: auto; }
.rp-grid-row { border-bottom: 1px solid #eef1f5; }
.rp-grid-row:last-child { border-bottom: none; }
"""


def _slug(path: str) -> str:
    return path.strip("/").split("/")[0] or "inbox"


def use_styles() -> None:
    """Rapport's colours and styles on the current page."""
    ui.colors(primary="#2563eb", secondary="#52606d", accent="#7c3aed")
    ui.add_css(_CSS)
    ui.query("body").classes("text-[15px]")


def header(user: WebUser, db: Database, active: str = "") -> Bell:
    """The top bar: product, workspace, navigation, the notification bell, the user and a
    logout button. ``active`` is the path of the page shown (its button is highlighted)."""

    def log_out() -> None:
        sign_out()
        ui.navigate.to("/login")

    with (
        ui.header()
        .classes("rp-header items-center px-6 py-2 gap-4 no-wrap")
        .props("elevated=false")
    ):
        with ui.link(target="/").classes("no-underline flex items-center gap-2"):
            ui.icon("forum", color="primary").classes("text-2xl")
            ui.label("Rapport").classes("rp-brand")
        ui.separator().props("vertical")
        ui.label(user.workspace_name).classes("rp-workspace").props(
            'dir=auto data-testid="workspace"'
        )
        with ui.row().classes("items-center gap-1 no-wrap"):
            for path, label, icon in NAVIGATION:
                button = ui.button(
                    label, icon=icon, on_click=lambda path=path: ui.navigate.to(path)
                ).props(f'flat dense no-caps color=secondary data-testid="nav-{_slug(path)}"')
                button.classes("px-2")
                if path == active:
                    button.classes("rp-nav-active").props('aria-current="page"')
        ui.space()
        bell = Bell(db, user)
        bell.build()
        with ui.row().classes("items-center gap-2 no-wrap"):
            ui.icon("account_circle", color="secondary").classes("text-2xl")
            with ui.column().classes("gap-0"):
                ui.label(user.name).classes("text-sm font-medium").props(
                    'dir=auto data-testid="user-name"'
                )
                ui.label(user.role).classes("rp-muted leading-none")
            ui.button(icon="logout", on_click=log_out).props(
                'flat round color=secondary aria-label="Log out" data-testid="logout"'
            ).tooltip("Log out")
    return bell


def page_frame(user: WebUser, db: Database, active: str = "") -> Bell:
    """Styles and header of a signed-in page; returns the header's bell."""
    use_styles()
    return header(user, db, active)


def not_found(message: str) -> None:
    """A friendly 'not found' panel (also used for another workspace's records)."""
    with ui.column().classes("w-full items-center mt-24 gap-3").props('data-testid="not-found"'):
        ui.icon("search_off", color="grey-6").classes("text-6xl")
        ui.label("Not found").classes("text-2xl font-semibold")
        ui.label(message).classes("rp-muted text-base")
        ui.button("Back to the inbox", icon="inbox", on_click=lambda: ui.navigate.to("/")).props(
            "unelevated no-caps"
        )
