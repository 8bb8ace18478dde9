"""DataCite XML in both directions: the `xml` attribute of responses and of requests.

Responses carry the metadata as base64 DataCite XML built by `datacite.schema45`,
like DataCite's own. Requests may send `xml` instead of JSON attributes; the common
kernel-4 elements are read back into JSON attributes so that validation and
responses see them (DataCite reads every element; see docs/sandbox.rst).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from datacite import schema45
from lxml import etree

from .validation import schema_document

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
REQUIRED = ("creators", "titles", "publisher", "publicationYear", "types")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class XmlInputError(ValueError):
    """The `xml` attribute is not base64 of well-formed XML."""


def build_xml(doi: str, attrs: dict[str, Any]) -> str | None:
    """Base64 DataCite 4.5 XML of the attributes, or None when they are too incomplete.

    DataCite answers `xml: null` for a DOI without the kernel's mandatory elements.
    """
    if any(not attrs.get(k) for k in REQUIRED):
        return None
    try:
        xml = schema45.tostring(schema_document(doi, attrs))
    except Exception:  # noqa: BLE001 - incomplete metadata: DataCite answers xml null
        return None
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(elem: Any, name: str) -> list[Any]:
    return [c for c in elem if _local(c.tag) == name] if elem is not None else []


def _child(elem: Any, name: str) -> Any:
    found = _children(elem, name)
    return found[0] if found else None


def _text(elem: Any) -> str | None:
    return (elem.text or "").strip() if elem is not None else None


def _person(elem: Any, name_tag: str) -> dict[str, Any]:
    name = _child(elem, name_tag)
    person: dict[str, Any] = {"name": _text(name)}
    if name is not None and name.get("nameType"):
        person["nameType"] = name.get("nameType")
    for key in ("givenName", "familyName"):
        if _child(elem, key) is not None:
            person[key] = _text(_child(elem, key))
    person["affiliation"] = [{"name": _text(a)} for a in _children(elem, "affiliation")]
    person["nameIdentifiers"] = [
        {"nameIdentifier": _text(n), "nameIdentifierScheme": n.get("nameIdentifierScheme")}
        for n in _children(elem, "nameIdentifier")
    ]
    return person


def _list(root: Any, plural: str, singular: str, build: Any) -> list[Any] | None:
    holder = _child(root, plural)
    if holder is None:
        return None
    return [build(e) for e in _children(holder, singular)]


def _with_attrs(elem: Any, key: str, *names: str) -> dict[str, Any]:
    value: dict[str, Any] = {key: _text(elem)}
    for name in names:
        if elem.get(name):
            value[name] = elem.get(name)
    if elem.get(XML_LANG):
        value["lang"] = elem.get(XML_LANG)
    return value


def replace_identifier(encoded: str, doi: str) -> str:
    """The base64 XML with its DOI `<identifier>` set to `doi`, the rest untouched.

    lupo app/lib/params_sanitizer.rb cleanse (`replace_doi`): the DOI of the request
    wins over the one written in the XML.
    """
    try:
        root = etree.fromstring(base64.b64decode(encoded, validate=True), _PARSER)
    except (binascii.Error, ValueError, etree.XMLSyntaxError):
        return encoded
    identifier = _child(root, "identifier")
    if identifier is None or identifier.get("identifierType", "DOI") != "DOI":
        return encoded
    if (identifier.text or "").strip().lower() == doi.lower():
        return encoded  # same DOI (DOIs are case-insensitive): the bytes sent are kept
    identifier.text = doi
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return base64.b64encode(xml).decode("ascii")


def parse_xml(encoded: str) -> dict[str, Any]:
    """JSON attributes (and `doi`) read from base64 DataCite XML."""
    try:
        raw = base64.b64decode(encoded, validate=True)
        root = etree.fromstring(raw, _PARSER)
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
        raise XmlInputError(str(exc) or "Is invalid") from exc
    if _local(root.tag) != "resource":
        raise XmlInputError("Root element must be resource")
    attrs: dict[str, Any] = {}
    identifier = _child(root, "identifier")
    if identifier is not None and identifier.get("identifierType", "DOI") == "DOI":
        attrs["doi"] = _text(identifier)
    attrs["creators"] = _list(root, "creators", "creator", lambda e: _person(e, "creatorName"))
    attrs["titles"] = _list(
        root, "titles", "title", lambda e: _with_attrs(e, "title", "titleType")
    )
    publisher = _child(root, "publisher")
    if publisher is not None:
        attrs["publisher"] = _with_attrs(
            publisher, "name", "publisherIdentifier", "publisherIdentifierScheme"
        )
    year = _text(_child(root, "publicationYear"))
    if year:
        attrs["publicationYear"] = int(year) if year.isdigit() else year
    rtype = _child(root, "resourceType")
    if rtype is not None:
        attrs["types"] = {
            "resourceTypeGeneral": rtype.get("resourceTypeGeneral"),
            "resourceType": _text(rtype) or None,
        }
    attrs["subjects"] = _list(
        root, "subjects", "subject", lambda e: _with_attrs(e, "subject", "subjectScheme")
    )
    attrs["contributors"] = _list(
        root, "contributors", "contributor",
        lambda e: {**_person(e, "contributorName"), "contributorType": e.get("contributorType")},
    )
    attrs["dates"] = _list(root, "dates", "date", lambda e: _with_attrs(e, "date", "dateType"))
    attrs["language"] = _text(_child(root, "language"))
    attrs["version"] = _text(_child(root, "version"))
    attrs["sizes"] = _list(root, "sizes", "size", _text)
    attrs["formats"] = _list(root, "formats", "format", _text)
    attrs["rightsList"] = _list(
        root, "rightsList", "rights", lambda e: {
            **_with_attrs(e, "rights", "rightsIdentifier", "rightsIdentifierScheme"),
            **({"rightsUri": e.get("rightsURI")} if e.get("rightsURI") else {}),
        },
    )
    attrs["descriptions"] = _list(
        root, "descriptions", "description",
        lambda e: _with_attrs(e, "description", "descriptionType"),
    )
    attrs["relatedIdentifiers"] = _list(
        root, "relatedIdentifiers", "relatedIdentifier",
        lambda e: _with_attrs(
            e, "relatedIdentifier", "relatedIdentifierType", "relationType",
            "resourceTypeGeneral",
        ),
    )
    attrs["alternateIdentifiers"] = _list(
        root, "alternateIdentifiers", "alternateIdentifier",
        lambda e: _with_attrs(e, "alternateIdentifier", "alternateIdentifierType"),
    )
    return {k: v for k, v in attrs.items() if v is not None}
