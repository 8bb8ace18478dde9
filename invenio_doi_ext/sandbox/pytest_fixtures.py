"""Pytest fixtures: one sandbox per test session, reset before each test that asks for it.

Import them in a conftest.py::

    from invenio_doi_ext.sandbox.pytest_fixtures import (  # noqa: F401
        datacite_sandbox, datacite_sandbox_server)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import SandboxServer


@pytest.fixture(scope="session")
def datacite_sandbox_server() -> Iterator[SandboxServer]:
    """The sandbox on a free loopback port: prefix 10.1234, sandbox/sandbox, any domain."""
    server = SandboxServer(
        prefixes=("10.1234",), username="sandbox", password="sandbox", allowed_domains=()
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def datacite_sandbox(datacite_sandbox_server: SandboxServer) -> SandboxServer:
    """The session's sandbox, emptied (DOIs, journal, faults, latency, rate limit)."""
    datacite_sandbox_server.control.reset()
    return datacite_sandbox_server
