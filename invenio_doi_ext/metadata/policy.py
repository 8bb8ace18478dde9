"""Which metadata DataCite may hold for a record: the restricted-record policy.

DataCite's "registered" state resolves but is not findable; its metadata can
still be read through DataCite's API. So a restricted record must never send
its real metadata, only the redacted template. The redacted payload is built
from the template and three values that are not record text (the repository's
name, the publication year, the vocabulary's general resource type): no code
path can put a title, a name or a description into it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import current_app

from .. import settings
from ..settings import ConfigurationError
from .payload import with_cleared

REDACTED = "redacted"
NONE = "none"

#: DataCite 4.5's controlled list of ``resourceTypeGeneral`` values.
RESOURCE_TYPE_GENERAL = (
    "Audiovisual", "Book", "BookChapter", "Collection", "ComputationalNotebook", "ConferencePaper",
    "ConferenceProceeding", "DataPaper", "Dataset", "Dissertation", "Event", "Image", "Instrument",
    "InteractiveResource", "Journal", "JournalArticle", "Model", "OutputManagementPlan", "PeerReview",
    "PhysicalObject", "Preprint", "Report", "Service", "Software", "Sound", "Standard",
    "StudyRegistration", "Text", "Workflow", "Other",
)  # fmt: skip

_YEAR = re.compile(r"^(\d{4})(?![\d])")

#: The placeholders a template may use; anything else in braces is left as written.
PLACEHOLDERS = ("publisher", "year", "resource_type_general")


def policy() -> str:
    """The configured policy for restricted records (unknown values fail closed to redacted)."""
    try:
        return settings.restricted_policy()
    except ConfigurationError:  # changed after start-up to something unknown: fail closed
        return REDACTED


def access_of(record: Any) -> Mapping[str, Any]:
    """The record's access as it is now, in memory.

    The ``access`` system field of a record or draft is only dumped into the
    record's dict on commit; a hook running before the commit (an embargo
    lift) must read the field, not the stale dict.
    """
    field = getattr(record, "access", None)
    if field is not None and not isinstance(field, Mapping) and hasattr(field, "dump"):
        return field.dump()
    if isinstance(record, Mapping):
        return record.get("access") or {}
    return {}


def is_metadata_restricted(record: Any) -> bool:
    """True when the record's metadata is not public (restricted or embargoed record).

    An embargoed record is ``restricted`` until the embargo lifts; restricted or
    embargoed *files* leave the metadata public. Anything but an explicit
    ``public`` counts as restricted: unknown means not public.
    """
    return access_of(record).get("record", "restricted") != "public"


def publication_year(record: Any) -> str:
    """The first year of the publication date (EDTF starts with it), or this year when there is none.

    A pattern rather than an EDTF parser: this runs on every event of every
    restricted record, and only the year is ever needed.
    """
    published = str(((record.get("metadata") or {}).get("publication_date")) or "")
    match = _YEAR.match(published)
    return match.group(1) if match else str(date.today().year)


def resource_type_general(record: Any) -> str:
    """The vocabulary's DataCite general type of the record's resource type, never record text."""
    type_id = ((record.get("metadata") or {}).get("resource_type") or {}).get("id")
    if not type_id:
        return "Other"
    try:
        from invenio_rdm_records.resources.serializers.utils import get_vocabulary_props

        # The serializer asks for both props: same key, same vocabulary cache entry.
        fields = ["props.datacite_general", "props.datacite_type"]
        props = get_vocabulary_props("resourcetypes", fields, type_id)
        general = props.get("datacite_general")
    except Exception:  # noqa: BLE001 - an unknown type must not block hiding a record
        return "Other"
    return general if general in RESOURCE_TYPE_GENERAL else "Other"


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in values.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, values) for key, item in value.items()}
    return value


def redacted_values(record: Any) -> dict[str, str]:
    """The only values of a restricted record that may reach DataCite."""
    return {
        "publisher": current_app.config.get("THEME_SITENAME") or "Invenio",
        "year": publication_year(record),
        "resource_type_general": resource_type_general(record),
    }


def redacted_payload(record: Any) -> dict[str, Any]:
    """``DOI_EXT_REDACTED_METADATA`` filled with what may be public about ``record``."""
    template = copy.deepcopy(dict(settings.redacted_metadata()))
    payload = _fill(template, redacted_values(record))
    payload.setdefault("schemaVersion", "http://datacite.org/schema/kernel-4")
    # Whatever the template does not set is cleared at DataCite, not left as it was.
    return with_cleared(payload)
