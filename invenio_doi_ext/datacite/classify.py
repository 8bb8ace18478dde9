"""Turn an HTTP response or a transport exception into an ``Outcome``.

Kept apart from the gateway so that the status table of ``docs/gateway.rst`` lives
in one place and can be tested without a network.
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .outcome import FieldError, Outcome, OutcomeKind

#: Operations where a 404 means "DataCite does not hold this DOI" rather than an error.
LOOKUP_OPERATIONS = frozenset({"get", "delete_draft"})

#: Longest piece of a non-JSON body quoted in a message; HTML pages are never quoted.
_SNIPPET = 200

#: Transport errors that say the request itself can never be sent as built.
_BAD_REQUEST_EXCEPTIONS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def parse_errors(body: Any) -> tuple[FieldError, ...]:
    """DataCite's error entries, from either of its two body shapes.

    Handler errors are ``{"errors": [{"status", "title"}]}``; validation errors (422)
    are ``{"errors": [{"source", "title", "uid"}]}``. Titles are kept verbatim.
    """
    if not isinstance(body, dict):
        return ()
    entries = body.get("errors")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return ()
    found = []
    for entry in entries:
        if isinstance(entry, str):
            found.append(FieldError(None, entry))
            continue
        if not isinstance(entry, dict):
            continue
        title = entry.get("title") or entry.get("detail") or ""
        source = entry.get("source")
        if isinstance(source, dict):  # JSON:API's {"pointer": "/data/attributes/url"}
            source = source.get("pointer") or source.get("parameter")
        found.append(FieldError(str(source) if source else None, str(title)))
    return tuple(found)


def _decode_json(response: requests.Response) -> tuple[bool, Any]:
    """(parsed, body); never raises, whatever the bytes are."""
    if not response.content:
        return False, None
    try:
        return True, json.loads(response.content.decode(response.encoding or "utf-8"))
    except (ValueError, UnicodeDecodeError, LookupError):
        return False, None


def _looks_like_html(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", "").lower():
        return True
    return response.content[:200].lstrip().startswith(b"<")


def _transport_message(response: requests.Response, errors: tuple[FieldError, ...]) -> str:
    """One human line: DataCite's titles verbatim, else a short note on the body."""
    if errors:
        return "; ".join(str(error) for error in errors)
    prefix = f"HTTP {response.status_code} from DataCite"
    if not response.content:
        return prefix
    if _looks_like_html(response):
        return f"{prefix} (HTML error page)"
    try:
        text = response.content.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:
        text = response.content.decode("utf-8", errors="replace")
    text = " ".join(text.split())
    if len(text) > _SNIPPET:
        text = text[:_SNIPPET] + "..."
    return f"{prefix}: {text}" if text else prefix


def _record_fields(body: Any) -> tuple[dict | None, str | None, str | None]:
    """(attributes, state, url) from a JSON:API DOI document, tolerant of odd shapes."""
    if not isinstance(body, dict):
        return None, None, None
    data = body.get("data")
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        return None, None, None
    state = attributes.get("state")
    url = attributes.get("url")
    return (
        attributes,
        state if isinstance(state, str) else None,
        url if isinstance(url, str) else None,
    )


def classify_response(operation: str, doi: str, response: requests.Response) -> Outcome:
    """Map one DataCite response to an outcome (the table of ``docs/gateway.rst``)."""
    status = response.status_code
    parsed, body = _decode_json(response)
    errors = parse_errors(body) if parsed else ()
    message = _transport_message(response, errors)

    def outcome(kind: OutcomeKind, **extra: Any) -> Outcome:
        fields = {"status": status, "errors": errors, "message": message}
        fields.update(extra)
        return Outcome(kind=kind, operation=operation, doi=doi, **fields)

    if status in (200, 201, 204):
        if status == 204 or not response.content:
            return outcome(OutcomeKind.SUCCESS, message="")
        attributes, state, url = _record_fields(body)
        if attributes is None:
            # A 2xx that is not a DOI document (a proxy page, a truncated body): the
            # write may or may not have happened. PUT is idempotent, so trying again
            # is the safe answer.
            return outcome(
                OutcomeKind.RETRYABLE,
                message=f"HTTP {status} from DataCite without a readable DOI document",
            )
        return outcome(OutcomeKind.SUCCESS, state=state, url=url, attributes=attributes, message="")
    if status == 404 and operation in LOOKUP_OPERATIONS:
        return outcome(OutcomeKind.SUCCESS, found=False, message=message)
    if status == 401:
        return outcome(OutcomeKind.CREDENTIALS)
    if status == 429:
        return outcome(
            OutcomeKind.RETRYABLE,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status == 409 or status >= 500:
        return outcome(
            OutcomeKind.RETRYABLE,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if 300 <= status < 400:
        # Redirects are not followed: requests would turn a PUT into a GET and drop
        # the credentials on a host change. A redirect means a wrong base URL.
        location = response.headers.get("Location", "")
        return outcome(
            OutcomeKind.PERMANENT,
            message=f"HTTP {status} redirect from DataCite to {location!r}: "
            "check DOI_EXT_DATACITE_URL",
        )
    # 400, 403, 404 on a write (another repository's DOI), 405, 406, 410, 422, other 4xx,
    # and anything DataCite is not known to send.
    return outcome(OutcomeKind.PERMANENT)


def classify_exception(operation: str, doi: str, exc: BaseException) -> Outcome:
    """Map a transport failure (no response at all) to an outcome."""
    if isinstance(exc, requests.exceptions.Timeout):
        phase = "connect" if isinstance(exc, requests.exceptions.ConnectTimeout) else "read"
        kind, text = OutcomeKind.RETRYABLE, f"{phase} timeout talking to DataCite"
    elif isinstance(exc, _BAD_REQUEST_EXCEPTIONS):
        kind, text = OutcomeKind.PERMANENT, "request cannot be sent"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        kind, text = OutcomeKind.RETRYABLE, "connection error talking to DataCite"
    elif isinstance(exc, requests.exceptions.RequestException):
        kind, text = OutcomeKind.RETRYABLE, "transport error talking to DataCite"
    else:
        kind, text = OutcomeKind.RETRYABLE, "unexpected error talking to DataCite"
    detail = str(exc).strip()
    if len(detail) > _SNIPPET:
        detail = detail[:_SNIPPET] + "..."
    message = f"{text}: {type(exc).__name__}" + (f": {detail}" if detail else "")
    return Outcome(kind=kind, operation=operation, doi=doi, status=None, message=message)
