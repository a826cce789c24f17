"""Browser fixtures: the real app served by ``rapport serve`` and Debian's chromium.

The database is a temporary SQLite file prepared in the test process (workspaces, users and
conversations); the server is a separate process on a free port, exactly as a user runs it.
Where /usr/bin/chromium is missing the browser tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.inbox.queries import list_conversations, mark_read
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Role

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "s3cret-passw0rd"
AGENT_EMAIL = "agent@acme.example"
OTHER_EMAIL = "agent@globex.example"
PERSIAN = "سلام، سفارش من هنوز نرسیده است. لطفاً کمک کنید."
HOSTILE = "<script>alert(1)</script><b>bold</b>"
TWITTER = "acme_twitter"
EMAIL = "support_mail"
BULK = 30


@dataclass(frozen=True, slots=True)
class Seeded:
    """What the test database holds, by name, for the tests to look for."""

    db: Database
    workspace_id: int
    other_workspace_id: int
    # conversation ids by customer name
    conversations: dict[str, int]
    other_conversation: int


def _message(
    external_id: str,
    author: str,
    text: str,
    sent_at: datetime,
    *,
    company: bool = False,
    reply_to: str | None = None,
    subject: str | None = None,
    followers: int | None = None,
) -> InboundMessage:
    return InboundMessage(
        external_id=external_id,
        author_id=author.lower().replace(" ", "_"),
        author_name=author,
        author_handle=author.replace(" ", ""),
        followers_count=followers,
        text=text,
        sent_at=sent_at,
        direction=Direction.OUTBOUND if company else Direction.INBOUND,
        in_reply_to=reply_to,
        subject=subject,
    )


def add_messages(
    db: Database,
    workspace_id: int,
    messages: list[InboundMessage],
    *,
    channel: str = TWITTER,
    kind: ChannelKind = ChannelKind.TWITTER,
) -> None:
    """Ingest messages the way a channel would (used while the app is running, too)."""
    report = ingest_messages(
        db, workspace_id=workspace_id, channel_name=channel, kind=kind, messages=messages
    )
    assert report.imported == len(messages), report


def _seed(db: Database) -> Seeded:
    now = datetime.now(UTC).replace(microsecond=0)
    with db.session() as session:
        acme = get_or_create_workspace(session, "acme", "Acme Support")
        create_user(
            session, acme, email=AGENT_EMAIL, name="Ada Agent", role=Role.AGENT, password=PASSWORD
        )
        globex = get_or_create_workspace(session, "globex", "Globex")
        create_user(
            session, globex, email=OTHER_EMAIL, name="Otto Other", role=Role.AGENT,
            password=PASSWORD,
        )  # fmt: skip
        acme_id, globex_id = acme.id, globex.id

    t = now - timedelta(minutes=10)
    add_messages(db, acme_id, [
        _message("jon-1", "Jon Snow", "My router keeps dropping the connection every evening.",
                 t - timedelta(minutes=30), followers=1200),
        _message("jon-2", "Acme Support", "Sorry Jon! Have you tried updating the firmware?",
                 t - timedelta(minutes=20), company=True, reply_to="jon-1"),
        _message("jon-3", "Jon Snow", "Yes, it still happens after the update.",
                 t - timedelta(minutes=15), reply_to="jon-2"),
        _message("jon-4", "Acme Support", "Thanks, we opened ticket 4521 for you.",
                 t, company=True, reply_to="jon-3"),
        _message("sara-1", "Sara Ahmadi", PERSIAN, now - timedelta(hours=1)),
        _message("sara-2", "Acme Support", "Sorry Sara, we are checking your order now.",
                 now - timedelta(minutes=55), company=True, reply_to="sara-1"),
    ])  # fmt: skip
    add_messages(
        db,
        acme_id,
        [
            _message("m-1", "Mallory", HOSTILE, now - timedelta(hours=2), subject="Odd text"),
            _message(
                "d-1",
                "Dora Doe",
                "I was charged twice, please refund the second payment.",
                now - timedelta(days=1),
                subject="Invoice question",
            ),
        ],
        channel=EMAIL,
        kind=ChannelKind.EMAIL,
    )
    # Older conversations on an API channel, enough to need a second page of 25.
    add_messages(
        db,
        acme_id,
        [
            _message(f"bulk-{n}", f"Customer {n:02d}", f"Question number {n}",
                     now - timedelta(days=3, minutes=n))
            for n in range(1, BULK + 1)
        ],
        channel="web_form",
        kind=ChannelKind.API,
    )  # fmt: skip
    add_messages(
        db,
        globex_id,
        [_message("g-1", "Gina Globex", "Globex private question", now - timedelta(minutes=5))],
    )
    with db.session() as session:
        convs = {
            c.customer or "": c.id for c in list_conversations(session, acme_id, limit=100).items
        }
        # Dora's conversation has been read already: the inbox shows it without the marker.
        mark_read(session, acme_id, convs["Dora Doe"])
        other = list_conversations(session, globex_id, limit=1).items[0].id
    return Seeded(db, acme_id, globex_id, convs, other)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"rapport serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"rapport serve did not answer {url} within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium; the browser tests skip without it (fail under CI)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed: the browser tests need Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A migrated SQLite database with two workspaces, their users and conversations."""
    path = tmp_path_factory.mktemp("web") / "rapport.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    yield _seed(db)
    db.dispose()


def rapport_command() -> list[str]:
    """The installed ``rapport`` command of this virtualenv."""
    rapport = shutil.which("rapport", path=str(Path(sys.executable).parent))
    return [rapport] if rapport else [sys.executable, "-c", "from rapport.cli import main; main()"]


@contextmanager
def serve(database_url: str, work: Path) -> Iterator[str]:
    """Run ``rapport serve`` on ``database_url`` and a free port; yields its base URL."""
    port = _free_port()
    log = work / "server.log"
    env = os.environ | {
        "RAPPORT_DATABASE_URL": database_url,
        "RAPPORT_SECRET_KEY": "e2e-test-secret",
        "NICEGUI_STORAGE_PATH": str(work / "nicegui"),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*rapport_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(
    seeded: Seeded, chromium_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``rapport serve`` on the seeded database; yields its base URL."""
    with serve(seeded.db.url, tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    """One headless chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        # the assertions wait as long as the actions do: on a loaded 2-core machine a page's
        # first answer after the server started can take more than expect's 5 s default
        from playwright.sync_api import expect

        expect.set_options(timeout=10_000)
        yield instance
        instance.close()


def new_tab(browser: Any, server: str, storage_state: Any = None) -> Any:
    context = browser.new_context(
        base_url=server,
        timezone_id="Europe/Rome",
        viewport={"width": 1366, "height": 860},
        storage_state=storage_state,
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in_form(tab: Any, email: str, password: str) -> None:
    """Fill and send the login form."""
    tab.goto("/login")
    tab.get_by_test_id("email").fill(email)
    tab.get_by_test_id("password").fill(password)
    tab.get_by_test_id("sign-in").click()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh browser tab with no cookies, in the Europe/Rome time zone."""
    tab = new_tab(browser, server)
    yield tab
    tab.context.close()


@pytest.fixture(scope="module")
def agent_session(browser: Any, server: str) -> Any:
    """The cookies of one login as the Acme agent, made once through the login form."""
    tab = new_tab(browser, server)
    sign_in_form(tab, AGENT_EMAIL, PASSWORD)
    tab.get_by_test_id("total").wait_for()
    state = tab.context.storage_state()
    tab.context.close()
    return state


@pytest.fixture
def agent_page(browser: Any, server: str, agent_session: Any) -> Iterator[Any]:
    """A tab signed in as the Acme agent (Europe/Rome time zone), not yet on any page."""
    tab = new_tab(browser, server, agent_session)
    yield tab
    tab.context.close()


def screenshot(tab: Any, name: str) -> None:
    """Save a screenshot when RAPPORT_SCREENSHOTS names a folder (for looking at the UI)."""
    folder = os.environ.get("RAPPORT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
