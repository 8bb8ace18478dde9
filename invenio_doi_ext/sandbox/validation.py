"""DataCite's validation rules, as the REST API applies them.

DataCite checks the DOI syntax and uniqueness always, but the URL and the metadata
only when a DOI becomes (or, being registered or findable, is updated while)
registered or findable: a draft may hold anything. Error titles are DataCite's
own where known; the rest are the JSON schema's messages, as vague as DataCite's.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from datacite import schema45

from .lupo_checks import first_per_source, save_errors, url_format_errors

DOI_CREATE_RE = re.compile(r"^10\.\d{4,5}/[-._;()/:a-zA-Z0-9*~$=]+$")
DOI_LOOSE_RE = re.compile(r"^10\.\d{4,5}/.+$")
PUBLICATION_YEAR_RE = re.compile(r"^[0-9]{4}$")
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"
MAX_DOI_LENGTH = 255

#: Metadata attributes the schema knows; `url`, `doi`, `event`... are handled apart.
SCHEMA_ATTRIBUTES = tuple(
    k
    for k in schema45.validator.schema["properties"]
    if k not in ("doi", "prefix", "suffix", "event", "url")
)
#: Stored and returned as sent; other unknown attributes are dropped, as DataCite does.
METADATA_ATTRIBUTES = (*SCHEMA_ATTRIBUTES, "identifiers", "contentUrl")
RESOURCE_TYPE_GENERAL = tuple(
    schema45.validator.schema["definitions"]["resourceTypeGeneral"]["enum"]
)

Error = dict[str, str]


def blank(value: Any) -> bool:
    """Rails' `blank?`: None, empty or whitespace-only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not value
    return False


def doi_create_errors(doi: str | None) -> list[Error]:
    """Rules checked on every create: DOI present and well formed."""
    if not doi:
        return [{"source": "doi", "title": "Can't be blank"}]
    if not DOI_CREATE_RE.match(doi):
        return [{"source": "doi", "title": "Is invalid"}]
    return []


def url_host(url: str) -> str:
    """The host as Addressable::URI#host gives it: not lower-cased, without user or port."""
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[: netloc.find("]") + 1]
    return netloc.partition(":")[0]


def host_allowed(url: str, allowed_domains: tuple[str, ...]) -> bool:
    """lupo's match_url_with_domains (app/models/concerns/helpable.rb).

    The repository's domains are one comma-separated string: `*` alone allows any
    host (a client without domains gets `*`, app/models/client.rb); `*.x` allows
    hosts ending in `.x` (not `x` itself); a plain `x` allows the host `x` only.
    """
    domains = ",".join(allowed_domains)
    if not domains or domains == "*":
        return True
    host = url_host(url)
    for domain in domains.split(","):
        if domain.startswith("*."):
            if host.endswith(domain[1:]):
                return True
        elif host == domain:
            return True
    return False


def url_errors(url: str | None, allowed_domains: tuple[str, ...], account: str) -> list[Error]:
    """The URL rules of registered and findable DOIs."""
    if blank(url):
        return [{"source": "url", "title": "Can't be blank"}]
    if url_format_errors(url):
        return url_format_errors(url)
    if not host_allowed(url, allowed_domains):
        return [{
            "source": "url",
            "title": f"URL {url} is not allowed by repository {account} domain settings.",
        }]
    return []


def extra_errors(doi: str, attrs: dict[str, Any]) -> list[Error]:
    """Rules checked with the XML schema, on registered and findable DOIs only.

    The checks lupo runs on every save (objects, contributor types, rights length,
    language) are in lupo_checks.py.
    """
    errors: list[Error] = []
    for title in attrs.get("titles") or []:
        if isinstance(title, dict) and blank(title.get("title")):
            errors.append({"source": "titles", "title": "Title can't be blank"})
    for creator in attrs.get("creators") or []:
        if isinstance(creator, dict) and blank(creator.get("name")):
            errors.append({"source": "creators", "title": "Creator name can't be blank"})
    for contributor in attrs.get("contributors") or []:
        if isinstance(contributor, dict) and blank(contributor.get("name")):
            errors.append({"source": "contributors", "title": "Contributor name can't be blank"})
    year = attrs.get("publicationYear")
    if year not in (None, "") and not PUBLICATION_YEAR_RE.match(str(year)):
        errors.append({"source": "publicationYear", "title": "Is invalid"})
    if len(doi) > MAX_DOI_LENGTH:
        errors.append(
            {"source": "doi", "title": "Is too long (maximum is 255 characters)"}
        )
    types = attrs.get("types")
    general = types.get("resourceTypeGeneral") if isinstance(types, dict) else None
    if general and general not in RESOURCE_TYPE_GENERAL:
        errors.append({"source": "types", "title": f"{general} is not a valid resourceTypeGeneral"})
    return errors


def schema_document(doi: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """The attributes in the shape of the package's 4.5 JSON schema.

    DataCite accepts a plain-string publisher, an integer publication year and no
    schemaVersion (it defaults to kernel-4); the schema does not, so they are
    normalised first rather than reported.
    """
    doc = {k: attrs[k] for k in SCHEMA_ATTRIBUTES if attrs.get(k) is not None}
    doc["doi"] = doi.lower()
    if isinstance(doc.get("publisher"), str):
        doc["publisher"] = {"name": doc["publisher"]}
    if isinstance(doc.get("publicationYear"), int) and not isinstance(
        doc.get("publicationYear"), bool
    ):
        doc["publicationYear"] = str(doc["publicationYear"])
    doc.setdefault("schemaVersion", SCHEMA_VERSION)
    return doc


def schema_errors(doc: dict[str, Any]) -> list[Error]:
    """Field-level errors of `datacite.schema45.validator`, one per attribute path."""
    errors: list[Error] = []
    for err in sorted(schema45.validator.iter_errors(doc), key=lambda e: list(e.path)):
        path = list(err.absolute_path)
        if not path and err.validator == "required":
            missing = [k for k in err.validator_value if k not in err.instance]
            errors += [{"source": k, "title": "Can't be blank"} for k in missing]
            continue
        source = str(path[0]) if path else "metadata"
        title = err.message if len(err.message) <= 300 else err.message[:297] + "..."
        errors.append({"source": source, "title": title})
    return errors


def metadata_errors(doi: str, attrs: dict[str, Any]) -> list[Error]:
    """All metadata errors of a registered or findable DOI, without duplicates.

    DataCite's own messages win: a schema error for an attribute that already has
    one is not repeated.
    """
    errors = extra_errors(doi, attrs)
    reported = {e["source"] for e in errors}
    for err in schema_errors(schema_document(doi, attrs)):
        if err["source"] not in reported and err not in errors:
            errors.append(err)
    return errors


def registration_errors(
    doi: str, url: str | None, attrs: dict[str, Any], allowed_domains: tuple[str, ...],
    account: str,
) -> list[Error]:
    """Everything checked when a DOI is (or stays) registered or findable."""
    return url_errors(url, allowed_domains, account) + metadata_errors(doi, attrs)


def save_time_errors(
    doi: str, state: str, url: str | None, attrs: dict[str, Any],
    allowed_domains: tuple[str, ...], account: str,
) -> list[Error]:
    """All errors of a save in `state`: lupo's checks always, the rest once registered."""
    errors = save_errors(url, attrs)
    if state in ("registered", "findable"):
        errors += registration_errors(doi, url, attrs, allowed_domains, account)
    return first_per_source(errors)
