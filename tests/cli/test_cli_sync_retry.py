"""``invenio doi sync`` and ``invenio doi retry`` against the sandbox over HTTP."""

from __future__ import annotations

from invenio_doi_ext.lifecycle.models import utcnow
from invenio_doi_ext.lifecycle.store import get_row


def held(sandbox) -> dict[str, str]:
    return {item["doi"]: item["state"] for item in sandbox.control.dois()}


def test_sync_needs_a_selection(run, db):
    result = run("sync")
    assert result.exit_code == 2
    assert "Name DOIs, or give --all or --failed" in result.output


def test_sync_refuses_bad_or_unknown_dois_before_doing_anything(run, make_row, sandbox):
    make_row("10.1234/waiting", "findable", "none")
    bad = run("sync", "--wait", "10.1234/waiting", "10.1234/a b")
    assert bad.exit_code == 2 and "contains whitespace" in bad.output
    unknown = run("sync", "--wait", "10.1234/waiting", "10.1234/unknown")
    assert unknown.exit_code == 2 and "'10.1234/unknown' is not managed" in unknown.output
    assert sandbox.control.journal() == []
    assert get_row("10.1234/waiting").remote_state == "none"


def test_sync_all_wait_converges_with_counts(run, make_row, sandbox):
    for name in ("a", "b", "c"):
        make_row(f"10.1234/{name}", "findable", "none", next_attempt_at=utcnow().replace(year=2999))
    make_row("10.1234/fine", "findable", "findable")

    result = run("sync", "--all", "--wait")

    assert result.exit_code == 0, result.output
    assert "done 3, failed 0, remaining 0" in result.stdout
    assert held(sandbox) == {"10.1234/a": "findable", "10.1234/b": "findable", "10.1234/c": "findable"}
    row = get_row("10.1234/a")
    assert row.in_sync and row.attempts == 0
    assert any(event.actor == "cli" and event.action == "call" for event in row.events)


def test_sync_without_wait_hands_rows_to_the_workers(run, make_row, sandbox):
    # Backed off until far in the future: sync makes it due now (eager Celery runs the task).
    make_row("10.1234/later", "findable", "none", attempts=3, next_attempt_at=utcnow().replace(year=2999))

    result = run("sync", "10.1234/later")

    assert result.exit_code == 0
    assert "1 DOI(s) handed to the workers" in result.output
    assert held(sandbox) == {"10.1234/later": "findable"}
    assert get_row("10.1234/later").in_sync


def test_sync_wait_during_outage_reports_remaining_and_breaker(run, make_row, sandbox):
    for number in range(6):
        make_row(f"10.1234/out-{number}", "findable", "none")
    sandbox.control.outage()

    result = run("sync", "--all", "--wait")

    assert result.exit_code == 1
    assert "done 0, failed 0, remaining 6" in result.stdout
    assert "paused until" in result.stderr  # five 503s in a row opened the breaker
    assert run("breaker", "show").exit_code == 1

    sandbox.control.clear_faults()
    assert run("breaker", "reset").exit_code == 0
    again = run("sync", "--all", "--wait")
    assert again.exit_code == 0, again.output
    assert "done 6, failed 0, remaining 0" in again.stdout


def test_sync_failed_clears_failures_and_all_leaves_them(run, make_row, sandbox):
    make_row("10.1234/refused", "findable", "none", failed=True, last_error="old refusal")

    assert "done 0, failed 0, remaining 0" in run("sync", "--all", "--wait").stdout
    assert get_row("10.1234/refused").failed

    result = run("sync", "--failed", "--wait")

    assert result.exit_code == 0, result.output
    assert "done 1, failed 0, remaining 0" in result.stdout
    row = get_row("10.1234/refused")
    assert row.in_sync and not row.failed
    assert [e.operation for e in row.events if e.action == "operator"] == ["sync"]


def test_sync_permanent_refusal_counts_as_failed(run, make_row, sandbox):
    make_row("10.9999/foreign", "findable", "none")

    result = run("sync", "--wait", "10.9999/foreign")

    assert result.exit_code == 1
    assert "done 0, failed 1, remaining 0" in result.stdout
    assert get_row("10.9999/foreign").last_status == 403


def test_retry_clears_failure_and_converges(run, make_row, sandbox):
    make_row("10.1234/retry-me", "findable", "none", failed=True, attempts=4, last_error="DataCite said no")

    result = run("retry", "10.1234/retry-me")

    assert result.exit_code == 0, result.output
    assert "handed to the workers (was: DataCite said no)" in result.output
    row = get_row("10.1234/retry-me")
    assert row.in_sync and not row.failed and row.attempts == 0
    assert held(sandbox) == {"10.1234/retry-me": "findable"}
    assert any(e.action == "operator" and e.operation == "retry" and e.actor == "cli" for e in row.events)


def test_retry_of_in_sync_doi_does_nothing(run, make_row, sandbox):
    make_row("10.1234/fine", "findable", "findable")
    result = run("retry", "10.1234/fine")
    assert result.exit_code == 0
    assert "in sync; nothing to retry" in result.output
    assert sandbox.control.journal() == []


def test_retry_bad_input(run, db):
    assert run("retry").exit_code == 2
    result = run("retry", "10.1234/%41")
    assert result.exit_code == 2 and "percent-encoding" in result.output
    assert run("retry", "10.1234/unknown").exit_code == 2
