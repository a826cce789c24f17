"""A real local HTTP server standing in for a platform's API in sender tests.

Each test module gives it an ``endpoint``: a function that checks an arrived request the
way the platform documents it (path, method, credentials, body) and returns the
platform's own error :class:`Answer` when something is wrong, or ``None`` when the request
is valid. A valid request gets the next scripted answer (``server.script``) or else the
endpoint's success answer. Every request is recorded in ``server.arrived`` before it is
answered, so a test sees what was sent even when the client gave up waiting.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Arrived:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        """The form-encoded body, one value per field (a repeated field is an error)."""
        fields = parse_qs(self.body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        assert all(len(values) == 1 for values in fields.values()), fields
        return {name: values[0] for name, values in fields.items()}


@dataclass(frozen=True)
class Answer:
    """What the server answers. ``hang`` seconds of silence come first (the client times
    out); ``drop`` closes the connection without any answer."""

    status: int = 200
    body: bytes | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    drop: bool = False


def fixture_answer(folder: Path, name: str, status: int, **headers: str) -> Answer:
    """An answer whose body is the recorded fixture ``folder/name.json``."""
    body = (folder / f"{name}.json").read_bytes()
    return Answer(status=status, body=body, headers=headers)


Endpoint = Callable[[Arrived], Answer | None]


class PlatformServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, serving one platform."""

    def __init__(self, endpoint: Endpoint, success: Callable[[Arrived], Answer]) -> None:
        self.endpoint = endpoint
        self.success = success
        self.script: deque[Answer] = deque()
        self.arrived: list[Arrived] = []
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer_next(self, *answers: Answer) -> None:
        """Answer the next valid requests with ``answers``, in order."""
        self.script.extend(answers)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closing.set()  # wakes hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _respond(self, arrived: Arrived) -> Answer:
        self.arrived.append(arrived)
        refusal = self.endpoint(arrived)
        if refusal is not None:
            return refusal
        return self.script.popleft() if self.script else self.success(arrived)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                arrived = Arrived(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query, keep_blank_values=True),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                answer = server._respond(arrived)
                if answer.hang and server._closing.wait(answer.hang):
                    return
                if answer.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                body = answer.body
                if isinstance(body, dict):
                    body = json.dumps(body).encode("utf-8")
                body = body or b""
                try:
                    self.send_response(answer.status)
                    if body:
                        self.send_header("Content-Type", "application/json; charset=utf-8")
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_DELETE = _serve

        return Handler


@contextmanager
def running(endpoint: Endpoint, success: Callable[[Arrived], Answer]) -> Iterator[PlatformServer]:
    """A started :class:`PlatformServer`, closed afterwards."""
    server = PlatformServer(endpoint, success)
    server.start()
    try:
        yield server
    finally:
        server.close()


def unused_port() -> int:
    """A port on 127.0.0.1 with nothing listening (the connection is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
