"""A change of a record's communities reaches DataCite.

The instance's DataCite export of a record says it ``IsPartOf`` each of its
communities, and the default community picks the DOI filter and account, so
every change of a parent's communities recomputes the desired payload of all
its DOIs (each published version's, and the concept's), inside the transaction
that changes the communities, coalesced like any other change.

Communities change in several places of invenio-rdm-records 32: the accept
action of a community inclusion request (also used by the records-communities
service's ``add`` when no review is needed), and the records-communities
service's ``remove``, ``set_default`` and ``bulk_add``. Each stores the parent
record, whose JSON then holds the new ``communities`` (ids and default).
invenio-records-resources' records send no invenio-records signals, and
the request's accept action has no component hook, so the change is noticed
where all of them meet: the parent model's ``json`` being set (an SQLAlchemy
attribute event, which sees the old value). The parent is noted in the session,
and the DOIs are recomputed just before that transaction commits (the session's
``before_commit``), once per parent however many changes it had.

A component on ``RDM_RECORD_COMMUNITIES_SERVICE_COMPONENTS`` registers the
lifecycle's :class:`~invenio_doi_ext.lifecycle.enqueue.ConvergeOp` in those
services' unit of work, so the DOIs are sent right after the commit; a request
accepted through the requests service is sent by the session's commit hook
(with eager Celery, by the sweep).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from invenio_rdm_records.records.api import RDMParent
from invenio_rdm_records.records.models import RDMParentMetadata
from invenio_records_resources.services.records.components import ServiceComponent
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import NO_VALUE
from sqlalchemy.orm.exc import NoResultFound

from ..lifecycle.enqueue import converge_after_commit
from . import sync, targets

REASON = "communities changed"
"""The reason written in the DOIs' history."""

_PENDING = "doi_ext_communities_changed"


def communities_key(data: Any) -> tuple[tuple[str, ...], str | None]:
    """What of a parent's ``communities`` matters to DataCite: the ids and the default."""
    communities = (data.get("communities") if isinstance(data, dict) else None) or {}
    ids = tuple(sorted(str(value) for value in communities.get("ids") or ()))
    default = communities.get("default")
    return ids, (str(default) if default else None)


def _active() -> bool:
    return (
        has_app_context()
        and bool(current_app.config.get("DOI_EXT_ENABLED"))
        and "invenio-doi-ext" in current_app.extensions
    )


def note_change(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
    """The parent's JSON is set: note the parent if its communities differ from before.

    A parent being created (no old value) has no published version to update.
    """
    if oldvalue is NO_VALUE or oldvalue is None or target.id is None:
        return
    if communities_key(oldvalue) == communities_key(value):
        return
    session = object_session(target)
    if session is not None and _active():
        session.info.setdefault(_PENDING, set()).add(target.id)


def recompute_before_commit(session: Session) -> None:
    """Recompute the DOIs of every parent whose communities changed in this transaction.

    A savepoint's commit (each parent commit is one) waits for the transaction's:
    several changes of one unit of work are recomputed once.
    """
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if not pending or not _active():
        return
    for parent_id in sorted(pending, key=str):
        try:
            parent = RDMParent.get_record(parent_id)
        except NoResultFound:
            continue  # deleted in the same transaction: nothing left to describe
        recompute(parent)


def _forget(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


def recompute(parent: Any, reason: str = REASON) -> int:
    """Desired payloads of every published version of ``parent`` and of its concept.

    Only published versions: a parent that has none yet is being published
    (a community submission accepted), and the publish recomputes it.
    Returns how many versions were recomputed.
    """
    versions = targets.published_versions(parent)
    for version in versions:
        sync.sync_version(version, reason)
    if versions:
        sync.sync_concept(parent, versions[-1], reason)
    return len(versions)


_connected = False


def connect() -> None:
    """Listen once per process: the parents' JSON, and every session's commit and rollback."""
    global _connected
    if _connected:
        return
    event.listen(RDMParentMetadata.json, "set", note_change, active_history=True, propagate=True)
    event.listen(Session, "before_commit", recompute_before_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _forget(session))
    _connected = True


class RecordCommunitiesDOIComponent(ServiceComponent):
    """Records-communities service: send the recomputed DOIs right after its commit."""

    def add_community(self, identity: Any, **kwargs: Any) -> None:
        """Communities added (directly, or through requests accepted at once)."""
        converge_after_commit(self._uow)

    def remove_community_from_record(self, identity: Any, **kwargs: Any) -> None:
        """A community removed."""
        converge_after_commit(self._uow)

    def set_default(self, identity: Any, **kwargs: Any) -> None:
        """The default community changed."""
        converge_after_commit(self._uow)

    def bulk_add(self, identity: Any, **kwargs: Any) -> None:
        """Many records added to a community."""
        converge_after_commit(self._uow)


def add_component(config: Any) -> None:
    """Append the component to ``RDM_RECORD_COMMUNITIES_SERVICE_COMPONENTS`` (upstream default: none)."""
    components = list(config.get("RDM_RECORD_COMMUNITIES_SERVICE_COMPONENTS") or [])
    if RecordCommunitiesDOIComponent not in components:
        components.append(RecordCommunitiesDOIComponent)
    config["RDM_RECORD_COMMUNITIES_SERVICE_COMPONENTS"] = components
