"""Notification builders of DOI requests (invenio-notifications, e-mail backend).

Curators hear of a submitted request; the depositor of an acceptance, a decline,
a request for changes, and of the DOI becoming findable at DataCite. Templates:
``templates/semantic-ui/invenio_notifications/doi-request.<event>.jinja``.
"""

from __future__ import annotations

from typing import Any

from invenio_accounts.models import Role
from invenio_db import db
from invenio_notifications.models import Notification, Recipient
from invenio_notifications.registry import EntityResolverRegistry
from invenio_notifications.services.builders import NotificationBuilder
from invenio_notifications.services.generators import (
    ContextGenerator,
    EntityResolve,
    RecipientGenerator,
    UserEmailBackend,
)
from invenio_requests.customizations.event_types import CommentEventType
from invenio_requests.records.models import RequestEventModel
from invenio_users_resources.notifications.filters import UserPreferencesRecipientFilter
from invenio_users_resources.notifications.generators import UserRecipient

from .policy import curator_role


def request_title(record: Any) -> str:
    """Title of a DOI request: the record's title, as community submissions do."""
    title = (record.get("metadata") or {}).get("title") or str(record.pid.pid_value)
    return f"DOI for {title}"


class CuratorsRecipient(RecipientGenerator):
    """Every active member of ``DOI_EXT_CURATOR_ROLE``."""

    def __call__(self, notification: Notification, recipients: dict) -> dict:
        """Add the curators, keyed by user id like upstream's user recipients."""
        role = db.session.query(Role).filter(Role.name == curator_role()).one_or_none()
        for user in role.users if role is not None else []:
            if not user.active or not user.email:
                continue
            prefs = {key: value for key, value in (user.preferences or {}).items()}
            data = {"id": str(user.id), "email": user.email, "preferences": prefs}
            recipients[str(user.id)] = Recipient(data=data)
        return recipients


class LatestComment(ContextGenerator):
    """The newest comment on the request (the curator's reason), as ``context["comment"]``."""

    def __call__(self, notification: Notification) -> Notification:
        """Read it from the database: the comment is committed with the action."""
        request = notification.context.get("request") or {}
        request_id = request.get("id") if isinstance(request, dict) else None
        event = None
        if request_id is not None:
            event = (
                db.session.query(RequestEventModel)
                .filter(
                    RequestEventModel.request_id == request_id,
                    RequestEventModel.type == CommentEventType.type_id,
                )
                .order_by(RequestEventModel.created.desc())
                .first()
            )
        payload = (event.json or {}).get("payload", {}) if event is not None else {}
        notification.context["comment"] = payload.get("content", "")
        return notification


class DOIRequestNotificationBuilder(NotificationBuilder):
    """Base: the request, its creator (the depositor) and the latest comment in the context."""

    type = "doi-request"

    @classmethod
    def build(cls, identity: Any, request: Any, **extra: Any) -> Notification:
        """A notification referencing the request (resolved when it is broadcast)."""
        context = {"request": EntityResolverRegistry.reference_entity(request), **extra}
        return Notification(type=cls.type, context=context)

    context = [EntityResolve(key="request"), EntityResolve(key="request.created_by"), LatestComment()]
    recipients = [UserRecipient("request.created_by")]
    recipient_filters = [UserPreferencesRecipientFilter()]
    recipient_backends = [UserEmailBackend()]


class SubmitNotificationBuilder(DOIRequestNotificationBuilder):
    """To the curators: a DOI request waits for them."""

    type = "doi-request.submit"
    recipients = [CuratorsRecipient()]


class AcceptNotificationBuilder(DOIRequestNotificationBuilder):
    """To the depositor: accepted; the DOI is being registered."""

    type = "doi-request.accept"


class DeclineNotificationBuilder(DOIRequestNotificationBuilder):
    """To the depositor: declined, with the curator's comment."""

    type = "doi-request.decline"


class ChangesRequestedNotificationBuilder(DOIRequestNotificationBuilder):
    """To the depositor: changes requested, with the curator's comment."""

    type = "doi-request.changes_requested"


class FindableNotificationBuilder(DOIRequestNotificationBuilder):
    """To the depositor: DataCite confirmed the DOI findable."""

    type = "doi-request.findable"


BUILDERS = (
    SubmitNotificationBuilder,
    AcceptNotificationBuilder,
    DeclineNotificationBuilder,
    ChangesRequestedNotificationBuilder,
    FindableNotificationBuilder,
)
