"""Operators see and steer DOIs per account: list, REST filter, admin column, breaker, metrics."""

from __future__ import annotations

import json

from invenio_db import db as _db
from lifecycle_helpers import row_of

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.converge import converge
from invenio_doi_ext.lifecycle.models import ManagedDOI, utcnow
from invenio_doi_ext.lifecycle.plan import Step
from invenio_doi_ext.lifecycle.tasks import job_result
from invenio_doi_ext.monitoring import digest, health, summary
from invenio_doi_ext.monitoring.metrics import exposition


def _row(doi: str, account: str) -> None:
    _db.session.add(
        ManagedDOI(
            doi=doi, pid_value=doi, kind="record", account=account, desired_state="findable",
            desired_fingerprint="d", remote_state="none", attempts=1, failed=False, next_attempt_at=utcnow(),
        )
    )
    _db.session.commit()


def test_list_status_and_rest_filter_by_account(run, admin, login, db):
    _row("10.1234/one", "default")
    _row("10.4444/two", "a")
    _row("10.5678/three", "b")

    listed = run("list", "--account", "b", "--format", "json")
    assert listed.exit_code == 0
    assert [(item["doi"], item["account"]) for item in json.loads(listed.output)] == [("10.5678/three", "b")]
    assert "account" in run("list", "--format", "csv").output.splitlines()[0].split(",")
    unknown = run("list", "--account", "nobody")
    assert unknown.exit_code == 2 and "unknown account 'nobody'" in unknown.output

    status = run("status", "10.4444/two")
    assert "Account" in status.output and " a\n" in status.output

    client = login(admin)
    hits = client.get("/dois?account=a").json["hits"]
    assert [(hit["doi"], hit["account"]) for hit in hits["hits"]] == [("10.4444/two", "a")]
    assert client.get("/dois").json["hits"]["total"] == 3
    refused = client.get("/dois?account=nobody")
    assert refused.status_code == 400 and refused.json["errors"][0]["field"] == "account"


def test_breaker_per_account_in_cli_health_and_metrics(run, app, db):
    breaker.trip("DataCite refused the credentials of account 'b': HTTP 401", "b")
    db.session.commit()
    try:
        shown = run("breaker", "show")
        assert shown.exit_code == 1
        assert "account: default\nstate: closed" in shown.output
        assert "account: b\nstate: open (calls paused until" in shown.output
        assert "account: a\nstate: closed" in shown.output  # every configured account
        assert run("breaker", "show", "--account", "a").exit_code == 0

        healthy, details = health.check()
        assert not healthy
        assert details["problems"] == ["breaker of account 'b' open: its calls to DataCite are paused"]

        told = digest.preview()["breaker"]
        assert [(c["event"], c.get("account")) for c in told] == [("opened", "b")]
        assert "'b'" in told[0]["reason"]

        text = exposition(summary.collect()).decode()
        assert 'doi_ext_account_breaker_open{account="b"} 1.0' in text
        assert 'doi_ext_account_breaker_open{account="default"} 0.0' in text
        assert "doi_ext_breaker_open 0.0" in text  # the default account's, as before

        _row("10.5678/waits", "b")
        step, row = converge(row_of("10.5678/waits").id, force=True)
        assert step == Step.PAUSED and row is not None
        assert "of account 'b' are paused until" in job_result(step, row)["message"]  # a REST sync job

        assert run("breaker", "reset", "--account", "b").exit_code == 0
        assert breaker.paused_until(account="b") is None
    finally:
        breaker.reset()
        db.session.commit()


def test_a_row_of_an_account_no_longer_configured_fails_saying_what_to_fix(app, db, sandbox):
    _row("10.9876/orphan", "gone")
    step, row = converge(row_of("10.9876/orphan").id)
    assert step == Step.SENT and row.failed and not row.in_sync
    assert "No DataCite account named 'gone'" in row.last_error
    assert "DOI_EXT_DATACITE_ACCOUNTS" in row.last_error
    assert sandbox.control.journal() == []  # nothing was sent with another account's credentials
