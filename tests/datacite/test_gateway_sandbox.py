"""Each operation against the sandbox: what it returns and what DataCite then holds."""

from __future__ import annotations

import copy
import logging

import pytest

from invenio_doi_ext.datacite import DataCiteGateway, FieldError, OutcomeKind

DOI = "10.1234/abcd-0001"
URL = "https://repo.example.org/doi/10.1234/abcd-0001"


def test_reserve_creates_a_draft_then_updates_it(gateway, control, metadata):
    created = gateway.reserve(DOI, metadata, URL)
    assert created.kind is OutcomeKind.SUCCESS, created.message
    assert (created.status, created.state, created.url) == (201, "draft", URL)
    assert created.attributes["doi"].lower() == DOI
    assert control.doi(DOI)["state"] == "draft"

    again = gateway.reserve(DOI, {**metadata, "titles": [{"title": "Renamed"}]}, URL)
    assert (again.kind, again.status, again.state) == (OutcomeKind.SUCCESS, 200, "draft")
    assert control.doi(DOI)["attributes"]["titles"] == [{"title": "Renamed"}]
    assert [e["method"] for e in control.journal()] == ["PUT", "PUT"]


def test_reserve_without_metadata_or_url(gateway, control):
    outcome = gateway.reserve(DOI)
    assert outcome.ok and outcome.state == "draft", outcome.message
    assert control.doi(DOI)["state"] == "draft"


def test_publish_from_nothing_is_one_idempotent_put(gateway, control, metadata):
    first = gateway.publish(DOI, metadata, URL)
    second = gateway.publish(DOI, metadata, URL)
    assert (first.status, first.state) == (201, "findable"), first.message
    assert (second.status, second.state) == (200, "findable"), second.message
    assert len(control.dois()) == 1
    entry = control.journal()[0]
    assert entry["body"]["data"]["attributes"]["event"] == "publish"


def test_register_hide_show_update(gateway, control, metadata):
    assert gateway.reserve(DOI, metadata, URL).state == "draft"
    registered = gateway.register(DOI, metadata, URL)
    assert registered.ok and registered.state == "registered", registered.message
    assert control.doi(DOI)["state"] == "registered"

    published = gateway.publish(DOI, metadata, URL)
    assert published.state == "findable"
    hidden = gateway.hide(DOI)
    assert hidden.ok and hidden.state == "registered", hidden.message
    assert control.doi(DOI)["state"] == "registered"
    shown = gateway.show(DOI)
    assert shown.ok and shown.state == "findable", shown.message
    assert control.journal()[-1]["body"]["data"]["attributes"]["event"] == "publish"

    new_url = URL + "?v=2"
    updated = gateway.update(DOI, {**metadata, "titles": [{"title": "New"}]}, new_url)
    assert updated.ok and updated.state == "findable", updated.message
    assert updated.url == new_url
    held = control.doi(DOI)
    assert (held["state"], held["url"]) == ("findable", new_url)
    assert held["attributes"]["titles"] == [{"title": "New"}]
    assert "event" not in control.journal()[-1]["body"]["data"]["attributes"]


def test_events_that_do_not_apply_are_ignored_by_datacite(gateway, metadata):
    """Not whiny: hide on a draft answers 200 and the state stays draft."""
    gateway.reserve(DOI, metadata, URL)
    outcome = gateway.hide(DOI, metadata, URL)
    assert outcome.ok and outcome.state == "draft"
    # register does not take a findable DOI back to registered: only hide does
    gateway.publish(DOI, metadata, URL)
    outcome = gateway.register(DOI, metadata, URL)
    assert outcome.ok and outcome.state == "findable"


def test_hide_with_metadata_hides_and_updates_in_one_call(gateway, control, metadata):
    gateway.publish(DOI, metadata, URL)
    redacted = {**metadata, "titles": [{"title": "Restricted record"}]}
    outcome = gateway.hide(DOI, redacted, URL)
    assert outcome.ok and outcome.state == "registered", outcome.message
    assert control.doi(DOI)["attributes"]["titles"] == [{"title": "Restricted record"}]


def test_get(gateway, control, metadata):
    gateway.publish(DOI, metadata, URL)
    outcome = gateway.get(DOI.upper())
    assert outcome.kind is OutcomeKind.SUCCESS
    assert (outcome.status, outcome.found, outcome.state, outcome.url) == (
        200,
        True,
        "findable",
        URL,
    )
    assert outcome.doi == DOI.upper()  # as the caller passed it
    assert outcome.attributes["titles"] == metadata["titles"]


def test_get_unknown_doi(gateway):
    outcome = gateway.get("10.1234/nothing-here")
    assert outcome.kind is OutcomeKind.SUCCESS
    assert (outcome.status, outcome.found, outcome.state) == (404, False, None)


def test_delete_draft(gateway, control):
    gateway.reserve(DOI)
    outcome = gateway.delete_draft(DOI)
    assert (outcome.kind, outcome.status, outcome.found, outcome.state) == (
        OutcomeKind.SUCCESS,
        204,
        True,
        None,
    )
    assert control.doi(DOI) is None
    again = gateway.delete_draft(DOI)
    assert (again.kind, again.status, again.found) == (OutcomeKind.SUCCESS, 404, False)


def test_delete_of_a_findable_doi_is_permanent(gateway, control, metadata):
    gateway.publish(DOI, metadata, URL)
    outcome = gateway.delete_draft(DOI)
    assert (outcome.kind, outcome.status) == (OutcomeKind.PERMANENT, 405)
    assert outcome.message
    assert control.doi(DOI)["state"] == "findable"


def test_422_field_errors_are_verbatim(gateway, control, metadata):
    outcome = gateway.publish(DOI, metadata)  # no URL: cannot become findable
    assert (outcome.kind, outcome.status) == (OutcomeKind.PERMANENT, 422)
    sent_back = control.journal()[-1]["response"]["errors"]
    assert outcome.errors == tuple(FieldError(e.get("source"), e["title"]) for e in sent_back)
    assert FieldError("url", "Can't be blank") in outcome.errors
    assert outcome.message == "; ".join(f"{e['source']}: {e['title']}" for e in sent_back)
    assert control.doi(DOI) is None


def test_422_invalid_metadata(gateway, metadata):
    bad = {**metadata, "titles": ["a plain string"], "publicationYear": "20x4"}
    outcome = gateway.publish(DOI, bad, URL)
    assert (outcome.kind, outcome.status) == (OutcomeKind.PERMANENT, 422)
    assert outcome.errors and all(error.title for error in outcome.errors)


def test_bad_credentials(make_gateway, caplog):
    caplog.set_level(logging.DEBUG, logger="invenio_doi_ext.datacite")
    gateway = make_gateway(password="not-the-Pa55word")
    outcome = gateway.reserve(DOI)
    assert (outcome.kind, outcome.status) == (OutcomeKind.CREDENTIALS, 401)
    assert outcome.message == "Bad credentials."
    # A read is answered as to anyone (lupo): a draft reads as missing; the probe is loud.
    read = gateway.get(DOI)
    assert read.ok and not read.found
    probe = gateway.check_credentials("10.1234")
    assert (probe.kind, probe.status) == (OutcomeKind.CREDENTIALS, 401)
    assert "not-the-Pa55word" not in caplog.text
    assert "Authorization" not in caplog.text
    assert "not-the-Pa55word" not in repr(gateway)


def test_foreign_prefix_is_forbidden(gateway, control):
    outcome = gateway.reserve("10.9999/not-ours")
    assert (outcome.kind, outcome.status) == (OutcomeKind.PERMANENT, 403)
    assert outcome.message
    assert control.doi("10.9999/not-ours") is None


def test_doi_needing_escapes_reaches_datacite_whole(gateway, control):
    doi = "10.1234/a b#c?d%e"
    control.seed(doi, "draft", url="https://repo.example.org/x")
    outcome = gateway.get(doi)
    assert outcome.ok and outcome.found and outcome.state == "draft", outcome.message
    assert outcome.attributes["doi"].lower() == doi
    updated = gateway.update(doi, {"titles": [{"title": "Escaped"}]})
    assert updated.ok, updated.message
    assert control.doi(doi)["attributes"]["titles"] == [{"title": "Escaped"}]
    assert [e["path"] for e in control.journal()] == [f"/dois/{doi}"] * 2
    assert gateway.delete_draft(doi).found is True
    assert control.doi(doi) is None


def test_callers_metadata_is_unchanged(gateway, metadata):
    before = copy.deepcopy(metadata)
    gateway.reserve(DOI, metadata, URL)
    gateway.register(DOI, metadata, URL)
    gateway.publish(DOI, metadata, URL)
    gateway.update(DOI, metadata, URL)
    gateway.hide(DOI, metadata, URL)
    gateway.show(DOI, metadata, URL)
    assert metadata == before


def test_debug_log_has_calls_but_no_credentials(make_gateway, control, metadata, caplog):
    caplog.set_level(logging.DEBUG, logger="invenio_doi_ext.datacite")
    gateway = make_gateway(username="sandbox", password="sandbox")
    gateway.publish(DOI, metadata, URL)
    assert f"PUT {gateway.base_url}dois/{DOI}" in caplog.text
    assert "HTTP 201" in caplog.text
    assert "Authorization" not in caplog.text
    assert "c2FuZGJveDpzYW5kYm94" not in caplog.text  # base64("sandbox:sandbox")
    assert "password" not in repr(gateway).lower()


def test_heartbeat(gateway, make_gateway):
    assert gateway.heartbeat() is True
    assert make_gateway(base_url="http://127.0.0.1:9/", timeout=(1, 1)).heartbeat() is False


def test_from_config_against_the_sandbox(datacite_sandbox, metadata):
    gateway = DataCiteGateway.from_config(
        {
            "DOI_EXT_DATACITE_URL": datacite_sandbox.url,
            "DATACITE_USERNAME": "sandbox",
            "DATACITE_PASSWORD": "sandbox",
            "DOI_EXT_HTTP_TIMEOUT": (2, 10),
            "DOI_EXT_RATE_LIMIT": "100 per 1 second",
            "DOI_EXT_RATE_LIMIT_STORAGE": "memory://",
        }
    )
    try:
        assert gateway.publish(DOI, metadata, URL).state == "findable"
    finally:
        gateway.close()


@pytest.mark.parametrize("operation", ["reserve", "update", "publish", "hide"])
def test_write_without_network_is_retryable(make_gateway, operation):
    gateway = make_gateway(base_url="http://127.0.0.1:9/", timeout=(1, 1))
    outcome = getattr(gateway, operation)(DOI, {}, URL)
    assert (outcome.kind, outcome.status) == (OutcomeKind.RETRYABLE, None)
    assert "connection error" in outcome.message
