"""The convergence step on its own: planning, in-flight changes, back-off, breaker."""

from __future__ import annotations

import pytest
from lifecycle_helpers import make_due, payload, puts_to, row_of

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.converge import call, converge
from invenio_doi_ext.lifecycle.models import DOIState
from invenio_doi_ext.lifecycle.plan import Step, plan
from invenio_doi_ext.lifecycle.store import Target, backoff_delay, claim, set_desired
from invenio_doi_ext.lifecycle.store import record_outcome as record

D, N, R, F = DOIState.DRAFT, DOIState.NONE, DOIState.REGISTERED, DOIState.FINDABLE


@pytest.mark.parametrize(
    ("desired", "remote", "same_payload", "operation"),
    [
        (N, N, True, None),
        (N, D, True, "delete_draft"),
        (D, N, True, "reserve"),
        (D, D, True, None),
        (D, D, False, "update"),
        (R, N, True, "register"),
        (R, D, True, "register"),
        (R, R, False, "update"),
        (R, F, True, "hide"),
        (F, N, True, "publish"),
        (F, D, True, "publish"),
        (F, R, True, "publish"),
        (F, F, True, None),
        (F, F, False, "update"),
    ],
)
def test_plan_is_the_smallest_call(desired, remote, same_payload, operation):
    assert plan(desired, remote, "a", "a" if same_payload else "b") == operation


URL = "https://repo.example.org/doi/10.1234/inflight"


def test_a_change_made_while_a_call_is_in_flight_is_sent_afterwards(app, db, sandbox):
    row = set_desired("10.1234/inflight", Target(F, payload("First"), URL))
    db.session.commit()
    step, taken = claim(row.id)
    assert step == Step.SENT and taken.payload["titles"] == [{"title": "First"}]

    # While the worker is talking to DataCite, the depositor publishes an edit.
    set_desired("10.1234/inflight", Target(F, payload("Second"), URL))
    db.session.commit()
    record(taken, call(taken), "test")

    row = row_of("10.1234/inflight")
    assert row.remote_state == F and not row.in_sync  # DataCite has "First"; "Second" is pending
    assert converge(row.id)[0] == Step.SENT
    row = row_of("10.1234/inflight")
    assert row.in_sync
    assert sandbox.control.doi("10.1234/inflight")["attributes"]["titles"] == [{"title": "Second"}]
    assert len(puts_to(sandbox.control.journal(), "10.1234/inflight")) == 2


def test_a_leased_row_is_not_taken_twice(app, db, sandbox):
    row = set_desired("10.1234/leased", Target(F, payload("Leased"), URL))
    db.session.commit()
    step, taken = claim(row.id)
    assert step == Step.SENT
    assert claim(row.id) == (Step.SKIPPED, None)  # another worker: the lease holds
    record(taken, call(taken), "test")
    assert row_of("10.1234/leased").in_sync


def test_backoff_grows_is_capped_and_honours_retry_after(app):
    app.config["DOI_EXT_BACKOFF"] = (10.0, 100.0)
    try:
        for attempts, ceiling in ((1, 10.0), (2, 20.0), (3, 40.0), (8, 100.0)):
            delays = [backoff_delay(attempts) for _ in range(50)]
            assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert backoff_delay(1, retry_after=300.0) == 300.0
    finally:
        app.config["DOI_EXT_BACKOFF"] = (30.0, 3600.0)


def test_repeated_outage_opens_the_breaker(app, db, sandbox):
    app.config["DOI_EXT_CIRCUIT_BREAKER"] = {"failures": 3, "pause": 120.0}
    try:
        sandbox.control.outage("500")
        rows = [set_desired(f"10.1234/outage-{n}", Target(F, payload("Down"), URL)) for n in range(3)]
        db.session.commit()
        ids = [row.id for row in rows]
        for row_id in ids:
            converge(row_id)
        assert breaker.paused_until() is not None
        assert len(sandbox.control.journal()) == 3

        # While paused, nothing is sent, and no row burns an attempt.
        make_due()
        assert converge(ids[0])[0] == Step.PAUSED
        assert len(sandbox.control.journal()) == 3
        assert {row_of(f"10.1234/outage-{n}").attempts for n in range(3)} == {1}
    finally:
        app.config["DOI_EXT_CIRCUIT_BREAKER"] = {"failures": 5, "pause": 300.0}
        breaker.reset()
        db.session.commit()
