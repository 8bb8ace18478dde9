"""The checks lupo runs on every save of a DOI, drafts included.

lupo app/models/doi.rb: `validates_format_of :url` ("URL is not valid", whenever a
URL is present) and the `validate :check_*` methods run in every state; only the
URL's presence and domain and the XML schema wait for registered/findable
(validation.py). An error's `source` is lupo's attribute name (snake_case, e.g.
`rights_list`), its title the message with the first letter upper-cased
(app/controllers/concerns/error_serializable.rb), and the `'#{c}'` in a message is
Ruby's `inspect` of a Hash (Ruby 4 style, `{"name" => "x"}`).
"""

from __future__ import annotations

import json
import re
from typing import Any

#: lupo doi.rb url format: anchored at both ends, so a space anywhere refuses the URL.
URL_RE = re.compile(r"(ftp|http|https)://\S+")
LANGUAGE_RE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
KERNEL_4 = "http://datacite.org/schema/kernel-4"
MAX_RIGHTS_LENGTH = 2000
#: lupo doi.rb check_contributors: the schema 4 contributor types.
CONTRIBUTOR_TYPES = frozenset((
    "ContactPerson", "DataCollector", "DataCurator", "DataManager", "Distributor", "Editor",
    "HostingInstitution", "Other", "Producer", "ProjectLeader", "ProjectManager",
    "ProjectMember", "RegistrationAgency", "RegistrationAuthority", "RelatedPerson",
    "ResearchGroup", "RightsHolder", "Researcher", "Sponsor", "Supervisor", "Translator",
    "WorkPackageLeader",
))
#: JSON attribute -> (lupo attribute = error source, label of "... should be an object").
OBJECT_LISTS = (
    ("dates", "dates", "Date"),
    ("rightsList", "rights_list", "Rights"),
    ("titles", "titles", "Title"),
    ("descriptions", "descriptions", "Description"),
    ("subjects", "subjects", "Subject"),
    ("creators", "creators", "Creator"),
    ("contributors", "contributors", "Contributor"),
    ("relatedIdentifiers", "related_identifiers", "Related identifier"),
    ("relatedItems", "related_items", "Related item"),
    ("fundingReferences", "funding_references", "Funding reference"),
    ("geoLocations", "geo_locations", "Geolocation"),
)

Error = dict[str, str]


def ruby_inspect(value: Any) -> str:
    """How Ruby 4 interpolates a value into a message: strings raw, hashes inspected."""
    if isinstance(value, str):
        return value
    return _inspect(value)


def _inspect(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_inspect(k)} => {_inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_inspect(v) for v in value) + "]"
    return str(value)


def wrap(value: Any) -> list[Any]:
    """Ruby's Array.wrap."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def present(value: Any) -> bool:
    """Rails' `attribute?`: neither nil nor blank."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return True


def url_format_errors(url: Any) -> list[Error]:
    """`validates_format_of :url`: any URL sent must be ftp/http/https and have no space."""
    if not present(url):
        return []
    if not isinstance(url, str) or not URL_RE.fullmatch(url):
        return [{"source": "url", "title": "URL is not valid"}]
    return []


def _contributor_errors(contributor: Any, schema_version: str) -> list[Error]:
    if schema_version != KERNEL_4 or not isinstance(contributor, dict):
        return []
    kind = contributor.get("contributorType")
    text = ruby_inspect(contributor)
    if not present(kind):
        return [{"source": "contributors",
                 "title": f"Contributor '{text}' is missing a required element: "
                          "contributor type."}]
    if kind not in CONTRIBUTOR_TYPES:
        return [{"source": "contributors",
                 "title": f"Contributor '{text}' has a contributor type that is not "
                          f"supported in schema 4: '{kind}'."}]
    return []


def identifiers_sent(attrs: dict[str, Any]) -> Any:
    """`identifiers`, or `alternateIdentifiers` as their alias (datacite_dois_controller.rb)."""
    if "identifiers" in attrs:
        return attrs["identifiers"]
    return attrs.get("alternateIdentifiers")


def save_errors(url: Any, attrs: dict[str, Any]) -> list[Error]:
    """Every error lupo reports on any save, draft or not; first one per source only."""
    errors = url_format_errors(url)
    schema_version = str(attrs.get("schemaVersion") or KERNEL_4)
    for key, source, label in OBJECT_LISTS:
        if not present(attrs.get(key)):
            continue
        for item in wrap(attrs[key]):
            if not isinstance(item, dict):
                errors.append({"source": source, "title":
                               f"{label} '{ruby_inspect(item)}' should be an object instead "
                               "of a string."})
            elif key == "rightsList" and len(str(item.get("rights") or "")) > MAX_RIGHTS_LENGTH:
                errors.append({"source": source, "title": "Rights should not have a length of "
                               f"more than {MAX_RIGHTS_LENGTH} characters."})
            elif key == "contributors":
                errors += _contributor_errors(item, schema_version)
    for item in wrap(identifiers_sent(attrs)):
        if not isinstance(item, dict):
            errors.append({"source": "identifiers", "title": f"Identifier '{ruby_inspect(item)}' "
                           "should be an object instead of a string."})
    for key, label in (("types", "Types"), ("container", "Container")):
        value = attrs.get(key)
        if present(value) and not isinstance(value, dict):
            errors.append({"source": key, "title": f"{label} '{ruby_inspect(value)}' should be "
                           "an object instead of a string."})
    language = attrs.get("language")
    if present(language) and not (isinstance(language, str) and LANGUAGE_RE.fullmatch(language)):
        errors.append({"source": "language",
                       "title": f"Language {ruby_inspect(language)} is in an invalid format."})
    return first_per_source(errors)


def first_per_source(errors: list[Error]) -> list[Error]:
    """lupo's serialize_errors keeps the first error of each source only."""
    seen: set[str] = set()
    kept = []
    for err in errors:
        if err["source"] not in seen:
            seen.add(err["source"])
            kept.append(err)
    return kept
