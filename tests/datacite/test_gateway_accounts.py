"""One gateway per DataCite account: its own credentials and URL, one shared rate limiter."""

from __future__ import annotations

import json

import requests
from gateway_helpers import ScriptedAdapter, make_response

from invenio_doi_ext.datacite import DataCiteGateway, OutcomeKind
from invenio_doi_ext.datacite.outcome import LOCAL_RATE_LIMIT
from invenio_doi_ext.datacite.ratelimit import StackedLimiter

CONFIG = {
    "DATACITE_USERNAME": "MAIN",
    "DATACITE_PASSWORD": "main-secret",
    "DATACITE_PREFIX": "10.1234",
    "DOI_EXT_DATACITE_URL": "http://datacite.invalid/",
    "DOI_EXT_RATE_LIMIT": "3 per 1 hour",
    "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
    "DOI_EXT_DATACITE_ACCOUNTS": {
        "b": {"username": "INST.B", "password": "b", "prefix": "10.5678", "rate_limit": "1 per 1 hour"},
        "c": {"username": "INST.C", "password": "c-secret", "prefix": "10.7777", "url": "http://other.invalid"},
    },
}


def _wired(gateway: DataCiteGateway, adapter: ScriptedAdapter) -> DataCiteGateway:
    gateway.session.mount("http://", adapter)
    gateway.rate_limit_wait = 0.0
    return gateway


def test_each_account_sends_its_own_credentials_and_url():
    main = DataCiteGateway.from_config(CONFIG)
    c = DataCiteGateway.from_config(CONFIG, account="c", shared_limiter=main.shared_limiter)
    assert (main.account, main.username, main.base_url) == ("default", "MAIN", "http://datacite.invalid/")
    assert (c.account, c.username, c.base_url) == ("c", "INST.C", "http://other.invalid/")
    adapter = ScriptedAdapter()
    adapter.add(make_response(200, {"data": {"id": "10.7777/x", "attributes": {"state": "draft"}}}))
    _wired(c, adapter).reserve("10.7777/x", {"titles": [{"title": "T"}]}, "https://u/1")
    sent = adapter.requests[-1]
    assert requests.auth._basic_auth_str("INST.C", "c-secret") == sent.headers["Authorization"]
    assert json.loads(sent.body)["data"]["relationships"]["client"]["data"]["id"] == "inst.c"
    assert "c-secret" not in repr(c)


def test_accounts_share_the_instance_limit_and_an_own_limit_caps_one_account():
    main = DataCiteGateway.from_config(CONFIG)
    b = DataCiteGateway.from_config(CONFIG, account="b", shared_limiter=main.shared_limiter)
    assert isinstance(b.rate_limiter, StackedLimiter) and b.shared_limiter is main.rate_limiter
    adapter = ScriptedAdapter()
    for _ in range(4):
        adapter.add(make_response(200, {"data": {"id": "10.1234/x", "attributes": {"state": "draft"}}}))
    _wired(main, adapter)
    _wired(b, adapter)

    assert b.get("10.5678/one").kind is not OutcomeKind.RETRYABLE
    capped = b.get("10.5678/two")  # b's own limit: 1 per hour
    assert (capped.kind, capped.message) == (OutcomeKind.RETRYABLE, LOCAL_RATE_LIMIT)
    assert main.get("10.1234/one").ok and main.get("10.1234/two").ok  # 3 shared slots: b used one
    shared_gone = main.get("10.1234/three")
    assert (shared_gone.kind, shared_gone.message) == (OutcomeKind.RETRYABLE, LOCAL_RATE_LIMIT)
    assert len(adapter.requests) == 3
