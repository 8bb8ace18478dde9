"""``POST /api/dois/<doi>/sync|reserve`` (202 + job URL) and ``GET /api/dois/jobs/<token>``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from invenio_db import db as _db

from invenio_doi_ext.lifecycle.models import DOISyncJob, utcnow
from invenio_doi_ext.lifecycle.store import get_row
from invenio_doi_ext.services import jobs


def path_of(url: str) -> str:
    return urlparse(url).path.removeprefix("/api")


def doi_of(record) -> str:
    return record.data["pids"]["doi"]["identifier"].lower()


def test_sync_returns_202_with_job_and_job_reports_outcome(owned_record, admin, login, sandbox):
    sandbox.control.set_faults(queue=["503_html"])
    doi = doi_of(owned_record())
    assert not get_row(doi).in_sync  # the publish hit the outage; the row waits for a retry
    client = login(admin)

    res = client.post(f"/dois/{doi}/sync")

    assert res.status_code == 202
    assert res.headers["Location"] == res.json["links"]["self"]
    assert res.json["links"]["self"].startswith("https://repo.example.org/api/dois/jobs/")
    assert res.json["doi"] == doi and res.json["operation"] == "sync"
    job = client.get(path_of(res.headers["Location"]))
    assert job.status_code == 200  # eager Celery: the job ran before the POST answered
    assert job.json["status"] == "succeeded"
    assert job.json["result"]["step"] == "sent"
    assert job.json["result"]["in_sync"] is True
    assert job.json["result"]["remote_state"] == "findable"
    assert {item["doi"]: item["state"] for item in sandbox.control.dois()}[doi] == "findable"
    row = get_row(doi)
    assert any(e.action == "operator" and e.actor.startswith("user:") for e in row.events)


def test_failed_sync_job_is_200_with_error(make_foreign_row, admin, login, sandbox):
    doi = make_foreign_row()
    client = login(admin)

    res = client.post(f"/dois/{doi}/sync")

    assert res.status_code == 202
    job = client.get(path_of(res.headers["Location"])).json
    assert job["status"] == "failed"
    assert job["result"]["failed"] is True and job["result"]["http_status"] == 403
    assert job["result"]["message"]


def test_pending_and_running_jobs_answer_202(owned_record, admin, login):
    row = get_row(doi_of(owned_record()))
    pending = jobs.create(row, "test", "sync")
    running = jobs.create(row, "test", "sync")
    running.status, running.started = DOISyncJob.RUNNING, utcnow()
    _db.session.commit()
    client = login(admin)

    for job, status in ((pending, "pending"), (running, "running")):
        res = client.get(f"/dois/jobs/{job.token}")
        assert res.status_code == 202
        assert res.json["status"] == status
        assert "result" not in res.json


def test_expired_job_is_410_and_unknown_404(owned_record, admin, login):
    row = get_row(doi_of(owned_record()))
    job = jobs.create(row, "test", "sync")
    job.expires_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()
    client = login(admin)

    expired = client.get(f"/dois/jobs/{job.token}")
    assert expired.status_code == 410
    assert "expired" in expired.json["message"]
    assert client.get("/dois/jobs/AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/dois/jobs/not..a token").status_code == 404
    assert client.get("/dois/jobs/" + "x" * 10_000).status_code == 404


def test_expired_jobs_are_purged_after_another_ttl(owned_record, admin, login, app):
    row = get_row(doi_of(owned_record()))
    old = jobs.create(row, "test", "sync")
    old.expires_at = utcnow() - app.config.get("DOI_EXT_JOB_TTL", timedelta(days=1)) - timedelta(minutes=1)
    _db.session.commit()
    token = old.token

    jobs.create(row, "test", "sync")
    _db.session.commit()

    assert login(admin).get(f"/dois/jobs/{token}").status_code == 404


def test_sync_and_jobs_are_for_administrators(owned_record, owner, other, login, client):
    doi = doi_of(owned_record())
    job = jobs.create(get_row(doi), "test", "sync")
    _db.session.commit()

    assert client.post(f"/dois/{doi}/sync").status_code == 403
    assert client.get(f"/dois/jobs/{job.token}").status_code == 403
    for user in (owner, other):
        logged = login(user)
        assert logged.post(f"/dois/{doi}/sync").status_code == 403
        assert logged.post(f"/dois/{doi}/reserve").status_code == 403
        assert logged.get(f"/dois/jobs/{job.token}").status_code == 403
    assert _db.session.query(DOISyncJob).count() == 1


def test_sync_bad_input(admin, login, db):
    client = login(admin)
    assert client.post("/dois/10.1234/a%20b/sync").status_code == 400
    assert client.post("/dois/10.1234/a..b/sync").status_code == 400
    assert client.post("/dois/10.1234/unknown/sync").status_code == 404
    assert client.post("/dois/10.9999/foreign/sync").status_code == 404
    assert client.post("/dois/10.1234/" + "y" * 10_000 + "/sync").status_code == 400


def test_reserve_reserves_a_waiting_draft(waiting_draft, admin, login, sandbox):
    doi = waiting_draft()
    assert sandbox.control.dois() == []
    client = login(admin)

    res = client.post(f"/dois/{doi}/reserve")

    assert res.status_code == 202
    job = client.get(path_of(res.headers["Location"])).json
    assert job["operation"] == "reserve" and job["status"] == "succeeded"
    assert job["result"]["remote_state"] == "draft"
    assert [(item["doi"], item["state"]) for item in sandbox.control.dois()] == [(doi, "draft")]
    assert client.get("/dois/unreserved").json["hits"]["total"] == 0


def test_reserve_refuses_published_and_unknown_dois(owned_record, admin, login, db):
    doi = doi_of(owned_record())
    client = login(admin)
    published = client.post(f"/dois/{doi}/reserve")
    assert published.status_code == 409
    assert "not the DOI of a draft that was never published" in published.json["message"]
    assert client.post("/dois/10.1234/unknown/reserve").status_code == 404
    assert client.post("/dois/10.1234/%25/reserve").status_code == 400
