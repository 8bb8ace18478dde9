"""What a digest may say of a DOI: its record's link, and DataCite's message made safe to mail."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import current_app

from ..lifecycle.models import DOIKind, ManagedDOI
from ..metadata import policy
from ..rdm import targets
from ..rdm.objects import owning_record
from ..settings import mask_url

MAX_MESSAGE = 500
"""Longest DataCite message quoted (the full text is in ``invenio doi status``)."""


def is_restricted(record: Any) -> bool:
    """Metadata not public (a version's, or a concept's latest version's): no quoting for it."""
    if record is None:
        return False
    if isinstance(record, SimpleNamespace):
        versions = targets.published_versions(record.parent)
        return bool(versions) and policy.is_metadata_restricted(versions[-1])
    return policy.is_metadata_restricted(record)


def record_link(row: ManagedDOI, record: Any = None) -> str:
    """Where the operator fixes the record: its page, its draft, or the concept's latest version."""
    site = (current_app.config.get("SITE_UI_URL") or "").rstrip("/")
    record = record if record is not None else owning_record(row)
    if record is None:
        return row.desired_url or f"{site}/doi/{row.pid_value}"
    if row.kind == DOIKind.PARENT:
        return f"{site}/records/{record.parent.pid.pid_value}/latest"
    if getattr(record, "is_draft", False) and not getattr(record, "is_published", False):
        return f"{site}/uploads/{record.pid.pid_value}"
    return f"{site}/records/{record.pid.pid_value}"


def _secrets() -> list[str]:
    config = current_app.config
    values = [config.get("DATACITE_PASSWORD"), config.get("DOI_EXT_METRICS_TOKEN")]
    accounts = config.get("DOI_EXT_DATACITE_ACCOUNTS") or {}
    if isinstance(accounts, dict):
        values += [account.get("password") for account in accounts.values() if isinstance(account, dict)]
    return sorted({str(value) for value in values if value and len(str(value)) >= 4}, key=len, reverse=True)


def scrub(message: str | None) -> str | None:
    """Passwords and URL credentials masked, length bounded: safe for an e-mail."""
    if message is None:
        return None
    text = str(message)
    for secret in _secrets():
        text = text.replace(secret, "***")
    text = mask_url(text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"
