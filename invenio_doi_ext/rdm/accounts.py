"""Which DataCite account mints a record's DOIs.

The rule (docs/configuration.rst, "Several DataCite accounts"):

1. A record whose family already has a DOI of ours (the concept DOI first, else
   the DOI of an earlier version or of its draft) mints with that DOI's account.
   A DOI never changes prefix, and a concept DOI and its versions belong
   together: a new version of a record that moved to another community keeps the
   prefix of its first version.
2. Otherwise the record's communities decide (the default community first, then
   the others, then the community a draft is submitted to), through
   ``DOI_EXT_COMMUNITY_ACCOUNTS``: the first one listed names the account; a
   callable is asked instead.
3. Otherwise the ``default`` account (the ``DATACITE_*`` keys).

The account of a DOI itself is always the one that owns its prefix
(:func:`invenio_doi_ext.settings.account_for_doi`); this module only decides
under which account's prefix a new DOI is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from invenio_db import db
from invenio_rdm_records.records.api import RDMDraft
from invenio_rdm_records.records.models import RDMDraftMetadata, RDMRecordMetadata
from sqlalchemy import or_, select

from .. import settings
from ..lifecycle.models import DOIKind, ManagedDOI
from . import filters, targets


@dataclass(frozen=True)
class AccountContext:
    """What a callable ``DOI_EXT_COMMUNITY_ACCOUNTS`` is told besides the record."""

    community_ids: tuple[str, ...] = ()
    """The record's communities (ids), default first, the one a draft is submitted to last."""

    concept: bool = False
    """The DOI to mint is a concept DOI; the record given is then the version being
    published with it (its draft), or the parent when it has none."""


def _parent_of(record: Any) -> Any:
    parent = getattr(record, "parent", None)
    return parent if parent is not None else record


def _communities(record: Any) -> tuple[str, ...]:
    if getattr(record, "parent", None) is not None:
        return filters.record_communities(record)
    communities = getattr(record, "communities", None)  # a parent itself
    if communities is None:
        return ()
    found = []
    default = getattr(communities, "default", None)
    if default is not None:
        found.append(str(getattr(default, "id", default)))
    found.extend(str(each) for each in communities.ids)
    return tuple(dict.fromkeys(found))


_PUBLISHING = "_doi_ext_publishing"


def remember_publishing(draft: Any) -> None:
    """Tell the parent which version a publish mints it with (upstream passes the parent alone)."""
    parent = getattr(draft, "parent", None)
    if parent is not None:
        setattr(parent, _PUBLISHING, draft)


def _first_version(record: Any) -> bool:
    """A draft of a record's first version: its family has no other version with a DOI.

    (A first version edited while its next version's draft holds a reserved DOI is the
    exception: its DOI then follows the community mapping, not that draft's account.)
    """
    versions = getattr(record, "versions", None)
    return bool(getattr(record, "is_draft", False)) and getattr(versions, "index", None) == 1


def family_account(parent: Any, record: Any = None) -> str | None:
    """The account of a DOI the record's family already has: the concept's, else a version's.

    Read from the DOIs at hand when they say it (the concept's DOI, the version's own
    DOI when its concept DOI is minted; a DOI's prefix names its account), so that
    the rows are queried only for a new version of a family that has DOIs.
    """
    if not hasattr(parent, "get"):
        return None  # not a record (a format tried at start-up)
    publishing = getattr(parent, _PUBLISHING, None)
    for known in (parent, record, publishing):
        doi = targets.managed_doi(known) if hasattr(known, "get") else None
        if doi:
            return settings.account_for_doi(doi)
    parent_id = getattr(parent, "id", None)
    if parent_id is None or _first_version(record) or _first_version(publishing):
        return None
    members = select(RDMRecordMetadata.id).where(RDMRecordMetadata.parent_id == parent_id)
    drafts = select(RDMDraftMetadata.id).where(RDMDraftMetadata.parent_id == parent_id)
    query = (
        db.session.query(ManagedDOI.account)
        .filter(
            ManagedDOI.kind == DOIKind.RECORD,
            or_(ManagedDOI.object_uuid.in_(members), ManagedDOI.object_uuid.in_(drafts)),
        )
        .order_by(ManagedDOI.created, ManagedDOI.id)
    )
    with db.session.no_autoflush:  # the record being published is flushed once, at commit
        found = query.first()
    return found[0] if found else None


def _version_of(parent: Any) -> Any:
    """The draft being published with a parent whose concept DOI is minted (newest first)."""
    found = (
        db.session.query(RDMDraftMetadata.id)
        .filter(RDMDraftMetadata.parent_id == parent.id, RDMDraftMetadata.is_deleted.isnot(True))
        .order_by(RDMDraftMetadata.updated.desc())
        .first()
    )
    return RDMDraft.get_record(found[0]) if found else None


def community_account(record: Any) -> str | None:
    """The account ``DOI_EXT_COMMUNITY_ACCOUNTS`` gives the record's communities, if any."""
    configured = settings.community_accounts()
    communities = _communities(record)
    if callable(configured):
        concept = getattr(record, "parent", None) is None and getattr(record, "id", None) is not None
        version = _version_of(record) if concept else None
        chosen = configured(
            version if version is not None else record,
            AccountContext(community_ids=communities, concept=concept),
        )
        return _known(chosen, "the callable") if chosen else None
    if not communities or not configured:
        return None
    by_id = _by_community_id(configured)
    for community_id in communities:
        if community_id in by_id:
            return by_id[community_id]
    return None


def _by_community_id(configured: Mapping[str, str]) -> dict[str, str]:
    by_id: dict[str, str] = {}
    for key, name in configured.items():
        for community_id in filters.resolve_communities([key]):
            by_id[community_id] = name
    return by_id


def _known(name: Any, source: str) -> str:
    names = settings.account_names()
    if name not in names:
        raise settings.ConfigurationError(
            f"DOI_EXT_COMMUNITY_ACCOUNTS ({source}) chose the account {name!r}, which is not "
            f"configured (the accounts are {names}): return one of those, or None for default."
        )
    return name


def minting_account(record: Any) -> str:
    """The account under whose prefix a new DOI of ``record`` (a version or a parent) is made."""
    return (
        family_account(_parent_of(record), record)
        or community_account(record)
        or settings.DEFAULT_ACCOUNT
    )
