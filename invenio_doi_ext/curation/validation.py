"""DataCite's rules applied to a record before its DOI request may be submitted."""

from __future__ import annotations

from typing import Any

from ..metadata import payload as payloads
from ..metadata import policy, validation
from ..rdm import targets


def form_errors(record: Any) -> list[dict[str, Any]]:
    """What DataCite would refuse in the record, per record field (empty when fine).

    A restricted record sends only the redacted template, so its own fields are
    not held to DataCite's rules.
    """
    if policy.is_metadata_restricted(record):
        return []
    doi = targets.managed_doi(record)
    found = validation.validate_record(record, doi, payloads.landing_url(doi) if doi else None)
    return validation.as_form_errors(found)
