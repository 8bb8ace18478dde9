"""The gateway's requests and outcomes, against a scripted transport."""

from __future__ import annotations

import base64
import copy
import json
import logging

import pytest
import requests
from gateway_helpers import ScriptedAdapter, make_response

from invenio_doi_ext import __version__
from invenio_doi_ext.datacite import DataCiteGateway, OutcomeKind, RateLimiter
from invenio_doi_ext.datacite.gateway import PRODUCTION_URL, TEST_URL, default_user_agent

PASSWORD = "s3cret-Pa55word"
BASE = "http://datacite.invalid/"


@pytest.fixture
def adapter():
    return ScriptedAdapter()


@pytest.fixture
def gateway(adapter):
    session = requests.Session()
    session.mount("http://", adapter)
    gateway = DataCiteGateway(base_url=BASE, username="REPO.X", password=PASSWORD, session=session)
    yield gateway
    gateway.close()


def record(doi="10.1234/x", state="draft"):
    return {"data": {"id": doi, "type": "dois", "attributes": {"doi": doi, "state": state}}}


@pytest.mark.parametrize(
    ("operation", "event"),
    [
        ("reserve", None),
        ("update", None),
        ("publish", "publish"),
        ("register", "register"),
        ("hide", "hide"),
        ("show", "publish"),
    ],
)
def test_writes_are_puts_with_the_right_event(gateway, adapter, operation, event):
    adapter.add(make_response(200, record()))
    outcome = getattr(gateway, operation)("10.1234/x", {"titles": [{"title": "T"}]}, "https://u/1")
    assert outcome.ok and outcome.operation == operation and outcome.state == "draft"
    sent = adapter.requests[-1]
    assert sent.method == "PUT"
    assert sent.url == "http://datacite.invalid/dois/10.1234/x"
    attributes = json.loads(sent.body)["data"]["attributes"]
    assert attributes.get("event") == event
    assert attributes["doi"] == "10.1234/x"
    assert attributes["url"] == "https://u/1"
    assert json.loads(sent.body)["data"]["type"] == "dois"


def test_headers_auth_and_timeout(gateway, adapter):
    adapter.add(make_response(201, record()))
    gateway.reserve("10.1234/x")
    sent = adapter.requests[-1]
    assert sent.headers["Content-Type"] == "application/vnd.api+json"
    assert sent.headers["User-Agent"] == (
        f"invenio-doi-ext/{__version__} (+https://pypi.org/project/invenio-doi-ext/)"
    )
    expected = base64.b64encode(f"REPO.X:{PASSWORD}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert adapter.kwargs[-1]["timeout"] == (5.0, 30.0)


def test_user_agent_with_contact_email():
    assert default_user_agent("ops@example.org") == (
        f"invenio-doi-ext/{__version__} "
        "(+https://pypi.org/project/invenio-doi-ext/; mailto:ops@example.org)"
    )


def test_get_and_delete_have_no_body(gateway, adapter):
    adapter.add(make_response(200, record(state="findable")))
    adapter.add(make_response(204))
    assert gateway.get("10.1234/x").state == "findable"
    outcome = gateway.delete_draft("10.1234/x")
    assert outcome.ok and outcome.found and outcome.state is None
    assert [r.method for r in adapter.requests] == ["GET", "DELETE"]
    assert all(r.body is None for r in adapter.requests)
    assert "Content-Type" not in adapter.requests[0].headers


def test_doi_is_escaped_in_the_path(gateway, adapter):
    adapter.add(make_response(404, {"errors": [{"status": "404", "title": "nope"}]}))
    gateway.get("10.1234/a b#c?d%e")
    path, _, query = adapter.requests[-1].path_url.partition("?")
    assert path == "/dois/10.1234/a%20b%23c%3Fd%25e"
    assert query == "publisher=true&affiliation=true"  # objects, the shape we send


def test_metadata_is_not_mutated(gateway, adapter):
    metadata = {"titles": [{"title": "T"}], "types": {"resourceTypeGeneral": "Dataset"}}
    before = copy.deepcopy(metadata)
    for operation in ("reserve", "publish", "register", "update", "hide", "show"):
        adapter.add(make_response(200, record()))
        getattr(gateway, operation)("10.1234/x", metadata, "https://u/1")
    assert metadata == before


def test_redirects_are_not_followed(gateway, adapter):
    adapter.add(make_response(301, None, headers={"Location": "https://elsewhere/dois/x"}))
    outcome = gateway.publish("10.1234/x", {}, "https://u/1")
    assert outcome.kind is OutcomeKind.PERMANENT
    assert "elsewhere" in outcome.message
    assert len(adapter.requests) == 1


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), OutcomeKind.RETRYABLE),
        (requests.exceptions.ConnectTimeout("connect timed out"), OutcomeKind.RETRYABLE),
        (requests.exceptions.ConnectionError("Connection reset by peer"), OutcomeKind.RETRYABLE),
        (RuntimeError("anything at all"), OutcomeKind.RETRYABLE),
    ],
)
def test_transport_exceptions_never_leak(gateway, adapter, exc, kind):
    adapter.add(exc)
    outcome = gateway.update("10.1234/x", {"titles": []})
    assert outcome.kind is kind
    assert outcome.status is None
    assert type(exc).__name__ in outcome.message


def test_empty_doi_is_not_sent(gateway, adapter):
    assert gateway.get("").kind is OutcomeKind.PERMANENT
    assert adapter.requests == []


def test_local_rate_limit_gives_retryable_without_sending(adapter):
    session = requests.Session()
    session.mount("http://", adapter)
    limiter = RateLimiter("1 per 1 minute", "memory://")
    gateway = DataCiteGateway(
        base_url=BASE, username="u", password="p", session=session, rate_limiter=limiter
    )
    gateway.rate_limit_wait = 0.05
    adapter.add(make_response(200, record()))
    assert gateway.get("10.1234/x").ok
    outcome = gateway.get("10.1234/x")
    assert outcome.kind is OutcomeKind.RETRYABLE
    assert outcome.message == "local rate limit"
    assert outcome.status is None
    assert len(adapter.requests) == 1


def test_broken_rate_limiter_storage_gives_retryable(adapter):
    class Broken:
        def acquire(self, timeout=None):
            raise ConnectionError("redis is down")

    session = requests.Session()
    session.mount("http://", adapter)
    gateway = DataCiteGateway(
        base_url=BASE, username="u", password="p", session=session, rate_limiter=Broken()
    )
    outcome = gateway.reserve("10.1234/x")
    assert outcome.kind is OutcomeKind.RETRYABLE
    assert adapter.requests == []


def test_credentials_never_in_debug_log_or_repr(gateway, adapter, caplog):
    caplog.set_level(logging.DEBUG)
    adapter.add(make_response(201, record()))
    adapter.add(make_response(401, {"errors": [{"status": "401", "title": "Bad credentials."}]}))
    adapter.add(requests.exceptions.ConnectionError("refused"))
    gateway.reserve("10.1234/x", {"titles": [{"title": "T"}]}, "https://u/1")
    assert gateway.publish("10.1234/x").kind is OutcomeKind.CREDENTIALS
    gateway.get("10.1234/x")
    text = caplog.text
    assert "invenio_doi_ext.datacite" in {r.name for r in caplog.records}
    assert "PUT http://datacite.invalid/dois/10.1234/x" in text
    token = base64.b64encode(f"REPO.X:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, token, "Authorization"):
        assert secret not in text
    assert PASSWORD not in repr(gateway)
    assert "REPO.X" in repr(gateway)
    assert PASSWORD not in str(vars(gateway).get("_auth"))


def test_heartbeat(gateway, adapter):
    adapter.add(make_response(200, "OK"))
    assert gateway.heartbeat() is True
    assert adapter.requests[-1].url == "http://datacite.invalid/heartbeat"
    adapter.add(make_response(503, "<html>down</html>"))
    assert gateway.heartbeat() is False
    adapter.add(requests.exceptions.ConnectionError("refused"))
    assert gateway.heartbeat() is False


def test_close_leaves_a_callers_session_open(adapter):
    closed = []

    class Session(requests.Session):
        def close(self):
            closed.append(True)
            super().close()

    session = Session()
    DataCiteGateway(base_url=BASE, username="u", password="p", session=session).close()
    assert closed == []
    with DataCiteGateway(base_url=BASE, username="u", password="p") as own:
        assert isinstance(own.session, requests.Session)


def test_one_session_per_gateway():
    one = DataCiteGateway(base_url=BASE, username="u", password="p")
    two = DataCiteGateway(base_url=BASE, username="u", password="p")
    assert one.session is not two.session
    one.close()
    two.close()


class TestFromConfig:
    def test_full(self):
        gateway = DataCiteGateway.from_config(
            {
                "DOI_EXT_DATACITE_URL": "http://127.0.0.1:9/",
                "DATACITE_USERNAME": "REPO.X",
                "DATACITE_PASSWORD": PASSWORD,
                "DOI_EXT_HTTP_TIMEOUT": [2, 7],
                "DOI_EXT_RATE_LIMIT": "10 per 1 second",
                "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
                "DOI_EXT_CONTACT_EMAIL": "ops@example.org",
            }
        )
        assert gateway.base_url == "http://127.0.0.1:9/"
        assert gateway.username == "REPO.X"
        assert gateway.timeout == (2.0, 7.0)
        assert gateway.rate_limiter.rate == "10 per 1 second"
        assert gateway.user_agent.endswith("; mailto:ops@example.org)")
        assert PASSWORD not in repr(gateway)

    def test_defaults_follow_test_mode(self):
        test = DataCiteGateway.from_config({"DATACITE_TEST_MODE": True})
        assert test.base_url == TEST_URL
        assert test.rate_limiter.rate == "700 per 5 minutes"
        assert test.timeout == (5.0, 30.0)
        prod = DataCiteGateway.from_config({"DATACITE_TEST_MODE": False})
        assert prod.base_url == PRODUCTION_URL
        assert prod.rate_limiter.rate == "2700 per 5 minutes"

    def test_unset_keys_get_config_py_defaults(self):
        gateway = DataCiteGateway.from_config(
            {
                "DOI_EXT_DATACITE_URL": None,
                "DOI_EXT_RATE_LIMIT": None,
                "DOI_EXT_RATE_LIMIT_STORAGE": None,
                "DOI_EXT_HTTP_TIMEOUT": 3,
            }
        )
        assert gateway.base_url == TEST_URL
        assert gateway.rate_limiter.rate == "700 per 5 minutes"
        assert gateway.rate_limiter.storage_uri == "memory://"
        assert gateway.timeout == (3.0, 3.0)

    def test_storage_falls_back_to_the_redis_cache(self):
        gateway = DataCiteGateway.from_config(
            {"CACHE_TYPE": "redis", "CACHE_REDIS_URL": "redis://:secret@127.0.0.1:6379/3"}
        )
        assert gateway.rate_limiter.storage_uri == "redis://:secret@127.0.0.1:6379/3"
        assert "secret" not in repr(gateway.rate_limiter)
