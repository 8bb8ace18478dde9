"""What DataCite does with a DOI request, without any HTTP: create, upsert, show, delete.

Kept apart from the Flask views so that the rules (state machine, ownership,
validation, upsert) read in one place. Every refusal is an `ApiError` carrying
the status and body DataCite would answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .datacite_xml import XmlInputError, build_xml, parse_xml, replace_identifier
from .normal_form import LIST_ATTRIBUTES, normal_form
from .permitted import permit
from .store import DoiRecord, Store, utcnow
from .validation import (
    DOI_LOOSE_RE,
    METADATA_ATTRIBUTES,
    SCHEMA_VERSION,
    doi_create_errors,
    save_time_errors,
)

HANDLER_TITLES = {
    400: "You need to provide a payload following the JSONAPI spec",
    401: "Bad credentials.",
    403: "You are not authorized to access this resource.",
    404: "The resource you are looking for doesn't exist.",
    405: "Method not allowed",
    406: "The content type is not recognized.",
    409: "The resource already exists.",
}
#: event -> {from state: to state}; anything else is ignored (transitions are not whiny).
TRANSITIONS = {
    "register": {"draft": "registered"},
    "publish": {"draft": "findable", "registered": "findable"},
    "hide": {"findable": "registered"},
    "show": {"registered": "findable"},  # lupo app/models/doi.rb aasm event :show
}
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class ApiError(Exception):
    """A refusal, with the exact status, JSON body and headers to answer."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def handler_error(status: int, title: str | None = None, **headers: str) -> ApiError:
    """DataCite's handler-error shape: `{"errors": [{"status", "title"}]}`."""
    body = {"errors": [{"status": str(status), "title": title or HANDLER_TITLES[status]}]}
    return ApiError(status, body, dict(headers))


def validation_error(errors: list[dict[str, str]], doi: str | None) -> ApiError:
    """DataCite's validation shape: 422, `source` + `title` + `uid`, no `status`."""
    uid = {"uid": doi.lower()} if doi else {}  # serialize_errors omits a blank uid
    return ApiError(422, {"errors": [{**e, **uid} for e in errors]})


def random_suffix() -> str:
    """A suffix like DataCite's (`9te8-5h68`): 7 Crockford base32 digits and a check digit."""
    number = secrets.randbelow(32**7)
    digits = "".join(CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(7)))
    code = digits + CROCKFORD[number % 31]
    return f"{code[:4]}-{code[4:]}"


def publication_year(value: Any) -> int | None:
    """DataCite answers the year as an integer, or null when it is not one."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Account:
    """A DataCite repository account (lupo's client) of the sandbox, with its prefixes."""

    username: str
    password: str
    prefixes: tuple[str, ...]
    allowed_domains: tuple[str, ...] = ()

    @property
    def client_id(self) -> str:
        """lupo's ``client_id``: the repository symbol in lower case."""
        return self.username.lower()

    def owns(self, doi: str) -> bool:
        """True when the DOI's prefix is assigned to this account."""
        prefix = doi.split("/", 1)[0].lower()
        return prefix in {p.lower() for p in self.prefixes}


def owner_of(record: DoiRecord, accounts: tuple[Account, ...]) -> str | None:
    """The client that owns a stored DOI: the one recorded, else the owner of its prefix."""
    if record.client:
        return record.client
    return next((a.client_id for a in accounts if a.owns(record.doi)), None)


class DoiService:
    """The DOI endpoints' rules over a `Store`, as seen by one caller.

    Ownership follows lupo (app/models/ability.rb, client roles): a client may
    create a DOI only under a prefix of the DOI's client (``can :new, Doi`` checks
    ``doi.client.prefixes``), and may update, delete or see a draft or registered
    DOI only when it is that DOI's client (``client_id: user.client_id``;
    ``Authenticable#not_allowed_by_doi_and_user`` for reads). A refused write is
    ``CanCan::AccessDenied``, which lupo's ApplicationController answers 403
    "You are not authorized to access this resource." to an authenticated caller.
    """

    def __init__(self, store: Store, accounts: tuple[Account, ...],
                 caller: Account | None = None) -> None:
        self.store = store
        self.accounts = accounts
        self.account = accounts[0]
        self.caller = caller

    def _client(self, client_id: str | None) -> Account | None:
        return next((a for a in self.accounts if a.client_id == (client_id or "").lower()), None)

    def _is_owner(self, record: DoiRecord) -> bool:
        return self.caller is not None and owner_of(record, self.accounts) == self.caller.client_id

    # -- reading -------------------------------------------------------------
    def serialize(self, record: DoiRecord,
                  params: dict[str, str] | None = None) -> dict[str, Any]:
        """The JSON:API document of a DOI, in DataCite's normal form (`params`: the query)."""
        attrs: dict[str, Any] = {k: [] for k in LIST_ATTRIBUTES}
        attrs.update({"publisher": None, "language": None, "types": {}, "version": None,
                      "container": {}, "reason": None})
        doi = record.doi.lower()
        attrs.update(normal_form(record.attributes, doi, record.url, params))
        prefix, _, suffix = doi.partition("/")
        attrs.update({
            "doi": doi,
            "prefix": prefix,
            "suffix": suffix,
            "publicationYear": publication_year(record.attributes.get("publicationYear")),
            "schemaVersion": record.attributes.get("schemaVersion") or SCHEMA_VERSION,
            "xml": record.xml if record.xml else build_xml(record.doi, record.attributes),
            "url": record.url,
            "contentUrl": record.attributes.get("contentUrl"),
            "metadataVersion": record.metadata_version,
            "isActive": record.state == "findable",
            "state": record.state,
            "created": record.created,
            "registered": record.registered,
            "updated": record.updated,
        })
        return {
            "data": {
                "id": doi,
                "type": "dois",
                "attributes": attrs,
                "relationships": {
                    "client": {"data": {"id": owner_of(record, self.accounts), "type": "clients"}}
                },
            }
        }

    def show(self, doi: str, authenticated: bool,
             params: dict[str, str] | None = None) -> dict[str, Any]:
        """Findable DOIs are public; drafts and registered ones only for their owner."""
        record = self.store.get(doi)
        if record is None:
            raise handler_error(404)
        if record.state != "findable" and not (authenticated and self._is_owner(record)):
            raise handler_error(404)
        return self.serialize(record, params)

    def handles(self) -> list[str]:
        """DOIs with a handle (registered or findable) under the caller's first prefix.

        The handle server answers them upper-cased (lupo app/models/concerns/helpable.rb
        get_dois reads them from the handle API).
        """
        caller = self.caller or self.account
        if not caller.prefixes:
            return []
        first = caller.prefixes[0].lower()
        return sorted(
            r.doi.upper() for r in self.store.all()
            if r.state != "draft" and r.doi.lower().startswith(first + "/")
        )

    # -- writing -------------------------------------------------------------
    def create(self, data: dict[str, Any],
               params: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """POST /dois: a new DOI, draft unless an event says otherwise."""
        attrs = self._attributes(data)
        doi = attrs.get("doi")  # data.id is not read (lupo params_sanitizer.rb)
        with self.store.transaction():
            if not doi and attrs.get("prefix"):
                doi = self._new_doi(str(attrs["prefix"]))
            if not doi:
                raise validation_error([{"source": "doi", "title": "Can't be blank"}], None)
            doi = str(doi)
            client = self._new_doi_client(data, doi)
            if self.store.get(doi) is not None:
                raise validation_error(
                    [{"source": "doi", "title": "This DOI has already been taken"}], doi
                )
            return 201, self._create(doi, attrs, params, client)

    def named_client(self, data: dict[str, Any]) -> Account | None:
        """The client named in ``relationships.client`` (None: none named); unknown: 404."""
        relationships = data.get("relationships") if isinstance(data.get("relationships"), dict) else {}
        named = ((relationships.get("client") or {}).get("data") or {}).get("id")
        if not named:
            return None
        client = self._client(str(named))
        if client is None:
            raise handler_error(404)
        return client

    def _new_doi_client(self, data: dict[str, Any], doi: str) -> str:
        """The client of a new DOI, if it may create it there (lupo ``authorize! :new``).

        lupo datacite_dois_controller.rb safe_params: the client is the one named in
        ``relationships.client``, else the caller's; Doi#client_id= answers 404 for an
        unknown one; ability.rb ``can %i[new create], Doi`` needs the DOI's prefix
        among that client's prefixes, else 403.
        """
        client = self.named_client(data) or self.caller
        if client is None or not client.owns(doi):
            raise handler_error(403)
        return client.client_id

    def update(self, doi: str, data: dict[str, Any],
               params: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """PUT /dois/{doi}: partial update of the attributes sent, or create (upsert)."""
        attrs = self._attributes(data)
        with self.store.transaction():
            record = self.store.get(doi)
            if record is None:
                if not DOI_LOOSE_RE.match(doi):
                    raise handler_error(404)
                client = self._new_doi_client(data, doi)
                return 201, self._create(doi, attrs, params, client)
            if not self._is_owner(record):  # ability.rb: update needs client_id == user.client_id
                raise handler_error(403)
            self._apply(record, attrs)
            record.metadata_version += 1
            self._check_and_save(record)
            return 200, self.serialize(record, params)

    def delete(self, doi: str) -> None:
        """Drafts only; registered and findable DOIs can only be hidden."""
        with self.store.transaction():
            record = self.store.get(doi)
            if record is None:
                raise handler_error(404)
            if not self._is_owner(record):  # ability.rb: destroy needs client_id == user.client_id
                raise handler_error(403)
            if record.state != "draft":
                raise handler_error(405, Allow="HEAD, GET, POST, PATCH, PUT, OPTIONS")
            self.store.delete(record.doi)

    # -- helpers -------------------------------------------------------------
    def _attributes(self, data: dict[str, Any]) -> dict[str, Any]:
        """The attributes sent, with `xml` read into JSON ones (JSON wins) and `state` dropped.

        Keys DataCite does not permit inside the attributes' objects are dropped
        first, as lupo's strong parameters do (:mod:`.permitted`).
        """
        attrs = data.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise handler_error(400, "Attributes must be an object")
        attrs = permit({k: v for k, v in attrs.items() if k != "state"})
        if attrs.get("xml"):
            try:
                from_xml = parse_xml(str(attrs["xml"]))
            except XmlInputError as exc:
                raise validation_error(
                    [{"source": "xml", "title": str(exc)}], attrs.get("doi")
                ) from exc
            # lupo app/lib/params_sanitizer.rb add_xml_attributes: a JSON value wins
            # unless null; the XML's <identifier> never names the DOI.
            from_xml.pop("doi", None)
            if any(attrs.get(k) is not None for k in METADATA_ATTRIBUTES):
                attrs["_regenerate_xml"] = True
            attrs = {**attrs, **{k: v for k, v in from_xml.items() if attrs.get(k) is None}}
        return attrs

    def _new_doi(self, prefix: str) -> str:
        while True:
            doi = f"{prefix}/{random_suffix()}"
            if self.store.get(doi) is None:
                return doi

    def _create(self, doi: str, attrs: dict[str, Any],
                params: dict[str, str] | None = None, client: str | None = None) -> dict[str, Any]:
        errors = doi_create_errors(doi)
        if errors:
            raise validation_error(errors, doi)
        record = DoiRecord(doi=doi, client=client)
        self._apply(record, attrs)
        self._check_and_save(record)
        return self.serialize(record, params)

    def _apply(self, record: DoiRecord, attrs: dict[str, Any]) -> None:
        """Set the attributes sent (only those) and fire the event, if valid here."""
        if "url" in attrs:
            record.url = attrs["url"]
        for key in METADATA_ATTRIBUTES:
            if key in attrs:
                record.attributes[key] = attrs[key]
        if "reason" in attrs:
            record.attributes["reason"] = attrs["reason"]
        if attrs.get("_regenerate_xml"):
            record.xml = None  # JSON metadata sent with the XML: lupo regenerates it
        elif "xml" in attrs:
            record.xml = replace_identifier(attrs["xml"], record.doi) if attrs["xml"] else None
        elif any(k in attrs for k in METADATA_ATTRIBUTES):
            record.xml = None  # rebuilt from the JSON attributes when serialised
        target = TRANSITIONS.get(str(attrs.get("event") or ""), {}).get(record.state)
        if target:
            record.state = target
        record.updated = utcnow()

    def _check_and_save(self, record: DoiRecord) -> None:
        """lupo's checks on every save (drafts too), the registration ones when not a draft."""
        owner = self._client(owner_of(record, self.accounts)) or self.account
        errors = save_time_errors(
            record.doi, record.state, record.url, record.attributes,
            owner.allowed_domains, owner.username,
        )
        if errors:
            raise validation_error(errors, record.doi)
        if record.state in ("registered", "findable"):
            record.registered = record.registered or utcnow()
        self.store.put(record)
