"""Every record event reaches DataCite: edits, versions, tombstones, restores, discards."""

from __future__ import annotations

import pytest
from invenio_access.permissions import system_identity
from lifecycle_helpers import make_due, puts_to, row_of, sweep_now

from invenio_doi_ext.lifecycle.models import DOIState
from invenio_doi_ext.lifecycle.states import dspace_state
from invenio_doi_ext.services.queries import RowFilter, list_query


def _edit_and_publish(service, record_id, title):
    draft = service.edit(system_identity, record_id)
    data = draft.data
    data["metadata"]["title"] = title
    service.update_draft(system_identity, record_id, data)
    return service.publish(system_identity, record_id)


def _event_of(entry):
    body = entry.get("body") or {}
    return body.get("data", {}).get("attributes", {}).get("event") if isinstance(body, dict) else None


@pytest.fixture
def strict_sandbox(set_config):
    """A DataCite account whose repository only allows URLs on repo.example.org."""
    from invenio_doi_ext.lifecycle.client import reset_gateway
    from invenio_doi_ext.sandbox import SandboxServer

    server = SandboxServer(
        prefixes=("10.1234",), username="sandbox", password="sandbox", allowed_domains=("repo.example.org",)
    )
    server.start()
    set_config(DOI_EXT_DATACITE_URL=server.url)
    reset_gateway()
    yield server
    server.stop()
    reset_gateway()


def test_refused_metadata_fails_visibly_until_the_record_changes(
    publish, service, strict_sandbox, set_config, db
):
    set_config(SITE_UI_URL="https://old-host.example.org")
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    row = row_of(doi)
    assert row.failed and row.last_status == 422
    assert row.last_error.startswith("url:")  # DataCite's field and text, verbatim
    assert "not allowed" in row.last_error
    calls = len(strict_sandbox.control.journal())

    make_due()
    sweep_now()
    assert len(strict_sandbox.control.journal()) == calls  # a failed row is not retried by itself

    set_config(SITE_UI_URL="https://repo.example.org")
    _edit_and_publish(service, record.id, "Sea surface temperatures, corrected")
    row = row_of(doi)
    assert row.in_sync and not row.failed and row.remote_state == DOIState.FINDABLE
    assert strict_sandbox.control.doi(doi)["url"] == f"https://repo.example.org/doi/{doi}"


def test_a_burst_of_edits_is_one_call_and_a_no_op_republish_none(publish, service, sandbox, set_config):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    set_config(DOI_EXT_COALESCE_SECONDS=60)
    sandbox.control.clear_journal()

    for number in range(1, 11):
        _edit_and_publish(service, record.id, f"Sea surface temperatures, take {number}")
    assert puts_to(sandbox.control.journal(), doi) == []  # still inside the coalescing window

    make_due()
    sweep_now()
    puts = puts_to(sandbox.control.journal(), doi)
    assert len(puts) == 1
    assert puts[0]["body"]["data"]["attributes"]["titles"] == [{"title": "Sea surface temperatures, take 10"}]
    assert "event" not in puts[0]["body"]["data"]["attributes"]  # a metadata update, no state change

    sandbox.control.clear_journal()
    _edit_and_publish(service, record.id, "Sea surface temperatures, take 10")
    make_due()
    sweep_now()
    assert sandbox.control.journal() == []


def test_new_version_updates_the_concept_doi(publish, service, record_data, sandbox):
    first = publish()
    concept = first.data["parent"]["pids"]["doi"]["identifier"]
    draft = service.new_version(system_identity, first.id)
    data = draft.data
    data["metadata"] = record_data(title="Sea surface temperatures, second release")["metadata"]
    service.update_draft(system_identity, draft.id, data)
    second = service.publish(system_identity, draft.id)

    second_doi = second.data["pids"]["doi"]["identifier"]
    assert second_doi != first.data["pids"]["doi"]["identifier"]
    assert second.data["parent"]["pids"]["doi"]["identifier"] == concept
    assert sandbox.control.doi(second_doi)["state"] == "findable"
    remote_concept = sandbox.control.doi(concept)
    assert remote_concept["state"] == "findable"
    assert remote_concept["attributes"]["titles"] == [{"title": "Sea surface temperatures, second release"}]


def test_tombstone_hides_both_and_the_concept_stays_hidden_then_restore(publish, service, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]

    service.delete_record(system_identity, record.id, {})
    assert sandbox.control.doi(doi)["state"] == "registered"
    assert sandbox.control.doi(concept)["state"] == "registered"
    hidden_at = len(sandbox.control.journal())

    # Upstream's own post-tombstone task and the sweep must not re-publish it.
    make_due()
    sweep_now()
    from invenio_rdm_records.services.pids.tasks import register_or_update_pid

    register_or_update_pid.apply(args=(record.id, "doi"), kwargs={"parent": True})
    later = sandbox.control.journal()[hidden_at:]
    assert "publish" not in [_event_of(entry) for entry in later]
    assert sandbox.control.doi(concept)["state"] == "registered"
    assert row_of(concept).desired_state == DOIState.REGISTERED

    service.restore_record(system_identity, record.id)
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert sandbox.control.doi(concept)["state"] == "findable"


def test_tombstone_of_one_version_keeps_the_concept_findable(publish, service, record_data, sandbox):
    first = publish()
    concept = first.data["parent"]["pids"]["doi"]["identifier"]
    draft = service.new_version(system_identity, first.id)
    data = draft.data
    data["metadata"] = record_data(title="Second release")["metadata"]
    service.update_draft(system_identity, draft.id, data)
    second = service.publish(system_identity, draft.id)

    service.delete_record(system_identity, second.id, {})
    assert sandbox.control.doi(second.data["pids"]["doi"]["identifier"])["state"] == "registered"
    remote_concept = sandbox.control.doi(concept)
    assert remote_concept["state"] == "findable"
    # The concept now describes the remaining public version.
    first_title = "Sea surface temperatures of the Ligurian Sea"
    assert remote_concept["attributes"]["titles"] == [{"title": first_title}]


def test_discarding_a_draft_deletes_its_reserved_draft_doi(service, record_data, sandbox, db):
    draft = service.create(system_identity, record_data())
    service.pids.create(system_identity, draft.id, "doi")  # "get a DOI now"
    data = service.read_draft(system_identity, draft.id).data
    doi = data["pids"]["doi"]["identifier"]
    service.update_draft(system_identity, draft.id, data)  # the form saves the draft
    assert sandbox.control.doi(doi)["state"] == "draft"
    assert row_of(doi).remote_state == DOIState.DRAFT

    service.delete_draft(system_identity, draft.id)
    assert sandbox.control.doi(doi) is None
    deletes = [e for e in sandbox.control.journal() if e["method"] == "DELETE"]
    assert [e["status"] for e in deletes] == [204]
    row = row_of(doi)
    assert row.desired_state == DOIState.NONE and row.remote_state == DOIState.NONE and row.in_sync
    # DSpace's name for a DOI DataCite held and deleted, as docs/architecture.rst says.
    assert dspace_state(row) == "DELETED"
    deleted = list_query(RowFilter(state="deleted")).all()
    minted = list_query(RowFilter(state="minted")).all()
    assert row.id in [r.id for r in deleted] and row.id not in [r.id for r in minted]


def test_a_discarded_draft_never_reserved_is_minted_not_deleted(
    service, record_data, sandbox, db, set_config
):
    set_config(DOI_EXT_RESERVE_ON_DRAFT=False)
    draft = service.create(system_identity, record_data())
    service.pids.create(system_identity, draft.id, "doi")
    doi = service.read_draft(system_identity, draft.id).data["pids"]["doi"]["identifier"]
    service.delete_draft(system_identity, draft.id)
    assert sandbox.control.journal() == []
    assert dspace_state(row_of(doi)) == "MINTED"


def test_public_to_restricted_and_back(publish, service, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    draft = service.edit(system_identity, record.id)
    data = draft.data
    data["access"]["record"] = "restricted"
    service.update_draft(system_identity, record.id, data)
    service.publish(system_identity, record.id)
    remote = sandbox.control.doi(doi)
    assert remote["state"] == "registered"
    assert remote["attributes"]["titles"] == [{"title": "Restricted record"}]

    draft = service.edit(system_identity, record.id)
    data = draft.data
    data["access"]["record"] = "public"
    service.update_draft(system_identity, record.id, data)
    service.publish(system_identity, record.id)
    remote = sandbox.control.doi(doi)
    assert remote["state"] == "findable"
    assert remote["attributes"]["titles"] == [{"title": "Sea surface temperatures of the Ligurian Sea"}]
