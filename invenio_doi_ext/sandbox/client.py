"""`SandboxControl`: a small Python client of the sandbox's control API.

Tests and the demo drive faults, latency and the rate limit, and read the journal,
through this class rather than by hand-built HTTP calls.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests


class SandboxControl:
    """Client of `/__sandbox__/` at `base_url` (the sandbox's root URL)."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/") + "/__sandbox__/"
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        resp = self.session.request(
            method, self.base_url + path, json=json, timeout=self.timeout, **kw
        )
        resp.raise_for_status()
        return resp.json()

    def _doi_url(self, doi: str) -> str:
        return self.base_url + "dois/" + quote(doi, safe="/")

    def reset(self) -> None:
        """Empty sandbox: no DOIs, journal, faults, latency or rate limit."""
        self._call("POST", "reset")

    def set_latency(self, ms: float) -> None:
        """Delay every DataCite-API answer by `ms` milliseconds."""
        self._call("PUT", "latency", {"ms": ms})

    def set_faults(self, **kw: Any) -> dict[str, Any]:
        """Replace the fault plan: rate, kinds, seed, retry_after, hang_seconds, queue, methods."""
        return self._call("PUT", "faults", kw)

    def clear_faults(self) -> None:
        """No more faults (and release requests hanging in a timeout fault)."""
        self._call("DELETE", "faults")

    def outage(self, kind: str = "503_html") -> dict[str, Any]:
        """Every DataCite-API request fails with `kind` until `clear_faults()`."""
        return self.set_faults(rate=1.0, kinds={kind: 1})

    def set_rate_limit(self, limit: int, window: float = 1.0) -> None:
        """At most `limit` requests per sliding `window` seconds; 429 beyond."""
        self._call("PUT", "ratelimit", {"limit": limit, "window": window})

    def clear_rate_limit(self) -> None:
        """Disable the rate limit."""
        self._call("DELETE", "ratelimit")

    def journal(self, since: int | None = None) -> list[dict[str, Any]]:
        """Journal entries, all or those with `seq` greater than `since`."""
        params = {"since": since} if since is not None else None
        return self._call("GET", "journal", params=params)["entries"]

    def clear_journal(self) -> None:
        """Forget the journal entries."""
        self._call("DELETE", "journal")

    def dois(self) -> list[dict[str, Any]]:
        """Every DOI held: doi, state, url, attributes, created, updated."""
        return self._call("GET", "dois")["dois"]

    def doi(self, doi: str) -> dict[str, Any] | None:
        """One DOI, or None when the sandbox does not hold it."""
        resp = self.session.get(self._doi_url(doi), timeout=self.timeout)
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return resp.json()

    def seed(
        self, doi: str, state: str, url: str | None = None,
        attributes: dict[str, Any] | None = None, client: str | None = None,
    ) -> dict[str, Any]:
        """Put a DOI in place with no validation (fake drift, foreign DOIs).

        ``client`` names the account that owns it (default: the owner of its prefix).
        """
        body: dict[str, Any] = {"state": state}
        if client is not None:
            body["client"] = client
        if url is not None:
            body["url"] = url
        if attributes is not None:
            body["attributes"] = attributes
        return self._call("PUT", "dois/" + quote(doi, safe="/"), body)

    def remove(self, doi: str) -> bool:
        """Remove a DOI whatever its state; False when it was not there."""
        resp = self.session.delete(self._doi_url(doi), timeout=self.timeout)
        if resp.status_code == 404:
            return False
        resp.raise_for_status()
        return True

    def add_account(self, username: str, password: str, prefixes: list[str] | tuple[str, ...],
                    allowed_domains: list[str] | tuple[str, ...] = ()) -> None:
        """A further repository account with its own password and prefixes, until the reset."""
        self._call("PUT", "accounts/" + quote(username, safe=""),
                   {"password": password, "prefixes": list(prefixes),
                    "allowed_domains": list(allowed_domains)})

    def accounts(self) -> list[dict[str, Any]]:
        """The accounts: username and prefixes."""
        return self._call("GET", "accounts")["accounts"]

    def stats(self) -> dict[str, Any]:
        """Counters: requests, faults by kind, rate_limited, by_status."""
        return self._call("GET", "stats")
