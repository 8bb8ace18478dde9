"""The DataCite payload of a record or concept, from upstream's own serializer.

invenio-rdm-records already maps records to DataCite 4.5 JSON; writing a second
mapping would drift from it. Drafts may be incomplete, so their payload is
best-effort: whatever the serializer can produce from what the depositor entered.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from invenio_base import invenio_url_for
from invenio_rdm_records.resources.serializers import DataCite45JSONSerializer
from invenio_rdm_records.utils import ChainObject

from .. import settings
from . import memo

log = logging.getLogger(__name__)

_serializer = DataCite45JSONSerializer()

# Attributes that DataCite sets itself or that we send separately.
_STRIPPED = ("doi", "url", "event", "state", "prefix", "suffix")


#: DataCite attributes a payload may leave out. A PUT is a partial update: an
#: attribute not sent keeps its old value at DataCite, so a payload always names
#: them all, empty when the record has none. Otherwise a subject removed in an
#: edit, or the funders of a record that became restricted, stay at DataCite.
CLEARED_LISTS = (
    "subjects", "contributors", "dates", "alternateIdentifiers", "relatedIdentifiers", "relatedItems",
    "sizes", "formats", "rightsList", "descriptions", "geoLocations", "fundingReferences",
)  # fmt: skip
CLEARED_SCALARS = ("language", "version")


#: Keys upstream's serializer spells otherwise than DataCite. DataCite keeps only
#: the keys it permits and drops the rest without an error (lupo
#: app/lib/params_sanitizer.rb ``ATTRIBUTES_MAP``, unpermitted parameters are
#: logged), so a subject's ``valueURI`` or a grant's ``awardURI`` never arrived.
DATACITE_SPELLING = {
    "subjects": {"valueURI": "valueUri"},
    "fundingReferences": {"awardURI": "awardUri"},
}


def _spelt_as_datacite(key: str, value: Any) -> Any:
    renames = DATACITE_SPELLING.get(key)
    if not renames or not isinstance(value, list):
        return value
    return [
        {renames.get(name, name): item for name, item in entry.items()} if isinstance(entry, dict) else entry
        for entry in value
    ]


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: _spelt_as_datacite(key, value)
        for key, value in data.items()
        if key not in _STRIPPED and value not in (None, [], {})
    }


def with_cleared(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` plus an explicit empty value for every optional attribute it does not set."""
    complete = dict(data)
    for key in CLEARED_LISTS:
        complete.setdefault(key, [])
    for key in CLEARED_SCALARS:
        complete.setdefault(key, None)
    return complete


def community_relations(parent: Any) -> list[dict[str, str]]:
    """``IsPartOf`` each community of ``parent``, as the instance's DataCite export says.

    Upstream's serializer reads the communities from ``parent.communities.entries``,
    which a service result has and a record API object lacks; the URLs are built
    the same way (``invenio_rdm_records/resources/serializers/datacite/schema.py``,
    ``get_identifiers``), so the DOI says what the export says.
    """
    communities = getattr(parent, "communities", None) if parent is not None else None
    relations = []
    for community in communities or ():
        slug = getattr(community, "slug", None) or community.get("slug")
        if not slug:
            continue
        url = invenio_url_for("invenio_app_rdm_communities.communities_home", pid_value=slug)
        relations.append(
            {"relatedIdentifier": url, "relationType": "IsPartOf", "relatedIdentifierType": "URL"}
        )
    return relations


def _with_communities(data: dict[str, Any], relations: list[dict[str, str]]) -> dict[str, Any]:
    related = list(data.get("relatedIdentifiers") or [])
    for relation in relations:
        if relation not in related:
            related.append(relation)
    if related:
        data["relatedIdentifiers"] = related
    return data


def dereferenced(record: Any) -> Any:
    """A copy of ``record`` whose vocabulary relations carry their names, for the serializer.

    The database keeps only the ids of related vocabulary entries (subjects,
    affiliations, funders, awards, languages); upstream's serializer reads their
    names, and an unresolved subject would reach DataCite as ``null``.
    invenio-rdm-records dereferences before it calls DataCite too
    (``PIDsService.register_or_update``). A copy, so that what the record's unit of
    work commits stays as the records service left it. Plain dicts (and records
    without relations) are returned as they are.
    """
    if not hasattr(type(record), "relations") or getattr(record, "model", None) is None:
        return record
    twin = type(record)(copy.deepcopy(dict(record)), model=record.model)
    twin.relations.dereference()
    return twin


#: Keys of a record or draft that upstream's DataCite 4.5 serializer does not read
#: (it reads ``metadata``, ``pids``, ``updated``, ``links``, ``custom_fields``,
#: ``parent``, and ``access.status`` when ``RDM_DATACITE_DUMP_OPENAIRE_ACCESS_RIGHTS``
#: is set) and that change without its metadata: a
#: tombstone is stored on the record, the recid's status, the files' ``enabled``
#: flag and the access dump differ between publish and the next request. Left out
#: of the memo's key; every other key is in it, so a key the serializer starts
#: reading after an upgrade can only cost a recomputation
#: (``tests/metadata/test_memo.py`` checks the list against the serializer).
NOT_SERIALIZED = frozenset({
    "tombstone", "pid", "files", "media_files", "internal_notes", "versions", "created",
    "expires_at", "fork_version_id", "has_draft", "is_published", "revision_id", "deletion_status",
    "is_deleted", "$schema", "stats",
})  # fmt: skip


def _as_stored(value: Any) -> Any:
    """``value`` with every dereferenced vocabulary entry (marked ``@v``) reduced to its id.

    The records service keeps the entries it dereferenced on the record in memory
    (names, titles, ``@v``); the database keeps the ids only. Both serialize alike
    (:func:`dereferenced` adds the names), so both must give the same key: a hook
    that reads the record back from the database (upstream's registration task)
    must find that nothing changed.
    """
    if isinstance(value, dict):
        if "@v" in value and "id" in value:
            return {"id": value["id"]}
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def memo_content(obj: Any) -> dict[str, Any] | None:
    """What the serializer can read of a record, draft or parent, as stored: the memo's key."""
    if obj is None:
        return None
    content = {key: _as_stored(value) for key, value in dict(obj).items() if key not in NOT_SERIALIZED}
    access = content.pop("access", None) or {}
    if current_app.config.get("RDM_DATACITE_DUMP_OPENAIRE_ACCESS_RIGHTS"):
        content["access"] = {"status": access.get("status")}  # read only then (as rights)
    return content


def record_source(record: Any) -> str:
    """Hash of everything :func:`record_payload` derives from: equal hashes, equal payloads.

    The request commits it with a published version's desired state; a worker
    serializes the record (:func:`record_payload`) when it converges the DOI.
    """
    parent = getattr(record, "parent", None)
    return memo.Memo.key("record", memo_content(record), memo_content(parent), community_relations(parent))


def record_payload(record: Any) -> dict[str, Any]:
    """Full DataCite metadata of a published version (serialized once per content and process)."""
    relations = community_relations(getattr(record, "parent", None))

    def compute() -> dict[str, Any]:
        return with_cleared(_with_communities(_clean(_serializer.dump_obj(dereferenced(record))), relations))

    return memo.derived().get_or_compute(record_source(record), compute)


def concept_source(parent: Any, latest: Any, version_dois: Iterable[str] = ()) -> str:
    """Hash of everything :func:`concept_payload` derives from (the version list included)."""
    return memo.Memo.key(
        "concept-source",
        memo_content(parent),
        memo_content(latest),
        list(version_dois),
        community_relations(parent),
    )


def concept_payload(parent: Any, latest: Any, version_dois: Iterable[str] = ()) -> dict[str, Any]:
    """Full DataCite metadata of a concept DOI: the parent seen through a version.

    The serializer, given the chained object, says the concept "IsVersionOf"
    itself; the concept instead "HasVersion" each of ``version_dois`` (the
    caller passes the public versions only).
    """
    relations = community_relations(parent)

    def compute() -> dict[str, Any]:
        child = dereferenced(latest)
        chained = ChainObject(parent, child, aliases={"_parent": parent, "_child": child})
        data = _clean(_serializer.dump_obj(chained))
        own = ((parent.get("pids") or {}).get("doi") or {}).get("identifier", "").lower()
        data["relatedIdentifiers"] = [
            item
            for item in data.get("relatedIdentifiers") or []
            if not (
                item.get("relationType") == "IsVersionOf"
                and str(item.get("relatedIdentifier")).lower() == own
            )
        ]
        return data

    # The versions are not part of the key: a tombstone or restore of another
    # version changes only the list below, not what is serialized.
    key = memo.Memo.key("concept", memo_content(parent), memo_content(latest))
    data = memo.derived().get_or_compute(key, compute)
    data["relatedIdentifiers"] += [
        {"relatedIdentifier": doi, "relationType": "HasVersion", "relatedIdentifierType": "DOI"}
        for doi in version_dois
    ]
    return with_cleared(_with_communities(data, relations))


def draft_payload(draft: Any) -> dict[str, Any]:
    """What the depositor has entered so far; DataCite accepts any metadata on a draft."""
    try:
        return with_cleared(_clean(_serializer.dump_obj(dereferenced(draft))))
    except Exception:  # noqa: BLE001 - an unfinished draft may not serialize at all
        log.debug("Draft %s does not serialize yet; reserving without metadata.", draft.get("id"))
        return with_cleared({})


def landing_url(doi: str) -> str:
    """The URL DataCite resolves to: a stable route that redirects to the record."""
    template = settings.landing_url_template()
    site = current_app.config.get("SITE_UI_URL", "").rstrip("/")
    return template.format(site=site, doi=doi)
