"""An administrator gives a DOI to a published record that has none.

The record was excluded by a DOI filter, or published before DOIs were enabled.
The DOI is minted (the one set aside for the record if there is one), put on the
record (and on the concept if it has no DOI yet), and the lifecycle registers it
after the commit, like any other DOI: nothing here calls DataCite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from invenio_db import db
from invenio_drafts_resources.services.records.uow import ParentRecordCommitOp
from invenio_pidstore.errors import PIDDeletedError, PIDDoesNotExistError, PIDUnregistered
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_records_resources.services.uow import RecordCommitOp, UnitOfWork
from sqlalchemy.orm.exc import NoResultFound

from ..lifecycle.enqueue import ConvergeOp
from ..lifecycle.store import get_row
from ..lifecycle.store import note as log_operator
from . import qualification, sync
from .targets import is_tombstoned

#: What a record id may look like (InvenioRDM's are ``abcde-12345``; custom ones vary).
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


class AssignError(Exception):
    """The DOI cannot be given; ``status`` is the HTTP answer."""

    status = 409


class InvalidRecordIdError(AssignError):
    """Not something a record id can be."""

    status = 400


class RecordNotFoundError(AssignError):
    """No published record with that id."""

    status = 404


class NotAssignableError(AssignError):
    """The record has a DOI already, is deleted, or DOIs are not handled by this package."""


@dataclass(frozen=True)
class Assigned:
    """The DOIs the record has now."""

    record_id: str
    doi: str
    concept_doi: str | None
    reused: bool
    """The DOI had been set aside for the record by a filter."""


def _parent_provider() -> Any:
    from .providers import DOIExtParentPIDProvider

    for provider in current_app.config.get("RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS", []):
        if isinstance(provider, DOIExtParentPIDProvider):
            return provider
    return None


def published_record(record_id: str) -> Any:
    """The published record, or an error saying why not."""
    if not isinstance(record_id, str) or not RECORD_ID.match(record_id):
        raise InvalidRecordIdError(f"{str(record_id)[:100]!r} is not a record id.")
    service = current_rdm_records_service
    try:
        record = service.record_cls.pid.resolve(record_id)
    except (PIDDoesNotExistError, PIDUnregistered, NoResultFound) as exc:
        raise RecordNotFoundError(f"No published record {record_id!r}.") from exc
    except PIDDeletedError as exc:
        raise NotAssignableError(f"Record {record_id!r} is deleted: a tombstone gets no new DOI.") from exc
    if is_tombstoned(record):
        raise NotAssignableError(f"Record {record_id!r} is deleted: a tombstone gets no new DOI.")
    return record


def _pid_attrs(provider: Any, pid: Any) -> dict[str, str]:
    attrs = {"identifier": pid.pid_value, "provider": provider.name}
    if provider.client:
        attrs["client"] = provider.client.name
    return attrs


def _log(doi: str, actor: str, message: str) -> None:
    row = get_row(doi)
    if row is not None:
        log_operator(row, actor, "assign", message)


def assign_doi(record_id: str, actor: str) -> Assigned:
    """Mint and add the DOI (and concept DOI) of a published record; commits."""
    record = published_record(record_id)
    provider = qualification.doi_provider()
    if provider is None:
        raise NotAssignableError("invenio-doi-ext does not handle DOIs here (DOI_EXT_ENABLED is off).")
    if (record.get("pids") or {}).get("doi"):
        existing = record["pids"]["doi"].get("identifier")
        raise NotAssignableError(f"Record {record_id!r} already has the DOI {existing}.")

    service = current_rdm_records_service
    reused = qualification.remembered(record.id) is not None
    with UnitOfWork(db.session) as uow:
        pid = provider.create(record, check_filter=False)
        provider.reserve(pid, record=record)
        record.pids = {**(record.get("pids") or {}), "doi": _pid_attrs(provider, pid)}

        parent = record.parent
        concept = ((parent.get("pids") or {}).get("doi") or {}).get("identifier")
        parent_provider = _parent_provider()
        if concept is None and parent_provider is not None and _concept_dois_enabled():
            parent_pid = parent_provider.create(parent)
            parent_provider.reserve(parent_pid, record=parent)
            parent.pids = {**(parent.get("pids") or {}), "doi": _pid_attrs(parent_provider, parent_pid)}
            concept = parent_pid.pid_value

        reason = "DOI assigned by an administrator"
        sync.sync_version(record, reason, doi=pid.pid_value)
        if concept is not None:
            sync.sync_concept(parent, record, reason, doi=concept)
        _log(pid.pid_value, actor, f"assigned to published record {record_id}")
        if concept is not None:
            _log(concept, actor, f"concept DOI of published record {record_id}")

        _add_to_edit_draft(record, uow)
        uow.register(RecordCommitOp(record, indexer=service.indexer, index_refresh=True))
        uow.register(ParentRecordCommitOp(parent, indexer_context={"service": service}))
        uow.register(ConvergeOp())
        uow.commit()
    return Assigned(record_id, pid.pid_value, concept, reused)


def _concept_dois_enabled() -> bool:
    conf = current_app.config.get("RDM_PARENT_PERSISTENT_IDENTIFIERS", {}).get("doi")
    if not conf:
        return False
    is_enabled = conf.get("is_enabled")
    return bool(is_enabled(current_app)) if callable(is_enabled) else True


def _add_to_edit_draft(record: Any, uow: UnitOfWork) -> None:
    """An edit in progress gets the DOI too, or publishing it would drop the DOI again."""
    service = current_rdm_records_service
    try:
        draft = service.draft_cls.get_record(record.id)
    except NoResultFound:
        return
    draft.pids = {**(draft.get("pids") or {}), "doi": record.pids["doi"]}
    uow.register(RecordCommitOp(draft, indexer=service.draft_indexer))
