"""Prove the DataCite credentials before a pass acts on what reads answered.

With wrong credentials DataCite answers reads as to anyone: every draft and
registered DOI is "not found" (lupo: a wrong password makes an anonymous user,
not an error). A ``verify --fix`` or ``adopt`` that believed those 404s would mark
hidden DOIs as gone and downgrade their PIDs. So every such pass first makes one
call that fails loudly with bad credentials and changes nothing with good ones.
"""

from __future__ import annotations

from .. import settings
from ..datacite.gateway import DataCiteGateway
from ..datacite.outcome import OutcomeKind


class CredentialsError(Exception):
    """The pass cannot trust DataCite's answers; nothing local was changed."""


def prove(gateway: DataCiteGateway) -> None:
    """Raise :class:`CredentialsError`, saying what to fix, unless DataCite accepts ours."""
    outcome = gateway.check_credentials(settings.datacite_prefix())
    if outcome.kind is OutcomeKind.SUCCESS:
        return
    if outcome.kind is OutcomeKind.CREDENTIALS:
        raise CredentialsError(
            f"DataCite refused the credentials of {gateway.username or '(no username)'!r} "
            f"({outcome.message or 'HTTP 401'}): fix DATACITE_USERNAME / DATACITE_PASSWORD. "
            "With wrong credentials DataCite answers reads as to anyone (drafts and registered "
            "DOIs look missing), so nothing was checked or changed."
        )
    raise CredentialsError(
        f"Could not prove the DataCite credentials ({outcome.message or f'HTTP {outcome.status}'}); "
        "nothing was checked or changed. Rerun when DataCite answers."
    )
