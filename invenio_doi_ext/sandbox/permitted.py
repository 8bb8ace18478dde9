"""Which keys of a DOI's attributes DataCite keeps: the rest is dropped without a word.

lupo app/lib/params_sanitizer.rb ``ATTRIBUTES_MAP`` is the strong-parameters
list of ``DataciteDoisController#safe_params``, and config/application.rb sets
``action_on_unpermitted_parameters = :log``: a key that is not in the list (a
misspelt ``valueURI`` for ``valueUri``, say) is logged at DataCite and never
stored, and the request still succeeds. A client that reads the DOI back sees
the key missing; nothing else tells it.

Only the nesting is reproduced: unknown keys of the objects inside a known
attribute are dropped; top-level keys are handled by the callers (unknown ones
are never stored), and scalar elements where lupo expects objects are kept.
"""

from __future__ import annotations

from typing import Any

_NAME_IDENTIFIER = ("nameIdentifier", "nameIdentifierScheme", "schemeUri")
_AFFILIATION = ("name", "affiliationIdentifier", "affiliationIdentifierScheme", "schemeUri")
_PERSON = {
    "nameType": None, "nameIdentifiers": _NAME_IDENTIFIER, "name": None, "givenName": None,
    "familyName": None, "affiliation": _AFFILIATION, "lang": None,
}
_POINT = ("pointLongitude", "pointLatitude")

NESTED: dict[str, Any] = {
    "titles": ("title", "titleType", "lang"),
    "publisher": ("name", "publisherIdentifier", "publisherIdentifierScheme", "schemeUri", "lang"),
    "types": ("resourceTypeGeneral", "resourceType", "schemaOrg", "bibtex", "citeproc", "ris"),
    "dates": ("date", "dateType", "dateInformation"),
    "subjects": ("subject", "subjectScheme", "schemeUri", "valueUri", "lang", "classificationCode"),
    "descriptions": ("description", "descriptionType", "lang"),
    "rightsList": ("rights", "rightsUri", "rightsIdentifier", "rightsIdentifierScheme", "schemeUri", "lang"),
    "creators": _PERSON,
    "contributors": {**_PERSON, "contributorType": None},
    "identifiers": ("identifier", "identifierType"),
    "alternateIdentifiers": ("alternateIdentifier", "alternateIdentifierType"),
    "relatedIdentifiers": (
        "relatedIdentifier", "relatedIdentifierType", "relationType", "relatedMetadataScheme",
        "schemeUri", "schemeType", "resourceTypeGeneral", "relationTypeInformation",
    ),
    "fundingReferences": (
        "funderName", "funderIdentifier", "funderIdentifierType", "awardNumber", "awardUri",
        "awardTitle", "schemeUri",
    ),
    "geoLocations": {
        "geoLocationPoint": _POINT,
        "geoLocationBox": (
            "westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude",
        ),
        "geoLocationPolygon": {"polygonPoint": _POINT, "inPolygonPoint": _POINT},
        "geoLocationPlace": None,
    },
    "container": (
        "type", "identifier", "identifierType", "title", "volume", "issue", "firstPage", "lastPage",
    ),
}
"""Per attribute, the keys its objects may hold: a tuple of scalar keys, or a mapping
whose values say how each key nests in turn (``None``: a scalar)."""


def _filter(value: Any, spec: Any) -> Any:
    if spec is None:
        return value
    if isinstance(value, list):
        return [_filter(element, spec) for element in value]
    if not isinstance(value, dict):
        return value
    allowed = dict.fromkeys(spec) if isinstance(spec, tuple) else spec
    return {key: _filter(item, allowed[key]) for key, item in value.items() if key in allowed}


def permit(attributes: dict[str, Any]) -> dict[str, Any]:
    """The attributes with every unpermitted key of their nested objects dropped."""
    return {
        key: _filter(value, NESTED[key]) if key in NESTED else value
        for key, value in attributes.items()
    }
