"""Who decides: whether a record's DOI needs a curator, and who the curators are."""

from __future__ import annotations

from typing import Any

from flask_principal import RoleNeed

from .. import settings


def curation_required(record: Any) -> bool:
    """``DOI_EXT_CURATION_REQUIRED``: a bool, or a callable/import string ``(record) -> bool``."""
    setting = settings.curation_required()
    if callable(setting):
        return bool(setting(record))
    return bool(setting)


def curation_enabled() -> bool:
    """Whether curation may apply to any record (a callable may say yes to some)."""
    return settings.curation_required() is not False


def curator_role() -> str:
    """Name (and id) of the curators' role."""
    return settings.curator_role()


def is_curator(identity: Any) -> bool:
    """Whether an identity holds the curators' role (superusers are handled by permissions)."""
    return RoleNeed(curator_role()) in getattr(identity, "provides", set())
