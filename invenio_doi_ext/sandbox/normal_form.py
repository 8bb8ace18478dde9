"""DataCite's normal form of a DOI's metadata, as lupo answers it (not an echo).

Lupo completes what it stores (app/models/doi.rb update_types, update_rights_list,
update_identifiers) and reshapes what it answers
(app/serializers/datacite_doi_serializer.rb). The sandbox keeps what was sent and
applies both when it answers, so the client sees the same document.
"""

from __future__ import annotations

import copy
from typing import Any

#: resourceTypeGeneral -> (schemaOrg, citeproc, bibtex, ris). lupo's update_types
#: (app/models/doi.rb) reads these from the bolognese gem's Utils translation tables
#: (DC_TO_SO, SO_TO_CP, SO_TO_BIB, DC_TO_RIS), which are not in lupo's repository;
#: this is their documented mapping for the kernel 4.5 types.
TYPE_TRANSLATIONS: dict[str, tuple[str, str, str, str]] = {
    "Audiovisual": ("MediaObject", "article", "misc", "MPCT"),
    "Book": ("Book", "book", "book", "BOOK"),
    "BookChapter": ("Chapter", "chapter", "inbook", "CHAP"),
    "Collection": ("Collection", "article", "misc", "GEN"),
    "ComputationalNotebook": ("SoftwareSourceCode", "article", "misc", "COMP"),
    "ConferencePaper": ("Article", "article", "article", "CPAPER"),
    "ConferenceProceeding": ("Periodical", "article", "misc", "CONF"),
    "DataPaper": ("Article", "article", "article", "GEN"),
    "Dataset": ("Dataset", "dataset", "misc", "DATA"),
    "Dissertation": ("Thesis", "thesis", "phdthesis", "THES"),
    "Event": ("Event", "article", "misc", "GEN"),
    "Image": ("ImageObject", "graphic", "misc", "FIGURE"),
    "Journal": ("Periodical", "article", "misc", "JFULL"),
    "JournalArticle": ("ScholarlyArticle", "article-journal", "article", "JOUR"),
    "PeerReview": ("Review", "article", "misc", "GEN"),
    "Report": ("Report", "report", "techreport", "RPRT"),
    "Service": ("Service", "article", "misc", "GEN"),
    "Software": ("SoftwareSourceCode", "article", "misc", "COMP"),
    "Sound": ("AudioObject", "song", "misc", "SOUND"),
    "Text": ("ScholarlyArticle", "article-journal", "article", "RPRT"),
}
#: What update_types falls back to for any other type (Other, Model, Workflow...).
DEFAULT_TRANSLATION = ("CreativeWork", "article", "misc", "GEN")

SPDX_SCHEME_URI = "https://spdx.org/licenses/"
#: SPDX id (lower case) -> (name, first `seeAlso` URL) of the SPDX license list, which
#: lupo's update_rights_list (app/models/doi.rb, via bolognese hsh_to_spdx) looks up.
SPDX_LICENSES: dict[str, tuple[str, str]] = {
    "cc-by-4.0": ("Creative Commons Attribution 4.0 International",
                  "https://creativecommons.org/licenses/by/4.0/legalcode"),
    "cc-by-sa-4.0": ("Creative Commons Attribution Share Alike 4.0 International",
                     "https://creativecommons.org/licenses/by-sa/4.0/legalcode"),
    "cc-by-nc-4.0": ("Creative Commons Attribution Non Commercial 4.0 International",
                     "https://creativecommons.org/licenses/by-nc/4.0/legalcode"),
    "cc-by-nd-4.0": ("Creative Commons Attribution No Derivatives 4.0 International",
                     "https://creativecommons.org/licenses/by-nd/4.0/legalcode"),
    "cc0-1.0": ("Creative Commons Zero v1.0 Universal",
                "https://creativecommons.org/publicdomain/zero/1.0/legalcode"),
    "mit": ("MIT License", "https://opensource.org/licenses/MIT"),
    "apache-2.0": ("Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"),
    "gpl-3.0-only": ("GNU General Public License v3.0 only",
                     "https://www.gnu.org/licenses/gpl-3.0-standalone.html"),
    "bsd-3-clause": ('BSD 3-Clause "New" or "Revised" License',
                     "https://opensource.org/licenses/BSD-3-Clause"),
}
#: Lists the serializer wraps with Array.wrap: a null or a lone object is a list.
LIST_ATTRIBUTES = (
    "identifiers", "alternateIdentifiers", "creators", "titles", "subjects", "contributors",
    "dates", "relatedIdentifiers", "relatedItems", "sizes", "formats", "rightsList",
    "descriptions", "geoLocations", "fundingReferences",
)


def as_list(value: Any) -> list[Any]:
    """Ruby's Array.wrap: None is [], a list stays, anything else becomes [it]."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def complete_types(types: Any) -> dict[str, Any]:
    """`types` with schemaOrg, citeproc, bibtex and ris added where not sent."""
    if not isinstance(types, dict):
        return {}
    general = str(types.get("resourceTypeGeneral") or "")
    derived = TYPE_TRANSLATIONS.get(general, DEFAULT_TRANSLATION)
    keys = ("schemaOrg", "citeproc", "bibtex", "ris")
    return {**dict(zip(keys, derived, strict=True)), **types}


def spdx_rights(rights: Any) -> dict[str, Any] | None:
    """One rightsList entry, filled from SPDX when its identifier or URI is known."""
    if rights in (None, "", {}):
        return None
    if isinstance(rights, str):
        rights = {"rights": rights}
    if not isinstance(rights, dict):
        return None
    key = str(rights.get("rightsIdentifier") or "").lower()
    if key not in SPDX_LICENSES:
        uri = str(rights.get("rightsUri") or "").rstrip("/")
        key = next((k for k, (_, u) in SPDX_LICENSES.items() if u.rstrip("/") == uri and uri), "")
    if not key:
        return {k: v for k, v in rights.items() if v is not None}
    name, uri = SPDX_LICENSES[key]
    filled = {"rights": name, "rightsUri": uri, "schemeUri": SPDX_SCHEME_URI,
              "rightsIdentifier": key, "rightsIdentifierScheme": "SPDX",
              "lang": rights.get("lang")}
    return {k: v for k, v in filled.items() if v is not None}


def person(entry: Any, affiliation_objects: bool) -> Any:
    """A creator or contributor with list-valued affiliation and nameIdentifiers."""
    if not isinstance(entry, dict):
        return entry
    out = dict(entry)
    affiliations = [{"name": a} if isinstance(a, str) else a
                    for a in as_list(entry.get("affiliation"))]
    out["affiliation"] = [
        a if affiliation_objects else a.get("name")
        for a in affiliations if isinstance(a, dict) and (affiliation_objects or a.get("name"))
    ]
    out["nameIdentifiers"] = as_list(entry.get("nameIdentifiers"))
    return out


def identifiers(attrs: dict[str, Any], doi: str, url: str | None) -> list[dict[str, Any]]:
    """`identifiers` (or `alternateIdentifiers` when those are absent), DOIs, the DOI and URL left out."""
    if "identifiers" in attrs and attrs["identifiers"] is not None:
        found = [i for i in as_list(attrs["identifiers"]) if isinstance(i, dict)]
    else:
        found = [
            {"identifier": a.get("alternateIdentifier"),
             "identifierType": a.get("alternateIdentifierType")}
            for a in as_list(attrs.get("alternateIdentifiers")) if isinstance(a, dict)
        ]
    return [i for i in found if i.get("identifierType") != "DOI"
            and i.get("identifier") not in (doi, url)]


def normal_form(attrs: dict[str, Any], doi: str, url: str | None,
                params: dict[str, str] | None = None) -> dict[str, Any]:
    """The metadata attributes as lupo answers them; `params` are the query string's."""
    params = params or {}
    out = copy.deepcopy(attrs)
    for key in LIST_ATTRIBUTES:
        out[key] = as_list(out.get(key))
    affiliation_objects = params.get("affiliation") == "true"
    out["creators"] = [person(c, affiliation_objects) for c in out["creators"]]
    out["contributors"] = [person(c, affiliation_objects) for c in out["contributors"]]
    publisher = out.get("publisher")
    if params.get("publisher") == "true":
        out["publisher"] = {"name": publisher} if isinstance(publisher, str) else publisher
    elif isinstance(publisher, dict):
        out["publisher"] = publisher.get("name")
    out["types"] = complete_types(out.get("types"))
    if out.get("version") is not None:
        out["version"] = str(out["version"])
    out["rightsList"] = [r for r in map(spdx_rights, out["rightsList"]) if r]
    found = identifiers(attrs, doi, url)
    out["identifiers"] = found
    out["alternateIdentifiers"] = [
        {"alternateIdentifierType": i.get("identifierType"),
         "alternateIdentifier": i.get("identifier")}
        for i in found
    ]
    out["container"] = out.get("container") or {}
    return out
