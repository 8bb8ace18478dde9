"""The one place that speaks HTTP to DataCite.

Each method makes at most one request and returns an ``Outcome``; nothing raises.
All writes are ``PUT /dois/{doi}``, DataCite's idempotent upsert, so the lifecycle can
resend any write after a timeout without creating a duplicate or meeting a 409.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping

import requests
from requests.auth import HTTPBasicAuth

from .. import __version__, settings
from .classify import classify_exception, classify_response
from .outcome import LIMITER_UNAVAILABLE, LOCAL_RATE_LIMIT, Outcome, OutcomeKind
from .payload import CONTENT_TYPE, build_body, doi_url
from .ratelimit import RateLimiter, Slot, StackedLimiter

mask_url = settings.mask_url

logger = logging.getLogger("invenio_doi_ext.datacite")

PRODUCTION_URL = settings.PRODUCTION_API_URL
TEST_URL = settings.TEST_API_URL

DEFAULT_TIMEOUT: tuple[float, float] = settings.http_timeout({})

#: The slot of a gateway without a rate limiter.
UNLIMITED = Slot("unlimited")

#: Query of every read: publisher and affiliations as objects, as we send them.
READ_PARAMS = {"publisher": "true", "affiliation": "true"}

#: Longest piece of a request or response body written to the DEBUG log.
_LOG_BODY = 2000


def default_user_agent(contact_email: str | None = None) -> str:
    """Our product token; with an email DataCite counts us as an identified client."""
    details = "+https://pypi.org/project/invenio-doi-ext/"
    if contact_email:
        details += f"; mailto:{contact_email}"
    return f"invenio-doi-ext/{__version__} ({details})"


def _clip(text: str) -> str:
    return text if len(text) <= _LOG_BODY else text[:_LOG_BODY] + "...[truncated]"


class DataCiteGateway:
    """A thin DataCite REST client: timeouts, one session, classified outcomes."""

    #: Longest wait for a local rate-limit slot before giving up with RETRYABLE.
    rate_limit_wait: float = 60.0

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        rate_limiter: RateLimiter | StackedLimiter | None = None,
        session: requests.Session | None = None,
        user_agent: str | None = None,
        account: str = settings.DEFAULT_ACCOUNT,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.username = username
        self.account = account
        self._auth = HTTPBasicAuth(username, password)
        self.timeout = timeout
        self.rate_limiter = rate_limiter
        self.user_agent = user_agent or default_user_agent()
        self._owns_session = session is None
        self.session = session if session is not None else requests.Session()

    @classmethod
    def from_config(
        cls,
        config: Mapping,
        account: str = settings.DEFAULT_ACCOUNT,
        shared_limiter: RateLimiter | None = None,
    ) -> DataCiteGateway:
        """Build the gateway of one account from a mapping of configuration keys (``app.config``).

        Every key is read through :mod:`invenio_doi_ext.settings`, so an unset key
        gets the default ``config.py`` documents and each documented form works.
        Gateways of several accounts pass one ``shared_limiter``: DataCite limits
        requests per client IP, whichever account sends them.
        """
        chosen = settings.get_account(account, config)
        timeout = settings.http_timeout(config)
        # A slot whose worker died mid-call counts as in flight for as long as the
        # call could have lasted, then frees itself.
        hold = sum(timeout) + 1.0
        storage = settings.rate_limit_storage(config)
        shared = shared_limiter or RateLimiter(settings.rate_limit(config), storage, hold=hold)
        limiter: RateLimiter | StackedLimiter = shared
        if chosen.rate_limit:
            own = RateLimiter(chosen.rate_limit, storage, key=f"{shared.key}:account:{account}", hold=hold)
            limiter = StackedLimiter(shared, own)
        return cls(
            base_url=settings.account_url(chosen, config),
            username=chosen.username,
            password=chosen.password,
            timeout=timeout,
            rate_limiter=limiter,
            user_agent=default_user_agent(settings.contact_email(config)),
            account=account,
        )

    @property
    def shared_limiter(self) -> RateLimiter | None:
        """The limiter every account's gateway shares (DataCite counts per client IP)."""
        limiter = self.rate_limiter
        return limiter.shared if isinstance(limiter, StackedLimiter) else limiter

    def __repr__(self) -> str:
        # A proxy URL may carry credentials (https://user:secret@proxy/): never shown.
        return (
            f"{type(self).__name__}(base_url={mask_url(self.base_url)!r}, username={self.username!r}, "
            f"account={self.account!r})"
        )

    # -- operations ---------------------------------------------------------------

    def reserve(self, doi: str, metadata: Mapping | None = None, url: str | None = None) -> Outcome:
        """Create a draft DOI (201) or update one; no event, so nothing becomes public."""
        return self._put("reserve", doi, metadata, url, event=None)

    def publish(self, doi: str, metadata: Mapping | None = None, url: str | None = None) -> Outcome:
        """Make the DOI findable (from draft or registered)."""
        return self._put("publish", doi, metadata, url, event="publish")

    def register(
        self, doi: str, metadata: Mapping | None = None, url: str | None = None
    ) -> Outcome:
        """Make a draft DOI registered: it resolves but is not in DataCite's search."""
        return self._put("register", doi, metadata, url, event="register")

    def update(self, doi: str, metadata: Mapping | None = None, url: str | None = None) -> Outcome:
        """Change metadata and/or URL without moving the DOI between states."""
        return self._put("update", doi, metadata, url, event=None)

    def hide(self, doi: str, metadata: Mapping | None = None, url: str | None = None) -> Outcome:
        """Make a findable DOI registered (the only way to withdraw a public DOI)."""
        return self._put("hide", doi, metadata, url, event="hide")

    def show(self, doi: str, metadata: Mapping | None = None, url: str | None = None) -> Outcome:
        """Make a hidden DOI findable again; DataCite's ``publish`` event."""
        return self._put("show", doi, metadata, url, event="publish")

    def delete_draft(self, doi: str) -> Outcome:
        """Delete a draft DOI; a DOI already gone counts as done (found=False)."""
        return self._send("delete_draft", "DELETE", doi)

    def get(self, doi: str) -> Outcome:
        """What DataCite holds for ``doi``; found=False when it holds nothing we may see.

        Publisher and affiliations are asked for as objects, the shape we send
        (lupo answers plain names otherwise). With wrong credentials DataCite
        answers as to anyone: a draft or registered DOI is "not found", so a
        caller acting on ``found=False`` proves the credentials first
        (:meth:`check_credentials`).
        """
        return self._send("get", "GET", doi, params=READ_PARAMS)

    def check_credentials(self, prefix: str) -> Outcome:
        """Prove the account's credentials with a call that changes nothing.

        ``POST /dois/validate`` (lupo: ``DataciteDoisController#validate``, which
        builds the DOI with ``only_validate`` and never saves it) needs the
        ``validate`` ability of the repository account: anyone else gets 401
        "Bad credentials.", while a read would silently answer as to anyone.
        SUCCESS when DataCite accepted the credentials (whatever it thought of the
        empty document), CREDENTIALS on 401, else the outcome of the failed call.
        """
        doi = f"{prefix}/invenio-doi-ext-credentials-check"
        # Our repository named in the body: without it lupo finds no repository for an
        # anonymous caller and answers 404 before it checks the caller (Doi#client_id=).
        body = build_body(doi, client=self.username.lower() or "-")
        outcome = self._send("check_credentials", "POST", doi, body, path="dois/validate")
        if outcome.status == 200:
            return Outcome(OutcomeKind.SUCCESS, "check_credentials", doi, status=200)
        return outcome

    def heartbeat(self) -> bool:
        """True when DataCite answers its liveness endpoint with 200."""
        slot = self._acquire_slot("heartbeat", "")
        if isinstance(slot, Outcome):
            return False
        try:
            response = self.session.get(
                self.base_url + "heartbeat",
                headers={"User-Agent": self.user_agent},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except Exception as exc:  # a probe reports, it never raises
            logger.debug("DataCite heartbeat failed: %s: %s", type(exc).__name__, exc)
            return False
        finally:
            self._release_slot(slot)
        logger.debug("DataCite heartbeat: HTTP %s", response.status_code)
        return response.status_code == 200

    def close(self) -> None:
        """Release pooled connections (only of a session this gateway created)."""
        if self._owns_session:
            self.session.close()

    def __enter__(self) -> DataCiteGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transport ----------------------------------------------------------------

    def _put(
        self,
        operation: str,
        doi: str,
        metadata: Mapping | None,
        url: str | None,
        event: str | None,
    ) -> Outcome:
        body = build_body(doi, metadata, url, event, client=self.username.lower() or None)
        return self._send(operation, "PUT", doi, body)

    def _acquire_slot(self, operation: str, doi: str) -> Slot | Outcome:
        """A rate-limit slot for one request, or the outcome of getting none."""
        if self.rate_limiter is None:
            return UNLIMITED
        try:
            slot = self.rate_limiter.acquire(timeout=self.rate_limit_wait)
        except Exception as exc:  # e.g. Redis unreachable: a failure to show, not a wait
            logger.warning("DataCite rate limiter unavailable: %s: %s", type(exc).__name__, exc)
            return Outcome(
                OutcomeKind.RETRYABLE,
                operation,
                doi,
                message=f"{LIMITER_UNAVAILABLE} ({self.rate_limiter!r}): {type(exc).__name__}: {exc}",
            )
        if slot is None:
            return Outcome(OutcomeKind.RETRYABLE, operation, doi, message=LOCAL_RATE_LIMIT)
        return slot

    def _release_slot(self, slot: Slot) -> None:
        """The answer is in (or the request given up): the slot's window starts now."""
        if slot is UNLIMITED:  # the gateway has no limiter
            return
        try:
            self.rate_limiter.release(slot)
        except Exception as exc:  # the slot frees itself after its hold
            logger.warning("DataCite rate limiter unavailable: %s: %s", type(exc).__name__, exc)

    def _send(
        self,
        operation: str,
        method: str,
        doi: str,
        body: dict | None = None,
        *,
        params: Mapping[str, str] | None = None,
        path: str | None = None,
    ) -> Outcome:
        if not doi or not doi.strip():
            return Outcome(OutcomeKind.PERMANENT, operation, doi, message="empty DOI")
        slot = self._acquire_slot(operation, doi)
        if isinstance(slot, Outcome):
            return slot
        try:
            return self._request(operation, method, doi, body, params, path)
        finally:
            self._release_slot(slot)

    def _request(
        self,
        operation: str,
        method: str,
        doi: str,
        body: dict | None,
        params: Mapping[str, str] | None = None,
        path: str | None = None,
    ) -> Outcome:
        target = self.base_url + path if path else doi_url(self.base_url, doi)
        data = json.dumps(body) if body is not None else None
        headers = {"User-Agent": self.user_agent, "Accept": CONTENT_TYPE}
        if data is not None:
            headers["Content-Type"] = CONTENT_TYPE
        logger.debug(
            "DataCite %s request: %s %s body=%s",
            operation,
            method,
            mask_url(target),
            _clip(data) if data is not None else "-",
        )
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                target,
                params=params,
                data=data.encode("utf-8") if data is not None else None,
                headers=headers,
                auth=self._auth,
                timeout=self.timeout,
                allow_redirects=False,
            )
            outcome = classify_response(operation, doi, response)
        except Exception as exc:  # every failure becomes an Outcome
            outcome = classify_exception(operation, doi, exc)
            logger.debug(
                "DataCite %s %s failed after %.3fs: %s (%s)",
                operation,
                doi,
                time.monotonic() - started,
                mask_url(outcome.message or ""),
                outcome.kind.value,
            )
            return outcome
        logger.debug(
            "DataCite %s response: HTTP %s in %.3fs -> %s body=%s",
            operation,
            response.status_code,
            time.monotonic() - started,
            outcome.kind.value,
            _clip(response.content[: _LOG_BODY + 1].decode("utf-8", "replace")) or "-",
        )
        return outcome
