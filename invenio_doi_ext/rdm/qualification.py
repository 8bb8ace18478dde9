"""Apply the DOI filters to drafts: set a DOI aside, give it back, publish without one.

A never-published draft that stops qualifying loses its DOI from ``pids``; the
lifecycle deletes its DataCite draft (desired ``none``) and the row keeps the
value with ``hold = set_aside``, so that the same DOI comes back when the draft
qualifies again. A DOI that is reserved or registered locally (the record was
published) is never taken away here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from invenio_db import db
from invenio_pidstore.errors import PIDDoesNotExistError
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.services.pids.providers.base import PIDProvider

from .. import settings
from ..lifecycle.models import DOIHold, DOIKind, DOIState, ManagedDOI
from ..lifecycle.store import Target, any_row_once, set_desired
from . import filters
from .sync import current_actor

#: Attribute of a draft being published: the filter's decision, reused by the provider hooks.
DECISION = "_doi_ext_decision"
#: Attribute set when a placeholder ``pids.doi`` stands in for a DOI that must not be minted.
PLACEHOLDER = "_doi_ext_placeholder"


#: ``doi_ext_role`` of this package's providers (``rdm.providers``), which import this module.
VERSION_ROLE = "version"
CONCEPT_ROLE = "concept"


def doi_provider() -> Any:
    """This package's provider of version DOIs (named ``datacite``), or None when disabled."""
    for provider in current_app.config.get("RDM_PERSISTENT_IDENTIFIER_PROVIDERS", []):
        if getattr(provider, "doi_ext_role", None) == VERSION_ROLE:
            return provider
    return None


def decision_for(record: Any, event: str) -> filters.Decision:
    """The decision taken at the start of this publish, else the filter's answer now."""
    decided = getattr(record, DECISION, None)
    return decided if decided is not None else filters.decide(record, event)


_SET_ASIDE_SEEN = "invenio-doi-ext.set-aside-seen"


def _may_have_set_aside() -> bool:
    """Whether a DOI can have been set aside: a filter is configured, or one once was.

    Only a filter sets a DOI aside, so with none configured the instance's answer
    (one query per application, i.e. per process) cannot change while it runs, and
    a mint asks nothing more. Filters configured: the question is asked each time.
    """
    if settings.doi_filter() is not None or settings.community_filters():
        return True
    return any_row_once(_SET_ASIDE_SEEN, ManagedDOI.hold == DOIHold.SET_ASIDE)


def remembered(record_id: Any) -> ManagedDOI | None:
    """The DOI set aside for a record (draft and record share their id), if any."""
    if record_id is None or not _may_have_set_aside():
        return None
    return (
        db.session.query(ManagedDOI)
        .filter_by(object_uuid=record_id, kind=DOIKind.RECORD, hold=DOIHold.SET_ASIDE)
        .order_by(ManagedDOI.updated.desc())
        .first()
    )


def _doi_attrs(draft: Any) -> dict:
    return dict((draft.get("pids") or {}).get("doi") or {})


def _is_ours(attrs: dict, provider: Any) -> bool:
    return not attrs or attrs.get("provider") == provider.name


def _minted_for(draft: Any) -> str | None:
    """A DOI minted for the draft (locally NEW) that its ``pids`` no longer shows."""
    pid = (
        db.session.query(PersistentIdentifier)
        .filter_by(pid_type="doi", object_uuid=draft.id, status=PIDStatus.NEW)
        .first()
    )
    return pid.pid_value if pid is not None else None


def set_aside(draft: Any, identifier: str, reason: str) -> bool:
    """Take a draft's (locally NEW) DOI out of its ``pids`` and withdraw it at DataCite.

    False (nothing done) when the DOI is reserved or registered locally, or
    belongs to another record: those are never withdrawn by a filter.
    """
    provider = doi_provider()
    try:
        pid = provider.get(identifier)
    except PIDDoesNotExistError:
        pid = None
    if pid is not None:
        if pid.status != PIDStatus.NEW or pid.object_uuid != draft.id:
            return False
        PIDProvider.delete(provider, pid)
    pids = dict(draft.get("pids") or {})
    pids.pop("doi", None)
    draft.pids = pids

    # Even when nothing changes at DataCite's side (never reserved), the history says why.
    set_desired(
        identifier,
        Target(DOIState.NONE),
        kind=DOIKind.RECORD,
        object_uuid=draft.id,
        actor=current_actor(),
        reason=f"set aside by the DOI filter: {reason}",
        hold=DOIHold.SET_ASIDE,
        operation="set_aside",
    )
    return True


def give_back(draft: Any, row: ManagedDOI) -> str:
    """Put the DOI set aside for a draft back on it (the lifecycle reserves it again)."""
    provider = doi_provider()
    pid = provider.create(draft, pid_value=row.pid_value, check_filter=False)
    pids = dict(draft.get("pids") or {})
    pids["doi"] = {"identifier": pid.pid_value, "provider": provider.name, "client": provider.client.name}
    draft.pids = pids
    return pid.pid_value


def _restore_pid(draft: Any, identifier: str) -> None:
    """The form sent back a DOI that was set aside: recreate its local PID."""
    provider = doi_provider()
    try:
        provider.get(identifier)
    except PIDDoesNotExistError:
        row = remembered(draft.id)
        if row is not None and row.pid_value.lower() == identifier.lower():
            provider.create(draft, pid_value=row.pid_value, check_filter=False)


def on_draft_saved(draft: Any, errors: list | None) -> None:
    """Every save of a never-published draft: set aside, or give back, its DOI."""
    provider = doi_provider()
    if provider is None or getattr(draft, "is_published", False):
        return  # an edit of a published record keeps its DOI, whatever the filter says
    attrs = _doi_attrs(draft)
    if not _is_ours(attrs, provider):
        return  # an external DOI: not ours to give or take
    decision = filters.decide(draft, filters.SAVE)
    identifier = attrs.get("identifier")
    if decision.qualifies:
        if identifier:
            _restore_pid(draft, identifier)
            return
        row = remembered(draft.id)
        if row is not None:
            give_back(draft, row)
        return
    identifier = identifier or _minted_for(draft)
    if identifier:
        set_aside(draft, identifier, decision.reason)
    if errors is not None:
        errors.append({"field": "pids.doi", "messages": [decision.reason]})


def before_publish(service: Any, draft: Any, record: Any) -> None:
    """Runs before upstream's PIDsComponent: a non-qualifying draft publishes without a DOI.

    Upstream mints every *required* scheme the draft lacks. For a draft that
    does not qualify, a placeholder ``pids.doi`` (no identifier) makes upstream
    see the scheme as present; the provider's ``validate_restriction_level``,
    which upstream calls just before it creates PIDs, removes it again.
    """
    provider = doi_provider()
    if provider is None or (record.get("pids") or {}).get("doi"):
        return  # a published DOI is never withdrawn by a filter
    attrs = _doi_attrs(draft)
    if not _is_ours(attrs, provider):
        return
    # The record as it is being published: files, metadata and access are already
    # on it (a draft's files have moved to the record by now).
    decision = filters.decide(record, filters.PUBLISH)
    setattr(draft, DECISION, decision)
    if decision.qualifies:
        return  # upstream mints (our provider gives back a DOI set aside)
    identifier = attrs.get("identifier")
    if identifier and not set_aside(draft, identifier, decision.reason):
        return
    if "doi" in set(service.config.pids_required):
        pids = dict(draft.get("pids") or {})
        pids["doi"] = {"provider": provider.name}
        draft.pids = pids
        setattr(draft, PLACEHOLDER, True)


def drop_placeholder(record: Any) -> bool:
    """Remove the placeholder of :func:`before_publish` (True if there was one)."""
    if not getattr(record, PLACEHOLDER, False):
        return False
    pids = record.get("pids") or {}
    attrs = pids.get("doi") or {}
    if attrs and not attrs.get("identifier"):
        del pids["doi"]
    setattr(record, PLACEHOLDER, False)
    return True
