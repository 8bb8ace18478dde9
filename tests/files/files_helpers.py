"""Reading file DOI rows in tests."""

from __future__ import annotations

from invenio_db import db

from invenio_doi_ext.lifecycle.models import DOIKind, ManagedDOI


def file_rows(item) -> dict[str, ManagedDOI]:
    """File key -> the file DOI row minted for a record or draft (a service item), fresh."""
    db.session.expire_all()
    rows = ManagedDOI.query.filter_by(kind=DOIKind.FILE, object_uuid=item._record.id).order_by(ManagedDOI.id)
    return {row.file_key: row for row in rows}


def related(attributes: dict, relation: str) -> list[str]:
    """The related identifiers of one relation type in DataCite attributes."""
    return [
        item["relatedIdentifier"].lower()
        for item in attributes.get("relatedIdentifiers") or []
        if item["relationType"] == relation
    ]
