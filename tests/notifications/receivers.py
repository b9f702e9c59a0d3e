"""Real local receivers for notifications: an HTTP server for webhooks, an SMTP server,
and the ``webhook`` and ``smtp`` fixtures that run one for a test (registered as a plugin
in ``tests/conftest.py``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as MailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from ghtraffic.fakegithub.server import free_port


@dataclass
class WebhookReceiver:
    url: str
    posts: list[tuple[str, Any]] = field(default_factory=list)
    #: Status codes to answer with, one per request, then 200.
    statuses: list[int] = field(default_factory=list)


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """An HTTP server on 127.0.0.1 recording every POST (path, decoded JSON body)."""
    lock = threading.Lock()
    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.posts.append((self.path, json.loads(body)))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = WebhookReceiver(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class SmtpReceiver:
    host: str
    port: int
    mails: list[MailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    #: DATA commands seen, accepted or not.
    attempts: int = 0
    #: Replies to DATA, one per message, then "250 OK".
    replies: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


class _Handler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.receiver.attempts += 1
        if self.receiver.replies:
            return self.receiver.replies.pop(0)
        content = envelope.content
        assert isinstance(content, bytes)
        self.receiver.mails.append(message_from_bytes(content))
        self.receiver.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 OK"


@contextmanager
def smtp_receiver(*, accept_login: bool = True) -> Iterator[SmtpReceiver]:
    """An SMTP server (aiosmtpd) on 127.0.0.1 without TLS; logins are accepted or refused."""
    port = free_port()
    receiver = SmtpReceiver("127.0.0.1", port)

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        login = data.login.decode() if isinstance(data.login, bytes) else str(data.login)
        password = data.password.decode() if isinstance(data.password, bytes) else ""
        receiver.logins.append((login, password))
        return AuthResult(success=accept_login, handled=False)

    controller = Controller(
        _Handler(receiver),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with smtp_receiver() as receiver:
        yield receiver
