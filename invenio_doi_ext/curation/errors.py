"""Errors a depositor sees when submitting a DOI request."""

from __future__ import annotations

from typing import Any

from invenio_i18n import gettext as _
from marshmallow import ValidationError


class DOIRequestValidationError(ValidationError):
    """The record's metadata would be refused by DataCite: what is missing, per field."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        """``errors`` in the deposit form's shape: ``[{"field", "messages"}]``."""
        self.errors = errors
        summary = "; ".join(f"{e['field']}: {' '.join(e['messages'])}" for e in errors)
        super().__init__(_("The record cannot get a DOI yet: %(summary)s", summary=summary))
