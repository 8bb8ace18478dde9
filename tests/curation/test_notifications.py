"""The e-mail templates render every notification the builders produced, in the REST app."""

from __future__ import annotations

from curation_helpers import request_of
from invenio_notifications.backends.email import EmailNotificationBackend
from invenio_notifications.models import Notification, Recipient


def test_every_notification_renders_subject_and_bodies(
    app, deposit, depositor, curator, requests_service, sandbox, notifications, outbox
):
    record = deposit(depositor)
    request = request_of(record)
    comment = {"payload": {"content": "Add a <b>licence</b>."}}
    requests_service.execute_action(curator.identity, request.id, "request_changes", data=comment)
    requests_service.execute_action(depositor.identity, request.id, "submit")
    requests_service.execute_action(curator.identity, request.id, "accept")
    second = request_of(deposit(depositor))
    requests_service.execute_action(
        curator.identity, second.id, "decline", data={"payload": {"content": "Duplicate."}}
    )
    kinds = {n["type"] for n in notifications}
    assert kinds == {
        "doi-request.submit",
        "doi-request.changes_requested",
        "doi-request.accept",
        "doi-request.findable",
        "doi-request.decline",
    }

    assert len(outbox) == len(notifications)
    backend = EmailNotificationBackend()
    rendered = {}
    with app.test_request_context():
        for sent in notifications:
            notification = Notification(type=sent["type"], context=sent["context"])
            recipient = Recipient(data={"email": sent["to"]})
            rendered[sent["type"]] = backend.render_template(notification, recipient)
    for kind, blocks in rendered.items():
        assert blocks["subject"].strip() and "DOI" in blocks["subject"], kind
        assert "Sea surface temperatures" in blocks["plain_body"], kind
        assert "/requests/" in blocks["plain_body"] or "View the DOI request" in blocks["plain_body"], kind
    assert "Add a licence." in rendered["doi-request.changes_requested"]["plain_body"]
    assert "<b>licence</b>" in rendered["doi-request.changes_requested"]["html_body"]
    assert "Duplicate." in rendered["doi-request.decline"]["plain_body"]
    assert record.data["pids"]["doi"]["identifier"] in rendered["doi-request.findable"]["plain_body"]
