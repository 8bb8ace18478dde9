"""A loopback SMTP server that keeps what the demo's instance mails.

The operators' digest leaves the instance as InvenioRDM sends any e-mail: a
notification task in the Celery worker, invenio-mail, Flask-Mail, SMTP. The demo
points ``MAIL_SERVER`` here so that it can show the digest an operator would
have received, exactly as sent. Only the part of SMTP that ``smtplib`` speaks
to a server without TLS or authentication is answered (RFC 5321 §4.5.1's
minimum: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).
"""

from __future__ import annotations

import socketserver
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage


class _Session(socketserver.StreamRequestHandler):
    """One SMTP conversation; each message ends in the server's mailbox."""

    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 demo mailbox ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 demo mailbox")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end data with <CR><LF>.<CR><LF>")
                self.server.keep(self._data())
                self.reply("250 OK: kept")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")

    def _data(self) -> bytes:
        lines = []
        for line in iter(self.rfile.readline, b""):
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing
        return b"".join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    def keep(self, raw: bytes) -> None:
        message = message_from_bytes(raw, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()


class Mailbox:
    """The SMTP server's address and the messages it received, in order."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The loopback port to give as ``MAIL_PORT``."""
        return int(self._server.server_address[1])

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message received so far."""
        with self._server.arrived:
            return list(self._server.messages)

    def start(self) -> Mailbox:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, subject_part: str, timeout: float) -> EmailMessage | None:
        """The first message whose subject contains ``subject_part``, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._server.arrived:
            while True:
                for message in self._server.messages:
                    if subject_part in str(message["Subject"] or ""):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._server.arrived.wait(left)


def plain_text(message: EmailMessage) -> str:
    """Headers a reader needs, then the plain-text body, as the operator reads it."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return f"To: {message['To']}\nSubject: {message['Subject']}\n\n{text.strip()}\n"
