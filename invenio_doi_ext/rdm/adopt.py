"""Adopt an instance that used upstream's provider: a lifecycle row for every DOI.

Upstream marks a PID registered before calling DataCite, ignores failures, keeps
full metadata at DataCite when a record becomes restricted and re-publishes a
concept DOI after hiding it. Adopting reads every DOI back from DataCite, records
what it really holds as the row's remote side (so the workers repair the
difference), and reports what upstream left behind. Batched by PID id with a
commit per batch (memory stays flat; an interrupted run resumes where it
stopped, since DOIs that already have a row are skipped), rate-limited by the
gateway, and with ``dry_run`` nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.records.api import RDMDraft, RDMParent, RDMRecord
from sqlalchemy.orm.exc import NoResultFound

from .. import settings
from ..lifecycle import store
from ..lifecycle.client import Gateways, pick
from ..lifecycle.models import DOIKind, DOIState, ManagedDOI
from ..lifecycle.store import Target, normalize, set_desired
from ..metadata.compare import held_fingerprint, same_metadata
from . import targets

MISSING = "registered locally, missing at DataCite"
DRAFT_ONLY = "registered locally, only a draft at DataCite"
RESTRICTED_LEAK = "restricted record with its full metadata at DataCite"
CONCEPT_REPUBLISHED = "concept DOI findable although every version is deleted"
WRONG_STATE = "different state at DataCite"
DIFFERENT_METADATA = "different metadata at DataCite"
DIFFERENT_URL = "different URL at DataCite"


@dataclass
class Adoption:
    """What adopting one DOI found (and did, unless it was a dry run)."""

    doi: str
    account: str = settings.DEFAULT_ACCOUNT
    """The account whose prefixes hold the DOI: it is read, and later written, with that one."""
    kind: str | None = None
    local_status: str | None = None
    desired_state: str | None = None
    remote_state: str | None = None
    findings: list[str] = field(default_factory=list)
    error: str | None = None
    adopted: bool = False


def _resolve(pid: PersistentIdentifier) -> tuple[str, Any, bool]:
    """(kind, object, is_draft) of the record, parent or draft a DOI belongs to."""
    for kind, cls, is_draft in (
        (DOIKind.RECORD, RDMRecord, False),
        (DOIKind.PARENT, RDMParent, False),
        (DOIKind.RECORD, RDMDraft, True),
    ):
        try:
            return kind, cls.get_record(pid.object_uuid), is_draft
        except NoResultFound:
            continue
    raise LookupError(f"no record, parent or draft has id {pid.object_uuid}")


def _target(kind: str, obj: Any, is_draft: bool, doi: str) -> Target:
    if kind == DOIKind.PARENT:
        return targets.concept_target(obj, doi)
    if is_draft:
        return targets.draft_target(obj, doi)
    return targets.record_target(obj, doi)


def _all_versions_deleted(parent: Any) -> bool:
    versions = targets.published_versions(parent)
    return bool(versions) and all(targets.is_tombstoned(version) for version in versions)


def _is_redacted(kind: str, obj: Any, is_draft: bool, target: Target) -> bool:
    """Whether the target payload is the redaction template (metadata not public)."""
    if kind == DOIKind.RECORD:
        from ..metadata.policy import is_metadata_restricted

        return is_metadata_restricted(obj)
    redacted = target.payload or {}
    return redacted.get("titles") == [{"title": "Restricted record"}] or not redacted


def classify(result: Adoption, kind: str, obj: Any, is_draft: bool, target: Target, outcome: Any) -> None:
    """Name what upstream left behind for one DOI."""
    remote = result.remote_state
    if result.local_status == PIDStatus.REGISTERED.value and remote == DOIState.NONE:
        result.findings.append(MISSING)
    elif result.local_status == PIDStatus.REGISTERED.value and remote == DOIState.DRAFT:
        result.findings.append(DRAFT_ONLY)
    if not outcome.found:
        return
    matches = same_metadata(target.payload, outcome.attributes)
    if (
        kind == DOIKind.PARENT
        and remote == DOIState.FINDABLE
        and target.state == DOIState.REGISTERED
        and _all_versions_deleted(obj)
    ):
        result.findings.append(CONCEPT_REPUBLISHED)
    elif remote != target.state and not result.findings:
        result.findings.append(WRONG_STATE)
    if not matches:
        leak = target.state == DOIState.REGISTERED and _is_redacted(kind, obj, is_draft, target)
        result.findings.append(RESTRICTED_LEAK if leak else DIFFERENT_METADATA)
    if target.url and (outcome.url or None) != target.url:
        result.findings.append(DIFFERENT_URL)


def _record_remote(row: ManagedDOI, outcome: Any, target: Target) -> None:
    """The row's remote side is what DataCite really holds, so workers repair the rest."""
    at_datacite = None
    if outcome.found:
        at_datacite = held_fingerprint(
            target.payload,
            outcome.attributes,
            sent_url=target.url,
            held_url=outcome.url,
            sent_fingerprint=row.desired_fingerprint,
        )
    # A DOI found as it should be needs no call: the store drops the converge task that
    # set_desired queued before DataCite's answer was known (100,000 no-op tasks otherwise).
    store.adopt_remote(
        row,
        found=outcome.found,
        state=outcome.state,
        url=outcome.url,
        fingerprint_at_datacite=at_datacite,
        actor="adopt",
    )


def adopt_one(pid: PersistentIdentifier, gateway: Gateways, *, dry_run: bool) -> Adoption:
    """Read one DOI back from DataCite with its account; unless ``dry_run``, give it a row.

    The account is the one whose prefixes (main or additional) hold the DOI, so an
    instance whose DOIs span several prefixes has each read, and then written, by
    the account DataCite knows as its owner.
    """
    account = settings.account_for_doi(pid.pid_value)
    result = Adoption(doi=pid.pid_value, account=account, local_status=pid.status.value)
    try:
        kind, obj, is_draft = _resolve(pid)
    except LookupError as error:
        result.error = str(error)
        return result
    result.kind = kind
    target = _target(kind, obj, is_draft, pid.pid_value)
    result.desired_state = target.state
    outcome = pick(gateway, account).get(pid.pid_value)
    if not outcome.ok:
        result.error = outcome.message or f"HTTP {outcome.status}"
        return result  # no row: a later run retries this DOI
    result.remote_state = (outcome.state or DOIState.NONE) if outcome.found else DOIState.NONE
    classify(result, kind, obj, is_draft, target, outcome)
    if not dry_run:
        row = set_desired(
            pid.pid_value,
            target,
            kind=kind,
            object_uuid=obj.id,
            actor="adopt",
            reason="adopted",
            account=account,
        )
        _record_remote(row, outcome, target)
        store.align_pid_status(pid, result.remote_state)
        result.adopted = True
    return result


def adopt(
    gateway: Gateways, *, dry_run: bool = False, batch_size: int = 100, provider: str = "datacite"
) -> Iterator[Adoption]:
    """Every DOI of ``provider`` without a lifecycle row, in batches by PID id."""
    last_id = 0
    while True:
        pids = (
            PersistentIdentifier.query.filter(
                PersistentIdentifier.pid_type == "doi",
                PersistentIdentifier.pid_provider == provider,
                PersistentIdentifier.id > last_id,
            )
            .order_by(PersistentIdentifier.id)
            .limit(batch_size)
            .all()
        )
        if not pids:
            return
        last_id = pids[-1].id
        known = {
            doi
            for (doi,) in db.session.query(ManagedDOI.doi).filter(
                ManagedDOI.doi.in_([normalize(pid.pid_value) for pid in pids])
            )
        }
        results = [
            adopt_one(pid, gateway, dry_run=dry_run) for pid in pids if normalize(pid.pid_value) not in known
        ]
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        db.session.expunge_all()
        yield from results


def count_candidates(provider: str = "datacite") -> int:
    """How many DOIs of the provider have no lifecycle row yet (for progress)."""
    adopted = db.session.query(ManagedDOI.doi)
    return (
        PersistentIdentifier.query.filter(
            PersistentIdentifier.pid_type == "doi",
            PersistentIdentifier.pid_provider == provider,
            ~db.func.lower(PersistentIdentifier.pid_value).in_(adopted),
        ).count()
    )
