"""The soak's and the leak audit's checks from the records can fail, and do when they should.

A small instance is built through the real records service (public, restricted
and tombstoned records, a new version, reserved drafts kept, discarded and
restricted, an open edit draft), converged by eager Celery, then broken on
purpose: a row deleted, a DOI created at the sandbox that the instance does not
know, a DOI's state or metadata changed at DataCite, a restricted field sent.
The functions are the ones the soak and the leak audit call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from doi_inventory import check_inventory
from doi_leaks import restricted_field_leaks
from invenio_access.permissions import system_identity
from invenio_db import db

from invenio_doi_ext.lifecycle.models import DOIEvent, ManagedDOI


@dataclass
class State:
    """The DOIs of the small instance, by role."""

    public: Any
    restricted: Any
    tombstoned: Any
    second_version: Any
    draft_id: str
    draft_doi: str
    restricted_draft_id: str
    restricted_draft_doi: str
    discarded_doi: str

    @staticmethod
    def doi(item: Any) -> str:
        return item.data["pids"]["doi"]["identifier"].lower()

    @staticmethod
    def concept(item: Any) -> str:
        return item.data["parent"]["pids"]["doi"]["identifier"].lower()

    @staticmethod
    def uuid(item: Any) -> str:
        """The record's object id (``item.id`` is its public id)."""
        return str(item._record.id)


def _reserve(service: Any, data: dict[str, Any]) -> tuple[str, str]:
    """A new draft with "get a DOI now", saved by the form: (draft id, DOI)."""
    draft = service.create(system_identity, data)
    service.pids.create(system_identity, draft.id, "doi")
    saved = service.read_draft(system_identity, draft.id).data
    service.update_draft(system_identity, draft.id, saved)
    return draft.id, saved["pids"]["doi"]["identifier"].lower()


def _secret(record_data: Any, title: str) -> dict[str, Any]:
    data = record_data(title=title, description=f"<p>Private notes of {title}</p>")
    data["access"] = {"record": "restricted", "files": "restricted"}
    return data


@pytest.fixture
def state(service: Any, record_data: Any, sandbox: Any, db: Any) -> State:
    def publish(data: dict[str, Any]) -> Any:
        return service.publish(system_identity, service.create(system_identity, data).id)

    public = publish(record_data(title="Public inventory record"))
    restricted = publish(_secret(record_data, "Restricted inventory record"))
    tombstoned = publish(record_data(title="Tombstoned inventory record"))
    service.delete_record(system_identity, tombstoned.id, {})
    new = service.new_version(system_identity, public.id)
    data = new.data
    data["metadata"]["title"] = "Second public version"
    data["metadata"]["publication_date"] = "2024-07-01"
    service.update_draft(system_identity, new.id, data)
    second = service.publish(system_identity, new.id)
    draft_id, draft_doi = _reserve(service, record_data(title="Kept reserved draft"))
    restricted_id, restricted_draft_doi = _reserve(service, _secret(record_data, "Restricted reserved draft"))
    discarded_id, discarded_doi = _reserve(service, record_data(title="Discarded reserved draft"))
    service.delete_draft(system_identity, discarded_id)
    edit = service.edit(system_identity, public.id)  # left open: its record decides
    data = edit.data
    data["metadata"]["title"] = "An edit not published yet"
    service.update_draft(system_identity, public.id, data)
    db.session.commit()
    return State(
        public, restricted, tombstoned, second, draft_id, draft_doi, restricted_id, restricted_draft_doi,
        discarded_doi,
    )


def held(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {doi["doi"]: doi for doi in sandbox.control.dois()}


def test_a_converged_instance_passes_every_check(state, sandbox):
    dois = held(sandbox)
    assert dois[state.doi(state.public)]["state"] == "findable"
    assert dois[state.doi(state.restricted)]["state"] == "registered"
    assert dois[state.doi(state.tombstoned)]["state"] == "registered"
    assert dois[state.draft_doi]["state"] == "draft"
    assert dois[state.restricted_draft_doi]["state"] == "draft"
    assert state.discarded_doi not in dois

    inventory = check_inventory(dois)

    assert inventory.problems == []
    assert inventory.judged["record"] == 4 and inventory.judged["parent"] == 3
    assert inventory.judged["draft"] == 2 and inventory.judged["edit draft"] == 1
    assert inventory.judged["PIDs"] == 9 and inventory.judged["sandbox DOIs"] == 9
    leaks = restricted_field_leaks(dois)
    assert leaks.problems == []
    assert leaks.judged == {"restricted draft": 1, "version DOI of restricted record": 1,
                            "concept DOI of parent": 1}


def test_a_published_doi_without_its_row_is_reported(state, sandbox):
    doi = state.doi(state.public)
    row = ManagedDOI.query.filter_by(doi=doi).one()
    DOIEvent.query.filter_by(doi_id=row.id).delete()
    db.session.delete(row)
    db.session.flush()

    problems = check_inventory(held(sandbox)).problems

    assert sorted(problems) == sorted([
        f"record {state.public.id} holds {doi}: no doi_ext_dois row",
        f"edit draft {state.public.id} holds {doi}: no doi_ext_dois row",
        f"PID doi:{state.public.data['pids']['doi']['identifier']} (REGISTERED, object "
        f"{state.uuid(state.public)}): no doi_ext_dois row",
        f"the sandbox holds {doi} (findable): the instance has no row for it",
    ])


def test_a_doi_at_datacite_the_instance_does_not_know_is_reported(state, sandbox):
    sandbox.control.seed("10.1234/nobody-minted-this", "findable", url="https://repo.example.org/x")
    # A discarded draft's DOI has its row, but nothing of the instance holds it any more.
    sandbox.control.seed(state.discarded_doi, "draft")
    # A DOI under a prefix that is not ours is none of our business.
    sandbox.control.seed("10.9999/someone-else", "findable")

    problems = check_inventory(held(sandbox)).problems

    assert sorted(problems) == sorted([
        "the sandbox holds 10.1234/nobody-minted-this (findable): the instance has no row for it",
        f"the sandbox holds {state.discarded_doi} (draft): no record, draft, parent or PID holds it",
    ])


def test_a_state_changed_at_datacite_is_reported(state, sandbox):
    version = state.doi(state.second_version)
    sandbox.control.seed(version, "registered")
    sandbox.control.remove(state.draft_doi)

    problems = check_inventory(held(sandbox)).problems

    assert sorted(problems) == sorted([
        f"record {state.second_version.id} holds {version}: expected findable, "
        "the sandbox holds it registered",
        f"draft {state.draft_id} holds {state.draft_doi}: expected draft, the sandbox does not hold it",
    ])


def test_metadata_or_url_changed_at_datacite_is_reported(state, sandbox):
    doi = state.doi(state.tombstoned)
    remote = sandbox.control.doi(doi)
    attributes = {**remote["attributes"], "titles": [{"title": "Changed behind our back"}]}
    sandbox.control.seed(doi, "registered", url="https://elsewhere.example.org/", attributes=attributes)

    problems = check_inventory(held(sandbox)).problems

    where = f"record {state.tombstoned.id} holds {doi}"
    assert problems == [
        f"{where}: the sandbox's URL 'https://elsewhere.example.org/' is not the expected "
        f"'https://repo.example.org/doi/{state.tombstoned.data['pids']['doi']['identifier']}'",
        f"{where}: the sandbox's metadata differs from the expected payload in ['titles']",
    ]


def test_a_row_for_the_wrong_object_or_wanting_the_wrong_state_is_reported(state, sandbox):
    doi = state.doi(state.restricted)
    row = ManagedDOI.query.filter_by(doi=doi).one()
    row.object_uuid = state.uuid(state.public)
    row.desired_state = "findable"
    db.session.flush()

    problems = check_inventory(held(sandbox)).problems

    where = f"record {state.restricted.id} holds {doi}"
    pid = state.restricted.data["pids"]["doi"]["identifier"]
    public, restricted = state.uuid(state.public), state.uuid(state.restricted)
    assert sorted(problems) == sorted([
        f"{where}: its row is the record DOI of object {public}, not the record DOI of object {restricted}",
        f"{where}: its row wants findable, the status implies registered",
        f"PID doi:{pid} (REGISTERED, object {restricted}): its row is the record DOI of object {public}",
    ])


def test_a_restricted_field_at_datacite_is_reported_for_the_version_and_the_concept(state, sandbox):
    version, concept = state.doi(state.restricted), state.concept(state.restricted)
    redacted = sandbox.control.doi(version)["attributes"]
    sandbox.control.seed(version, "registered", attributes={
        **redacted, "titles": [{"title": "Restricted inventory record"}],
    })
    sandbox.control.seed(concept, "registered", attributes={
        **redacted, "descriptions": [{"description": "Seen: private notes of Restricted inventory record."}],
    })
    sandbox.control.seed(state.restricted_draft_doi, "draft", attributes={
        **redacted, "creators": [{"name": "Brown, Troy", "familyName": "Brown"}],
    })

    leaks = restricted_field_leaks(held(sandbox)).problems

    parent = state.restricted.data["parent"]["id"]
    draft = f"{state.restricted_draft_doi} (restricted draft {state.restricted_draft_id})"
    assert sorted(leaks) == sorted([
        f"{version} (version DOI of restricted record {state.restricted.id}) carries the title "
        "'restricted inventory record'",
        # Embedded in a longer text: the description, and the title inside it.
        f"{concept} (concept DOI of parent {parent}) carries the title 'restricted inventory record'",
        f"{concept} (concept DOI of parent {parent}) carries the description "
        "'private notes of restricted inventory record'",
        f"{draft} carries the creator 'brown, troy'",
        f"{draft} carries the creator family name 'brown'",
    ])


def test_a_draft_doi_that_must_not_be_reserved_is_judged_absent(service, record_data, sandbox, set_config):
    set_config(DOI_EXT_RESERVE_ON_DRAFT=False)
    draft_id, doi = _reserve(service, record_data(title="Not reserved at DataCite"))
    db.session.commit()
    assert check_inventory(held(sandbox)).problems == []

    sandbox.control.seed(doi, "draft")

    assert check_inventory(held(sandbox)).problems == [
        f"draft {draft_id} holds {doi}: must not exist at DataCite, the sandbox holds it draft",
    ]
