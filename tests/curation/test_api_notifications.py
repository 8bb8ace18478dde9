"""A curated publish through the REST API with notifications on (the default) and off."""

from __future__ import annotations

from typing import Any

from curation_helpers import request_of
from invenio_access.permissions import system_identity


def _publish_over_http(client: Any, data: dict) -> Any:
    created = client.post("/records", json=data)
    assert created.status_code == 201, created.json
    return client.post(f"/records/{created.json['id']}/draft/actions/publish")


def test_curated_publish_in_the_api_app_mails_the_curators(
    app, login, depositor, curator, second_curator, record_data, service, sandbox, outbox
):
    client = login(depositor.user)
    published = _publish_over_http(client, record_data())

    assert published.status_code == 202, published.json
    assert request_of(service.read(system_identity, published.json["id"])).status == "submitted"
    to = sorted(address for mail in outbox for address in mail.recipients)
    assert to == ["curator2@example.org", "curator@example.org"]
    mail = next(m for m in outbox if m.recipients == ["curator@example.org"])
    assert "DOI" in mail.subject
    assert "Sea surface temperatures" in mail.body
    assert "Sea surface temperatures" in mail.html


def test_a_curator_who_turned_notifications_off_gets_no_mail_and_publish_still_works(
    app, db, login, depositor, curator, second_curator, record_data, service, sandbox, outbox
):
    user = curator.user
    user.preferences = {**(user.preferences or {}), "notifications": {"enabled": False}}
    db.session.commit()
    client = login(depositor.user)
    published = _publish_over_http(client, record_data())

    assert published.status_code == 202, published.json
    assert request_of(service.read(system_identity, published.json["id"])).status == "submitted"
    assert [mail.recipients for mail in outbox] == [["curator2@example.org"]]
