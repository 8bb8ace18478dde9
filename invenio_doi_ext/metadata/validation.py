"""DataCite's rules, checked before anything is sent, reported on the record's fields.

A payload DataCite refuses is a failed registration that a depositor never
sees. Checking it when the draft is saved shows the problem on the deposit
form instead. The rules are the DataCite 4.5 JSON schema of the ``datacite``
package plus what DataCite's server enforces beyond it (see
``docs/what-datacite-sees.rst``); each error names the record field the
offending DataCite attribute is serialized from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from datacite import schema45

from .. import doi_syntax
from . import memo
from .policy import RESOURCE_TYPE_GENERAL

#: DataCite's own checks (datacite/lupo), beyond the JSON schema; the DOI rule is
#: the one every part of the package shares (:mod:`invenio_doi_ext.doi_syntax`).
DOI_RE = doi_syntax.DOI_RE
URL_RE = re.compile(r"^(ftp|http|https)://\S+$")
LANGUAGE_RE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
YEAR_RE = re.compile(r"^[0-9]{4}$")
#: The contributor types DataCite accepts in schema 4 (lupo ``Doi#check_contributors``),
#: checked even on a draft DOI.
CONTRIBUTOR_TYPES = frozenset({
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
    "HostingInstitution", "Other", "Producer", "ProjectLeader", "ProjectManager", "ProjectMember",
    "RegistrationAgency", "RegistrationAuthority", "RelatedPerson", "ResearchGroup", "RightsHolder",
    "Researcher", "Sponsor", "Supervisor", "Translator", "WorkPackageLeader",
})  # fmt: skip
MAX_DOI_LENGTH = doi_syntax.MAX_LENGTH
MAX_CREATORS = 10_000
MAX_RIGHTS_LENGTH = 2000
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"

#: Lists whose entries DataCite refuses unless they are objects, even on a draft.
OBJECT_LISTS = (
    "titles", "descriptions", "subjects", "creators", "contributors", "dates", "rightsList",
    "alternateIdentifiers", "relatedIdentifiers", "relatedItems", "fundingReferences", "geoLocations",
)  # fmt: skip

#: DataCite attributes whose absence InvenioRDM reports itself (required record
#: fields, and the publisher check of the DataCite provider): not repeated here.
_REPORTED_UPSTREAM = {
    "titles": "title",
    "creators": "creators",
    "publicationYear": "publication_date",
    "types": "resource_type",
    "publisher": "publisher",
}


@dataclass(frozen=True)
class FieldError:
    """One problem DataCite would refuse, on the record field it comes from."""

    field: str
    message: str
    rule: str


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _items(payload: Mapping[str, Any], key: str) -> list[Any]:
    value = payload.get(key)
    return value if isinstance(value, list) else []


class FieldMap:
    """DataCite attribute paths → record fields, following upstream's serializer.

    The serializer puts the main title (description) first and the additional
    ones after it, the publication date first among dates, and appends the
    copyright to the rights; the offsets come from the record when it is known.
    """

    def __init__(self, record: Mapping[str, Any] | None = None) -> None:
        self.metadata: Mapping[str, Any] | None = None
        if record is not None:
            self.metadata = record.get("metadata") or {}

    def _has(self, key: str) -> bool:
        return True if self.metadata is None else bool(self.metadata.get(key))

    def _count(self, key: str) -> int | None:
        return None if self.metadata is None else len(self.metadata.get(key) or [])

    def field(self, path: list[Any]) -> str:
        """The record field of an attribute path such as ``["creators", 0, "name"]``."""
        if not path:
            return "metadata"
        head, index = path[0], path[1] if len(path) > 1 and isinstance(path[1], int) else None
        simple = {
            "doi": "pids.doi",
            "url": "pids.doi",
            "publisher": "metadata.publisher",
            "publicationYear": "metadata.publication_date",
            "types": "metadata.resource_type",
            "language": "metadata.languages",
            "sizes": "metadata.sizes",
            "formats": "metadata.formats",
            "version": "metadata.version",
            "alternateIdentifiers": "metadata.identifiers",
            "relatedIdentifiers": "metadata.related_identifiers",
            "geoLocations": "metadata.locations",
        }
        if head in simple:
            return simple[head]
        if head in ("titles", "descriptions"):
            return self._main_or_additional(head[:-1], index)
        if head in ("creators", "contributors"):
            return self._person(head, index, path[2:])
        if head == "rightsList":
            return self._rights(index)
        if head == "dates":
            if index is None:
                return "metadata.dates"
            offset = 1 if self._has("publication_date") else 0
            return "metadata.publication_date" if index < offset else f"metadata.dates.{index - offset}.date"
        listed = {"subjects": "metadata.subjects", "fundingReferences": "metadata.funding"}
        if head in listed:
            return listed[head] if index is None else f"{listed[head]}.{index}"
        return "metadata"

    def _main_or_additional(self, name: str, index: int | None) -> str:
        if index is None:
            return f"metadata.{name}"
        offset = 1 if self._has(name) else 0
        if index < offset:
            return f"metadata.{name}"
        return f"metadata.additional_{name}s.{index - offset}.{name}"

    def _person(self, head: str, index: int | None, rest: list[Any]) -> str:
        base = f"metadata.{head}"
        if index is None:
            return base
        tail = rest[0] if rest else "name"
        if tail == "name" and self._person_type(head, index) == "personal":
            tail = "familyName"  # a person's DataCite name is built from the family name
        sub = {
            "nameIdentifiers": "person_or_org.identifiers",
            "affiliation": "affiliations",
            "contributorType": "role",
            "familyName": "person_or_org.family_name",
            "givenName": "person_or_org.given_name",
        }.get(tail, "person_or_org.name")
        return f"{base}.{index}.{sub}"

    def _person_type(self, head: str, index: int) -> str | None:
        people = (self.metadata or {}).get(head) or []
        if index < len(people) and isinstance(people[index], Mapping):
            return (people[index].get("person_or_org") or {}).get("type")
        return None

    def _rights(self, index: int | None) -> str:
        count = self._count("rights")
        if index is None:
            return "metadata.rights"
        if count is None or index < count:
            return f"metadata.rights.{index}.title"
        return "metadata.copyright" if self._has("copyright") else "metadata.rights"


def contributor_type_message(contributor_type: Any, role: Any) -> str:
    """Why DataCite refuses a contributor's type, and what the depositor or administrator does."""
    role_id = role.get("id") if isinstance(role, Mapping) else None
    if not role_id:
        return ("Choose a role for this contributor: DataCite refuses a contributor without a "
                "contributor type, even on a reserved (draft) DOI.")
    if _blank(contributor_type):
        return (f"The role '{role_id}' has no DataCite contributor type: choose another role, or ask "
                f"the repository administrators to give '{role_id}' a 'datacite' property in the "
                "contributor roles vocabulary.")
    return (f"The role '{role_id}' maps to the DataCite contributor type '{contributor_type}', which "
            "DataCite does not accept: choose another role, or ask the repository administrators to "
            f"map '{role_id}' to one of {', '.join(sorted(CONTRIBUTOR_TYPES))}.")


def valid_url(url: str | None) -> bool:
    """DataCite's URL rule (lupo ``validates_format_of :url``, anchored at both ends)."""
    return isinstance(url, str) and URL_RE.fullmatch(url) is not None


def acceptable_on_draft(payload: Mapping[str, Any], url: str | None) -> tuple[dict[str, Any], str | None]:
    """A draft DOI's reservation without what DataCite refuses even on a draft.

    DataCite accepts any metadata on a draft DOI except a malformed URL, list
    entries that are not objects and contributors without a valid type (lupo
    ``Doi`` validations that do not wait for ``validatable?``). The depositor sees
    those problems on the form when saving, and publish is refused until they are
    fixed; meanwhile the DOI is reserved without them instead of failing for good.
    """
    kept = dict(payload)
    for key in OBJECT_LISTS:
        if isinstance(kept.get(key), list):
            kept[key] = [item for item in kept[key] if isinstance(item, Mapping)]
    if isinstance(kept.get("contributors"), list):
        kept["contributors"] = [
            person for person in kept["contributors"] if person.get("contributorType") in CONTRIBUTOR_TYPES
        ]
    if isinstance(kept.get("rightsList"), list):
        kept["rightsList"] = [
            entry for entry in kept["rightsList"] if len(str(entry.get("rights") or "")) <= MAX_RIGHTS_LENGTH
        ]
    return kept, (url if valid_url(url) else None)


def _rule_errors(
    payload: Mapping[str, Any], doi: str | None, url: str | None, metadata: Mapping[str, Any] | None = None
) -> list[tuple[list, str, str]]:
    """DataCite's server-side rules: (attribute path, message, rule name)."""
    found: list[tuple[list, str, str]] = []

    def add(path: list[Any], message: str, rule: str) -> None:
        found.append((path, message, rule))

    year = payload.get("publicationYear")
    if year is not None and not YEAR_RE.match(str(year)):
        add(["publicationYear"], f"DataCite needs a four-digit publication year (YYYY), not '{year}'.",
            "year")
    for i, title in enumerate(_items(payload, "titles")):
        if not isinstance(title, Mapping) or _blank(title.get("title")):
            add(["titles", i], "DataCite does not accept an empty title.", "title")
    creators = _items(payload, "creators")
    if len(creators) > MAX_CREATORS:
        add(["creators"], f"DataCite accepts at most {MAX_CREATORS} creators ({len(creators)} given).",
            "creators_count")
    for i, creator in enumerate(creators[: MAX_CREATORS + 1]):
        if not isinstance(creator, Mapping) or _blank(creator.get("name")):
            add(["creators", i, "name"], "DataCite needs a name for every creator.", "creator_name")
    people = list((metadata or {}).get("contributors") or [])
    for i, contributor in enumerate(_items(payload, "contributors")):
        if not isinstance(contributor, Mapping) or _blank(contributor.get("name")):
            add(["contributors", i, "name"], "DataCite needs a name for every contributor.",
                "contributor_name")
        elif contributor.get("contributorType") not in CONTRIBUTOR_TYPES:
            role = people[i].get("role") if i < len(people) and isinstance(people[i], Mapping) else None
            add(["contributors", i, "contributorType"],
                contributor_type_message(contributor.get("contributorType"), role), "contributor_type")
    for i, rights in enumerate(_items(payload, "rightsList")):
        text = rights.get("rights") if isinstance(rights, Mapping) else None
        if isinstance(text, str) and len(text) > MAX_RIGHTS_LENGTH:
            add(["rightsList", i], f"DataCite accepts at most {MAX_RIGHTS_LENGTH} characters of rights text "
                f"({len(text)} given).", "rights_length")
    language = payload.get("language")
    if language not in (None, "") and not (isinstance(language, str) and LANGUAGE_RE.match(language)):
        add(["language"], f"DataCite does not accept '{language}' as a language code (e.g. 'en', 'de-CH').",
            "language")
    types = payload.get("types")
    general = types.get("resourceTypeGeneral") if isinstance(types, Mapping) else None
    if general is not None and general not in RESOURCE_TYPE_GENERAL:
        add(["types"], f"The resource type maps to DataCite's general type '{general}', which DataCite does "
            "not accept; choose another resource type or ask the repository administrators.",
            "resource_type_general")
    found += [(["doi"], error.message, error.rule) for error in doi_errors(doi)]
    if url is not None and not valid_url(url):
        add(["url"], f"The landing page URL '{url}' is not valid; the repository administrators must fix "
            "its configuration (SITE_UI_URL, DOI_EXT_LANDING_URL).", "url")
    return found


def doi_errors(doi: str | None) -> list[FieldError]:
    """DataCite's DOI rules: its syntax on create, and at most 255 characters."""
    if doi is None:
        return []
    if len(doi) > MAX_DOI_LENGTH:
        return [FieldError("pids.doi", f"A DOI has at most {MAX_DOI_LENGTH} characters ({len(doi)} given).",
                           "doi_length")]
    if not DOI_RE.match(doi):
        message = f"'{doi}' is not a DOI DataCite accepts: it must be {doi_syntax.DOI_FORM}."
        return [FieldError("pids.doi", message, "doi_syntax")]
    return []


def schema_document(payload: Mapping[str, Any], doi: str | None = None) -> dict[str, Any]:
    """The payload in the shape of the package's schema (DataCite accepts the looser forms)."""
    attributes = set(schema45.validator.schema["properties"]) - {"doi", "url", "event", "prefix", "suffix"}
    doc = {key: value for key, value in payload.items() if key in attributes and value is not None}
    if isinstance(doc.get("publisher"), str):
        doc["publisher"] = {"name": doc["publisher"]}
    if isinstance(doc.get("publicationYear"), int) and not isinstance(doc["publicationYear"], bool):
        doc["publicationYear"] = str(doc["publicationYear"])
    doc.setdefault("schemaVersion", SCHEMA_VERSION)
    if doi is not None:
        doc["doi"] = doi
    return doc


def _schema_errors(doc: Mapping[str, Any]) -> list[tuple[list, str, str]]:
    found: list[tuple[list, str, str]] = []
    for err in schema45.validator.iter_errors(doc):
        path = list(err.absolute_path)
        if not path and err.validator == "required":
            for key in err.validator_value:
                if key not in err.instance:
                    found.append(([key], f"DataCite requires this field ({key}).", f"required:{key}"))
            continue
        message = err.message if len(err.message) <= 300 else err.message[:297] + "..."
        found.append((path, f"DataCite would refuse this value: {message}", "schema"))
    return found


def validate(
    payload: Mapping[str, Any],
    doi: str | None = None,
    url: str | None = None,
    record: Mapping[str, Any] | None = None,
) -> list[FieldError]:
    """Every reason DataCite would refuse ``payload`` (with ``doi`` and ``url``), on record fields.

    With ``record``, the fields are exact (offsets of additional titles, rights
    and dates), and a required attribute whose record field is simply missing is
    left to InvenioRDM's own "required field" error rather than repeated.
    """
    fields = FieldMap(record)
    metadata = (record or {}).get("metadata") or {}
    rules = _rule_errors(payload, doi, url, metadata if record is not None else None)
    ruled = {str(path[0]) for path, _, _ in rules}
    errors: list[FieldError] = [FieldError(fields.field(path), msg, rule) for path, msg, rule in rules]
    for path, message, rule in _schema_errors(schema_document(payload, doi)):
        if path and str(path[0]) in ruled:
            continue  # a clearer message of our own already covers this attribute
        if rule.startswith("required:") and record is not None:
            source = _REPORTED_UPSTREAM.get(str(path[0]))
            if source is not None and not metadata.get(source):
                continue
        error = FieldError(fields.field(path), message, rule)
        if error not in errors:
            errors.append(error)
    return errors


def as_form_errors(errors: Iterable[FieldError]) -> list[dict[str, Any]]:
    """InvenioRDM's deposit-form shape: one ``{"field", "messages"}`` per field, in order."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        messages = grouped.setdefault(error.field, [])
        if error.message not in messages:
            messages.append(error.message)
    return [{"field": field, "messages": messages} for field, messages in grouped.items()]


def validate_record(record: Any, doi: str | None, url: str | None) -> list[FieldError]:
    """Validate what upstream's serializer makes of ``record`` (a draft about to be published).

    Publish checks the draft exactly as its last save did; the result is kept by
    content (:mod:`invenio_doi_ext.metadata.memo`), so an unchanged draft is not
    serialized and checked twice, and a changed one always is.
    """
    from .payload import dereferenced, memo_content, record_payload

    # A draft being created has no ``pids`` yet (upstream sets them after validating).
    view = {**record, "pids": record.get("pids") or {}, "metadata": record.get("metadata") or {}}

    def compute() -> list[FieldError]:
        source = dereferenced(record)  # the names of its vocabulary entries, for the serializer
        named = {**source, "pids": view["pids"], "metadata": source.get("metadata") or {}}
        try:
            payload = record_payload(named)
        except Exception as exc:  # noqa: BLE001 - report it on the form rather than fail the save
            message = f"The metadata cannot be converted for DataCite: {exc}"
            return [FieldError("metadata", message, "serializer")]
        return validate(payload, doi=doi, url=url, record=record)

    key = memo.Memo.key("validate", memo_content(view), doi, url)
    return memo.derived().get_or_compute(key, compute)
