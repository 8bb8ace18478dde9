"""External DOIs never fall under one of our accounts' prefixes.

Upstream's ``external`` DOI provider refuses a depositor's own DOI under
``DATACITE_PREFIX`` (``BlockedPrefixes``), but not under
``DATACITE_ADDITIONAL_PREFIXES`` nor under the prefixes of further accounts
(``DOI_EXT_DATACITE_ACCOUNTS``). Such a DOI would be recorded as external, never
sent to DataCite, and collide with one the instance mints or adopts later. Every
prefix the instance writes at DataCite is refused the same way, with upstream's
own message (select "No" to get a DOI from the repository).
"""

from __future__ import annotations

from typing import Any

from invenio_rdm_records.services.pids.providers import BlockedPrefixes, ExternalPIDProvider

from .. import settings


class AccountPrefixes(BlockedPrefixes):
    """Upstream's blocked-prefix check, over every configured account's prefixes."""

    def __init__(self, beside: list[Any] | None = None) -> None:
        super().__init__(config_names=[])
        self._beside = [each for each in beside or [] if isinstance(each, BlockedPrefixes)]

    @property
    def prefixes(self) -> list[str]:
        """Every account's main and additional prefixes (with the slash, so that 10.123
        does not block 10.1234/...), less those the provider's other checks already refuse,
        so that a depositor reads the message once."""
        refused = {prefix.rstrip("/") for each in self._beside for prefix in each.prefixes}
        return [f"{prefix}/" for prefix in settings.all_prefixes() if prefix not in refused]


def guarded(provider: Any) -> Any:
    """``provider`` again, with :class:`AccountPrefixes` among its validators when it takes DOIs."""
    if not isinstance(provider, ExternalPIDProvider) or provider.pid_type != "doi":
        return provider
    validators = list(getattr(provider, "_validators", []))
    if any(isinstance(each, AccountPrefixes) for each in validators):
        return provider
    checks = [*validators, AccountPrefixes(validators)]
    return ExternalPIDProvider(provider.name, provider.pid_type, validators=checks, label=provider.label)
