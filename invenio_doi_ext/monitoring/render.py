"""Render a digest without sending it: for the demo, previews and tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from invenio_notifications.backends.email import EmailNotificationBackend
from invenio_notifications.models import Recipient

from . import digest as digests
from .notifications import DigestNotificationBuilder


def render(digest: dict[str, Any]) -> dict[str, str]:
    """Subject, HTML, plain and Markdown bodies, as the e-mail backend renders them."""
    notification = DigestNotificationBuilder.build(digest)
    recipient = Recipient(data={"email": "operator@localhost"})
    with current_app.test_request_context():
        return EmailNotificationBackend().render_template(notification, recipient)


def digest_text(now: datetime | None = None) -> str:
    """The plain-text digest an operator would receive now (subject line first).

    Reads the database only (what the next digest would list, ignoring the
    interval); sends nothing and moves no marker. Needs an application context.
    """
    blocks = render(digests.preview(now))
    return f"Subject: {blocks['subject'].strip()}\n\n{blocks['plain_body'].strip()}\n"
