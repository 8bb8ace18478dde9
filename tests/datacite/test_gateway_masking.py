"""Credentials inside ``DOI_EXT_DATACITE_URL`` never appear in the gateway's repr or DEBUG log.

An operator pointing the gateway at an authenticating proxy writes
``https://user:secret@proxy/...``; the gateway still sends to that URL, but every
text a person reads shows ``user:***``.
"""

from __future__ import annotations

import logging

import requests
from gateway_helpers import ScriptedAdapter, make_response

from invenio_doi_ext.datacite import DataCiteGateway

SECRET = "pr0xy-Secret"
URL = f"https://relay:{SECRET}@proxy.example.org/datacite"


def proxied_gateway(adapter: ScriptedAdapter) -> DataCiteGateway:
    gateway = DataCiteGateway.from_config(
        {
            "DOI_EXT_DATACITE_URL": URL,
            "DATACITE_USERNAME": "REPO.X",
            "DATACITE_PASSWORD": "account-password",
            "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
        }
    )
    gateway.session.mount("https://", adapter)
    return gateway


def test_repr_masks_the_proxy_password():
    gateway = proxied_gateway(ScriptedAdapter())
    try:
        assert SECRET not in repr(gateway)
        assert "https://relay:***@proxy.example.org/datacite/" in repr(gateway)
        assert gateway.base_url == URL + "/"  # the URL itself is kept: requests still goes there
    finally:
        gateway.close()


def test_debug_log_masks_the_proxy_password(caplog):
    caplog.set_level(logging.DEBUG, logger="invenio_doi_ext.datacite")
    adapter = ScriptedAdapter()
    gateway = proxied_gateway(adapter)
    adapter.add(make_response(201, {"data": {"id": "10.1234/x", "attributes": {"state": "draft"}}}))
    adapter.add(requests.exceptions.InvalidURL(f"Invalid URL '{URL}/dois/10.1234/y'"))
    try:
        gateway.reserve("10.1234/x", {"titles": [{"title": "T"}]}, "https://repo.example.org/doi/10.1234/x")
        gateway.get("10.1234/y")
    finally:
        gateway.close()
    assert adapter.requests[0].url.startswith("https://relay:")  # sent where configured
    assert SECRET not in caplog.text
    assert "PUT https://relay:***@proxy.example.org/datacite/dois/10.1234/x" in caplog.text
    assert "Invalid URL 'https://relay:***@proxy.example.org/datacite/dois/10.1234/y'" in caplog.text
