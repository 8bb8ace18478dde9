"""The digest's notification builder (invenio-notifications, e-mail backend).

Template: ``templates/semantic-ui/invenio_notifications/doi-ext.digest.jinja``.
The context is plain JSON built by :mod:`.digest`; nothing is resolved later,
so what is mailed is exactly what the digest decided to say.
"""

from __future__ import annotations

from typing import Any

from invenio_accounts.models import Role
from invenio_db import db
from invenio_notifications.models import Notification, Recipient
from invenio_notifications.services.builders import NotificationBuilder
from invenio_notifications.services.generators import RecipientGenerator, UserEmailBackend
from invenio_users_resources.notifications.filters import UserPreferencesRecipientFilter

from .. import settings

TYPE = "doi-ext.digest"


def digest_role() -> str:
    """``DOI_EXT_NOTIFY_ROLE``, else the curators' role (``DOI_EXT_CURATOR_ROLE``)."""
    return settings.notify_role()


class OperatorsRecipient(RecipientGenerator):
    """Every active member of the digest's role, keyed by user id like upstream's recipients."""

    def __call__(self, notification: Notification, recipients: dict) -> dict:
        """Add the role's members."""
        role = db.session.query(Role).filter(Role.name == digest_role()).one_or_none()
        for user in role.users if role is not None else []:
            if not user.active or not user.email:
                continue
            data = {"id": str(user.id), "email": user.email, "preferences": dict(user.preferences or {})}
            recipients[str(user.id)] = Recipient(data=data)
        return recipients


class DigestNotificationBuilder(NotificationBuilder):
    """To the operators: what went wrong with DataCite since the last digest."""

    type = TYPE

    @classmethod
    def build(cls, digest: dict[str, Any]) -> Notification:
        """A notification carrying the digest itself."""
        return Notification(type=cls.type, context={"digest": digest})

    context = []
    recipients = [OperatorsRecipient()]
    recipient_filters = [UserPreferencesRecipientFilter()]
    recipient_backends = [UserEmailBackend()]


def add_builder(config: Any) -> None:
    """Register the builder (in place: the notifications manager holds the same dict)."""
    config.setdefault("NOTIFICATIONS_BUILDERS", {}).setdefault(TYPE, DigestNotificationBuilder)
