"""The DataCite REST API over HTTP: `/dois`, `/dois/{doi}`, `/heartbeat`.

Every request of this blueprint goes through the same gate, in DataCite's order
as seen from a client: latency, the firewall's rate limit, injected faults, then
authentication, content type, payload and the DOI rules. Every request is
journaled with what it was answered, including dropped connections.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .dois import HANDLER_TITLES, Account, ApiError, handler_error
from .journal import parse_payload
from .validation import DOI_LOOSE_RE

blueprint = Blueprint("datacite_api", __name__)

CONTROL_PREFIX = "/__sandbox__/"
JSON_API = "application/vnd.api+json"
ACCEPTED_CONTENT_TYPES = (JSON_API, "application/json")
HTML_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n</body>\r\n</html>\r\n"
)


def sandbox() -> Any:
    """The `Sandbox` state of the current app."""
    return current_app.extensions["doi_sandbox"]


def json_response(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    """JSON:API response (DataCite answers `application/vnd.api+json`)."""
    return Response(json.dumps(body), status=status, headers=headers or {},
                    content_type=f"{JSON_API}; charset=utf-8")


def error_response(err: ApiError) -> Response:
    """The response of a refusal."""
    return json_response(err.body, err.status, err.headers)


# -- faults --------------------------------------------------------------------
def drop_connection() -> Response:
    """Close the TCP connection without any response: the client sees a reset/EOF.

    Journaled before the socket closes: a client that reads the journal as soon as
    it sees the reset must find the entry.
    """
    g.dropped = True
    record_in_journal(None)
    g.journaled = True
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return Response(b"", status=500)


def retry_after_header(value: Any) -> str:
    """`2` rather than `2.0`: Retry-After is a number of seconds (or an HTTP date)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def fault_response(kind: str) -> Response:
    """The answer of an injected fault of `kind`."""
    faults = sandbox().faults
    if kind == "drop":
        return drop_connection()
    if kind == "timeout":
        faults.hang()
        html = HTML_PAGE.format(code=504, reason="Gateway Time-out")
        return Response(html, status=504, content_type="text/html")
    if kind in ("502_html", "503_html"):
        code = int(kind[:3])
        reason = "Bad Gateway" if code == 502 else "Service Temporarily Unavailable"
        return Response(HTML_PAGE.format(code=code, reason=reason), status=code,
                        content_type="text/html")
    if kind == "429":
        return Response("Too Many Requests", status=429, content_type="text/plain")
    if kind == "429_retry_after":
        return Response("Too Many Requests", status=429, content_type="text/plain",
                        headers={"Retry-After": retry_after_header(faults.plan()["retry_after"])})
    if kind == "409":
        return error_response(handler_error(409))
    return error_response(handler_error(500, "Internal Server Error"))


def is_api_request() -> bool:
    """Everything but the control API is DataCite's (unknown paths too, for the journal)."""
    return not request.path.startswith(CONTROL_PREFIX)


@blueprint.before_app_request
def gate() -> Response | None:
    """Latency, rate limit and faults, before DataCite itself looks at the request."""
    if not is_api_request():
        return None
    g.started = time.monotonic()
    g.fault = None
    g.dropped = False
    g.raw_body = request.get_data(cache=True)  # read before any fault can drop the socket
    state = sandbox()
    state.faults.sleep_latency()
    if not state.ratelimit.allow():
        g.fault = "rate_limit"
        return Response("Too Many Requests", status=429, content_type="text/plain")
    kind = state.faults.draw(request.method)
    if kind:
        g.fault = kind
        return fault_response(kind)
    return None


def record_in_journal(response: Response | None) -> None:
    """One journal entry for this request (``response`` None: the connection was dropped)."""
    auth = request.authorization
    sandbox().journal.record(
        method=request.method,
        path=request.path,
        query=request.args.to_dict(),
        body=parse_payload(g.get("raw_body")),
        user=auth.username if auth else None,
        status=None if response is None else response.status_code,
        response=None if response is None else parse_payload(response.get_data()),
        fault=g.get("fault"),
        duration_ms=(time.monotonic() - g.get("started", time.monotonic())) * 1000.0,
    )


@blueprint.after_app_request
def journal(response: Response) -> Response:
    """Record the request and the answer given (status None when dropped)."""
    if not is_api_request() or g.get("journaled", False):
        return response
    record_in_journal(None if g.get("dropped", False) else response)
    return response


# -- DataCite ------------------------------------------------------------------
def authenticated(required: bool) -> Account | None:
    """The account of the Basic credentials sent; anyone else is anonymous (None).

    As lupo does (``ApplicationController#authenticate_user!`` and ``User``: wrong
    basic credentials give an anonymous user, not an error): a read answers as to
    anyone, and only an action the anonymous user may not take (a write) is
    refused, with 401 "Bad credentials." (lupo turns its 403 into 401 when the user
    has no uid).
    """
    auth = request.authorization
    known = None
    if auth is not None and auth.type == "basic":
        known = sandbox().authenticate(auth.username, auth.password)
    if known is None and required:
        raise handler_error(401)
    return known


def payload() -> dict[str, Any]:
    """The `data` member of a JSON:API body; 406 for other content types, 400 otherwise."""
    mimetype = request.mimetype
    if mimetype not in ACCEPTED_CONTENT_TYPES:
        raise handler_error(406)
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise handler_error(400, f"Invalid JSON: {exc}") from exc
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not data:
        raise handler_error(400)
    return data


@blueprint.app_errorhandler(ApiError)
def on_api_error(err: ApiError) -> Response:
    """Every refusal becomes DataCite's JSON error body."""
    return error_response(err)


@blueprint.app_errorhandler(HTTPException)
def on_http_error(err: HTTPException) -> Response:
    """Unknown paths and methods answer in DataCite's JSON shape too."""
    status = err.code or 500
    headers = {}
    if isinstance(err, MethodNotAllowed) and err.valid_methods:
        headers["Allow"] = ", ".join(err.valid_methods)
    return error_response(handler_error(status, HANDLER_TITLES.get(status, err.name), **headers))


@blueprint.app_errorhandler(Exception)
def on_crash(err: Exception) -> Response:
    """A sandbox bug answers 500 in DataCite's shape, and is logged."""
    current_app.logger.exception("sandbox error")
    return error_response(handler_error(500, f"Internal Server Error: {err}"))


@blueprint.route("/heartbeat", methods=["GET"])
def heartbeat() -> Response:
    """Liveness: 200 `OK` as text."""
    return Response("OK", status=200, content_type="text/plain")


def new_doi_owner(data: dict[str, Any], caller: Account | None) -> Account | None:
    """The repository a new DOI would belong to must exist before any permission is checked.

    lupo app/controllers/datacite_dois_controller.rb ``safe_params`` takes the
    client from ``relationships.client.data.id``, else from the logged-in user;
    ``Doi#client_id=`` (app/models/doi.rb) raises RecordNotFound (404) when that
    names no repository, which happens before ``authorize!``. So a create, an
    upsert of a new DOI or a validate with wrong credentials (``caller`` None) is
    404 when the body names no repository or an unknown one, and 401 "Bad
    credentials." when it names one. Returns the repository named, if any.
    """
    named = sandbox().service_for(caller).named_client(data)  # an unknown one: 404
    if named is None and caller is None:
        raise handler_error(404)  # Client.where(symbol: nil) finds nothing
    if caller is None:
        raise handler_error(401)
    return named


@blueprint.route("/dois", methods=["POST"])
def create_doi() -> Response:
    """Create a DOI (draft unless an event says otherwise).

    Without any ``Authorization`` header lupo's ``create`` fails at once (401,
    ``current_user.blank?``); with a failed login the user is anonymous and
    :func:`new_doi_owner` decides.
    """
    if request.authorization is None:
        raise handler_error(401)
    caller = authenticated(required=False)
    data = payload()
    new_doi_owner(data, caller)
    status, body = sandbox().service_for(caller).create(data, request.args.to_dict())
    return json_response(body, status)


@blueprint.route("/dois/validate", methods=["POST"])
def validate_doi() -> Response:
    """Check a DOI document without saving it (lupo: ``DataciteDoisController#validate``).

    The repository is looked up first (:func:`new_doi_owner`), then the account's
    ``validate`` ability (anonymous: 401 "Bad credentials."); it answers 200 either
    way: the document, or DataCite's errors.
    """
    caller = authenticated(required=False)
    data = payload()
    named = new_doi_owner(data, caller)
    # ability.rb ``can :validate, Doi, client_id: user.client_id``: another account's is 403.
    if named is not None and caller is not None and named.client_id != caller.client_id:
        raise handler_error(403)
    attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    doi = str(attributes.get("doi") or "").lower()
    return json_response({"data": {"id": doi, "type": "dois", "attributes": {"doi": doi}}}, 200)


@blueprint.route("/dois/get-dois", methods=["GET"])
def get_dois() -> Response:
    """The account's registered DOIs: lupo's authenticated read that changes nothing.

    lupo app/controllers/datacite_dois_controller.rb get_dois (`authorize!
    :get_urls`, which the anonymous role lacks): 401 "Bad credentials." without
    valid credentials, else `{"dois": [...]}` of the first prefix, or 204 when none.
    """
    caller = authenticated(required=True)
    dois = sandbox().service_for(caller).handles()
    if not dois:
        return Response(status=204)
    return Response(json.dumps({"dois": dois}), status=200,
                    content_type="application/json; charset=utf-8")


@blueprint.route("/dois/<path:doi>", methods=["GET"])
def get_doi(doi: str) -> Response:
    """One DOI; drafts and registered DOIs are visible to their owner only."""
    caller = authenticated(required=False)
    return json_response(sandbox().service_for(caller).show(doi, caller is not None,
                                                            request.args.to_dict()), 200)


@blueprint.route("/dois/<path:doi>", methods=["PUT", "PATCH"])
def put_doi(doi: str) -> Response:
    """Partial update, or create when the DOI is unknown (upsert).

    lupo ``update``: an existing DOI is authorised at once (anonymous: 401); a new
    one goes through the repository lookup first (:func:`new_doi_owner`).
    """
    state = sandbox()
    if state.store.get(doi) is None:
        if not DOI_LOOSE_RE.match(doi):
            raise handler_error(404)  # lupo validate_doi(params[:id]) comes first
        caller = authenticated(required=False)
        data = payload()
        new_doi_owner(data, caller)
    else:
        caller = authenticated(required=True)
        data = payload()
    status, body = state.service_for(caller).update(doi, data, request.args.to_dict())
    return json_response(body, status)


@blueprint.route("/dois/<path:doi>", methods=["DELETE"])
def delete_doi(doi: str) -> Response:
    """Delete a draft DOI."""
    caller = authenticated(required=True)
    sandbox().service_for(caller).delete(doi)
    return Response(status=204)
