"""The worker builds a published DOI's payload from the record as committed, or says why not."""

from __future__ import annotations

import pytest
from invenio_access.permissions import system_identity
from lifecycle_helpers import row_of

from invenio_doi_ext.lifecycle import builders
from invenio_doi_ext.lifecycle.converge import build_payload, converge
from invenio_doi_ext.lifecycle.models import DOIKind
from invenio_doi_ext.lifecycle.plan import Step
from invenio_doi_ext.lifecycle.store import build_desired, operator_retry


def test_a_published_doi_is_sent_with_the_payload_built_from_the_committed_record(
    service, record_data, sandbox, deferred_tasks, db
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    assert row_of(doi).desired_payload is None

    step, row = converge(row_of(doi).id)

    assert step == Step.SENT and row.in_sync
    held = sandbox.control.doi(doi)
    assert held["state"] == "findable"
    assert held["attributes"]["titles"] == [{"title": "Sea surface temperatures of the Ligurian Sea"}]
    assert row.desired_payload["titles"] == held["attributes"]["titles"]


def test_a_payload_built_for_an_older_source_is_not_stored(service, record_data, deferred_tasks, db):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    row = row_of(doi)

    # A worker that read the row before a request committed a new source.
    build_desired(row.id, "an older source", {"titles": [{"title": "stale"}]}, row.desired_url)

    row = row_of(doi)
    assert (row.desired_payload, row.desired_fingerprint) == (None, None)


def test_a_payload_that_cannot_be_built_fails_visibly_and_is_retried(
    service, record_data, deferred_tasks, db, monkeypatch
):
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    doi = record.data["pids"]["doi"]["identifier"]
    working = builders.builder_for(DOIKind.RECORD)

    def broken(row):
        raise ValueError("the serializer choked on the record")

    monkeypatch.setattr(builders, "_builders", {**builders._builders, DOIKind.RECORD: broken})
    build_payload(row_of(doi))

    row = row_of(doi)
    assert row.failed
    assert "could not be built from the record: the serializer choked" in row.last_error
    last = row.events.order_by(None).all()[-1]
    assert (last.operation, last.outcome) == ("build", "failed")

    # An operator's retry after the fix builds it.
    monkeypatch.setattr(builders, "_builders", {**builders._builders, DOIKind.RECORD: working})
    assert operator_retry(row, actor="cli")
    db.session.commit()
    build_payload(row_of(doi))
    row = row_of(doi)
    assert not row.failed and row.desired_payload["titles"]


@pytest.mark.parametrize("kind", [DOIKind.RECORD, DOIKind.PARENT])
def test_the_record_layer_registers_a_builder_for_every_kind_it_defers(app, kind):
    assert builders.builder_for(kind) is not None
