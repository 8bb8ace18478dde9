"""Publishing converges through workers; the request itself never calls DataCite."""

from __future__ import annotations

from invenio_access.permissions import system_identity
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from lifecycle_helpers import make_due, puts_to, row_of, sweep_now, wait_for

from invenio_doi_ext.lifecycle.models import DOIEvent, DOIState
from invenio_doi_ext.lifecycle.tasks import converge_doi


def test_publish_makes_both_dois_findable_with_metadata_and_landing_url(publish, sandbox):
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]

    remote = sandbox.control.doi(doi)
    assert remote["state"] == "findable"
    assert remote["url"] == f"https://repo.example.org/doi/{doi}"
    assert remote["attributes"]["titles"] == [{"title": "Sea surface temperatures of the Ligurian Sea"}]
    assert remote["attributes"]["creators"][0]["name"] == "Brown, Troy"
    assert sandbox.control.doi(concept)["state"] == "findable"

    row = row_of(doi)
    assert (row.desired_state, row.remote_state, row.in_sync) == (DOIState.FINDABLE, DOIState.FINDABLE, True)
    assert row.remote_fingerprint == row.desired_fingerprint
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.REGISTERED
    actions = [(e.action, e.operation, e.outcome) for e in DOIEvent.query.filter_by(doi_id=row.id)]
    assert actions == [("desired", None, None), ("call", "publish", "success")]


def test_the_publish_request_makes_no_call_to_datacite(service, record_data, sandbox, deferred_tasks, db):
    draft = service.create(system_identity, record_data())
    record = service.publish(system_identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]

    assert sandbox.control.journal() == []
    row = row_of(doi)
    assert row.desired_state == DOIState.FINDABLE and row.remote_state == DOIState.NONE
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.RESERVED

    # The worker's turn: one task per row, by id only.
    converge_doi.apply(args=(row.id,))
    assert [e["status"] for e in puts_to(sandbox.control.journal(), doi)] == [201]
    assert sandbox.control.doi(doi)["state"] == "findable"
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.REGISTERED


def test_a_lost_broker_message_is_recovered_by_the_sweep(
    app, service, record_data, sandbox, deferred_tasks, db
):
    draft = service.create(system_identity, record_data())
    record = service.publish(system_identity, draft.id)
    doi = record.data["pids"]["doi"]["identifier"]
    # deferred_tasks purges the queue on exit; simulate the loss now and switch back to eager.
    celery = app.extensions["invenio-celery"].celery
    with celery.connection_for_write() as connection:
        connection.default_channel.queue_purge(celery.conf.task_default_queue)
    celery.conf.task_always_eager = True
    assert sandbox.control.journal() == []

    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    assert sweep_now() == 2  # the version DOI and the concept DOI
    for each in (doi, concept):
        assert sandbox.control.doi(each)["state"] == "findable"
        assert row_of(each).in_sync


def test_outage_503_then_timeout_then_429_is_retried_until_one_success(publish, sandbox):
    sandbox.control.set_faults(queue=["503_html", "timeout", "429"], hang_seconds=3)
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]

    assert record.data["is_published"] is True
    row = row_of(doi)
    assert not row.in_sync and row.attempts == 1 and not row.failed
    assert row.next_attempt_at > row.updated or row.next_attempt_at > row.created
    assert "503" in row.last_error
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.RESERVED

    for _ in range(6):
        if row_of(doi).in_sync and row_of(concept).in_sync:
            break
        make_due()
        sweep_now()
    assert row_of(doi).in_sync and row_of(concept).in_sync
    assert PersistentIdentifier.get("doi", doi).status == PIDStatus.REGISTERED

    # The sandbox journals the hung request only when it finishes hanging.
    journal = wait_for(lambda: _with_faults(sandbox.control.journal(), 3))
    faults = [e["fault"] for e in sorted(journal, key=lambda e: e["seq"]) if e["fault"]]
    assert sorted(faults) == ["429", "503_html", "timeout"]
    for each in (doi, concept):
        successes = [e for e in puts_to(journal, each) if e["status"] in (200, 201)]
        assert len(successes) == 1, successes
        assert sandbox.control.doi(each)["state"] == "findable"
    messages = [e.message for e in DOIEvent.query.filter_by(doi_id=row_of(doi).id, action="call")]
    assert any("503" in (m or "") for m in messages)


def _with_faults(journal, count):
    return journal if len([e for e in journal if e["fault"]]) >= count else None


def test_credentials_refused_pause_every_worker(publish, sandbox, set_config, db):
    from invenio_doi_ext.lifecycle import breaker
    from invenio_doi_ext.lifecycle.client import reset_gateway

    set_config(DATACITE_PASSWORD="wrong")
    reset_gateway()
    record = publish()
    doi = record.data["pids"]["doi"]["identifier"]
    row = row_of(doi)
    assert row.last_status == 401 and not row.in_sync and not row.failed
    assert breaker.paused_until() is not None

    set_config(DATACITE_PASSWORD="sandbox")
    reset_gateway()
    make_due()
    calls_before = len(sandbox.control.journal())
    sweep_now()
    assert len(sandbox.control.journal()) == calls_before  # paused: nothing sent
    breaker.reset()
    db.session.commit()
    make_due()
    sweep_now()
    assert row_of(doi).in_sync
