"""``invenio doi reserve-unreserved``, ``verify [--fix]`` and ``breaker`` against the sandbox."""

from __future__ import annotations

from invenio_db import db as _db

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.models import ManagedDOI
from invenio_doi_ext.lifecycle.store import get_row


def test_reserve_unreserved_reserves_waiting_and_rowless_drafts(run, draft_with_doi, sandbox, db):
    waiting = draft_with_doi()
    rowless = draft_with_doi()
    waiting_doi = waiting.data["pids"]["doi"]["identifier"].lower()
    rowless_doi = rowless.data["pids"]["doi"]["identifier"].lower()
    row = get_row(waiting_doi)
    assert (row.desired_state, row.remote_state) == ("draft", "none")
    assert sandbox.control.dois() == []
    # A draft minted before the package was installed: a DataCite DOI, no row.
    db.session.query(ManagedDOI).filter(ManagedDOI.doi == rowless_doi).delete()
    db.session.commit()

    result = run("reserve-unreserved")

    assert result.exit_code == 0, result.output
    assert "done 2, failed 0, remaining 0" in result.stdout
    assert {item["doi"]: item["state"] for item in sandbox.control.dois()} == {
        waiting_doi: "draft",
        rowless_doi: "draft",
    }
    assert get_row(rowless_doi).remote_state == "draft"
    # Rerunning finds nothing left to do.
    again = run("reserve-unreserved")
    assert again.exit_code == 0 and "done 0, failed 0, remaining 0" in again.stdout


def test_reserve_unreserved_during_outage_leaves_them_for_the_next_run(run, draft_with_doi, sandbox):
    draft = draft_with_doi()
    doi = draft.data["pids"]["doi"]["identifier"].lower()
    sandbox.control.outage()

    result = run("reserve-unreserved")

    assert result.exit_code == 1
    assert "Could not prove the DataCite credentials" in result.stderr
    assert get_row(doi).remote_state == "none" and get_row(doi).attempts == 0
    sandbox.control.clear_faults()
    assert run("reserve-unreserved").exit_code == 0
    assert get_row(doi).remote_state == "draft"


def test_verify_in_sync_dois(run, publish, sandbox):
    publish()
    publish()
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert "checked 4, drift 0" in result.stdout  # two version DOIs, two concept DOIs


def test_verify_reports_each_kind_of_drift_and_fix_converges(run, publish, sandbox):
    records = [publish() for _ in range(4)]
    dois = [record.data["pids"]["doi"]["identifier"].lower() for record in records]
    control = sandbox.control
    control.remove(dois[0])
    control.seed(dois[1], "registered")
    control.seed(dois[2], "findable", url="https://elsewhere.example.org/")
    attributes = control.doi(dois[3])["attributes"]
    attributes["titles"] = [{"title": "Edited in Fabrica"}]
    control.seed(dois[3], "findable", attributes=attributes)

    result = run("verify")

    assert result.exit_code == 1
    out = result.stdout
    assert f"{dois[0]}  missing" in out
    assert f"{dois[1]}  wrong state: expected findable" in out and "DataCite holds registered" in out
    assert f"{dois[2]}  different URL" in out
    assert f"{dois[3]}  different metadata (titles)" in out
    assert "drift 4 (different URL 1, different metadata 1, missing 1, wrong state 1)" in out
    assert get_row(dois[1]).in_sync  # without --fix nothing is written

    fixed = run("verify", "--fix")

    assert fixed.exit_code == 1
    assert "fixed 4" in fixed.stdout
    # The fixed rows were handed to the (eager) workers, which sent the desired state again.
    held = {item["doi"]: item for item in control.dois()}
    assert all(held[doi]["state"] == "findable" for doi in dois)
    assert held[dois[2]]["url"] == get_row(dois[2]).desired_url
    assert held[dois[3]]["attributes"]["titles"] != [{"title": "Edited in Fabrica"}]
    assert any(e.operation == "verify" for e in get_row(dois[1]).events)
    assert run("verify").exit_code == 0


def test_verify_when_datacite_is_down(run, publish, sandbox):
    publish()
    sandbox.control.outage()
    result = run("verify")
    assert result.exit_code == 1
    assert "Could not prove the DataCite credentials" in result.stderr
    assert "nothing was checked or changed" in result.stderr


def test_verify_fix_with_a_wrong_password_stops_before_changing_anything(run, publish, sandbox, set_config):
    """With wrong credentials every draft or registered DOI reads as 404: no pass may believe it."""
    from invenio_doi_ext.lifecycle.client import reset_gateway

    record = publish()
    doi = record.data["pids"]["doi"]["identifier"].lower()
    draft_doi = record.data["parent"]["pids"]["doi"]["identifier"].lower()
    before = {row.doi: (row.remote_state, row.remote_fingerprint, row.version_id) for row in ManagedDOI.query}
    set_config(DATACITE_PASSWORD="not-the-password")
    reset_gateway()
    try:
        result = run("verify", "--fix")
    finally:
        set_config(DATACITE_PASSWORD="sandbox")
        reset_gateway()
    assert result.exit_code == 1
    assert "DATACITE_USERNAME / DATACITE_PASSWORD" in result.stderr
    _db.session.expire_all()
    after = {row.doi: (row.remote_state, row.remote_fingerprint, row.version_id) for row in ManagedDOI.query}
    assert after == before and {doi, draft_doi} <= set(after)
    assert [e for e in sandbox.control.journal() if e["path"] == "/dois/validate"][-1]["status"] == 401


def test_breaker_show_and_reset(run, db):
    shown = run("breaker", "show")
    assert shown.exit_code == 0 and "state: closed" in shown.stdout
    breaker.trip("DataCite refused the credentials: 401")
    _db.session.commit()

    shown = run("breaker", "show")
    assert shown.exit_code == 1
    assert "open (calls paused until" in shown.stdout
    assert "refused the credentials" in shown.stdout

    assert run("breaker", "reset").exit_code == 0
    assert run("breaker", "show").exit_code == 0
