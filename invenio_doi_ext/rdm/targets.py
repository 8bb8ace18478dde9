"""What DataCite should hold for a record's DOI and its concept DOI.

A pure function of the record's current state, not of the event that changed
it: calling it twice, late, or from two hooks gives the same answer, which is
what makes every hook safe to run more than once.
"""

from __future__ import annotations

from typing import Any

from invenio_db import db
from invenio_rdm_records.records.api import RDMRecord

from .. import doi_syntax, settings
from ..lifecycle.models import DOIState
from ..lifecycle.store import Target
from ..metadata import memo, policy, validation
from ..metadata import payload as payloads
from ..metadata.files import with_parts
from . import file_parts, gates


def managed_doi(obj: Any) -> str | None:
    """The DOI of a record or parent if this instance mints it at DataCite."""
    pids = obj.get("pids", {}) if obj is not None else {}
    doi = pids.get("doi") or {}
    if doi.get("provider") == "datacite" and doi.get("identifier"):
        # A DOI DataCite would refuse (entered on a draft) has nothing to converge; the
        # draft's validation shows why on the form and publish is refused.
        return doi["identifier"] if doi_syntax.is_valid_doi(doi["identifier"]) else None
    return None


def is_tombstoned(record: Any) -> bool:
    """Deleted records (tombstones) keep their DOI hidden, never deleted."""
    status = getattr(record, "deletion_status", None)
    return bool(status is not None and getattr(status, "is_deleted", False))


def draft_target(draft: Any, doi: str) -> Target:
    """A never-published draft: reserved at DataCite (or not at all) with what is entered.

    A restricted draft's reservation holds the redacted template; under the
    "none" policy it is not reserved at all (a restricted record gets no DOI).
    """
    if not settings.reserve_on_draft():
        return Target(DOIState.NONE)
    if policy.is_metadata_restricted(draft):
        if policy.policy() == policy.NONE:
            return Target(DOIState.NONE)
        metadata = policy.redacted_payload(draft)
    else:
        metadata = payloads.draft_payload(draft)
    # What DataCite refuses even on a draft waits for the depositor's fix (shown on the form).
    metadata, url = validation.acceptable_on_draft(metadata, payloads.landing_url(doi))
    return Target(DOIState.DRAFT, metadata, url)


def _full(state: str, record: Any, url: str, deferred: bool) -> Target:
    """A version's full payload, or (``deferred``) the source a worker builds it from.

    Its files' DOIs (``HasPart``) are part of both: the list is read in the request.
    """
    parts = file_parts.has_part(record)
    if deferred:
        source = payloads.record_source(record)
        return Target(state, url=url, source=memo.Memo.key(source, parts) if parts else source)
    return Target(state, with_parts(payloads.record_payload(record), parts), url)


def _full_concept(
    state: str, parent: Any, latest: Any, url: str, deferred: bool, version_dois: list[str] | None = None
) -> Target:
    """A concept's full payload, or (``deferred``) the source a worker builds it from."""
    dois = version_dois or []
    if deferred:
        return Target(state, url=url, source=payloads.concept_source(parent, latest, dois))
    return Target(state, payloads.concept_payload(parent, latest, dois), url)


def record_target(record: Any, doi: str, *, deferred: bool = False) -> Target:
    """A published version: findable, or registered with redacted metadata, or hidden.

    Both policies hide a restricted record with the redacted template: under
    "none" it can only hold a DOI because it was public once. Its full payload
    is never even computed. ``deferred`` (the request side) leaves the full
    payload to the worker: the target then carries its source instead.
    """
    url = payloads.landing_url(doi)
    if gates.held(record):
        return _held(record, url, deferred=deferred)
    if policy.is_metadata_restricted(record):
        return Target(DOIState.REGISTERED, policy.redacted_payload(record), url)
    if is_tombstoned(record):
        return _full(DOIState.REGISTERED, record, url, deferred)
    return _full(DOIState.FINDABLE, record, url, deferred)


def _held(record: Any, url: str, parent: Any = None, *, deferred: bool = False) -> Target:
    """Curation gate (``invenio_doi_ext.curation``): no accepted DOI request, no public DOI.

    The DOI stays a DataCite draft (reserved, not resolvable), and is deleted
    there if the record is; the concept likewise while no version is accepted.
    """
    if is_tombstoned(record):
        return Target(DOIState.NONE)
    if policy.is_metadata_restricted(record):
        return Target(DOIState.DRAFT, policy.redacted_payload(record), url)
    if parent is not None:
        return _full_concept(DOIState.DRAFT, parent, record, url, deferred)
    return _full(DOIState.DRAFT, record, url, deferred)


def published_versions(parent: Any, current: Any = None) -> list[Any]:
    """Published versions of a concept, with ``current`` (in memory) replacing its stored copy."""
    records = {}
    # Without autoflush: only ``current`` changes in this request, and it replaces
    # its stored copy below; the record's changes are flushed once, at commit.
    with db.session.no_autoflush:
        models = RDMRecord.model_cls.query.filter_by(parent_id=parent.id).all()
    for model in models:
        if model.is_deleted:
            continue
        records[str(model.id)] = RDMRecord(model.data, model=model)
    if current is not None and not getattr(current, "is_draft", False) and current.id is not None:
        records[str(current.id)] = current
    return sorted(records.values(), key=lambda rec: rec.versions.index or 0)


def _version_doi(record: Any) -> str | None:
    return ((record.get("pids") or {}).get("doi") or {}).get("identifier")


def concept_target(parent: Any, doi: str, current: Any = None, *, deferred: bool = False) -> Target:
    """The concept DOI describes the latest public version, never a restricted one.

    ``deferred`` as for :func:`record_target`.
    """
    url = payloads.landing_url(doi)
    versions = published_versions(parent, current)
    held = {str(rec.id) for rec in versions if gates.held(rec)}
    if held and len(held) == len(versions):
        alive = [rec for rec in versions if not is_tombstoned(rec)]
        return _held(alive[-1], url, parent, deferred=deferred) if alive else Target(DOIState.NONE)
    versions = [rec for rec in versions if str(rec.id) not in held]
    alive = [rec for rec in versions if not is_tombstoned(rec)]
    public = [rec for rec in alive if not policy.is_metadata_restricted(rec)]
    if public:
        dois = [d for d in map(_version_doi, public) if d]
        return _full_concept(DOIState.FINDABLE, parent, public[-1], url, deferred, dois)
    if alive:
        return Target(DOIState.REGISTERED, policy.redacted_payload(alive[-1]), url)
    if versions:
        # Every version is a tombstone: hidden, described by the last version if it was public.
        latest = versions[-1]
        if policy.is_metadata_restricted(latest):
            return Target(DOIState.REGISTERED, policy.redacted_payload(latest), url)
        return _full_concept(DOIState.REGISTERED, parent, latest, url, deferred)
    return Target(DOIState.NONE)
