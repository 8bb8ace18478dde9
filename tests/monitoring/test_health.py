"""``GET /api/dois/health``: 200 or 503 for load balancers; details for administrators only."""

from __future__ import annotations

from datetime import timedelta

from invenio_db import db

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.models import utcnow

TOKEN = {"Authorization": "Bearer scrape-token-1234"}


def test_health_is_200_then_503_while_the_breaker_is_open(app, client, publish, sandbox, admin, login):
    publish()  # a DOI registered: DataCite answers
    healthy = client.get("/dois/health", headers={"Accept": "text/plain"})
    assert healthy.status_code == 200
    assert healthy.json == {"status": "ok"}  # anonymous: the status, nothing more

    breaker.trip("DataCite refused the credentials: HTTP 401")
    db.session.commit()
    try:
        assert client.get("/dois/health").status_code == 503
        assert client.get("/dois/health").json == {"status": "unavailable"}
        details = client.get("/dois/health", headers=TOKEN).json
        assert details["breaker"]["open"] is True and details["breaker"]["paused_until"]
        assert details["problems"] == ["breaker open: calls to DataCite are paused"]
        assert login(admin.user).get("/dois/health").json["status"] == "unavailable"
    finally:
        breaker.reset()
        db.session.commit()
    assert client.get("/dois/health").status_code == 200


def test_health_is_503_when_due_dois_wait_longer_than_the_max_lag(app, client, seed, set_config):
    set_config(DOI_EXT_HEALTH_MAX_LAG=timedelta(minutes=10))
    seed("10.1234/late", "findable", "none", next_attempt_at=utcnow() - timedelta(minutes=5))
    details = client.get("/dois/health", headers=TOKEN)
    assert details.status_code == 200 and 300 <= details.json["oldest_due_seconds"] < 600

    seed("10.1234/later", "findable", "none", next_attempt_at=utcnow() - timedelta(minutes=20))
    late = client.get("/dois/health", headers=TOKEN)
    assert late.status_code == 503
    assert "are the workers running?" in late.json["problems"][0]
    assert late.json["max_lag_seconds"] == 600


def test_health_is_not_taken_for_a_doi_nor_a_doi_for_health(app, client, seed, admin, login):
    seed("10.1234/health")
    assert client.get("/dois/health").json == {"status": "ok"}
    as_admin = login(admin.user)
    assert set(as_admin.get("/dois/health").json) >= {"status", "breaker", "oldest_due_seconds"}
    # A DOI whose suffix is "health" is still a DOI.
    assert as_admin.get("/dois/10.1234/health").json["doi"] == "10.1234/health"
