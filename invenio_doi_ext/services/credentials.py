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
from ..lifecycle.client import Gateways, accounts_of, pick


class CredentialsError(Exception):
    """The pass cannot trust DataCite's answers; nothing local was changed."""


def prove(gateways: Gateways) -> None:
    """Raise :class:`CredentialsError`, saying what to fix, unless DataCite accepts every account."""
    for account in accounts_of(gateways):
        _prove_one(pick(gateways, account), account)


def _prove_one(gateway: DataCiteGateway, account: str) -> None:
    outcome = gateway.check_credentials(settings.get_account(account).prefix)
    if outcome.kind is OutcomeKind.SUCCESS:
        return
    keys = (
        "DATACITE_USERNAME / DATACITE_PASSWORD"
        if account == settings.DEFAULT_ACCOUNT
        else f'DOI_EXT_DATACITE_ACCOUNTS["{account}"]'
    )
    if outcome.kind is OutcomeKind.CREDENTIALS:
        raise CredentialsError(
            f"DataCite refused the credentials of {gateway.username or '(no username)'!r} "
            f"(account {account!r}; {outcome.message or 'HTTP 401'}): fix {keys}. "
            "With wrong credentials DataCite answers reads as to anyone (drafts and registered "
            "DOIs look missing), so nothing was checked or changed."
        )
    raise CredentialsError(
        f"Could not prove the DataCite credentials of account {account!r} "
        f"({outcome.message or f'HTTP {outcome.status}'}); "
        "nothing was checked or changed. Rerun when DataCite answers."
    )
