"""The login page, and the guard that sends anonymous visitors to it."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from rapport.accounts.service import Principal, authenticate_password
from rapport.errors import AuthenticationFailed
from rapport.store.db import Database
from rapport.store.models import User, Workspace
from rapport.web.layout import use_styles
from rapport.web.session import WebUser, current_user, sign_in, sign_out

_TZ_JS = "Intl.DateTimeFormat().resolvedOptions().timeZone"


def login_redirect(path: str) -> RedirectResponse:
    """Send an anonymous visitor to the login page, coming back to ``path`` afterwards."""
    return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only same-site paths may follow a login: '//evil.example' or 'https://...' go to '/'."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def require_user(db: Database, path: str) -> WebUser | RedirectResponse:
    """The signed-in user, or a redirect to the login page.

    The account is checked on every page load, so a user who was deactivated or moved to
    another workspace loses access at once rather than when their session expires.
    """
    user = current_user()
    if user is not None:
        with db.session() as session:
            account = session.get(User, user.user_id)
            still_valid = (
                account is not None
                and account.is_active
                and account.workspace_id == user.workspace_id
            )
        if still_valid:
            return user
        sign_out()
    return login_redirect(path)


def _check_password(db: Database, email: str, password: str) -> tuple[Principal, str]:
    with db.session() as session:
        principal = authenticate_password(session, email, password)
        workspace = session.get(Workspace, principal.workspace_id)
        return principal, workspace.name if workspace is not None else ""


def register(db: Database) -> None:
    """Register ``/login``."""

    @ui.page("/login", title="Sign in · Rapport")
    def login_page(next: str | None = None) -> RedirectResponse | None:
        target = safe_next(next)
        if current_user() is not None:
            return RedirectResponse(target, status_code=303)
        use_styles()

        async def try_login() -> None:
            error.set_visibility(False)
            if not email.value or not password.value:
                error.set_text("Enter your e-mail and password.")
                error.set_visibility(True)
                return
            button.props("loading")
            try:
                checked = await run.io_bound(_check_password, db, email.value, password.value)
            except AuthenticationFailed:
                error.set_text("Wrong e-mail or password. Please try again.")
                error.set_visibility(True)
                password.set_value("")
                return
            finally:
                button.props(remove="loading")
            if checked is None:  # the server is shutting down
                return
            principal, workspace_name = checked
            try:
                time_zone = str(await ui.run_javascript(_TZ_JS, timeout=3.0) or "UTC")
            except TimeoutError:
                time_zone = "UTC"
            sign_in(principal, workspace_name, time_zone)
            ui.navigate.to(target)

        with ui.column().classes("absolute-center items-center gap-6 w-full max-w-sm px-4"):
            with ui.row().classes("items-center gap-2"):
                ui.icon("forum", color="primary").classes("text-4xl")
                ui.label("Rapport").classes("rp-brand text-3xl")
            with ui.card().classes("rp-card w-full p-6 gap-4").props("flat"):
                ui.label("Sign in to your workspace").classes("text-lg font-semibold")
                email = (
                    ui.input("E-mail")
                    .props('type=email autofocus outlined dense data-testid="email"')
                    .classes("w-full")
                )
                password = (
                    ui.input("Password", password=True, password_toggle_button=True)
                    .props('outlined dense data-testid="password"')
                    .classes("w-full")
                )
                error = (
                    ui.label("")
                    .classes("text-negative text-sm")
                    .props('role=alert data-testid="login-error"')
                )
                error.set_visibility(False)
                button = (
                    ui.button("Sign in", on_click=try_login)
                    .props('unelevated no-caps data-testid="sign-in"')
                    .classes("w-full")
                )
                password.on("keydown.enter", try_login)
                email.on("keydown.enter", try_login)
            ui.label("The unified social inbox").classes("rp-muted")
        return None
