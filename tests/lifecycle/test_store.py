"""The store's transitions: claims carry tokens, the breaker row exists, failures show."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from lifecycle_helpers import payload, row_of

from invenio_doi_ext.datacite.outcome import LIMITER_UNAVAILABLE
from invenio_doi_ext.lifecycle import breaker, store
from invenio_doi_ext.lifecycle.client import reset_gateway
from invenio_doi_ext.lifecycle.converge import call, converge
from invenio_doi_ext.lifecycle.models import (
    BREAKER_ROW_ID,
    CircuitBreaker,
    DOIEvent,
    DOIState,
    ManagedDOI,
    utcnow,
)
from invenio_doi_ext.lifecycle.plan import Step
from invenio_doi_ext.lifecycle.store import Target, claim, record_outcome, set_desired

F = DOIState.FINDABLE


def url(doi: str) -> str:
    return f"https://repo.example.org/doi/{doi}"


def expire_lease(row_id: int) -> None:
    """Time travel: the worker holding the row is presumed dead."""
    db_session = ManagedDOI.query.session
    db_session.query(ManagedDOI).filter(ManagedDOI.id == row_id).update(
        {ManagedDOI.lease_until: utcnow() - timedelta(seconds=1)}, synchronize_session=False
    )
    db_session.commit()


def test_a_late_answer_does_not_overwrite_the_outcome_of_a_newer_claim(app, db, sandbox):
    doi = "10.1234/late-answer"
    row = set_desired(doi, Target(F, payload("First"), url(doi)))
    db.session.commit()
    step, first = claim(row.id)
    assert step == Step.SENT
    first_answer = call(first)  # the first worker's call went out ...
    # ... but its worker stalled past the lease; the depositor edits; a second worker claims.
    expire_lease(row.id)
    set_desired(doi, Target(F, payload("Second"), url(doi)))
    db.session.commit()
    step, second = claim(row.id)
    assert step == Step.SENT and second.token != first.token
    record_outcome(second, call(second), "task:second")
    assert row_of(doi).in_sync and row_of(doi).remote_fingerprint == second.fingerprint

    # The first worker wakes up and reports: kept as an event, never applied over "Second".
    late = record_outcome(first, first_answer, "task:first")
    row = row_of(doi)
    assert row.remote_fingerprint != first.fingerprint
    assert not row.in_sync and row.next_attempt_at <= utcnow()  # made due: DataCite may hold "First"
    events = DOIEvent.query.filter_by(doi_id=row.id, actor="task:first").all()
    assert [e.message.startswith("late answer of an expired claim") for e in events] == [True]
    assert late is not None

    # The next convergence sends "Second" again, and the row ends in sync.
    assert converge(row.id)[0] == Step.SENT
    assert row_of(doi).in_sync
    assert sandbox.control.doi(doi)["attributes"]["titles"][0]["title"] == "Second"


def test_a_late_answer_that_changes_nothing_leaves_the_row_in_sync(app, db, sandbox):
    doi = "10.1234/late-same"
    row = set_desired(doi, Target(F, payload("Same"), url(doi)))
    db.session.commit()
    _, first = claim(row.id)
    first_answer = call(first)
    expire_lease(row.id)
    _, second = claim(row.id, force=True)
    record_outcome(second, call(second), "task:second")
    record_outcome(first, first_answer, "task:first")
    row = row_of(doi)
    assert row.in_sync and row.remote_fingerprint == first.fingerprint == second.fingerprint


def test_in_sync_is_derived_and_cannot_be_set(app, db):
    row = set_desired("10.1234/derived", Target(F, payload("Derived"), url("10.1234/derived")))
    db.session.commit()
    assert not row.in_sync
    with pytest.raises(AttributeError):
        row.in_sync = True
    # The indexed copy the sweep filters on follows the derived value at flush.
    assert ManagedDOI.query.filter(ManagedDOI.in_sync.is_(False), ManagedDOI.id == row.id).count() == 1


def test_the_breaker_row_exists_with_its_table(app, db):
    assert db.session.get(CircuitBreaker, BREAKER_ROW_ID) is not None
    assert breaker.state().consecutive_failures == 0


@pytest.mark.postgresql
def test_two_first_failures_at_once_do_not_collide(app, database):
    """Before the row was seeded, both inserted id 1 and one of them raised."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def fail_once() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                breaker.record_failure("HTTP 503")
                database.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                database.session.remove()

    threads = [threading.Thread(target=fail_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert errors == []
        database.session.expire_all()
        assert breaker.state().consecutive_failures == 2
    finally:
        breaker.reset()
        database.session.commit()


def test_an_unreachable_limiter_storage_is_a_visible_counted_failure(app, db, sandbox):
    doi = "10.1234/limiter-down"
    app.config["DOI_EXT_RATE_LIMIT_STORAGE"] = "redis://127.0.0.1:1/0"
    app.config["DOI_EXT_CIRCUIT_BREAKER"] = {"failures": 2, "pause": 120.0}
    reset_gateway()
    try:
        row = set_desired(doi, Target(F, payload("Limiter"), url(doi)))
        db.session.commit()
        assert converge(row.id)[0] == Step.SENT
        row = row_of(doi)
        assert row.attempts == 1 and not row.failed and not row.in_sync
        assert row.last_error.startswith(LIMITER_UNAVAILABLE) and "redis://..." in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=10)  # backed off, not re-queued at once
        assert sandbox.control.journal() == []  # nothing reached DataCite

        # When it persists, the breaker opens like for an outage of DataCite.
        store.operator_retry(row, "test")
        db.session.commit()
        converge(row.id)
        assert breaker.paused_until() is not None
        assert "rate limiter storage unavailable" in breaker.state().reason
    finally:
        app.config["DOI_EXT_RATE_LIMIT_STORAGE"] = "memory://"
        app.config["DOI_EXT_CIRCUIT_BREAKER"] = {"failures": 5, "pause": 300.0}
        reset_gateway()
        breaker.reset()
        db.session.commit()


def test_operator_retry_only_acts_on_rows_that_need_work(app, db, sandbox):
    doi = "10.1234/retry-in-sync"
    row = set_desired(doi, Target(F, payload("Retry"), url(doi)))
    db.session.commit()
    converge(row.id)
    row = row_of(doi)
    assert row.in_sync
    assert store.operator_retry(row, "test") is False
    assert DOIEvent.query.filter_by(doi_id=row.id, action="operator").count() == 0
