"""Real components the notification tests deliver to: an SMTP server (aiosmtpd) and an HTTP
server standing in for a Power Automate Workflows webhook, both on loopback ports."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self, inbox: list[EmailMessage]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.inbox.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a fixed loopback port; ``stop`` and ``start`` to take it down and back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox: list[EmailMessage] = []
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self.inbox), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class WebhookReceiver:
    """Answers each POST with the next status in ``answers`` (then 202) and keeps the JSON."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append(json.loads(self.rfile.read(length)))
                status = receiver.answers.pop(0) if receiver.answers else 202
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/workflows/abc/triggers/manual"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
