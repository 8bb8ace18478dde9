"""The sandbox over real HTTP: every behaviour of the DataCite reference, and the control API."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from invenio_doi_ext.sandbox import SandboxServer

DOI = "10.1234/abc-123"
URL = "https://repo.example.org/records/1"


def errors(resp: requests.Response) -> list[dict]:
    return resp.json()["errors"]


def state_of(api, doi: str) -> str:
    resp = api.get(doi)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["attributes"]["state"]


# -- endpoints and payload ------------------------------------------------------------------
def test_heartbeat(api):
    resp = api.call("GET", "heartbeat", auth=None)
    assert resp.status_code == 200
    assert resp.text == "OK"
    assert resp.headers["Content-Type"].startswith("text/plain")


def test_post_without_event_creates_a_draft_with_full_record(api, valid_metadata):
    resp = api.post({"doi": DOI, "url": URL, **valid_metadata})
    assert resp.status_code == 201
    assert resp.headers["Content-Type"].startswith("application/vnd.api+json")
    data = resp.json()["data"]
    assert data["type"] == "dois"
    assert data["id"] == DOI
    attrs = data["attributes"]
    assert attrs["doi"] == DOI
    assert attrs["state"] == "draft"
    assert attrs["isActive"] is False
    assert attrs["url"] == URL
    assert attrs["publicationYear"] == 2024
    assert attrs["titles"] == valid_metadata["titles"]
    assert attrs["creators"] == [
        {**valid_metadata["creators"][0], "affiliation": [], "nameIdentifiers": []}
    ]
    assert attrs["registered"] is None
    assert attrs["created"] and attrs["updated"]
    xml = base64.b64decode(attrs["xml"]).decode("utf-8")
    assert "<title>Measurements of the sandbox</title>" in xml
    assert 'resourceTypeGeneral="Dataset"' in xml


def test_prefix_only_draws_a_random_suffix(api):
    resp = api.post({"prefix": "10.1234", "suffix": "ignored"})
    assert resp.status_code == 201
    doi = resp.json()["data"]["id"]
    assert re.fullmatch(r"10\.1234/[0-9a-z]{4}-[0-9a-z]{4}", doi), doi
    other = api.post({"prefix": "10.1234"}).json()["data"]["id"]
    assert other != doi


def test_incomplete_draft_has_null_xml_and_year(api):
    resp = api.post({"doi": DOI})
    attrs = resp.json()["data"]["attributes"]
    assert resp.status_code == 201
    assert attrs["xml"] is None
    assert attrs["publicationYear"] is None
    assert attrs["url"] is None


def test_dois_are_lower_case_out_and_case_insensitive_in(api, valid_metadata):
    resp = api.post({"doi": "10.1234/MiXeD-Case", **valid_metadata})
    assert resp.json()["data"]["id"] == "10.1234/mixed-case"
    assert resp.json()["data"]["attributes"]["doi"] == "10.1234/mixed-case"
    for variant in ("10.1234/MIXED-CASE", "10.1234/mixed-case", "10.1234/Mixed-Case"):
        assert api.get(variant).json()["data"]["id"] == "10.1234/mixed-case"
    resp = api.put("10.1234/MIXED-case", {"url": URL})
    assert resp.status_code == 200
    dup = api.post({"doi": "10.1234/mixed-CASE"})
    assert dup.status_code == 422
    assert api.delete("10.1234/MIXED-CASE").status_code == 204


def test_application_json_is_accepted_as_alias(api):
    resp = api.post({"doi": DOI}, headers={"Content-Type": "application/json"})
    assert resp.status_code == 201


def test_put_updates_only_the_attributes_sent(api, valid_metadata):
    api.create(DOI)
    resp = api.put(DOI, {"titles": [{"title": "New title"}]})
    assert resp.status_code == 200
    attrs = resp.json()["data"]["attributes"]
    assert attrs["titles"] == [{"title": "New title"}]
    assert attrs["creators"] == [
        {**valid_metadata["creators"][0], "affiliation": [], "nameIdentifiers": []}
    ]
    assert attrs["url"] == URL
    xml = base64.b64decode(attrs["xml"]).decode()
    assert "New title" in xml


def test_put_is_an_upsert_201_created_then_200(api):
    first = api.put(DOI, {"url": URL})
    assert first.status_code == 201
    assert first.json()["data"]["attributes"]["state"] == "draft"
    second = api.put(DOI, {"url": URL + "/v2"})
    assert second.status_code == 200
    assert second.json()["data"]["attributes"]["url"] == URL + "/v2"


def test_put_upsert_can_publish_at_once(api, valid_metadata):
    resp = api.put(DOI, {"event": "publish", "url": URL, **valid_metadata})
    assert resp.status_code == 201
    assert resp.json()["data"]["attributes"]["state"] == "findable"


def test_put_ignores_the_doi_attribute_and_uses_the_path(api):
    api.create(DOI)
    resp = api.put(DOI, {"doi": "10.1234/other", "url": URL + "/x"})
    assert resp.status_code == 200
    assert resp.json()["data"]["id"] == DOI
    assert api.get("10.1234/other").status_code == 404


def test_put_of_a_non_doi_path_is_404(api):
    resp = api.put("not-a-doi", {"url": URL})
    assert resp.status_code == 404
    assert errors(resp) == [
        {"status": "404", "title": "The resource you are looking for doesn't exist."}
    ]


def test_xml_attribute_is_read_as_metadata(api):
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<resource xmlns="http://datacite.org/schema/kernel-4">'
        '<identifier identifierType="DOI">10.1234/XML-1</identifier>'
        "<creators><creator><creatorName>Roe, Richard</creatorName></creator></creators>"
        "<titles><title>From XML</title></titles><publisher>Sandbox</publisher>"
        "<publicationYear>2023</publicationYear>"
        '<resourceType resourceTypeGeneral="Software">Tool</resourceType></resource>'
    )
    encoded = base64.b64encode(xml.encode()).decode()
    resp = api.post({"doi": "10.1234/xml-1", "xml": encoded, "url": URL, "event": "publish"})
    assert resp.status_code == 201, resp.text
    attrs = resp.json()["data"]["attributes"]
    assert attrs["state"] == "findable"
    assert attrs["titles"] == [{"title": "From XML"}]
    assert attrs["types"]["resourceTypeGeneral"] == "Software"
    assert attrs["xml"] == encoded
    bad = api.post({"doi": "10.1234/xml-2", "xml": "not base64 !"})
    assert bad.status_code == 422
    assert errors(bad)[0]["source"] == "xml"


# -- states and events ----------------------------------------------------------------------
def test_register_then_publish_then_hide(api):
    api.create(DOI)
    assert api.put(DOI, {"event": "register"}).json()["data"]["attributes"]["state"] == "registered"
    resp = api.put(DOI, {"event": "publish"})
    attrs = resp.json()["data"]["attributes"]
    assert attrs["state"] == "findable"
    assert attrs["isActive"] is True
    assert attrs["registered"]
    hidden = api.put(DOI, {"event": "hide"}).json()["data"]["attributes"]
    assert hidden["state"] == "registered"
    assert hidden["isActive"] is False
    assert api.put(DOI, {"event": "publish"}).json()["data"]["attributes"]["state"] == "findable"


def test_post_with_events(api):
    assert api.create("10.1234/r", event="register")["state"] == "registered"
    assert api.create("10.1234/f", event="publish")["state"] == "findable"
    assert api.create("10.1234/d", event="hide")["state"] == "draft"


def test_invalid_event_is_ignored_while_other_changes_apply(api):
    api.create(DOI)
    resp = api.put(DOI, {"event": "hide", "url": URL + "/hidden"})
    assert resp.status_code == 200
    attrs = resp.json()["data"]["attributes"]
    assert attrs["state"] == "draft"
    assert attrs["url"] == URL + "/hidden"
    api.put(DOI, {"event": "publish"})
    resp = api.put(DOI, {"event": "register", "titles": [{"title": "Still findable"}]})
    assert resp.status_code == 200
    attrs = resp.json()["data"]["attributes"]
    assert attrs["state"] == "findable"
    assert attrs["titles"] == [{"title": "Still findable"}]
    assert api.put(DOI, {"event": "explode"}).status_code == 200


def test_state_attribute_is_stripped_and_nothing_returns_to_draft(api):
    created = api.create(DOI, state="findable")
    assert created["state"] == "draft"
    api.put(DOI, {"event": "publish"})
    resp = api.put(DOI, {"state": "draft"})
    assert resp.json()["data"]["attributes"]["state"] == "findable"
    api.put(DOI, {"event": "hide"})
    assert state_of(api, DOI) == "registered"
    api.put(DOI, {"state": "draft", "event": "hide"})
    assert state_of(api, DOI) == "registered"


# -- delete ---------------------------------------------------------------------------------
def test_delete_draft_is_204_and_gone(api):
    api.create(DOI)
    resp = api.delete(DOI)
    assert resp.status_code == 204
    assert resp.content == b""
    assert api.get(DOI).status_code == 404


@pytest.mark.parametrize("event", ["register", "publish"])
def test_delete_registered_or_findable_is_405_with_allow(api, event):
    api.create(DOI, event=event)
    resp = api.delete(DOI)
    assert resp.status_code == 405
    assert "Allow" in resp.headers
    assert "DELETE" not in resp.headers["Allow"]
    assert errors(resp) == [{"status": "405", "title": "Method not allowed"}]
    assert state_of(api, DOI) in ("registered", "findable")


def test_delete_unknown_is_404(api):
    resp = api.delete("10.1234/nothing")
    assert resp.status_code == 404
    assert errors(resp)[0]["status"] == "404"


# -- visibility -----------------------------------------------------------------------------
@pytest.mark.parametrize("event", [None, "register"])
def test_draft_and_registered_visible_to_owner_only(api, event):
    api.create(DOI, event=event)
    assert api.get(DOI).status_code == 200
    anonymous = api.get(DOI, auth=None)
    assert anonymous.status_code == 404
    assert errors(anonymous) == [
        {"status": "404", "title": "The resource you are looking for doesn't exist."}
    ]


def test_findable_is_public(api):
    api.create(DOI, event="publish")
    resp = api.get(DOI, auth=None)
    assert resp.status_code == 200
    assert resp.json()["data"]["attributes"]["state"] == "findable"


def test_foreign_draft_is_404_for_the_account(api, datacite_sandbox):
    datacite_sandbox.control.seed("10.9999/foreign", "draft", url=URL)
    assert api.get("10.9999/foreign").status_code == 404
    datacite_sandbox.control.seed("10.9999/public", "findable", url=URL)
    assert api.get("10.9999/public", auth=None).status_code == 200


# -- validation -----------------------------------------------------------------------------
def _publish_errors(api, **changes) -> list[dict]:
    body = {"doi": DOI, "url": URL, "event": "publish", **api.metadata()}
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    resp = api.post(body)
    assert resp.status_code == 422, resp.text
    assert api.get(DOI).status_code == 404  # nothing created
    for err in errors(resp):
        assert set(err) == {"source", "title", "uid"}  # no status key
        assert err["uid"] == DOI
    return errors(resp)


def test_url_cant_be_blank(api):
    assert _publish_errors(api, url=None) == [
        {"source": "url", "title": "Can't be blank", "uid": DOI}
    ]


@pytest.mark.parametrize("url", ["www.example.org/x", "mailto:a@example.org", "http://"])
def test_url_must_match_the_pattern(api, url):
    assert [e["source"] for e in _publish_errors(api, url=url)] == ["url"]


def test_url_pattern_accepts_ftp(api):
    url = "ftp://files.example.org/a"
    assert api.create(DOI, event="publish", url=url)["url"] == url


@pytest.mark.parametrize(
    ("field", "value", "source"),
    [
        ("creators", None, "creators"),
        ("titles", None, "titles"),
        ("publisher", None, "publisher"),
        ("publicationYear", None, "publicationYear"),
        ("types", None, "types"),
        ("publicationYear", "24", "publicationYear"),
        ("publicationYear", "year", "publicationYear"),
        ("titles", [{"title": ""}], "titles"),
        ("titles", ["A plain string"], "titles"),
        ("creators", [{"name": "  "}], "creators"),
        ("creators", ["Doe, Jane"], "creators"),
        ("dates", ["2024-01-01"], "dates"),
        ("subjects", ["Physics"], "subjects"),
        ("contributors", [{"name": "Roe, R."}], "contributors"),
        ("contributors", [{"contributorType": "Editor"}], "contributors"),
        ("rightsList", [{"rights": "x" * 2001}], "rights_list"),
        ("language", "en_US", "language"),
        ("types", {"resourceTypeGeneral": "Banana"}, "types"),
        ("types", {"resourceType": "No general type"}, "types"),
        ("descriptions", [{"description": "No type"}], "descriptions"),
    ],
)
def test_metadata_rules_on_publish(api, field, value, source):
    errs = _publish_errors(api, **{field: value})
    assert source in [e["source"] for e in errs], errs
    assert all(e["title"] for e in errs)


def test_doi_longer_than_255_is_refused_on_registration(api):
    long_doi = "10.1234/" + "a" * 250
    body = {"doi": long_doi, "url": URL, "event": "register", **api.metadata()}
    resp = api.post(body)
    assert resp.status_code == 422
    assert errors(resp)[0]["source"] == "doi"
    assert api.post({"doi": long_doi}).status_code == 201  # a draft may hold it


def test_valid_boundaries_pass(api):
    attrs = api.create(
        DOI, event="publish", publicationYear=2024, language="en-GB",
        publisher="A plain-string publisher",
        rightsList=[{"rights": "x" * 2000}],
        contributors=[{"name": "Roe, R.", "contributorType": "Editor"}],
        dates=[{"date": "2024-01-01", "dateType": "Issued"}],
        subjects=[{"subject": "Physics"}],
    )
    assert attrs["state"] == "findable"
    assert attrs["publicationYear"] == 2024


def test_drafts_are_not_schema_validated(api):
    resp = api.post({"doi": DOI, "titles": [{"lang": "en"}], "publicationYear": "soon"})
    assert resp.status_code == 201
    assert resp.json()["data"]["attributes"]["publicationYear"] is None
    resp = api.put(DOI, {"url": None})
    assert resp.status_code == 200


def test_update_of_a_findable_doi_is_validated_and_changes_nothing_when_invalid(api):
    api.create(DOI, event="publish")
    resp = api.put(DOI, {"titles": [], "url": URL + "/new"})
    assert resp.status_code == 422
    assert errors(resp)[0]["source"] == "titles"
    attrs = api.get(DOI).json()["data"]["attributes"]
    assert attrs["titles"] == api.metadata()["titles"]
    assert attrs["url"] == URL
    resp = api.put(DOI, {"url": None})
    assert errors(resp) == [{"source": "url", "title": "Can't be blank", "uid": DOI}]


def test_registration_from_draft_is_validated(api):
    api.post({"doi": DOI})
    resp = api.put(DOI, {"event": "publish"})
    assert resp.status_code == 422
    sources = {e["source"] for e in errors(resp)}
    assert {"url", "creators", "titles", "publisher", "publicationYear", "types"} <= sources
    assert state_of(api, DOI) == "draft"


@pytest.mark.parametrize("doi", ["10.1234/a b", "10.1234/ä", "10.123/short-prefix-part",
                                 "10.1234/"])
def test_doi_syntax_on_create(api, doi):
    resp = api.post({"doi": doi})
    assert resp.status_code in (403, 422), resp.text
    if doi.startswith("10.1234/"):
        assert resp.status_code == 422
        assert errors(resp)[0]["source"] == "doi"


def test_doi_cant_be_blank(api):
    resp = api.post({"url": URL})
    assert resp.status_code == 422
    assert errors(resp) == [{"source": "doi", "title": "Can't be blank"}]


def test_existing_doi_on_post_is_already_taken(api):
    api.create(DOI)
    resp = api.post({"doi": DOI.upper()})
    assert resp.status_code == 422
    assert errors(resp) == [
        {"source": "doi", "title": "This DOI has already been taken", "uid": DOI}
    ]


def test_allowed_domains(api_for):
    with SandboxServer(allowed_domains=("*.example.org", "example.org")) as server:

        api = api_for(server.url)
        ok = api.create("10.1234/ok", event="publish", url="https://repo.example.org/1")
        assert ok["state"] == "findable"
        assert api.create("10.1234/bare", event="publish", url="https://example.org/1")
        resp = api.post({"doi": "10.1234/no", "event": "publish", "url": "https://evil.org/1",
                         **api.metadata()})
        assert resp.status_code == 422
        err = errors(resp)[0]
        assert err["source"] == "url"
        assert "not allowed" in err["title"]
        draft = api.post({"doi": "10.1234/draft", "url": "https://evil.org/1"})
        assert draft.status_code == 201


# -- handler errors and auth ----------------------------------------------------------------
@pytest.mark.parametrize("auth", [None, ("sandbox", "wrong"), ("someone", "sandbox")])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_need_credentials(api, auth, method):
    """A new DOI names its repository, as lupo looks that up first (see test_contract_lupo)."""
    api.create(DOI)
    if method == "POST":
        body = {"data": {"type": "dois", "attributes": {"doi": "10.1234/new"},
                         "relationships": {"client": {"data": {"type": "clients", "id": "sandbox"}}}}}
        resp = api.call("POST", "dois", data=json.dumps(body), auth=auth)
    elif method == "PUT":
        resp = api.put(DOI, {"url": URL + "/x"}, auth=auth)
    else:
        resp = api.delete(DOI, auth=auth)
    assert resp.status_code == 401
    assert errors(resp) == [{"status": "401", "title": "Bad credentials."}]
    assert api.get(DOI).json()["data"]["attributes"]["url"] == URL


def test_foreign_prefix_is_403(api, datacite_sandbox):
    forbidden = [{"status": "403", "title": "You are not authorized to access this resource."}]
    resp = api.post({"doi": "10.9999/mine-not"})
    assert resp.status_code == 403
    assert errors(resp) == forbidden
    assert api.put("10.9999/mine-not", {"url": URL}).status_code == 403
    datacite_sandbox.control.seed("10.9999/theirs", "draft", url=URL)
    assert errors(api.put("10.9999/theirs", {"url": URL + "/x"})) == forbidden
    assert api.delete("10.9999/theirs").status_code == 403
    assert datacite_sandbox.control.doi("10.9999/theirs")["url"] == URL


def test_other_owned_prefixes(api_for):
    with SandboxServer(prefixes=("10.1234", "10.5555")) as server:

        assert api_for(server.url).post({"doi": "10.5555/x"}).status_code == 201


def test_unrecognized_content_type_is_406(api):
    resp = api.call("POST", "dois", data='{"data": {}}', headers={"Content-Type": "text/plain"})
    assert resp.status_code == 406
    assert errors(resp) == [{"status": "406", "title": "The content type is not recognized."}]


def test_json_parse_error_is_400(api):
    resp = api.call("POST", "dois", data='{"data": {')
    assert resp.status_code == 400
    err = errors(resp)[0]
    assert err["status"] == "400"
    assert err["title"]


def test_body_without_data_is_400(api):
    resp = api.call("POST", "dois", data='{"attributes": {"doi": "10.1234/x"}}')
    assert resp.status_code == 400
    assert errors(resp) == [
        {"status": "400", "title": "You need to provide a payload following the JSONAPI spec"}
    ]
    resp = api.call("PUT", "dois/" + DOI, data="")
    assert resp.status_code == 400


# -- control API: faults --------------------------------------------------------------------
def test_fault_500(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["500"])
    resp = api.post({"doi": DOI})
    assert resp.status_code == 500
    assert errors(resp)[0]["status"] == "500"
    assert datacite_sandbox.control.dois() == []  # a faulted request changes nothing
    assert api.post({"doi": DOI}).status_code == 201  # the queue is consumed


@pytest.mark.parametrize(("kind", "status"), [("503_html", 503), ("502_html", 502)])
def test_fault_html_pages(api, datacite_sandbox, kind, status):
    datacite_sandbox.control.set_faults(queue=[kind])
    resp = api.post({"doi": DOI})
    assert resp.status_code == status
    assert resp.headers["Content-Type"].startswith("text/html")
    assert resp.text.lstrip().startswith("<html>")
    assert datacite_sandbox.control.doi(DOI) is None


def test_fault_429_without_and_with_retry_after(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["429", "429_retry_after"], retry_after=2)
    plain = api.post({"doi": DOI})
    assert plain.status_code == 429
    assert "Retry-After" not in plain.headers
    with pytest.raises(ValueError):
        plain.json()
    later = api.post({"doi": DOI})
    assert later.status_code == 429
    assert later.headers["Retry-After"] == "2"
    assert datacite_sandbox.control.doi(DOI) is None


def test_fault_409(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["409"])
    resp = api.post({"doi": DOI})
    assert resp.status_code == 409
    assert errors(resp) == [{"status": "409", "title": "The resource already exists."}]


def test_fault_drop_closes_the_connection_without_response(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["drop"])
    with pytest.raises(requests.ConnectionError):
        api.post({"doi": DOI})
    assert datacite_sandbox.control.doi(DOI) is None
    entry = datacite_sandbox.control.journal()[-1]
    assert entry["fault"] == "drop"
    assert entry["status"] is None
    assert entry["response"] is None
    assert api.post({"doi": DOI}).status_code == 201  # the next request is served


def test_fault_timeout_fires_the_client_read_timeout(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["timeout"], hang_seconds=30)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        api.post({"doi": DOI}, timeout=(2, 0.5))
    assert time.monotonic() - started < 10  # did not hang past the client's timeout
    datacite_sandbox.control.clear_faults()  # releases the hanging request
    assert datacite_sandbox.control.doi(DOI) is None


def test_fault_timeout_answers_504_after_hang_seconds(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(queue=["timeout"], hang_seconds=0.2)
    resp = api.post({"doi": DOI})
    assert resp.status_code == 504
    assert datacite_sandbox.control.doi(DOI) is None


def test_fault_rate_and_weights_are_seeded(api, datacite_sandbox):
    control = datacite_sandbox.control

    def pattern() -> list[int]:
        control.set_faults(rate=0.5, kinds={"500": 1, "503_html": 1}, seed=42)
        return [api.call("GET", "heartbeat").status_code for _ in range(30)]

    first, second = pattern(), pattern()
    assert first == second
    assert set(first) == {200, 500, 503}
    control.set_faults(rate=1.0, kinds={"500": 1})
    assert all(api.call("GET", "heartbeat").status_code == 500 for _ in range(5))
    control.clear_faults()
    assert api.call("GET", "heartbeat").status_code == 200


def test_fault_methods_filter(api, datacite_sandbox):
    datacite_sandbox.control.set_faults(rate=1.0, kinds={"500": 1}, methods=["POST"])
    assert api.post({"doi": DOI}).status_code == 500
    assert api.get(DOI).status_code == 404
    assert api.put(DOI, {"url": URL}).status_code == 201


def test_outage(api, datacite_sandbox):
    datacite_sandbox.control.outage()
    for _ in range(3):
        resp = api.call("GET", "heartbeat")
        assert resp.status_code == 503
        assert resp.headers["Content-Type"].startswith("text/html")
    datacite_sandbox.control.set_faults(rate=1.0, kinds={"503_html": 1})
    assert api.call("GET", "heartbeat").status_code == 503
    datacite_sandbox.control.clear_faults()
    assert api.call("GET", "heartbeat").status_code == 200


def test_unknown_fault_kind_is_refused(datacite_sandbox):
    resp = requests.put(datacite_sandbox.url + "__sandbox__/faults", json={"queue": ["boom"]},
                        timeout=5)
    assert resp.status_code == 400
    assert "boom" in resp.json()["error"]


def test_latency_delays_answers(api, datacite_sandbox):
    datacite_sandbox.control.set_latency(150)
    api.call("GET", "heartbeat")
    entry = datacite_sandbox.control.journal()[-1]
    assert entry["duration_ms"] >= 150
    datacite_sandbox.control.set_latency(0)
    # Switched off: the sandbox's own state says so (a timing bound here would be flaky).
    assert datacite_sandbox.app.extensions["doi_sandbox"].faults.latency_ms == 0


def test_rate_limit(api, datacite_sandbox):
    control = datacite_sandbox.control
    control.set_rate_limit(3, 60)
    statuses = [api.call("GET", "heartbeat").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = api.call("GET", "heartbeat")
    assert limited.status_code == 429
    with pytest.raises(ValueError):
        limited.json()
    stats = control.stats()
    assert stats["rate_limited"] == 3
    assert stats["by_status"]["429"] == 3
    assert control.journal()[-1]["fault"] == "rate_limit"
    control.clear_rate_limit()
    assert api.call("GET", "heartbeat").status_code == 200


def test_rate_limit_window_slides(api, datacite_sandbox):
    datacite_sandbox.control.set_rate_limit(1, 0.2)
    assert api.call("GET", "heartbeat").status_code == 200
    assert api.call("GET", "heartbeat").status_code == 429
    deadline = time.monotonic() + 5
    while api.call("GET", "heartbeat").status_code == 429:
        assert time.monotonic() < deadline
        time.sleep(0.05)


# -- control API: journal, stats, reset, seed -----------------------------------------------
def test_journal_records_every_api_request(api, datacite_sandbox):
    control = datacite_sandbox.control
    api.post({"doi": DOI, "url": URL})
    api.call("GET", "dois/" + DOI + "?affiliation=true", auth=None)
    entries = control.journal()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/dois", 201),
        ("GET", "/dois/" + DOI, 404),
    ]
    post, get = entries
    assert post["body"] == {"data": {"type": "dois", "attributes": {"doi": DOI, "url": URL}}}
    assert post["user"] == "sandbox"
    assert post["response"]["data"]["id"] == DOI
    assert post["fault"] is None
    assert isinstance(post["duration_ms"], float)
    assert post["time"].endswith("Z")
    assert get["query"] == {"affiliation": "true"}
    assert get["user"] is None
    assert get["body"] is None
    assert get["response"]["errors"][0]["status"] == "404"
    assert post["seq"] < get["seq"]
    assert [e["seq"] for e in control.journal(since=post["seq"])] == [get["seq"]]
    control.clear_journal()
    assert control.journal() == []
    api.call("GET", "heartbeat")
    entry = control.journal()[0]
    assert entry["response"] == "OK"
    assert entry["seq"] > get["seq"]


def test_journal_keeps_raw_text_bodies(api, datacite_sandbox):
    api.call("POST", "dois", data="not json")
    entry = datacite_sandbox.control.journal()[-1]
    assert entry["body"] == "not json"
    assert entry["status"] == 400


def test_stats(api, datacite_sandbox):
    control = datacite_sandbox.control
    api.post({"doi": DOI})
    control.set_faults(queue=["500", "drop"])
    api.get(DOI)
    with pytest.raises(requests.ConnectionError):
        api.get(DOI)
    stats = control.stats()
    assert stats["requests"] == 3
    assert stats["faults"] == {"500": 1, "drop": 1}
    assert stats["by_status"]["201"] == 1
    assert stats["by_status"]["500"] == 1
    assert stats["rate_limited"] == 0


def test_reset_clears_everything(api, datacite_sandbox):
    control = datacite_sandbox.control
    api.create(DOI)
    control.set_latency(50)
    control.set_faults(rate=0.0, queue=["500", "500"])
    control.set_rate_limit(100, 1)
    control.reset()
    assert control.dois() == []
    assert control.journal() == []
    assert control.stats()["requests"] == 0
    assert api.call("GET", "heartbeat").status_code == 200
    assert requests.get(datacite_sandbox.url + "__sandbox__/ratelimit",
                        timeout=5).json()["limit"] is None
    plan = requests.get(datacite_sandbox.url + "__sandbox__/faults", timeout=5).json()
    assert plan["queue"] == []
    assert plan["latency_ms"] == 0


def test_seed_list_get_and_remove(api, datacite_sandbox):
    control = datacite_sandbox.control
    seeded = control.seed("10.1234/DRIFT", "findable", url=URL + "/old",
                          attributes={"titles": ["not validated"]})
    assert seeded["doi"] == "10.1234/drift"
    assert seeded["state"] == "findable"
    remote = api.get("10.1234/drift", auth=None).json()["data"]["attributes"]
    assert remote["url"] == URL + "/old"
    assert remote["titles"] == ["not validated"]
    api.create(DOI)
    listed = {d["doi"]: d for d in control.dois()}
    assert set(listed) == {"10.1234/drift", DOI}
    assert set(listed[DOI]) == {"doi", "state", "url", "attributes", "created", "updated", "client"}
    assert listed[DOI]["attributes"]["titles"] == api.metadata()["titles"]
    assert control.doi("10.1234/Drift")["url"] == URL + "/old"
    assert control.doi("10.1234/none") is None
    assert control.remove("10.1234/drift") is True
    assert control.remove("10.1234/drift") is False
    assert api.get("10.1234/drift").status_code == 404
    resp = requests.get(datacite_sandbox.url + "__sandbox__/dois/10.1234/none", timeout=5)
    assert resp.status_code == 404
    assert resp.json()["error"]


def test_control_requests_are_not_journaled(datacite_sandbox):
    control = datacite_sandbox.control
    control.set_latency(0)
    control.dois()
    control.stats()
    assert control.journal() == []


# -- concurrency ----------------------------------------------------------------------------
def test_concurrent_creates_of_one_doi_give_one_201(api, api_for, datacite_sandbox):
    def create(_: int) -> int:
        return api_for(datacite_sandbox.url).post({"doi": DOI}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(create, range(10)))
    assert statuses == [201] + [422] * 9
    with ThreadPoolExecutor(max_workers=10) as pool:
        dois = set(pool.map(
            lambda _: api_for(datacite_sandbox.url).post({"prefix": "10.1234"}).json()[
                "data"]["id"], range(20)))
    assert len(dois) == 20
    assert len(datacite_sandbox.control.dois()) == 21


# -- persistence and command line -----------------------------------------------------------
def test_sqlite_persistence_across_restart(tmp_path, api_for):
    db = str(tmp_path / "sandbox.sqlite")

    with SandboxServer(db_path=db) as server:
        api = api_for(server.url)
        api.create("10.1234/kept", event="publish")
        api.create("10.1234/draft")
        api.create("10.1234/gone")
        assert api.delete("10.1234/gone").status_code == 204
        server.control.seed("10.1234/seeded", "registered", url=URL)
    with SandboxServer(db_path=db) as server:
        api = api_for(server.url)
        kept = api.get("10.1234/kept", auth=None).json()["data"]["attributes"]
        assert kept["state"] == "findable"
        assert kept["titles"] == api.metadata()["titles"]
        assert state_of(api, "10.1234/draft") == "draft"
        assert state_of(api, "10.1234/seeded") == "registered"
        assert api.get("10.1234/gone").status_code == 404
        assert api.post({"doi": "10.1234/kept"}).status_code == 422
    with SandboxServer() as server:  # without the file: empty
        assert server.control.dois() == []


def test_command_line_serves_and_prints_its_url(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "invenio_doi_ext.sandbox", "--port", "0", "--prefix", "10.1234",
         "--prefix", "10.5555", "--username", "cli", "--password", "secret",
         "--allowed-domain", "example.org", "--db", str(tmp_path / "cli.sqlite")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, line
        url = match.group(1)
        assert requests.get(url + "heartbeat", timeout=5).text == "OK"
        resp = requests.post(
            url + "dois", auth=("cli", "secret"), timeout=5,
            json={"data": {"type": "dois", "attributes": {"doi": "10.5555/cli"}}},
        )
        assert resp.status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0
