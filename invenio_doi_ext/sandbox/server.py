"""`SandboxServer`: the sandbox on a real loopback socket, in a daemon thread.

Tests and the demo talk to it over real HTTP, as they would to DataCite, so that
timeouts, dropped connections and connection reuse behave as in production.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_sandbox_app
from .client import SandboxControl
from .dois import Account


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: the journal is the sandbox's log."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Silence the per-request log line."""


class SandboxServer:
    """The sandbox served by werkzeug's threaded server; port 0 picks a free port."""

    def __init__(
        self,
        prefixes: Iterable[str] = ("10.1234",),
        username: str = "sandbox",
        password: str = "sandbox",
        allowed_domains: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | None = None,
        quiet: bool = True,
        accounts: Iterable[Account] = (),
    ) -> None:
        self.options = {
            "prefixes": tuple(prefixes),
            "username": username,
            "password": password,
            "allowed_domains": tuple(allowed_domains),
            "db_path": db_path,
            "accounts": tuple(accounts),
        }
        self.host = host
        self.port = port
        self.quiet = quiet
        self.app: Flask | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._control: SandboxControl | None = None

    @property
    def url(self) -> str:
        """Root URL with a trailing slash, e.g. `http://127.0.0.1:PORT/`."""
        if self._server is None:
            raise RuntimeError("sandbox server not started")
        return f"http://{self.host}:{self.port}/"

    @property
    def control(self) -> SandboxControl:
        """A client of the control API of this server (one per start, reusing connections)."""
        if self._control is None:
            self._control = SandboxControl(self.url)
        return self._control

    def start(self) -> SandboxServer:
        """Bind, then serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self.app = create_sandbox_app(**self.options)
        handler = QuietRequestHandler if self.quiet else WSGIRequestHandler
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=handler
        )
        self.port = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"datacite-sandbox-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging requests and close the SQLite file."""
        if self._server is None:
            return
        sandbox = self.app.extensions["doi_sandbox"] if self.app else None
        if sandbox is not None:
            sandbox.faults.clear()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if sandbox is not None:
            sandbox.store.close()
        if self._control is not None:
            self._control.session.close()
        self._server = None
        self._thread = None
        self._control = None
        self.app = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
