"""Every DOI of ours, judged from the instance's records, drafts, parents and PIDs.

Checks that start from the lifecycle rows cannot see a published record whose
DOI never got a row, nor a DOI that DataCite holds and no row knows. These start
from the other end: every record, draft and parent holding one of our DOIs (our
PID provider, our account's prefix), every DOI PID of ours in ``pidstore_pid``,
and every DOI the sandbox holds under our prefix.

The expected *state* is derived here from the record's status alone (public,
restricted, tombstoned, draft, discarded), not through ``invenio_doi_ext.rdm.targets``,
so that a wrong decision of the product shows up as a difference; the expected
*metadata and URL* are the row's desired payload (whether that payload is the
right one for the record is judged by ``tests/soak/soak_checks.mismatches``).
Shared by the soak, the leak audit and ``tests/lifecycle/test_doi_inventory.py``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.records.api import RDMDraft, RDMParent, RDMRecord

from invenio_doi_ext.curation import gate as curation_gate
from invenio_doi_ext.lifecycle.models import DOIKind, DOIState, ManagedDOI
from invenio_doi_ext.lifecycle.plan import coerce
from invenio_doi_ext.rdm.providers import DOIExtPIDProvider

PROVIDER_KEYS = ("RDM_PERSISTENT_IDENTIFIER_PROVIDERS", "RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS")


def our_provider_names() -> set[str]:
    """Names of the configured PID providers that are this package's."""
    return {
        provider.name
        for key in PROVIDER_KEYS
        for provider in current_app.config.get(key) or []
        if isinstance(provider, DOIExtPIDProvider)
    }


def our_prefixes() -> tuple[str, ...]:
    """The account's prefixes (``DATACITE_PREFIX`` and ``DATACITE_ADDITIONAL_PREFIXES``), lower case."""
    config = current_app.config
    prefixes = [config.get("DATACITE_PREFIX"), *(config.get("DATACITE_ADDITIONAL_PREFIXES") or [])]
    return tuple(str(prefix).lower() for prefix in prefixes if prefix)


def under_prefixes(doi: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a DOI is under one of the prefixes."""
    return doi.lower().startswith(tuple(f"{prefix}/" for prefix in prefixes))


def doi_of(obj: Any) -> tuple[str | None, str | None]:
    """(identifier, provider) of an object's ``pids.doi``."""
    doi = (obj.get("pids") or {}).get("doi") or {}
    return doi.get("identifier"), doi.get("provider")


def is_public(obj: Any) -> bool:
    """Metadata visible to anybody: ``access.record`` is ``public`` (an embargo makes it restricted)."""
    return (obj.get("access") or {}).get("record") == "public"


def is_tombstoned(record: RDMRecord) -> bool:
    """A deleted published record (tombstone): its DOI stays, hidden."""
    return bool(record.deletion_status.is_deleted)


@dataclass(frozen=True)
class Holder:
    """An object of the instance that holds one of our DOIs, and what its status implies."""

    doi: str
    """Lower case: the key of ``doi_ext_dois`` and of the sandbox's answers."""

    kind: str
    object_id: str
    label: str
    state: str | None
    """The DataCite state the status implies; None for an edit draft (its record decides)."""


@dataclass
class Instance:
    """What the instance holds, read once from the database."""

    records: list[RDMRecord]
    drafts: list[RDMDraft]
    parents: dict[str, RDMParent]
    pids: list[PersistentIdentifier]
    rows: dict[str, ManagedDOI]
    providers: set[str]
    prefixes: tuple[str, ...]
    versions_of: dict[str, list[RDMRecord]] = field(default_factory=dict)

    def ours(self, obj: Any) -> str | None:
        """The object's DOI, lower case, if our provider holds it."""
        identifier, provider = doi_of(obj)
        return identifier.lower() if identifier and provider in self.providers else None

    def record_ids(self) -> set[str]:
        """Ids of the published records: a draft with one of them is an edit draft."""
        return {str(record.id) for record in self.records}


def load_instance() -> Instance:
    """Every live record, draft and parent, every DOI PID and every row, as they are now."""
    db.session.expire_all()
    records = [RDMRecord(m.data, model=m) for m in RDMRecord.model_cls.query.all() if not m.is_deleted]
    drafts = [RDMDraft(m.data, model=m) for m in RDMDraft.model_cls.query.all() if not m.is_deleted]
    parents = {
        str(m.id): RDMParent(m.data, model=m) for m in RDMParent.model_cls.query.all() if not m.is_deleted
    }
    instance = Instance(
        records=records,
        drafts=drafts,
        parents=parents,
        pids=PersistentIdentifier.query.filter_by(pid_type="doi").all(),
        rows={row.doi: row for row in ManagedDOI.query.all()},
        providers=our_provider_names(),
        prefixes=our_prefixes(),
    )
    versions: dict[str, list[RDMRecord]] = defaultdict(list)
    for record in records:
        versions[str(record.model.parent_id)].append(record)
    instance.versions_of = {
        parent_id: sorted(found, key=lambda rec: rec.versions.index or 0)
        for parent_id, found in versions.items()
    }
    return instance


def _remote_state(instance: Instance, doi: str) -> str:
    row = instance.rows.get(doi)
    return row.remote_state if row is not None else DOIState.NONE


def version_state(instance: Instance, record: RDMRecord, doi: str) -> str:
    """Published: findable if public, registered if restricted or tombstoned.

    Under either policy a restricted record holding a DOI is registered (under
    "none" it holds one only because it was public once). A version the curation
    gate holds stays a DataCite draft, deleted if tombstoned, unless DataCite
    already registered it (DataCite never goes back).
    """
    if curation_gate.held(record):
        state = DOIState.NONE if is_tombstoned(record) else DOIState.DRAFT
        return coerce(state, _remote_state(instance, doi))
    if is_tombstoned(record) or not is_public(record):
        return DOIState.REGISTERED
    return DOIState.FINDABLE


def draft_state(draft: RDMDraft) -> str:
    """Never published: a DataCite draft when drafts reserve, unless restricted under "none"."""
    if not current_app.config.get("DOI_EXT_RESERVE_ON_DRAFT", True):
        return DOIState.NONE
    if not is_public(draft) and current_app.config.get("DOI_EXT_RESTRICTED_POLICY") == "none":
        return DOIState.NONE
    return DOIState.DRAFT


def concept_state(instance: Instance, parent_id: str, doi: str) -> str:
    """Findable while a public version is alive, registered while any version exists."""
    versions = instance.versions_of.get(parent_id, [])
    held = {str(rec.id) for rec in versions if curation_gate.held(rec)}
    if versions and len(held) == len(versions):
        alive = [rec for rec in versions if not is_tombstoned(rec)]
        return coerce(DOIState.DRAFT if alive else DOIState.NONE, _remote_state(instance, doi))
    judged = [rec for rec in versions if str(rec.id) not in held]
    if any(is_public(rec) and not is_tombstoned(rec) for rec in judged):
        return DOIState.FINDABLE
    return DOIState.REGISTERED if judged else DOIState.NONE


def _public_id(obj: Any) -> str:
    """The id the REST API and the landing page show (``recid``), the UUID when there is none."""
    return str(obj.get("id") or obj.id)


def holders(instance: Instance) -> tuple[list[Holder], list[str]]:
    """Every object holding one of our DOIs; and our DOIs outside the account's prefixes."""
    found: list[Holder] = []
    published = instance.record_ids()
    for record in instance.records:
        doi = instance.ours(record)
        if doi:
            state = version_state(instance, record, doi)
            found.append(Holder(doi, DOIKind.RECORD, str(record.id), f"record {_public_id(record)}", state))
    for draft in instance.drafts:
        doi = instance.ours(draft)
        if doi:
            edit = str(draft.id) in published
            label = f"{'edit draft' if edit else 'draft'} {_public_id(draft)}"
            state = None if edit else draft_state(draft)
            found.append(Holder(doi, DOIKind.RECORD, str(draft.id), label, state))
    for parent_id, parent in instance.parents.items():
        doi = instance.ours(parent)
        if doi:
            state = concept_state(instance, parent_id, doi)
            found.append(Holder(doi, DOIKind.PARENT, parent_id, f"parent {_public_id(parent)}", state))
    foreign = [
        f"{holder.label} holds {holder.doi} from our provider, outside the prefixes {list(instance.prefixes)}"
        for holder in found
        if not under_prefixes(holder.doi, instance.prefixes)
    ]
    return found, foreign


def _held_twice(found: list[Holder]) -> list[str]:
    objects: dict[str, set[str]] = defaultdict(set)
    for holder in found:
        objects[holder.doi].add(holder.object_id)
    return [f"{doi} is held by several objects {sorted(ids)}" for doi, ids in objects.items() if len(ids) > 1]


def judge_holder(holder: Holder, row: ManagedDOI | None, remote: dict[str, Any] | None) -> list[str]:
    """The holder's row (right kind and object) and what the sandbox holds for it."""
    where = f"{holder.label} holds {holder.doi}"
    if row is None:
        return [f"{where}: no doi_ext_dois row"]
    problems = []
    if row.kind != holder.kind or str(row.object_uuid) != holder.object_id:
        problems.append(
            f"{where}: its row is the {row.kind} DOI of object {row.object_uuid}, "
            f"not the {holder.kind} DOI of object {holder.object_id}"
        )
    if holder.state is None:
        return problems
    if row.desired_state != holder.state:
        problems.append(f"{where}: its row wants {row.desired_state}, the status implies {holder.state}")
    return problems + held_problems(where, holder.state, row.desired_url, row.desired_payload, remote)


def held_problems(
    where: str, state: str, url: str | None, payload: dict[str, Any] | None, remote: dict[str, Any] | None
) -> list[str]:
    """How the sandbox's copy of a DOI (``remote``) differs from the state, URL and metadata expected."""
    if state == DOIState.NONE and remote is not None:
        return [f"{where}: must not exist at DataCite, the sandbox holds it {remote['state']}"]
    if state == DOIState.NONE:
        return []
    if remote is None:
        return [f"{where}: expected {state}, the sandbox does not hold it"]
    problems = []
    if remote["state"] != state:
        problems.append(f"{where}: expected {state}, the sandbox holds it {remote['state']}")
    if remote["url"] != url:
        problems.append(f"{where}: the sandbox's URL {remote['url']!r} is not the expected {url!r}")
    attributes = remote["attributes"] or {}
    differing = sorted(k for k, v in (payload or {}).items() if attributes.get(k) != v)
    if differing:
        problems.append(f"{where}: the sandbox's metadata differs from the expected payload in {differing}")
    return problems


def pid_problems(instance: Instance) -> list[str]:
    """Every DOI PID of ours has its row, for the object the PID points to."""
    problems = []
    for pid in instance.pids:
        if pid.pid_provider not in instance.providers:
            continue
        doi = pid.pid_value.lower()
        where = f"PID doi:{pid.pid_value} ({pid.status.name}, object {pid.object_uuid})"
        row = instance.rows.get(doi)
        if not under_prefixes(doi, instance.prefixes):
            problems.append(f"{where}: outside the prefixes {list(instance.prefixes)}")
        if row is None:
            problems.append(f"{where}: no doi_ext_dois row")
            continue
        kind = DOIKind.PARENT if str(pid.object_uuid) in instance.parents else DOIKind.RECORD
        if (row.kind, str(row.object_uuid)) != (kind, str(pid.object_uuid)):
            problems.append(f"{where}: its row is the {row.kind} DOI of object {row.object_uuid}")
    return problems


def unknown_at_sandbox(instance: Instance, found: list[Holder], held: dict[str, dict[str, Any]]) -> list[str]:
    """Every DOI the sandbox holds under our prefixes has a row and a holder (or a live PID)."""
    known = {holder.doi for holder in found} | {
        pid.pid_value.lower() for pid in instance.pids if pid.status != PIDStatus.DELETED
    }
    problems = []
    for doi, remote in sorted(held.items()):
        if not under_prefixes(doi, instance.prefixes):
            continue
        if doi not in instance.rows:
            problems.append(f"the sandbox holds {doi} ({remote['state']}): the instance has no row for it")
        elif doi not in known:
            problems.append(
                f"the sandbox holds {doi} ({remote['state']}): no record, draft, parent or PID holds it"
            )
    return problems


@dataclass
class Inventory:
    """What was judged, and every problem found."""

    problems: list[str]
    judged: Counter

    def summary(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.judged.items()))


def check_inventory(held: dict[str, dict[str, Any]]) -> Inventory:
    """Judge the instance from its records against ``held``, the sandbox's DOIs by lower-case DOI."""
    instance = load_instance()
    found, problems = holders(instance)
    problems += _held_twice(found)
    for holder in found:
        problems += judge_holder(holder, instance.rows.get(holder.doi), held.get(holder.doi))
    problems += pid_problems(instance)
    problems += unknown_at_sandbox(instance, found, held)
    judged = Counter(holder.label.rsplit(" ", 1)[0] for holder in found)
    judged["PIDs"] = sum(1 for pid in instance.pids if pid.pid_provider in instance.providers)
    judged["sandbox DOIs"] = sum(1 for doi in held if under_prefixes(doi, instance.prefixes))
    return Inventory(problems, judged)
