"""Fixtures of the gateway tests: the sandbox over real HTTP, and gateways aimed at it."""

from __future__ import annotations

import pytest

from invenio_doi_ext.datacite import DataCiteGateway
from invenio_doi_ext.sandbox.pytest_fixtures import (  # noqa: F401
    datacite_sandbox,
    datacite_sandbox_server,
)

PREFIX = "10.1234"


@pytest.fixture
def metadata():
    """Kernel-4 DataCite JSON attributes as InvenioRDM's serializer produces them."""
    return {
        "creators": [{"name": "Doe, Jane", "nameType": "Personal"}],
        "titles": [{"title": "A data set"}],
        "publisher": "Sandbox University",
        "publicationYear": "2024",
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Dataset"},
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


@pytest.fixture
def make_gateway(datacite_sandbox):  # noqa: F811 - the imported fixture
    """Gateways on the sandbox; closed at the end of the test."""
    made = []

    def make(**kwargs) -> DataCiteGateway:
        options = {
            "base_url": datacite_sandbox.url,
            "username": "sandbox",
            "password": "sandbox",
            "timeout": (2.0, 10.0),
        }
        options.update(kwargs)
        gateway = DataCiteGateway(**options)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


@pytest.fixture
def gateway(make_gateway):
    return make_gateway()


@pytest.fixture
def control(datacite_sandbox):  # noqa: F811 - the imported fixture
    return datacite_sandbox.control
