"""Actions of a DOI request: each mirrors its status on the link and, when the
gate's answer changes, recomputes the DOI's desired state in the same transaction.
"""

from __future__ import annotations

from typing import Any

from invenio_notifications.services.uow import NotificationOp
from invenio_requests.customizations import actions

from ..lifecycle.enqueue import ConvergeOp
from . import notifications, store
from .errors import DOIRequestValidationError
from .lifecycle import recompute
from .models import CurationStatus
from .validation import form_errors


def _record(request: Any) -> Any:
    return request.topic.resolve()


class SubmitAction(actions.SubmitAction):
    """Depositor: submit (or resubmit after changes were requested), once DataCite would accept it."""

    status_from = [CurationStatus.CREATED, CurationStatus.CHANGES_REQUESTED]
    log_event = True

    #: Set when submitted from within a publish: the record as it is being published.
    record: Any = None

    def execute(self, identity: Any, uow: Any) -> None:
        """Refuse with the field errors, or submit and tell the curators."""
        record = self.record if self.record is not None else _record(self.request)
        errors = form_errors(record)
        if errors:
            raise DOIRequestValidationError(errors)
        self.request["title"] = notifications.request_title(record)
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.SUBMITTED)
        uow.register(NotificationOp(notifications.SubmitNotificationBuilder.build(identity, self.request)))


class AcceptAction(actions.AcceptAction):
    """Curator: the DOI may become findable (or registered, for a restricted record)."""

    def execute(self, identity: Any, uow: Any, **kwargs: Any) -> None:
        """Accept, then recompute the DOIs: the workers make them findable after commit."""
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.ACCEPTED)
        recompute(_record(self.request), identity, "DOI request accepted")
        # Told before the workers run, so "accepted" reaches the depositor before "findable".
        uow.register(NotificationOp(notifications.AcceptNotificationBuilder.build(identity, self.request)))
        uow.register(ConvergeOp())


class DeclineAction(actions.DeclineAction):
    """Curator: no findable DOI; it stays a DataCite draft, deleted if the record is."""

    def execute(self, identity: Any, uow: Any, **kwargs: Any) -> None:
        """Decline and tell the depositor."""
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.DECLINED)
        uow.register(NotificationOp(notifications.DeclineNotificationBuilder.build(identity, self.request)))


class RequestChangesAction(actions.RequestAction):
    """Curator: back to the depositor, who fixes the record and submits again."""

    status_from = [CurationStatus.SUBMITTED]
    status_to = CurationStatus.CHANGES_REQUESTED

    def execute(self, identity: Any, uow: Any, **kwargs: Any) -> None:
        """Send back and tell the depositor (the comment goes on the timeline)."""
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.CHANGES_REQUESTED)
        uow.register(
            NotificationOp(notifications.ChangesRequestedNotificationBuilder.build(identity, self.request))
        )


class CancelAction(actions.CancelAction):
    """Depositor: withdraw the request; publishing the record again opens a new one."""

    status_from = [CurationStatus.SUBMITTED, CurationStatus.CHANGES_REQUESTED]

    def execute(self, identity: Any, uow: Any, **kwargs: Any) -> None:
        """Cancel; the DOI stays a draft."""
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.CANCELLED)


class DeleteAction(actions.DeleteAction):
    """Depositor: delete a request never submitted."""

    def execute(self, identity: Any, uow: Any, **kwargs: Any) -> None:
        """Delete; the link treats it as cancelled."""
        super().execute(identity, uow)
        store.set_status(self.request, CurationStatus.CANCELLED)
