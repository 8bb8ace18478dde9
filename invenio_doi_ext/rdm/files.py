"""File DOIs: which files get one, minting, and what DataCite should hold for each.

Like :mod:`.targets` for a record, the target of a file DOI is a function of the
record (or draft) as it is, so every hook may recompute it any number of times:

* a file whose content is committed to a draft of a qualifying record gets a DOI,
  reserved at DataCite as a draft DOI (``DOI_EXT_RESERVE_ON_DRAFT``);
* a file deleted from the draft before publish: its draft DOI is deleted there;
* publish makes the DOIs of the published files findable, ``IsPartOf`` the record;
* a new version's imported, unchanged files keep the DOI of the version they were
  added to (found by content, :mod:`.file_parts`), new files get new DOIs;
* tombstone hides a version's file DOIs, restore shows them again;
* restricted files (or a restricted record) hold the redacted template, or, under
  ``DOI_EXT_RESTRICTED_POLICY = "none"``, are not reserved at all.

File DOIs have no ``pidstore_pid`` rows: they are not identifiers of a record,
InvenioRDM's resolver does not know them, and ``/doi/<file doi>`` is answered by
:mod:`invenio_doi_ext.views` from the lifecycle row.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import base32_lib

from .. import settings
from ..lifecycle.models import DOIHold, DOIKind, DOIState, ManagedDOI
from ..lifecycle.store import Target, get_row, set_desired
from ..metadata import files as file_payloads
from ..metadata import payload as payloads
from ..metadata import policy, validation
from ..metadata.files import FileFacts
from . import accounts, file_parts, filters, gates, targets
from .sync import current_actor


def enabled_for(record: Any) -> bool:
    """``DOI_EXT_FILE_DOIS`` for this record: everywhere, per community, or a callable's answer."""
    configured = settings.file_dois()
    if isinstance(configured, bool):
        return configured
    if isinstance(configured, Mapping):
        communities = filters.record_communities(record)
        if not communities:
            return False
        chosen = {
            community_id
            for key, flag in configured.items()
            if flag
            for community_id in filters.resolve_communities([key])
        }
        return any(community in chosen for community in communities)
    return bool(configured(record))


def type_allowed(facts: FileFacts) -> bool:
    """``DOI_EXT_FILE_DOIS_TYPES``: MIME type, MIME family or extension of the file's name."""
    allowed = settings.file_doi_types()
    if allowed is None:
        return True
    mimetype = (facts.mimetype or "").lower()
    extension = os.path.splitext(facts.key)[1].lower()
    for pattern in allowed:
        if pattern.startswith("."):
            if extension == pattern:
                return True
        elif fnmatch.fnmatchcase(mimetype, pattern):
            return True
    return False


def size_allowed(facts: FileFacts) -> bool:
    """``DOI_EXT_FILE_DOIS_MIN_SIZE`` and ``..._MAX_SIZE`` (an unknown size passes)."""
    least, most = settings.file_doi_min_size(), settings.file_doi_max_size()
    if facts.size is None:
        return True
    return (least is None or facts.size >= least) and (most is None or facts.size <= most)


def _external_doi(record: Any) -> bool:
    doi = ((record.get("pids") or {}).get("doi")) or {}
    return bool(doi) and doi.get("provider") != "datacite"


def qualifies(record: Any, facts: FileFacts) -> bool:
    """Whether a file without a DOI gets one now."""
    if not settings.file_dois_configured() or _external_doi(record):
        return False
    if _restricted(record) and policy.policy() == policy.NONE:
        return False
    return enabled_for(record) and size_allowed(facts) and type_allowed(facts)


def _restricted(record: Any) -> bool:
    return policy.is_metadata_restricted(record) or file_parts.files_restricted(record)


def new_doi(record: Any) -> tuple[str, str]:
    """(DOI, account) for a new file of ``record``: under the prefix of its record DOI's account.

    A draft without a DOI yet uses the account its record DOI will be minted with
    (:func:`invenio_doi_ext.rdm.accounts.minting_account`).
    """
    record_doi = targets.managed_doi(record)
    name = settings.account_for_doi(record_doi) if record_doi else accounts.minting_account(record)
    prefix = settings.get_account(name).prefix
    template = settings.file_doi_format()
    for _ in range(10):
        fresh = base32_lib.generate(length=10, split_every=5, checksum=True)
        doi = template.format(prefix=prefix, id=fresh, recid=_recid(record))
        if get_row(doi) is None:
            return doi, name
    raise RuntimeError(f"No free file DOI under {prefix} after 10 tries: check DOI_EXT_FILE_DOIS_FORMAT.")


def _recid(record: Any) -> str:
    pid = getattr(record, "pid", None)
    return str(getattr(pid, "pid_value", None) or record.get("id") or record.id)


# -- targets ---------------------------------------------------------------------------------


def draft_file_target(draft: Any, facts: FileFacts, doi: str, draft_payload: Any) -> Target:
    """A file of a draft: reserved as a DataCite draft DOI with what it says so far."""
    if not settings.reserve_on_draft():
        return Target(DOIState.NONE)
    url = payloads.landing_url(doi)
    if _restricted(draft):
        if policy.policy() == policy.NONE:
            return Target(DOIState.NONE)
        return Target(
            DOIState.DRAFT, file_payloads.redacted_file_payload(draft, targets.managed_doi(draft)), url
        )
    metadata = file_payloads.file_payload(draft_payload(), facts, targets.managed_doi(draft))
    metadata, url = validation.acceptable_on_draft(metadata, url)
    return Target(DOIState.DRAFT, metadata, url)


def record_file_target(record: Any, facts: FileFacts, row: Any, record_payload: Any) -> Target:
    """A file of a published version: findable with the record, hidden with its tombstone.

    ``row`` is the DOI's row (its states decide whether the "none" policy may still
    drop a restricted file's DOI).
    """
    record_doi = targets.managed_doi(record)
    if record_doi is None:
        return Target(DOIState.NONE)  # a version without a DOI of ours has no file DOIs either
    url = payloads.landing_url(row.pid_value)
    tombstoned = targets.is_tombstoned(record)
    if gates.held(record):  # curation: the record's DOI stays a draft, so do its files'
        if tombstoned:
            return Target(DOIState.NONE)
        return Target(DOIState.DRAFT, _file_metadata(record, facts, record_doi, record_payload), url)
    if _restricted(record):
        never_public = row.remote_state in (DOIState.NONE, DOIState.DRAFT) and row.desired_state in (
            DOIState.NONE,
            DOIState.DRAFT,
        )
        if policy.policy() == policy.NONE and never_public:
            return Target(DOIState.NONE)
        return Target(DOIState.REGISTERED, file_payloads.redacted_file_payload(record, record_doi), url)
    state = DOIState.REGISTERED if tombstoned else DOIState.FINDABLE
    return Target(state, _file_metadata(record, facts, record_doi, record_payload), url)


def _file_metadata(record: Any, facts: FileFacts, record_doi: str, record_payload: Any) -> dict[str, Any]:
    if _restricted(record):
        return file_payloads.redacted_file_payload(record, record_doi)
    return file_payloads.file_payload(record_payload(), facts, record_doi)


# -- keeping the rows --------------------------------------------------------------------------


def needs_sync(record: Any) -> bool:
    """Whether the record's file DOIs need a look: the feature is on, or the record has some.

    With the feature off on an instance that never had a file DOI, this costs one
    query per process, then nothing.
    """
    if settings.file_dois_configured():
        return True
    return file_parts.any_file_dois() and bool(file_parts.own_rows(getattr(record, "id", None)))


def _once(compute: Any) -> Any:
    """``compute()`` the first time it is asked for, then the same value (a payload per sync)."""
    kept: list[Any] = []

    def get() -> Any:
        if not kept:
            kept.append(compute())
        return kept[0]

    return get


def _set(
    row_doi: str, target: Target, obj: Any, facts: FileFacts | None, reason: str, account: str | None = None
):
    hold = DOIHold.PENDING if target.state == DOIState.NONE and facts is not None else None
    return set_desired(
        row_doi,
        target,
        kind=DOIKind.FILE,
        object_uuid=obj.id,
        actor=current_actor(),
        reason=reason,
        hold=hold,
        account=account,
        file_key=facts.key if facts is not None else None,
        file_id=facts.file_id if facts is not None else None,
    )


def _gone(row: ManagedDOI, obj: Any, reason: str) -> None:
    """The file left the draft (its draft DOI is deleted) or a published version (hidden)."""
    if row.desired_state in (DOIState.REGISTERED, DOIState.FINDABLE):
        target = Target(DOIState.REGISTERED, row.desired_payload, row.desired_url)
    elif row.desired_state != DOIState.NONE or row.hold == DOIHold.PENDING:
        target = Target(DOIState.NONE)
    else:
        return
    _set(row.pid_value, target, obj, None, f"{reason}: the file is gone")


def withdraw_drafts(draft: Any, reason: str) -> None:
    """A discarded draft: the DOIs of its files that were never published are deleted at DataCite."""
    if draft is None or getattr(draft, "id", None) is None:
        return
    for row in file_parts.own_rows(draft.id):
        if row.desired_state == DOIState.DRAFT or (
            row.desired_state == DOIState.NONE and row.hold == DOIHold.PENDING
        ):
            _set(row.pid_value, Target(DOIState.NONE), draft, None, f"{reason}: the draft is discarded")


def sync_files(obj: Any, reason: str, *, mint: bool = True) -> None:
    """Bring the file DOIs of a draft or a published version up to date (mint the missing ones).

    A draft of a published record (an edit) only touches the DOIs of files it adds;
    the published files' DOIs change when the edit is published.
    """
    if obj is None or getattr(obj, "id", None) is None:
        return
    configured = settings.file_dois_configured()
    rows = file_parts.own_rows(obj.id)
    if not configured and not rows:
        return
    facts = file_parts.file_facts(obj)
    present = {fact.file_id: fact for fact in facts}
    is_draft = getattr(obj, "is_draft", False)
    if is_draft:
        draft_payload = _once(lambda: payloads.draft_payload(obj))
    else:
        record_payload = _once(lambda: payloads.record_payload(obj))

    for row in rows:
        fact = present.get(str(row.file_id)) if row.file_id else None
        if is_draft and row.desired_state in (DOIState.REGISTERED, DOIState.FINDABLE):
            continue  # a published file: changes reach DataCite when the edit is published
        if fact is None:
            _gone(row, obj, reason)
            continue
        if is_draft:
            target = draft_file_target(obj, fact, row.pid_value, draft_payload)
        else:
            target = record_file_target(obj, fact, row, record_payload)
        _set(row.pid_value, target, obj, fact, reason)

    if not mint or not configured:
        return
    has_doi = file_parts.rows_by_file(obj, facts)
    for fact in facts:
        if fact.key in has_doi or not qualifies(obj, fact):
            continue
        if not is_draft and targets.managed_doi(obj) is None:
            continue
        doi, account = new_doi(obj)
        row = SimpleNamespace(pid_value=doi, remote_state=DOIState.NONE, desired_state=DOIState.NONE)
        if is_draft:
            target = draft_file_target(obj, fact, doi, draft_payload)
        else:
            target = record_file_target(obj, fact, row, record_payload)
        _set(doi, target, obj, fact, f"{reason}: DOI minted for the file", account=account)
