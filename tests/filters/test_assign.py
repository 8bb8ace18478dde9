"""Administrators give a DOI to a published record that has none: ``invenio doi assign`` and REST."""

from __future__ import annotations

from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.models import DOIEvent, ManagedDOI
from invenio_doi_ext.rdm import filters


def excluded_record(service, data, set_config):
    """Published while the filter excluded it: no DOI, no concept DOI."""
    set_config(DOI_EXT_FILTER=filters.never)
    draft = service.create(system_identity, data)
    record = service.publish(system_identity, draft.id)
    assert "doi" not in record.data["pids"]
    return record.id


def read(service, record_id):
    return service.read(system_identity, record_id).data


def events_of(doi):
    row = ManagedDOI.query.filter_by(doi=doi.lower()).one()
    return [(e.action, e.operation, e.actor) for e in DOIEvent.query.filter_by(doi_id=row.id)]


def test_cli_assign_mints_both_dois_and_they_become_findable(service, record_data, sandbox, set_config, run):
    record_id = excluded_record(service, record_data(), set_config)

    result = run("assign", record_id)
    assert result.exit_code == 0, result.output
    data = read(service, record_id)
    doi = data["pids"]["doi"]["identifier"]
    concept = data["parent"]["pids"]["doi"]["identifier"]
    assert f"a new DOI {doi}" in result.output and concept in result.output
    for each in (doi, concept):
        assert sandbox.control.doi(each)["state"] == "findable"
    assert sandbox.control.doi(doi)["url"] == f"https://repo.example.org/doi/{doi}"
    assert ("operator", "assign", "cli") in events_of(doi)
    assert [op for action, op, _ in events_of(doi) if action == "call"] == ["publish"]

    again = run("assign", record_id)
    assert again.exit_code == 1 and "already has the DOI" in again.output


def test_cli_assign_gives_back_the_doi_set_aside(
    service, record_data, sandbox, set_config, run, draft_with_doi
):
    draft_id, kept = draft_with_doi(record_data())
    set_config(DOI_EXT_FILTER=filters.never)
    service.publish(system_identity, draft_id)
    assert sandbox.control.doi(kept) is None

    result = run("assign", draft_id)
    assert result.exit_code == 0 and f"the DOI set aside for it {kept}" in result.output
    assert read(service, draft_id)["pids"]["doi"]["identifier"] == kept
    assert sandbox.control.doi(kept)["state"] == "findable"


def test_cli_assign_refuses_bad_and_unknown_ids(run, db):
    bad = run("assign", "not a record id!")
    assert bad.exit_code == 2 and "is not a record id" in bad.output
    unknown = run("assign", "abcde-12345")
    assert unknown.exit_code == 2 and "No published record" in unknown.output


def test_rest_assign_by_an_administrator(service, record_data, sandbox, set_config, admin, login):
    record_id = excluded_record(service, record_data(), set_config)
    client = login(admin.user)

    response = client.post(f"/dois/records/{record_id}/doi")
    assert response.status_code == 202, response.json
    body = response.json
    data = read(service, record_id)
    assert body["doi"] == data["pids"]["doi"]["identifier"].lower()
    assert body["concept_doi"] == data["parent"]["pids"]["doi"]["identifier"].lower()
    assert response.headers["Location"] == body["links"]["self"]
    assert sandbox.control.doi(body["doi"])["state"] == "findable"
    assert ("operator", "assign", f"user:{admin.user.id}") in events_of(body["doi"])

    status = client.get(f"/dois/{body['doi']}")
    assert status.status_code == 200 and status.json["dspace_state"] == "IS_REGISTERED"
    assert client.post(f"/dois/records/{record_id}/doi").status_code == 409


def test_rest_assign_refuses_non_administrators(
    service, record_data, sandbox, set_config, owner, login, client
):
    record_id = excluded_record(service, record_data(), set_config)

    assert client.post(f"/dois/records/{record_id}/doi").status_code == 403  # anonymous
    response = login(owner.user).post(f"/dois/records/{record_id}/doi")
    assert response.status_code == 403
    assert "doi" not in read(service, record_id)["pids"]
    assert sandbox.control.journal() == []


def test_rest_assign_bad_and_unknown_ids(admin, login, db):
    client = login(admin.user)
    assert client.post("/dois/records/bad%20id!/doi").status_code == 400
    assert client.post("/dois/records/abcde-12345/doi").status_code == 404


def test_rest_status_of_a_set_aside_doi_is_minted(
    service, record_data, sandbox, set_config, admin, login, draft_with_doi
):
    draft_id, doi = draft_with_doi(record_data())
    set_config(DOI_EXT_FILTER=filters.never)
    service.update_draft(system_identity, draft_id, record_data())  # the form no longer sends the DOI

    body = login(admin.user).get(f"/dois/{doi}").json
    assert body["dspace_state"] == "MINTED" and body["desired"]["state"] == "none"
