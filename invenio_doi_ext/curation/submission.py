"""Open (or reuse) a record version's DOI request when it is published."""

from __future__ import annotations

from typing import Any

from invenio_access.permissions import system_identity
from invenio_accounts.models import Role, User
from invenio_db import db
from invenio_records_resources.services.uow import RecordCommitOp
from invenio_requests.customizations import RequestActions
from invenio_requests.customizations.event_types import LogEventType
from invenio_requests.proxies import current_events_service, current_requests_service

from ..rdm import targets
from . import store
from .gate import _registered_before, link_of
from .models import CurationStatus, DOIRequestLink
from .notifications import request_title
from .policy import curator_role
from .request_type import DOIRequest
from .validation import form_errors


def curators() -> Role:
    """The curators' role, the receiver of every DOI request."""
    name = curator_role()
    role = db.session.query(Role).filter(Role.name == name).one_or_none()
    if role is None:
        raise RuntimeError(
            f"DOI_EXT_CURATOR_ROLE is {name!r}, but no such role exists: "
            f"create it (invenio roles create {name}) and add the curators to it."
        )
    return role


def _owner(record: Any) -> User | None:
    owned_by = getattr(record.parent.access, "owned_by", None)
    owner_id = getattr(owned_by, "owner_id", None)
    if owner_id is None or not str(owner_id).isdigit():
        return None
    return db.session.get(User, int(owner_id))


def open_request(identity: Any, record: Any, uow: Any) -> DOIRequestLink | None:
    """At publish: reuse the version's open or accepted request, else create and submit one.

    A request closed without acceptance (declined, cancelled) is replaced by a
    new one: publishing again is asking again. A version whose DOI DataCite
    already registered before curation was required gets none.
    """
    link = link_of(record.id)
    if link is not None and link.status not in CurationStatus.CLOSED_UNACCEPTED:
        return link
    if link is None and _registered_before(record):
        return None
    doi = targets.managed_doi(record)
    data = {"title": request_title(record), "payload": {"doi": doi or ""}}
    item = current_requests_service.create(
        system_identity, data, DOIRequest, receiver=curators(), creator=_owner(record), topic=record, uow=uow
    )
    request = item._record
    link = store.attach(record, request.id, CurationStatus.CREATED)
    errors = form_errors(record)
    if errors:
        # Left "created": the depositor fixes the record, then submits; the timeline says what to fix.
        lines = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in errors)
        content = f"Not submitted: DataCite would refuse the metadata ({lines})."
        data = {"payload": {"event": "validation", "content": content}}
        current_events_service.create(system_identity, request.id, data, LogEventType, uow=uow)
        return link
    submit = RequestActions.get_action(request, "submit")
    submit.record = record  # the topic resolves to what is stored, not yet this publish
    submit.execute(identity, uow)
    uow.register(RecordCommitOp(request, indexer=current_requests_service.indexer))
    return link
