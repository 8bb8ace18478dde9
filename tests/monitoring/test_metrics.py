"""Metrics and ``invenio doi stats`` report the seeded table's numbers, to the right readers only."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

from invenio_db import db
from prometheus_client.parser import text_string_to_metric_families

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.models import DOIEvent, ManagedDOI, utcnow
from invenio_doi_ext.lifecycle.states import dspace_state
from invenio_doi_ext.monitoring import summary

TOKEN = {"Authorization": "Bearer scrape-token-1234"}


def _seed_table(seed):
    """Rows in many states, a failure, retries, calls with every outcome class."""
    now = utcnow()
    seed("10.1234/a1")  # IS_REGISTERED
    seed("10.1234/a2")
    seed("10.1234/r1", "draft", "draft")  # IS_RESERVED
    seed("10.1234/w1", "findable", "none", next_attempt_at=now - timedelta(minutes=5))  # TO_BE_REGISTERED
    seed("10.1234/w2", "findable", "none", attempts=2)  # UPDATE_BEFORE_REGISTRATION
    seed("10.1234/u1", "findable", "findable", fingerprint="a" * 64, remote_fingerprint="b" * 64)
    failed = seed("10.1234/f1", "findable", "none", failed=True, last_error="titles: can't be blank")
    seed("10.1234/m1", "none", "none")  # MINTED
    for outcome, status, message in (
        ("success", 201, None),
        ("success", 200, None),
        ("permanent", 422, "titles: can't be blank"),
        ("retryable", 503, "Service Unavailable"),
        ("retryable", 429, "Too Many Requests"),
        ("retryable", None, "local rate limit"),
    ):
        event = DOIEvent(doi_id=failed.id, actor="test", action="call", http_status=status, outcome=outcome)
        event.message = message
        db.session.add(event)
    db.session.add(DOIEvent(doi_id=failed.id, actor="test", action="desired", to_state="findable"))
    db.session.commit()


def _expected_states():
    return dict(Counter(dspace_state(row) for row in ManagedDOI.query.all()))


def _samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_report_the_seeded_table(app, client, seed, admin, login):
    _seed_table(seed)
    response = login(admin.user).get("/dois/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    samples = _samples(response.get_data(as_text=True))
    states = {dict(labels)["state"]: v for (name, labels), v in samples.items() if name == "doi_ext_dois"}
    assert states == _expected_states()
    assert states["IS_REGISTERED"] == 2 and states["UPDATE_BEFORE_REGISTRATION"] == 1
    assert samples[("doi_ext_dois_total", ())] == 8
    assert samples[("doi_ext_dois_out_of_sync", ())] == 4
    assert samples[("doi_ext_dois_failed", ())] == 1
    assert samples[("doi_ext_dois_by_label", (("label", "failed"),))] == 1
    assert samples[("doi_ext_breaker_open", ())] == 0
    assert samples[("doi_ext_oldest_due_seconds", ())] >= 300
    assert samples[("doi_ext_oldest_out_of_sync_seconds", ())] >= 0
    calls = {
        (dict(labels)["outcome"], dict(labels)["status_class"]): value
        for (name, labels), value in samples.items()
        if name == "doi_ext_datacite_calls_total"
    }
    # A 429 was sent (and waited for); a local rate-limit wait sent nothing.
    assert calls == {
        ("success", "2xx"): 2, ("permanent", "4xx"): 1, ("retryable", "5xx"): 1, ("retryable", "4xx"): 1
    }  # fmt: skip
    waits = {
        dict(labels)["source"]: v
        for (name, labels), v in samples.items()
        if name == "doi_ext_rate_limit_waits_total"
    }
    assert waits == {"local": 1, "datacite": 1}


def test_metrics_refuse_anonymous_and_non_admins_and_take_the_token(app, client, seed, owner, login):
    seed("10.1234/a1")
    anonymous = client.get("/dois/metrics")
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    assert "doi_ext_dois" not in anonymous.get_data(as_text=True)
    assert client.get("/dois/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401

    by_token = client.get("/dois/metrics", headers={**TOKEN, "Accept": "text/plain"})
    assert by_token.status_code == 200
    assert 'doi_ext_dois{state="IS_REGISTERED"} 1.0' in by_token.get_data(as_text=True)

    assert login(owner.user).get("/dois/metrics").status_code == 403


def test_summary_follows_changes_and_survives_compaction(app, seed):
    rows = [seed(f"10.1234/c{i}", "findable", "none") for i in range(5)]
    for row in rows[:3]:  # a worker registered three of them
        row.remote_state, row.remote_fingerprint = "findable", row.desired_fingerprint
    db.session.delete(rows[4])
    db.session.commit()
    before = summary.collect()
    assert before.by_state == _expected_states() == {"IS_REGISTERED": 3, "TO_BE_REGISTERED": 1}

    summary.compact()
    db.session.commit()
    after = summary.collect()
    assert after.by_state == before.by_state and after.total == 4
    counted = summary.collect(from_table=True)  # what a full count of the table says
    assert (counted.by_state, counted.by_label) == (after.by_state, after.by_label)
    assert counted.calls == after.calls
    if summary.maintained():
        from invenio_doi_ext.monitoring.models import StateCount

        assert StateCount.query.count() == 2  # one row per signature after compaction


def test_stats_prints_the_same_numbers_as_text_and_json(app, run, seed):
    _seed_table(seed)
    breaker.trip("DataCite refused the credentials: HTTP 401")
    db.session.commit()

    text = run("stats")
    assert text.exit_code == 0
    assert "DOIs: 8  out of sync: 4  failed: 1" in text.output
    assert "IS_REGISTERED" in text.output and "breaker: open until" in text.output

    data = json.loads(run("stats", "--json").output)
    assert data["total"] == 8 and data["failed"] == 1 and data["out_of_sync"] == 4
    assert data["by_state"] == dict(sorted(_expected_states().items()))
    assert data["breaker"]["open"] is True
    assert data["rate_limit_waits"] == {"datacite": 1, "local": 1}
    assert {"outcome": "permanent", "status_class": "4xx", "count": 1} in data["calls"]

    rebuilt = json.loads(run("stats", "--json", "--rebuild").output)
    assert rebuilt["by_state"] == data["by_state"] and rebuilt["calls"] == data["calls"]
    breaker.reset()
    db.session.commit()
