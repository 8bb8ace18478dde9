"""One gateway per DataCite account and worker process, built from the configuration.

A gateway holds a ``requests.Session`` (connection reuse); it must not be shared
across a fork, so the gateways are rebuilt when the process id changes. Every
account's gateway sends its own credentials; they share one rate limiter, since
DataCite limits requests per client IP, not per account.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from flask import current_app

from .. import settings
from ..datacite.gateway import DataCiteGateway

_CACHE_KEY = "invenio-doi-ext.gateway"

Gateways = DataCiteGateway | Callable[[str], DataCiteGateway]
"""What a pass over many DOIs is given: one gateway for all of them (tests, benchmarks),
or a function from an account name to its gateway (:func:`current_gateway`)."""


def pick(gateways: Gateways, account: str) -> DataCiteGateway:
    """The gateway for a DOI of ``account``."""
    return gateways(account) if callable(gateways) else gateways


def accounts_of(gateways: Gateways) -> list[str]:
    """The accounts a pass must prove: every configured one, or the one gateway's."""
    if callable(gateways):
        return settings.account_names(current_app.config)
    return [getattr(gateways, "account", settings.DEFAULT_ACCOUNT)]


class UnknownAccountError(LookupError):
    """A row names an account the configuration no longer has."""


def current_gateway(account: str = settings.DEFAULT_ACCOUNT) -> DataCiteGateway:
    """The gateway of an account (``default``: the ``DATACITE_*`` keys) in this process."""
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is None or cached[0] != os.getpid():
        cached = (os.getpid(), {})
        current_app.extensions[_CACHE_KEY] = cached
    gateways: dict[str, DataCiteGateway] = cached[1]
    gateway = gateways.get(account)
    if gateway is None:
        names = settings.account_names(current_app.config)
        if account not in names:
            raise UnknownAccountError(
                f"No DataCite account named {account!r} is configured (the accounts are {names}): "
                "add it to DOI_EXT_DATACITE_ACCOUNTS in invenio.cfg, then retry its DOIs."
            )
        shared = next(iter(gateways.values())).shared_limiter if gateways else None
        gateway = DataCiteGateway.from_config(current_app.config, account=account, shared_limiter=shared)
        gateways[account] = gateway
    return gateway


def reset_gateway() -> None:
    """Forget the cached gateways (after a configuration change, in tests)."""
    cached = current_app.extensions.pop(_CACHE_KEY, None)
    if cached is not None:
        for gateway in cached[1].values():
            gateway.close()
