"""The "redacted" policy through the real service: what DataCite holds for each access level."""

from __future__ import annotations

from invenio_access.permissions import system_identity
from metadata_helpers import (
    REDACTED_TITLE,
    bodies,
    concept_doi_of,
    doi_of,
    embargo_until,
    expire_embargo,
    make_public,
    republish,
    restrict,
    text,
)

from invenio_doi_ext.lifecycle.store import get_row
from invenio_doi_ext.metadata import policy

RESTRICTED = {"record": "restricted", "files": "restricted"}
PUBLIC_RESTRICTED_FILES = {"record": "public", "files": "restricted"}


def create_and_publish(rdm, data):
    return rdm.publish(system_identity, rdm.create(system_identity, data).id)


def titled(record_data, title, **overrides):
    return record_data(title=title, **overrides)


def test_public_to_restricted_is_one_hide_call_with_redacted_metadata(rdm, sandbox, record_data):
    record = rdm.publish(system_identity, rdm.create(system_identity, titled(record_data, "Cod stocks")).id)
    doi = doi_of(record)
    assert sandbox.control.doi(doi)["state"] == "findable"
    seen = sandbox.control.journal()[-1]["seq"]

    republish(rdm, record.id, restrict)

    calls = [e for e in sandbox.control.journal(since=seen) if doi in e["path"]]
    assert [(c["method"], c["body"]["data"]["attributes"].get("event")) for c in calls] == [("PUT", "hide")]
    sent = bodies(calls)[0]
    assert sent["titles"] == [{"title": REDACTED_TITLE}]
    held = sandbox.control.doi(doi)
    assert held["state"] == "registered"
    assert "Cod stocks" not in text(held["attributes"]) and "Brown" not in text(held["attributes"])
    # No public version left: the concept DOI is hidden and redacted as well.
    concept = sandbox.control.doi(concept_doi_of(record))
    assert concept["state"] == "registered"
    assert concept["attributes"]["titles"] == [{"title": REDACTED_TITLE}]


def test_restricted_to_public_becomes_findable_with_full_metadata(rdm, sandbox, record_data):
    draft = rdm.create(system_identity, titled(record_data, "Kelp forests", access=RESTRICTED))
    record = rdm.publish(system_identity, draft.id)
    doi = doi_of(record)
    assert sandbox.control.doi(doi)["state"] == "registered"
    assert "Kelp" not in text(bodies(sandbox.control.journal()))

    republish(rdm, record.id, make_public)

    held = sandbox.control.doi(doi)
    assert held["state"] == "findable"
    assert held["attributes"]["titles"] == [{"title": "Kelp forests"}]
    assert sandbox.control.doi(concept_doi_of(record))["state"] == "findable"


def test_restricted_or_embargoed_files_keep_full_metadata(rdm, sandbox, record_data):
    restricted_files = rdm.publish(
        system_identity,
        rdm.create(system_identity, titled(record_data, "Files closed", access=PUBLIC_RESTRICTED_FILES)).id,
    )
    embargoed_files = rdm.publish(
        system_identity,
        rdm.create(
            system_identity,
            titled(
                record_data,
                "Files embargoed",
                access={"record": "public", "files": "restricted",
                        "embargo": {"active": True, "until": embargo_until(), "reason": "thesis"}},
            ),
        ).id,
    )
    for record, title in ((restricted_files, "Files closed"), (embargoed_files, "Files embargoed")):
        held = sandbox.control.doi(doi_of(record))
        assert held["state"] == "findable"
        assert held["attributes"]["titles"] == [{"title": title}]


def test_embargoed_record_is_redacted_until_the_lift_makes_it_findable(rdm, sandbox, record_data, drain):
    access = {"record": "restricted", "files": "restricted",
              "embargo": {"active": True, "until": embargo_until(), "reason": "patent"}}
    record = create_and_publish(rdm, titled(record_data, "Sealed", access=access))
    doi, concept = doi_of(record), concept_doi_of(record)
    assert sandbox.control.doi(doi)["state"] == "registered"
    assert "Sealed" not in text(bodies(sandbox.control.journal()))

    expire_embargo(record.id)
    rdm.lift_embargo(system_identity, record.id)
    drain()

    held = sandbox.control.doi(doi)
    assert held["state"] == "findable"
    assert held["attributes"]["titles"] == [{"title": "Sealed"}]
    assert sandbox.control.doi(concept)["state"] == "findable"
    assert sandbox.control.doi(concept)["attributes"]["titles"] == [{"title": "Sealed"}]
    assert get_row(doi).in_sync and get_row(concept).in_sync


def test_draft_reservations_carry_what_was_entered_or_the_template(rdm, sandbox, record_data, drain):
    public = rdm.create(system_identity, titled(record_data, "Open draft"))
    closed = rdm.create(system_identity, titled(record_data, "Closed draft", access=RESTRICTED))
    public_doi = rdm.pids.create(system_identity, public.id, "doi").data["pids"]["doi"]["identifier"]
    closed_doi = rdm.pids.create(system_identity, closed.id, "doi").data["pids"]["doi"]["identifier"]
    drain()

    assert sandbox.control.doi(public_doi)["state"] == "draft"
    assert sandbox.control.doi(public_doi)["attributes"]["titles"] == [{"title": "Open draft"}]
    held = sandbox.control.doi(closed_doi)
    assert held["state"] == "draft"
    assert held["attributes"]["titles"] == [{"title": REDACTED_TITLE}]
    assert "Closed draft" not in text(bodies(sandbox.control.journal()))


def test_concept_describes_the_latest_public_version_only(rdm, sandbox, record_data):
    v1 = rdm.publish(system_identity, rdm.create(system_identity, titled(record_data, "Version one")).id)
    draft = rdm.new_version(system_identity, v1.id)
    data = record_data(title="Version two secret", access=RESTRICTED)
    rdm.update_draft(system_identity, draft.id, data)
    v2 = rdm.publish(system_identity, draft.id)
    concept = concept_doi_of(v2)

    assert sandbox.control.doi(doi_of(v2))["state"] == "registered"
    held = sandbox.control.doi(concept)
    assert held["state"] == "findable"
    assert held["attributes"]["titles"] == [{"title": "Version one"}]
    has_v1 = {"relatedIdentifier": doi_of(v1), "relationType": "HasVersion", "relatedIdentifierType": "DOI"}
    assert has_v1 in held["attributes"]["relatedIdentifiers"]
    assert doi_of(v2) not in text(held["attributes"])
    assert "secret" not in text(bodies(sandbox.control.journal()))

    republish(rdm, v1.id, restrict)  # no public version left
    held = sandbox.control.doi(concept)
    assert held["state"] == "registered"
    assert held["attributes"]["titles"] == [{"title": REDACTED_TITLE}]


def test_tombstoned_restricted_record_stays_hidden_and_redacted(rdm, sandbox, record_data):
    record = create_and_publish(rdm, titled(record_data, "Gone", access=RESTRICTED))
    rdm.delete_record(system_identity, record.id, {"removal_reason": {"id": "spam"}, "is_visible": True})
    held = sandbox.control.doi(doi_of(record))
    assert held["state"] == "registered"
    assert held["attributes"]["titles"] == [{"title": REDACTED_TITLE}]
    assert "Gone" not in text(bodies(sandbox.control.journal()))


def test_republish_without_change_sends_nothing(rdm, sandbox, record_data):
    record = rdm.publish(system_identity, rdm.create(system_identity, record_data()).id)
    seen = sandbox.control.journal()[-1]["seq"]
    row = get_row(doi_of(record))
    assert row.in_sync and row.remote_fingerprint == row.desired_fingerprint

    republish(rdm, record.id)
    republish(rdm, record.id, lambda data: None)  # saved through the form, unchanged

    assert sandbox.control.journal(since=seen) == []
    # A real change is one metadata update, nothing more.
    republish(rdm, record.id, lambda data: data["metadata"].update(title="Changed title"))
    calls = [c for c in sandbox.control.journal(since=seen) if doi_of(record) in c["path"]]
    assert [(c["method"], c["body"]["data"]["attributes"].get("event")) for c in calls] == [("PUT", None)]


def test_redacted_payload_holds_only_the_template_values(rdm, record_data, app):
    data = record_data(title="Private title", description="Private description")
    data["metadata"]["resource_type"] = {"id": "image-photo"}
    data["metadata"]["publication_date"] = "2019-03/2020"
    payload = policy.redacted_payload(data)
    assert payload["types"] == {"resourceTypeGeneral": "Image"}
    assert payload["publicationYear"] == "2019"
    assert payload["publisher"] == {"name": "Example Repository"}
    assert "Private" not in text(payload) and "Brown" not in text(payload)
    # A misconfigured vocabulary general type, or none at all, becomes "Other".
    data["metadata"]["resource_type"] = {"id": "dataset-misconfigured"}
    assert policy.redacted_payload(data)["types"] == {"resourceTypeGeneral": "Other"}
    data["metadata"].pop("resource_type")
    assert policy.redacted_payload(data)["types"] == {"resourceTypeGeneral": "Other"}


def test_redaction_template_is_configurable(rdm, record_data, app):
    template = {
        "titles": [{"title": "Closed item of {publisher} ({year})"}],
        "creators": [{"name": ":unas"}],
        "publisher": {"name": "{publisher}"},
        "publicationYear": "{year}",
        "types": {"resourceTypeGeneral": "{resource_type_general}", "resourceType": "{unknown}"},
    }
    original = app.config["DOI_EXT_REDACTED_METADATA"]
    app.config["DOI_EXT_REDACTED_METADATA"] = template
    try:
        payload = policy.redacted_payload(record_data(title="Never sent"))
    finally:
        app.config["DOI_EXT_REDACTED_METADATA"] = original
    assert payload["titles"] == [{"title": "Closed item of Example Repository (2024)"}]
    assert payload["types"] == {"resourceTypeGeneral": "Dataset", "resourceType": "{unknown}"}
    assert template["titles"] == [{"title": "Closed item of {publisher} ({year})"}]  # not mutated
