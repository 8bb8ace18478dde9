"""The control API under `/__sandbox__/`: what tests and demos use to steer the sandbox.

No authentication, JSON in and out, never journaled. Its contract is fixed (other
parts of the project code against it; see docs/sandbox.rst).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .dois import Account, owner_of
from .faults import FaultConfigError
from .store import STATES, DoiRecord, utcnow

blueprint = Blueprint("sandbox_control", __name__, url_prefix="/__sandbox__")


def sandbox() -> Any:
    """The `Sandbox` state of the current app."""
    return current_app.extensions["doi_sandbox"]


def body() -> dict[str, Any]:
    """The JSON object sent (empty when none)."""
    data = request.get_json(force=True, silent=True)
    return data if isinstance(data, dict) else {}


def bad_request(message: str) -> tuple[Response, int]:
    """A control-API refusal."""
    return jsonify({"error": message}), 400


def doi_view(record: DoiRecord) -> dict[str, Any]:
    """A DOI as the control API shows it: the stored state, no DataCite formatting."""
    return {
        "doi": record.doi.lower(),
        "state": record.state,
        "url": record.url,
        "attributes": record.attributes,
        "created": record.created,
        "updated": record.updated,
        "client": owner_of(record, sandbox().accounts),
    }


@blueprint.route("/accounts", methods=["GET"])
def list_accounts() -> Response:
    """The repository accounts (names and prefixes; never passwords)."""
    return jsonify({"accounts": [
        {"username": a.username, "prefixes": list(a.prefixes)} for a in sandbox().accounts
    ]})


@blueprint.route("/accounts/<username>", methods=["PUT"])
def put_account(username: str) -> Response | tuple[Response, int]:
    """Add (or replace) a repository account until the next reset: password and prefixes."""
    data = body()
    password, prefixes = data.get("password"), data.get("prefixes")
    if not isinstance(password, str) or not password:
        return bad_request("password must be a non-empty string")
    if not isinstance(prefixes, list) or not prefixes or not all(isinstance(p, str) for p in prefixes):
        return bad_request("prefixes must be a non-empty list of strings")
    domains = data.get("allowed_domains") or []
    sandbox().add_account(Account(username=username, password=password, prefixes=tuple(prefixes),
                                  allowed_domains=tuple(domains)))
    return jsonify({"username": username, "prefixes": prefixes})


@blueprint.route("/reset", methods=["POST"])
def reset() -> Response:
    """Forget DOIs, journal, faults, latency and rate limit."""
    sandbox().reset()
    return jsonify({"reset": True})


@blueprint.route("/latency", methods=["PUT"])
def set_latency() -> Response | tuple[Response, int]:
    """Every DataCite-API request sleeps `ms` milliseconds before it is answered."""
    try:
        ms = float(body().get("ms", 0))
    except (TypeError, ValueError):
        return bad_request("ms must be a number")
    if ms < 0:
        return bad_request("ms must be >= 0")
    sandbox().faults.latency_ms = ms
    return jsonify({"ms": ms})


@blueprint.route("/faults", methods=["PUT"])
def set_faults() -> Response | tuple[Response, int]:
    """Replace the fault plan (rate, kinds, seed, retry_after, hang_seconds, queue, methods)."""
    try:
        return jsonify(sandbox().faults.configure(**body()))
    except (FaultConfigError, TypeError, ValueError) as exc:
        return bad_request(str(exc))


@blueprint.route("/faults", methods=["GET"])
def get_faults() -> Response:
    """The current fault plan."""
    return jsonify(sandbox().faults.plan())


@blueprint.route("/faults", methods=["DELETE"])
def clear_faults() -> Response:
    """No more faults; requests hanging in a `timeout` fault are released."""
    sandbox().faults.clear()
    return jsonify(sandbox().faults.plan())


@blueprint.route("/ratelimit", methods=["PUT"])
def set_rate_limit() -> Response | tuple[Response, int]:
    """At most `limit` DataCite-API requests per sliding `window` seconds; 429 beyond."""
    data = body()
    try:
        return jsonify(sandbox().ratelimit.configure(int(data["limit"]),
                                                     float(data.get("window", 1.0))))
    except (KeyError, TypeError, ValueError) as exc:
        return bad_request(f"limit (int) and window (seconds) expected: {exc}")


@blueprint.route("/ratelimit", methods=["GET"])
def get_rate_limit() -> Response:
    """The current rate limit (limit null when disabled)."""
    return jsonify(sandbox().ratelimit.setting())


@blueprint.route("/ratelimit", methods=["DELETE"])
def clear_rate_limit() -> Response:
    """Disable the rate limit."""
    return jsonify(sandbox().ratelimit.configure(None))


@blueprint.route("/journal", methods=["GET"])
def get_journal() -> Response | tuple[Response, int]:
    """Every DataCite-API request received, optionally only those after `since`."""
    since = request.args.get("since")
    try:
        since_seq = int(since) if since not in (None, "") else None
    except ValueError:
        return bad_request("since must be an integer")
    return jsonify({"entries": sandbox().journal.entries(since_seq)})


@blueprint.route("/journal", methods=["DELETE"])
def clear_journal() -> Response:
    """Forget the journal entries (counters of /stats are kept)."""
    sandbox().journal.clear()
    return jsonify({"entries": []})


@blueprint.route("/stats", methods=["GET"])
def stats() -> Response:
    """Counters of requests, faults, rate-limited requests and statuses since the reset."""
    return jsonify(sandbox().journal.stats())


@blueprint.route("/dois", methods=["GET"])
def list_dois() -> Response:
    """Every DOI the sandbox holds, whatever its state or prefix."""
    return jsonify({"dois": [doi_view(r) for r in sandbox().store.all()]})


@blueprint.route("/dois/<path:doi>", methods=["GET"])
def get_doi(doi: str) -> Response | tuple[Response, int]:
    """One DOI, or 404."""
    record = sandbox().store.get(doi)
    if record is None:
        return jsonify({"error": f"unknown DOI {doi}"}), 404
    return jsonify(doi_view(record))


@blueprint.route("/dois/<path:doi>", methods=["PUT"])
def seed_doi(doi: str) -> Response | tuple[Response, int]:
    """Put a DOI in place directly, without any validation (to fake drift or foreign DOIs)."""
    data = body()
    state = data.get("state", "draft")
    if state not in STATES:
        return bad_request(f"state must be one of {list(STATES)}")
    store = sandbox().store
    with store.transaction():
        record = store.get(doi) or DoiRecord(doi=doi)
        if "client" in data:
            record.client = str(data["client"]).lower() if data["client"] else None
        record.state = state
        if "url" in data:
            record.url = data["url"]
        if "attributes" in data:
            record.attributes = dict(data.get("attributes") or {})
            record.xml = None
        record.updated = utcnow()
        if state != "draft":
            record.registered = record.registered or record.updated
        store.put(record)
    return jsonify(doi_view(record))


@blueprint.route("/dois/<path:doi>", methods=["DELETE"])
def remove_doi(doi: str) -> Response | tuple[Response, int]:
    """Remove a DOI whatever its state."""
    if not sandbox().store.delete(doi):
        return jsonify({"error": f"unknown DOI {doi}"}), 404
    return jsonify({"removed": doi.lower()})
