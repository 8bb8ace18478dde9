"""Fixtures of the sandbox tests: the shared sandbox, valid metadata and a raw HTTP helper."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import requests

from invenio_doi_ext.sandbox.pytest_fixtures import datacite_sandbox, datacite_sandbox_server  # noqa: F401

AUTH = ("sandbox", "sandbox")
JSON_API = {"Content-Type": "application/vnd.api+json"}

MINIMAL_METADATA: dict[str, Any] = {
    "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                  "familyName": "Doe"}],
    "titles": [{"title": "Measurements of the sandbox"}],
    "publisher": {"name": "InvenioRDM sandbox"},
    "publicationYear": "2024",
    "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Measurements"},
    "schemaVersion": "http://datacite.org/schema/kernel-4",
}


class Api:
    """Raw HTTP calls to the sandbox's DataCite API, authenticated by default."""

    auth = AUTH

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    @staticmethod
    def metadata() -> dict[str, Any]:
        """A fresh copy of minimal valid DataCite 4.5 metadata."""
        return copy.deepcopy(MINIMAL_METADATA)

    def call(self, method: str, path: str, attributes: dict[str, Any] | None = None,
             auth: Any = AUTH, headers: dict[str, str] | None = None, data: Any = None,
             timeout: Any = 10) -> requests.Response:
        if attributes is not None:
            data = json.dumps({"data": {"type": "dois", "attributes": attributes}})
        hdrs = dict(JSON_API if data is not None else {})
        hdrs.update(headers or {})
        return self.session.request(method, self.base_url + path, data=data, auth=auth,
                                    headers=hdrs, timeout=timeout)

    def post(self, attributes: dict[str, Any], **kw: Any) -> requests.Response:
        return self.call("POST", "dois", attributes, **kw)

    def put(self, doi: str, attributes: dict[str, Any], **kw: Any) -> requests.Response:
        return self.call("PUT", "dois/" + doi, attributes, **kw)

    def get(self, doi: str, **kw: Any) -> requests.Response:
        return self.call("GET", "dois/" + doi, **kw)

    def delete(self, doi: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", "dois/" + doi, **kw)

    def create(self, doi: str, event: str | None = None, **attrs: Any) -> dict[str, Any]:
        """Create a DOI with valid metadata and a URL; returns its attributes."""
        body = {"doi": doi, "url": "https://repo.example.org/records/1", **self.metadata(),
                **attrs}
        if event:
            body["event"] = event
        resp = self.post(body)
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]["attributes"]


@pytest.fixture
def valid_metadata() -> dict[str, Any]:
    """Minimal valid DataCite 4.5 metadata (a fresh copy per test)."""
    return copy.deepcopy(MINIMAL_METADATA)


@pytest.fixture
def api(datacite_sandbox):  # noqa: F811
    """Raw HTTP helper on a freshly reset sandbox."""
    return Api(datacite_sandbox.url)


@pytest.fixture
def api_for():
    """Factory of raw HTTP helpers for sandboxes a test starts itself."""
    return Api
