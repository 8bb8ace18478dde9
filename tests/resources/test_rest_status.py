"""``GET /api/dois/<doi>``: who may read a DOI's status, and what it says."""

from __future__ import annotations

from invenio_doi_ext.lifecycle.store import get_row


def doi_of(record) -> str:
    return record.data["pids"]["doi"]["identifier"]


def test_owner_reads_status_with_history(owned_record, owner, login):
    record = owned_record()
    doi = doi_of(record)
    client = login(owner)

    res = client.get(f"/dois/{doi}")

    assert res.status_code == 200, res.json
    body = res.json
    assert body["doi"] == doi.lower()
    assert body["label"] == "findable" and body["dspace_state"] == "IS_REGISTERED"
    assert body["in_sync"] is True and body["failed"] is False
    assert body["desired"]["state"] == body["remote"]["state"] == "findable"
    assert body["desired"]["url"] == body["remote"]["url"]
    assert body["attempts"] == 0 and body["last_error"] is None
    assert body["next_attempt_at"]
    actions = [(event["action"], event["outcome"]) for event in body["history"]]
    assert ("desired", None) in actions and ("call", "success") in actions
    assert body["links"]["self"] == f"https://repo.example.org/api/dois/{doi.lower()}"


def test_status_is_case_insensitive_and_accepts_resolver_form(owned_record, owner, login):
    doi = doi_of(owned_record())
    client = login(owner)
    assert client.get(f"/dois/{doi.upper()}").json["doi"] == doi.lower()
    assert client.get(f"/dois/doi:{doi}").status_code == 200


def test_concept_doi_readable_by_owner(owned_record, owner, login):
    record = owned_record()
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    res = login(owner).get(f"/dois/{concept}")
    assert res.status_code == 200
    assert res.json["kind"] == "parent"


def test_failed_status_shows_datacite_message(owned_record, owner, login, sandbox):
    sandbox.control.set_faults(queue=["503_html"])
    record = owned_record()
    doi = doi_of(record)

    body = login(owner).get(f"/dois/{doi}").json

    assert body["in_sync"] is False and body["label"] == "registering"
    assert body["attempts"] == 1
    assert "HTTP 503" in body["last_error"]
    assert body["history"][-1]["http_status"] == 503


def test_denied_to_anonymous_and_other_users(owned_record, other, login, client):
    doi = doi_of(owned_record())

    anonymous = client.get(f"/dois/{doi}")
    assert anonymous.status_code == 403
    assert anonymous.json == {"status": 403, "message": "Permission denied."}

    res = login(other).get(f"/dois/{doi}")
    assert res.status_code == 403
    assert "history" not in res.json


def test_admin_and_superuser_read_any(owned_record, admin, superuser, login):
    doi = doi_of(owned_record())
    assert login(admin).get(f"/dois/{doi}").status_code == 200
    assert login(superuser).get(f"/dois/{doi}").status_code == 200


def test_malformed_dois_are_400(admin, login):
    client = login(admin)
    for path, reason in (
        ("/dois/10.1234/with%20space", "whitespace"),
        ("/dois/10.1234/a..b", "'..'"),
        ("/dois/10.1234/abc%25def", "percent-encoding"),
        ("/dois/10.1234/" + "x" * 10_000, "longer than 255"),
        ("/dois/nodoi", "expected 10.NNNN/suffix"),
        ("/dois/10.1234/%E2%98%83", "expected 10.NNNN/suffix"),
    ):
        res = client.get(path)
        assert res.status_code == 400, path
        assert res.json["status"] == 400
        assert reason in res.json["message"]
        assert res.json["errors"][0]["field"] == "doi"
        assert len(res.get_data()) < 1000


def test_unknown_and_foreign_dois_are_404(admin, login, db):
    client = login(admin)
    unknown = client.get("/dois/10.1234/never-minted")
    assert unknown.status_code == 404
    assert "no such DOI is managed" in unknown.json["message"]
    foreign = client.get("/dois/10.5281/zenodo.123")
    assert foreign.status_code == 404
    assert "prefix is not one this instance mints under" in foreign.json["message"]


def test_malformed_doi_is_400_even_for_anonymous(client, db):
    assert client.get("/dois/10.1234/a..b").status_code == 400
    assert get_row("10.1234/a..b") is None
