"""The status table of docs/gateway.rst, checked without a network."""

from __future__ import annotations

import email.utils

import pytest
import requests
from gateway_helpers import make_response

from invenio_doi_ext.datacite.classify import (
    classify_exception,
    classify_response,
    parse_errors,
    parse_retry_after,
)
from invenio_doi_ext.datacite.outcome import FieldError, Outcome, OutcomeKind

DOI = "10.1234/abc"
RECORD = {
    "data": {
        "id": "10.1234/abc",
        "type": "dois",
        "attributes": {"doi": "10.1234/abc", "state": "findable", "url": "https://x.org/r/1"},
    }
}
HANDLER_ERROR = {
    "errors": [{"status": "403", "title": "You are not authorized to access this resource."}]
}
VALIDATION_ERROR = {
    "errors": [
        {"source": "url", "title": "Can't be blank", "uid": "10.1234/abc"},
        {"source": "titles", "title": "Title 'x' is not valid", "uid": "10.1234/abc"},
    ]
}


@pytest.mark.parametrize(
    ("operation", "status", "body", "kind"),
    [
        ("publish", 200, RECORD, OutcomeKind.SUCCESS),
        ("reserve", 201, RECORD, OutcomeKind.SUCCESS),
        ("delete_draft", 204, None, OutcomeKind.SUCCESS),
        ("get", 404, HANDLER_ERROR, OutcomeKind.SUCCESS),
        ("delete_draft", 404, HANDLER_ERROR, OutcomeKind.SUCCESS),
        ("publish", 500, {"errors": [{"status": "500", "title": "boom"}]}, OutcomeKind.RETRYABLE),
        ("publish", 502, "<html><body>Bad gateway</body></html>", OutcomeKind.RETRYABLE),
        ("publish", 503, "<!DOCTYPE html><html>down</html>", OutcomeKind.RETRYABLE),
        ("publish", 504, None, OutcomeKind.RETRYABLE),
        ("publish", 429, "Too Many Requests", OutcomeKind.RETRYABLE),
        (
            "reserve",
            409,
            {"errors": [{"status": "409", "title": "The resource already exists."}]},
            OutcomeKind.RETRYABLE,
        ),
        (
            "publish",
            400,
            {"errors": [{"status": "400", "title": "bad json"}]},
            OutcomeKind.PERMANENT,
        ),
        (
            "publish",
            401,
            {"errors": [{"status": "401", "title": "Bad credentials."}]},
            OutcomeKind.CREDENTIALS,
        ),
        (
            "get",
            401,
            {"errors": [{"status": "401", "title": "Bad credentials."}]},
            OutcomeKind.CREDENTIALS,
        ),
        ("publish", 403, HANDLER_ERROR, OutcomeKind.PERMANENT),
        ("publish", 404, HANDLER_ERROR, OutcomeKind.PERMANENT),
        ("hide", 404, HANDLER_ERROR, OutcomeKind.PERMANENT),
        (
            "delete_draft",
            405,
            {"errors": [{"status": "405", "title": "Method not allowed"}]},
            OutcomeKind.PERMANENT,
        ),
        ("publish", 406, None, OutcomeKind.PERMANENT),
        ("publish", 410, None, OutcomeKind.PERMANENT),
        ("publish", 422, VALIDATION_ERROR, OutcomeKind.PERMANENT),
        ("publish", 418, None, OutcomeKind.PERMANENT),
        ("publish", 302, None, OutcomeKind.PERMANENT),
    ],
)
def test_status_table(operation, status, body, kind):
    outcome = classify_response(operation, DOI, make_response(status, body))
    assert outcome.kind is kind
    assert outcome.status == status
    assert outcome.operation == operation
    assert outcome.doi == DOI
    assert outcome.ok is (kind is OutcomeKind.SUCCESS)


def test_success_carries_state_url_and_attributes():
    outcome = classify_response("publish", DOI, make_response(200, RECORD))
    assert outcome.state == "findable"
    assert outcome.url == "https://x.org/r/1"
    assert outcome.attributes["doi"] == "10.1234/abc"
    assert outcome.found is True
    assert outcome.message == ""


def test_lookup_404_is_not_found():
    outcome = classify_response("get", DOI, make_response(404, HANDLER_ERROR))
    assert outcome.found is False
    assert outcome.state is None


def test_2xx_without_a_doi_document_is_retryable():
    outcome = classify_response("publish", DOI, make_response(200, "<html>portal</html>"))
    assert outcome.kind is OutcomeKind.RETRYABLE
    assert "readable" in outcome.message


def test_422_keeps_field_errors_verbatim():
    outcome = classify_response("publish", DOI, make_response(422, VALIDATION_ERROR))
    assert outcome.errors == (
        FieldError("url", "Can't be blank"),
        FieldError("titles", "Title 'x' is not valid"),
    )
    assert outcome.message == "url: Can't be blank; titles: Title 'x' is not valid"


def test_handler_error_title_verbatim():
    outcome = classify_response("publish", DOI, make_response(403, HANDLER_ERROR))
    assert outcome.errors == (FieldError(None, "You are not authorized to access this resource."),)
    assert outcome.message == "You are not authorized to access this resource."


def test_html_error_page_is_never_quoted():
    page = "<html><head><title>503</title></head><body>" + "x" * 5000 + "</body></html>"
    outcome = classify_response("publish", DOI, make_response(503, page))
    assert outcome.message == "HTTP 503 from DataCite (HTML error page)"


def test_plain_text_body_is_quoted_short():
    response = make_response(500, "y" * 1000, headers={"Content-Type": "text/plain"})
    outcome = classify_response("publish", DOI, response)
    assert outcome.message.startswith("HTTP 500 from DataCite: yyy")
    assert len(outcome.message) < 300


def test_invalid_json_with_json_content_type_does_not_raise():
    response = make_response(500, b"{not json", headers={"Content-Type": "application/json"})
    outcome = classify_response("publish", DOI, response)
    assert outcome.kind is OutcomeKind.RETRYABLE
    assert outcome.errors == ()


def test_undecodable_bytes_do_not_raise():
    response = make_response(422, b"\xff\xfe\x00garbage", headers={"Content-Type": "text/plain"})
    outcome = classify_response("publish", DOI, response)
    assert outcome.kind is OutcomeKind.PERMANENT


def test_429_retry_after_seconds_and_absent():
    with_header = make_response(429, "slow down", headers={"Retry-After": "17"})
    assert classify_response("publish", DOI, with_header).retry_after == 17.0
    without = make_response(429, "slow down")
    assert classify_response("publish", DOI, without).retry_after is None


def test_retry_after_http_date():
    now = 1_700_000_000.0
    value = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(value, now=now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("") is None
    assert parse_retry_after("-3") == 0.0


@pytest.mark.parametrize(
    "body",
    [None, [], "x", {"errors": "x"}, {"errors": [1, None]}, {"nope": 1}],
)
def test_parse_errors_tolerates_odd_shapes(body):
    assert parse_errors(body) == ()


def test_parse_errors_source_pointer():
    body = {"errors": [{"source": {"pointer": "/data/attributes/url"}, "title": "bad"}]}
    assert parse_errors(body) == (FieldError("/data/attributes/url", "bad"),)


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (requests.exceptions.ConnectTimeout("x"), OutcomeKind.RETRYABLE, "connect timeout"),
        (requests.exceptions.ReadTimeout("x"), OutcomeKind.RETRYABLE, "read timeout"),
        (requests.exceptions.ConnectionError("reset"), OutcomeKind.RETRYABLE, "connection error"),
        (requests.exceptions.ChunkedEncodingError("x"), OutcomeKind.RETRYABLE, "transport error"),
        (requests.exceptions.InvalidURL("x"), OutcomeKind.PERMANENT, "cannot be sent"),
        (ValueError("odd"), OutcomeKind.RETRYABLE, "unexpected error"),
    ],
)
def test_exceptions(exc, kind, text):
    outcome = classify_exception("update", DOI, exc)
    assert outcome.kind is kind
    assert outcome.status is None
    assert text in outcome.message


def test_outcome_is_frozen():
    outcome = Outcome(OutcomeKind.SUCCESS, "get", DOI)
    with pytest.raises(AttributeError):
        outcome.kind = OutcomeKind.PERMANENT  # type: ignore[misc]
    assert OutcomeKind("retryable") is OutcomeKind.RETRYABLE
    assert OutcomeKind.CREDENTIALS == "credentials"
