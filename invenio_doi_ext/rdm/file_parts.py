"""Which DOI each file of a record has: read-only lookups of ``kind="file"`` rows.

A file's DOI is found by its content (the file instance), so the unchanged copy
of a file that a new version imports finds the DOI of the version it was first
added to; a file uploaded anew (even under the same name) is new content and
gets a DOI of its own. ``rdm.targets`` asks here for a record's ``HasPart`` list,
``rdm.files`` to keep the rows, the faces to show them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from invenio_db import db

from .. import settings
from ..lifecycle.models import DOIHold, DOIKind, DOIState, ManagedDOI
from ..lifecycle.store import any_row_once
from ..metadata.files import FileFacts
from ..metadata.policy import access_of


def file_facts(record: Any) -> list[FileFacts]:
    """The files of a record or draft that have content, in the record's order."""
    files = getattr(record, "files", None)
    if files is None or not getattr(files, "enabled", False):
        return []
    found = []
    for key in list(files.keys()):
        entry = files.get(key)
        file = getattr(entry, "file", None) if entry is not None else None
        if file is None or file.file_id is None:
            continue  # initialised, content not uploaded yet
        found.append(
            FileFacts(
                key=key,
                size=file.size,
                mimetype=file.mimetype,
                checksum=file.checksum,
                file_id=str(file.file_id),
            )
        )
    return found


_SEEN_KEY = "invenio-doi-ext.file-dois-seen"


def any_file_dois() -> bool:
    """Whether the instance has any file DOI row; asked once per application (process).

    Only :func:`invenio_doi_ext.rdm.file_components` asks, and only while
    ``DOI_EXT_FILE_DOIS`` is off: no file DOI can be minted meanwhile, so a "no"
    stays true; a "yes" (the feature was switched off after minting) keeps the
    existing file DOIs following their records.
    """
    return any_row_once(_SEEN_KEY, ManagedDOI.kind == DOIKind.FILE)


def own_rows(record_id: Any) -> list[ManagedDOI]:
    """The file DOI rows minted for a record (or its draft), oldest first."""
    if record_id is None:
        return []
    with db.session.no_autoflush:
        return (
            db.session.query(ManagedDOI)
            .filter(ManagedDOI.kind == DOIKind.FILE, ManagedDOI.object_uuid == record_id)
            .order_by(ManagedDOI.created, ManagedDOI.id)
            .all()
        )


def rows_by_file(record: Any, facts: list[FileFacts] | None = None) -> dict[str, ManagedDOI]:
    """File key -> the row of the DOI the file has: minted for this record, else carried over."""
    facts = file_facts(record) if facts is None else facts
    ids = [UUID(fact.file_id) for fact in facts if fact.file_id]
    if not ids:
        return {}
    if any(isinstance(new, ManagedDOI) and new.kind == DOIKind.FILE for new in db.session.new):
        db.session.flush()  # a file DOI minted in this transaction (the store does not flush new rows)
    with db.session.no_autoflush:
        rows = (
            db.session.query(ManagedDOI)
            .filter(ManagedDOI.kind == DOIKind.FILE, ManagedDOI.file_id.in_(ids))
            .order_by(ManagedDOI.created, ManagedDOI.id)
            .all()
        )
    own_id = str(getattr(record, "id", ""))
    by_content: dict[str, ManagedDOI] = {}
    for row in rows:
        if (
            row.desired_state == DOIState.NONE
            and row.remote_state == DOIState.NONE
            and row.hold != DOIHold.PENDING
        ):
            continue  # withdrawn: not this file's DOI any more
        known = by_content.get(str(row.file_id))
        if known is None or (str(row.object_uuid) == own_id and str(known.object_uuid) != own_id):
            by_content[str(row.file_id)] = row
    return {fact.key: by_content[fact.file_id] for fact in facts if fact.file_id in by_content}


def files_restricted(record: Any) -> bool:
    """The files of the record are not public (restricted, or an embargo on the files)."""
    return access_of(record).get("files", "restricted") != "public"


def has_part(record: Any) -> list[str]:
    """The DOIs a public record's payload lists as ``HasPart``: its public files' DOIs.

    Nothing, and no query, when file DOIs are off: a record's payload is then
    exactly what it was without the feature.
    """
    if not settings.file_dois_configured() or files_restricted(record):
        return []
    return [row.pid_value for row in rows_by_file(record).values()]
