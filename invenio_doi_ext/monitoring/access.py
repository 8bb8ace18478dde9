"""Who may read the metrics and the health details: administrators, or the configured token."""

from __future__ import annotations

import hmac

from flask import g, request
from invenio_administration.permissions import administration_permission

from .. import settings


def bearer_token() -> str | None:
    """The ``Authorization: Bearer ...`` of the request, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_matches() -> bool:
    """The request carries ``DOI_EXT_METRICS_TOKEN`` (compared in constant time)."""
    configured = settings.metrics_token()
    given = bearer_token()
    return bool(configured and given and hmac.compare_digest(str(configured), given))


def may_read() -> bool:
    """Token, or an administrator (``administration-access``; superusers too)."""
    if token_matches():
        return True
    identity = getattr(g, "identity", None)
    return identity is not None and administration_permission.allows(identity)


def is_anonymous() -> bool:
    """No logged-in user and no token."""
    identity = getattr(g, "identity", None)
    return not token_matches() and (identity is None or identity.id is None)
