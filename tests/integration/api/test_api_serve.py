"""``rapport serve`` over real HTTP: a uvicorn process on a free port, a temporary SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.integration.api.payloads import PASSWORD

from rapport.accounts.service import create_token, create_user, get_or_create_workspace
from rapport.store.db import Database
from rapport.store.models import Role

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Run ``rapport serve`` (the CLI, so the app is built exactly as users get it)."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    db = Database(url)
    db.migrate()
    with db.session() as session:
        workspace = get_or_create_workspace(session, "default")
        user = create_user(
            session,
            workspace,
            email="ops@example.test",
            name="Ops",
            role=Role.AGENT,
            password=PASSWORD,
        )
        _, secret = create_token(session, user, "serve-test")
    db.dispose()

    port = _free_port()
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "PORT": str(port)}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from rapport.cli import main; main()", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"rapport serve exited: {(tmp_path / 'server.log').read_text()}")
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"rapport serve did not answer within {STARTUP_SECONDS}s")
                time.sleep(0.2)
        yield base, secret
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_rapport_serve_answers_over_http(served: tuple[str, str]) -> None:
    base, secret = served
    with httpx.Client(base_url=base, timeout=10) as http:
        health = http.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok"}

        assert http.get("/api/v1/conversations").status_code == 401
        auth = {"Authorization": f"Bearer {secret}"}
        body = {
            "id": "http-1",
            "text": "Hallo, pakkinn minn er ekki kominn",
            "sent_at": "2025-08-01T12:00:00Z",
            "author": {"id": "is-1", "name": "Guðrún"},
        }
        assert http.post("/api/v1/messages", headers=auth, json=body).status_code == 201
        listed = http.get("/api/v1/conversations", headers=auth)
        assert listed.status_code == 200
        page = listed.json()
        assert page["total"] == 1
        assert page["items"][0]["customer"] == "Guðrún"
        assert http.get("/docs").status_code == 200
