"""What one request computes: no published DOI's payload, and the draft's check at most once.

The request path is where ours cost more than upstream's, which serializes in its
Celery task. A publish, a tombstone and a restore now decide the state and the
source in the record's transaction and leave the payloads to the worker
(``converge.build_payload``); a publish reuses the check of the draft's last
save against DataCite's rules when the draft has not changed since
(``invenio_doi_ext.metadata.memo``). Upstream's PIDsComponent also calls the
providers' ``create`` and ``reserve`` hooks, and tombstone and restore their
``delete`` and ``restore`` hooks; none of them may serialize either. Counted
with the serializer itself, not timed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from invenio_access.permissions import system_identity
from lifecycle_helpers import row_of

from invenio_doi_ext.lifecycle.converge import build_payload
from invenio_doi_ext.lifecycle.models import DOIEvent, DOIState
from invenio_doi_ext.metadata import payload as payloads

TITLE = "Sea surface temperatures of the Ligurian Sea"


@pytest.fixture
def serialized(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    """Counts of the DataCite serializer's runs, by whether it saw a concept or a version."""
    counts: Counter = Counter()
    real = payloads._serializer.dump_obj

    def counting(obj: Any) -> Any:
        counts["concept" if hasattr(obj, "_parent") else "version"] += 1
        return real(obj)

    monkeypatch.setattr(payloads._serializer, "dump_obj", counting)
    yield counts


def built(*dois: str) -> None:
    """What a worker does first: build the payloads the requests left to it."""
    for doi in dois:
        build_payload(row_of(doi))


def test_a_first_publish_serializes_nothing_and_reuses_the_check_of_the_save(
    service, record_data, serialized, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    assert serialized == {"version": 1}  # DataCite's rules, checked when the draft is saved
    serialized.clear()
    record = service.publish(system_identity, draft.id)

    # The draft is as saved: its check is reused (publish is still refused on an
    # error); the version's and the concept's payloads are left to the worker.
    assert serialized == {}
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    row = row_of(doi)
    assert row.desired_state == DOIState.FINDABLE
    assert (row.desired_payload, row.desired_fingerprint, row.in_sync) == (None, None, False)
    assert row.desired_source is not None
    reasons = [e.message for e in DOIEvent.query.filter_by(doi_id=row.id, action="desired")]
    assert reasons == ["published"]

    # The worker serializes each once, from the record as committed.
    built(doi, concept)
    assert serialized == {"version": 1, "concept": 1}
    for identifier in (doi, concept):
        assert row_of(identifier).desired_payload["titles"] == [{"title": TITLE}]


def test_a_publish_of_a_reserved_draft_serializes_only_the_check_of_the_new_doi(
    service, record_data, serialized, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    service.pids.create(system_identity, draft.id, "doi")  # "Get a DOI now" on the form
    doi = service.read_draft(system_identity, draft.id).data["pids"]["doi"]["identifier"]
    assert row_of(doi).desired_state == DOIState.DRAFT
    serialized.clear()
    service.publish(system_identity, draft.id)

    # The DOI given since the last save changed what is checked: checked again;
    # the payloads are the worker's.
    assert serialized == {"version": 1}
    assert row_of(doi).desired_state == DOIState.FINDABLE


@pytest.mark.parametrize("operation", ["delete_record", "restore_record"])
def test_tombstone_and_restore_serialize_nothing_and_keep_the_built_payload(
    service, record_data, serialized, deferred_tasks, db, operation
):
    draft = service.create(system_identity, record_data())
    record = service.publish(system_identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]
    built(doi)
    fingerprint = row_of(doi).desired_fingerprint
    serialized.clear()
    service.delete_record(system_identity, record.id, {})
    if operation == "restore_record":
        service.restore_record(system_identity, record.id)
    expected = DOIState.REGISTERED if operation == "delete_record" else DOIState.FINDABLE

    # Neither changes what the serializer reads: the version keeps the payload
    # the worker built after the publish, and nothing is serialized.
    assert serialized == {}
    row = row_of(doi)
    assert row.desired_state == expected
    assert row.desired_fingerprint == fingerprint
    assert row.desired_payload["titles"] == [{"title": "Sea surface temperatures of the Ligurian Sea"}]


def test_an_edit_is_serialized_again_by_the_worker_and_the_payload_says_it(
    service, record_data, serialized, deferred_tasks, db
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    built(doi, concept)
    draft = service.edit(system_identity, record.id)
    data = dict(draft.data)
    data["metadata"] = {**data["metadata"], "title": "Sea surface temperatures, corrected"}
    service.update_draft(system_identity, record.id, data)
    serialized.clear()
    service.publish(system_identity, record.id)

    # The check of the saved edit is reused; both payloads are built anew, by the worker.
    assert serialized == {}
    assert row_of(doi).desired_payload is None
    built(doi, concept)
    assert serialized == {"version": 1, "concept": 1}
    for identifier in (doi, concept):
        row = row_of(identifier)
        assert row.desired_payload["titles"] == [{"title": "Sea surface temperatures, corrected"}]


def test_a_republish_that_changes_nothing_writes_nothing(
    service, record_data, serialized, deferred_tasks, db
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    built(doi)
    before = row_of(doi)
    version, events, fingerprint = before.version_id, before.events.count(), before.desired_fingerprint
    serialized.clear()
    service.edit(system_identity, record.id)
    service.publish(system_identity, record.id)

    # Same source: the row is not written (no new version, no event), the payload is kept.
    after = row_of(doi)
    assert (after.version_id, after.events.count()) == (version, events)
    assert after.desired_fingerprint == fingerprint is not None
    assert serialized == {"version": 1}  # the check of the edit (never saved) against DataCite's rules


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple, dict]]:
    """Every Celery task a request queues: (task name, args, kwargs)."""
    from celery.app.task import Task

    calls: list[tuple[str, tuple, dict]] = []
    real = Task.apply_async

    def recording(self, args=None, kwargs=None, **options):
        calls.append((self.name.rsplit(".", 1)[-1], tuple(args or ()), dict(kwargs or {})))
        return real(self, args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    return calls


def test_a_publish_queues_our_convergence_not_upstreams_registration_of_our_dois(
    service, record_data, queued, deferred_tasks, db
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)

    # Upstream's register_or_update_pid would only reach our providers' hooks for our
    # two DOIs; the OAI identifier keeps its task.
    names = sorted((name, args[1:], kwargs) for name, args, kwargs in queued if name != "converge_doi")
    assert names == [("register_or_update_pid", ("oai",), {})]
    converged = {args[0] for name, args, _ in queued if name == "converge_doi"}
    dois = (record.data["pids"]["doi"]["identifier"], record.data["parent"]["pids"]["doi"]["identifier"])
    assert converged == {row_of(doi).id for doi in dois}


def test_an_external_doi_keeps_upstreams_registration_task(service, record_data, queued, deferred_tasks, db):
    data = record_data()
    data["pids"] = {"doi": {"identifier": "10.9999/elsewhere", "provider": "external"}}
    service.publish(system_identity, service.create(system_identity, data).id)

    # Upstream's task marks an external DOI registered locally: it must still run.
    assert ("register_or_update_pid", ("doi",), {}) in [(n, a[1:], k) for n, a, k in queued]
