"""The operator digest: one e-mail per interval, from what the lifecycle recorded."""

from __future__ import annotations

from datetime import timedelta

from invenio_db import db
from lifecycle_helpers import row_of

from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.lifecycle.client import reset_gateway
from invenio_doi_ext.lifecycle.models import utcnow
from invenio_doi_ext.monitoring import digest, render

SETTLED = timedelta(seconds=digest.SETTLE_SECONDS + 1)
HOUR = timedelta(hours=1)


def _refused(publish, set_config, title="Sea surface temperatures of the Ligurian Sea", **overrides):
    """Publish a record whose landing URL the strict DataCite account refuses (422, permanent)."""
    from tests.conftest import minimal_record

    set_config(SITE_UI_URL="https://old-host.example.org")
    record = publish(minimal_record(title=title, **overrides))
    doi = record.data["pids"]["doi"]["identifier"]
    assert row_of(doi).failed and row_of(doi).last_status == 422
    return record, doi


def test_a_permanent_failure_sends_one_digest_with_message_link_and_fix(
    app, publish, strict_sandbox, set_config, operator, outbox, digest_state
):
    record, doi = _refused(publish, set_config)
    now = utcnow() + SETTLED

    assert digest.tick(now) == "sent"

    assert len(outbox) == 1
    mail = outbox[0]
    assert mail.recipients == ["operator@example.org"]
    concept = record.data["parent"]["pids"]["doi"]["identifier"]
    assert "2 DOI(s) failed" in mail.subject  # the version and the concept
    assert doi in mail.body and concept in mail.body
    assert "not allowed" in mail.body  # DataCite's own words
    assert f"https://old-host.example.org/records/{record.id}" in mail.body
    assert f"https://old-host.example.org/records/{record.data['parent']['id']}/latest" in mail.body
    assert f"invenio doi retry {doi}" in mail.body
    assert f"invenio doi retry {doi}" in mail.html
    # Already told: later looks send nothing more.
    assert digest.tick(now + 2 * HOUR) == "nothing"
    assert len(outbox) == 1


def test_breaker_opening_then_closing_send_one_digest_each_and_never_the_password(
    app, publish, sandbox, set_config, operator, outbox, digest_state
):
    set_config(DATACITE_PASSWORD="wrong-secret-9876")
    reset_gateway()
    publish()  # DataCite answers 401: the breaker opens for the whole instance
    assert breaker.paused_until() is not None
    start = utcnow()

    assert digest.tick(start) == "sent"
    opened = outbox[-1]
    assert "breaker opened" in opened.subject
    assert "OPENED" in opened.body and "credentials" in opened.body
    assert "wrong-secret-9876" not in opened.body + opened.html + opened.subject

    assert digest.tick(start + timedelta(minutes=1)) == "waiting"
    breaker.reset()
    db.session.commit()
    assert digest.tick(start + timedelta(minutes=10)) == "waiting"  # batched: at most one an hour
    assert len(outbox) == 1

    assert digest.tick(start + HOUR + timedelta(minutes=1)) == "sent"
    assert len(outbox) == 2
    assert "calls resumed" in outbox[1].subject and "CLOSED" in outbox[1].body


def test_failures_within_an_interval_wait_for_the_next_digest(
    app, publish, strict_sandbox, set_config, operator, outbox, digest_state
):
    _, first = _refused(publish, set_config, title="First")
    _, second = _refused(publish, set_config, title="Second")
    start = utcnow() + SETTLED
    assert digest.tick(start) == "sent"
    assert first in outbox[0].body and second in outbox[0].body

    _, third = _refused(publish, set_config, title="Third")
    assert digest.tick(start + timedelta(minutes=30)) == "waiting"
    assert len(outbox) == 1

    assert digest.tick(start + HOUR + SETTLED) == "sent"
    assert len(outbox) == 2
    assert third in outbox[1].body
    assert first not in outbox[1].body and second not in outbox[1].body


def test_nothing_is_sent_when_switched_off_and_nothing_piles_up(
    app, publish, strict_sandbox, set_config, operator, outbox, digest_state
):
    set_config(DOI_EXT_NOTIFY_ENABLED=False)
    _refused(publish, set_config)
    breaker.trip("DataCite refused the credentials: HTTP 401")
    db.session.commit()
    now = utcnow() + SETTLED
    assert digest.tick(now) == "disabled"
    assert outbox == []

    set_config(DOI_EXT_NOTIFY_ENABLED=True)
    assert digest.tick(now + timedelta(minutes=1)) == "nothing"
    assert outbox == []
    breaker.reset()
    db.session.commit()


def test_a_restricted_records_datacite_message_is_withheld(
    app, publish, strict_sandbox, set_config, operator, outbox, digest_state
):
    restricted = {"record": "restricted", "files": "restricted"}
    _, doi = _refused(publish, set_config, title="Secret title", access=restricted)
    assert digest.tick(utcnow() + SETTLED) == "sent"
    body = outbox[0].body
    assert doi in body and "withheld" in body
    assert "not allowed" not in body and "Secret title" not in body


def test_digest_text_shows_what_the_next_digest_would_say_and_sends_nothing(
    app, publish, strict_sandbox, set_config, outbox, digest_state
):
    _, doi = _refused(publish, set_config)
    text = render.digest_text()
    assert text.startswith("Subject: [Example Repository] DataCite: 2 DOI(s) failed")
    assert doi in text and f"invenio doi retry {doi}" in text
    assert outbox == []
    assert digest.tick(utcnow() + SETTLED) == "sent"  # the preview moved no marker


def test_beat_runs_the_monitoring_task_every_sweep_interval(app, outbox, digest_state):
    from invenio_doi_ext.ext import MONITORING_SCHEDULE_NAME
    from invenio_doi_ext.monitoring import tasks

    entry = app.config["CELERY_BEAT_SCHEDULE"][MONITORING_SCHEDULE_NAME]
    assert entry["task"] == tasks.TASK_NAME
    assert entry["schedule"] == app.config["DOI_EXT_SWEEP_INTERVAL"]
    celery = app.extensions["invenio-celery"].celery
    assert tasks.TASK_NAME in celery.tasks
    assert celery.tasks[tasks.TASK_NAME].apply().get() == "nothing"  # nothing happened yet
    assert outbox == []
