"""What actually goes over a socket: headers, auth, path escaping, connection reuse.

A tiny stdlib HTTP server records raw request lines and headers, which the sandbox
journal does not keep.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from invenio_doi_ext import __version__
from invenio_doi_ext.datacite import DataCiteGateway, OutcomeKind


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": body,
                "client_port": self.client_address[1],
            }
        )
        payload = json.dumps(
            {"data": {"id": "10.1234/x", "type": "dois", "attributes": {"state": "draft"}}}
        ).encode()
        self.send_response(201 if self.command == "PUT" else 200)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", Recorder.seen
    server.shutdown()
    server.server_close()


def test_headers_on_the_wire(recorder):
    base_url, seen = recorder
    with DataCiteGateway(base_url=base_url, username="SANDBOX.X", password="pw") as gateway:
        assert gateway.reserve("10.1234/x", {"titles": [{"title": "T"}]}).ok
    headers = seen[0]["headers"]
    assert headers["User-Agent"] == (
        f"invenio-doi-ext/{__version__} (+https://pypi.org/project/invenio-doi-ext/)"
    )
    assert headers["Content-Type"] == "application/vnd.api+json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"SANDBOX.X:pw").decode()
    assert json.loads(seen[0]["body"])["data"]["attributes"]["doi"] == "10.1234/x"


def test_contact_email_in_user_agent(recorder):
    base_url, seen = recorder
    gateway = DataCiteGateway.from_config(
        {
            "DOI_EXT_DATACITE_URL": base_url,
            "DATACITE_USERNAME": "u",
            "DATACITE_PASSWORD": "p",
            "DOI_EXT_RATE_LIMIT": None,
            "DOI_EXT_CONTACT_EMAIL": "ops@example.org",
        }
    )
    assert gateway.get("10.1234/x").ok
    gateway.close()
    assert seen[0]["headers"]["User-Agent"].endswith("; mailto:ops@example.org)")


def test_escaped_path_on_the_wire(recorder):
    base_url, seen = recorder
    with DataCiteGateway(base_url=base_url, username="u", password="p") as gateway:
        gateway.update("10.1234/a b#c?d%e", {})
    assert seen[0]["path"] == "/dois/10.1234/a%20b%23c%3Fd%25e"


def test_connections_are_reused(recorder):
    base_url, seen = recorder
    with DataCiteGateway(base_url=base_url, username="u", password="p") as gateway:
        outcomes = [gateway.get("10.1234/x") for _ in range(5)]
    assert all(o.kind is OutcomeKind.SUCCESS for o in outcomes)
    assert len({entry["client_port"] for entry in seen}) == 1
