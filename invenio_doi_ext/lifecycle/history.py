"""Entries of a DOI's history written for people acting on it (operators, admins)."""

from __future__ import annotations

from invenio_db import db

from .models import DOIEvent, ManagedDOI


def log_operator(row: ManagedDOI, actor: str, operation: str, message: str | None = None) -> None:
    """Append an operator event (retry, sync, verify, assign...) to the DOI's history."""
    db.session.add(
        DOIEvent(
            doi_id=row.id,
            actor=actor,
            action="operator",
            operation=operation,
            from_state=row.remote_state,
            to_state=row.desired_state,
            message=message,
        )
    )
