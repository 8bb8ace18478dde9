"""The sandbox answers as DataCite's server, lupo, does: one test per behaviour.

Each docstring names the lupo file (github.com/datacite/lupo) the behaviour comes from.
"""

from __future__ import annotations

import json

BAD = ("sandbox", "wrong-password")


def test_reads_with_bad_credentials_are_anonymous(api):
    """app/models/user.rb + app/controllers/datacite_dois_controller.rb show.

    A failed login is the anonymous role: a findable DOI is shown, a draft or a
    registered one is "not found" (404), never 401.
    """
    api.create("10.1234/find", event="publish")
    api.create("10.1234/reg", event="register")
    api.create("10.1234/draft")
    for auth in (BAD, None):
        assert api.get("10.1234/find", auth=auth).status_code == 200
        for doi in ("10.1234/reg", "10.1234/draft"):
            resp = api.get(doi, auth=auth)
            assert resp.status_code == 404, (auth, doi, resp.text)
            assert resp.json()["errors"][0]["title"] == (
                "The resource you are looking for doesn't exist."
            )
    assert api.get("10.1234/draft").status_code == 200


OURS = {"client": {"data": {"type": "clients", "id": "sandbox"}}}


def named(attributes: dict, relationships: dict | None = None) -> str:
    """A JSON:API body with the repository named in ``relationships`` (or not)."""
    data: dict = {"type": "dois", "attributes": attributes}
    if relationships is not None:
        data["relationships"] = relationships
    return json.dumps({"data": data})


def test_writes_with_bad_credentials_naming_the_repository_are_401(api, valid_metadata):
    """app/controllers/application_controller.rb: AccessDenied of anonymous → 401.

    A new DOI's repository is looked up first (app/models/doi.rb ``client_id=``),
    so the body names it; an existing DOI is authorised at once.
    """
    api.create("10.1234/draft")
    answers = [
        api.call("POST", "dois", data=named({"doi": "10.1234/new", **valid_metadata}, OURS), auth=BAD),
        api.call("PUT", "dois/10.1234/new2", data=named(valid_metadata, OURS), auth=BAD),
        api.call("POST", "dois/validate", data=named({"doi": "10.1234/new3"}, OURS), auth=BAD),
        api.put("10.1234/draft", {"titles": [{"title": "x"}]}, auth=BAD),
        api.delete("10.1234/draft", auth=BAD),
        api.post({"doi": "10.1234/new4", **valid_metadata}, auth=None),
    ]
    for resp in answers:
        assert resp.status_code == 401, resp.text
        assert resp.json() == {"errors": [{"status": "401", "title": "Bad credentials."}]}
    assert api.get("10.1234/draft").json()["data"]["attributes"]["titles"] == (
        valid_metadata["titles"]
    )
    for doi in ("10.1234/new", "10.1234/new2", "10.1234/new3", "10.1234/new4"):
        assert api.get(doi).status_code == 404


def test_new_dois_naming_no_repository_with_bad_credentials_are_404(api, valid_metadata):
    """app/controllers/datacite_dois_controller.rb safe_params + app/models/doi.rb client_id=.

    The repository comes from ``relationships.client``, else from the logged-in
    user; a failed login has none, and ``Client.where(symbol: nil)`` finds nothing:
    RecordNotFound (404) before any permission check. The same for a repository
    that does not exist, even with good credentials. A client that does not name
    its repository therefore cannot tell a wrong password from a wrong URL.
    """
    not_found = {"errors": [{"status": "404", "title": "The resource you are looking for doesn't exist."}]}
    answers = [
        api.post({"doi": "10.1234/new", **valid_metadata}, auth=BAD),
        api.put("10.1234/new", valid_metadata, auth=BAD),
        api.call("POST", "dois/validate", {"doi": "10.1234/new"}, auth=BAD),
        api.put("10.1234/new", valid_metadata, auth=None),
        api.call("POST", "dois", data=named({"doi": "10.1234/new", **valid_metadata},
                                            {"client": {"data": {"type": "clients", "id": "nobody.here"}}})),
    ]
    for resp in answers:
        assert resp.status_code == 404, resp.text
        assert resp.json() == not_found
    assert api.get("10.1234/new").status_code == 404
    # With good credentials and no repository named, the login's own repository is used.
    assert api.post({"doi": "10.1234/mine", **valid_metadata}).status_code == 201


def test_get_dois_checks_credentials_and_changes_nothing(api):
    """app/controllers/datacite_dois_controller.rb get_dois (authorize! :get_urls).

    `GET /dois/get-dois`: 401 with bad credentials; with good ones 204 while the
    prefix has no handle, then `{"dois": [...]}` of registered and findable DOIs.
    """
    resp = api.call("GET", "dois/get-dois", auth=BAD)
    assert resp.status_code == 401
    assert resp.json()["errors"][0]["title"] == "Bad credentials."
    assert api.call("GET", "dois/get-dois").status_code == 204
    api.create("10.1234/draft")
    api.create("10.1234/reg", event="register")
    resp = api.call("GET", "dois/get-dois")
    assert resp.status_code == 200
    assert resp.json() == {"dois": ["10.1234/REG"]}
    assert api.get("10.1234/draft").json()["data"]["attributes"]["state"] == "draft"


def test_validate_checks_credentials_and_saves_nothing(api):
    """app/controllers/datacite_dois_controller.rb validate (only_validate, authorize! :validate).

    `POST /dois/validate`, the product's credentials probe (it names the repository):
    401 for anyone but the account (the anonymous role has no :validate), 200 for
    the account, and the DOI is never created.
    """
    doc = {"doi": "10.1234/invenio-doi-ext-credentials-check"}
    resp = api.call("POST", "dois/validate", data=named(doc, OURS), auth=BAD)
    assert resp.status_code == 401
    assert resp.json() == {"errors": [{"status": "401", "title": "Bad credentials."}]}
    assert api.call("POST", "dois/validate", doc).status_code == 200
    assert api.get("10.1234/invenio-doi-ext-credentials-check").status_code == 404


# -- 2. the normal form ---------------------------------------------------------------------
def test_people_get_affiliation_and_name_identifiers_lists(api, valid_metadata):
    """app/serializers/datacite_doi_serializer.rb creators/contributors: Array.wrap both."""
    attrs = api.create("10.1234/people", contributors=[
        {"name": "Roe, Rick", "contributorType": "DataCurator",
         "affiliation": [{"name": "CERN", "affiliationIdentifier": "https://ror.org/01ggx4157"}]},
    ])
    assert attrs["creators"][0]["affiliation"] == []
    assert attrs["creators"][0]["nameIdentifiers"] == []
    assert attrs["contributors"][0]["affiliation"] == ["CERN"]
    assert attrs["contributors"][0]["nameIdentifiers"] == []


def test_publisher_and_affiliation_objects_only_on_request(api):
    """app/serializers/datacite_doi_serializer.rb publisher/creators: `?publisher=true`,
    `?affiliation=true` answer objects; by default plain names."""
    api.create("10.1234/pub", event="publish", creators=[
        {"name": "Doe, Jane", "affiliation": [{"name": "CERN"}]}])
    plain = api.get("10.1234/pub").json()["data"]["attributes"]
    assert plain["publisher"] == "InvenioRDM sandbox"
    assert plain["creators"][0]["affiliation"] == ["CERN"]
    full = api.call("GET", "dois/10.1234/pub?publisher=true&affiliation=true").json()
    assert full["data"]["attributes"]["publisher"] == {"name": "InvenioRDM sandbox"}
    assert full["data"]["attributes"]["creators"][0]["affiliation"] == [{"name": "CERN"}]


def test_types_are_completed_from_resource_type_general(api):
    """app/models/doi.rb update_types (tables of the bolognese gem): what was sent wins."""
    expected = {
        "Dataset": ("Dataset", "dataset", "misc", "DATA"),
        "Software": ("SoftwareSourceCode", "article", "misc", "COMP"),
        "Text": ("ScholarlyArticle", "article-journal", "article", "RPRT"),
        "Image": ("ImageObject", "graphic", "misc", "FIGURE"),
        "Other": ("CreativeWork", "article", "misc", "GEN"),
    }
    for general, (so, cp, bib, ris) in expected.items():
        attrs = api.create(f"10.1234/{general.lower()}", types={"resourceTypeGeneral": general})
        assert attrs["types"] == {"resourceTypeGeneral": general, "schemaOrg": so,
                                  "citeproc": cp, "bibtex": bib, "ris": ris}
    attrs = api.create("10.1234/own", types={"resourceTypeGeneral": "Dataset", "ris": "GEN"})
    assert attrs["types"]["ris"] == "GEN"


def test_version_is_a_string_and_null_lists_are_empty(api):
    """app/serializers/datacite_doi_serializer.rb: version_info, Array.wrap of lists."""
    attrs = api.create("10.1234/v", version=2, subjects=None, rightsList=None)
    assert attrs["version"] == "2"
    assert attrs["subjects"] == []
    assert attrs["rightsList"] == []


def test_alternate_identifiers_are_also_identifiers(api):
    """app/controllers/datacite_dois_controller.rb (alternateIdentifiers as alias) and the
    serializer's identifiers/alternate_identifiers; DOI-type ones are dropped (doi.rb)."""
    attrs = api.create("10.1234/alt", alternateIdentifiers=[
        {"alternateIdentifier": "ark:/1234/x", "alternateIdentifierType": "ARK"},
        {"alternateIdentifier": "10.1234/alt", "alternateIdentifierType": "DOI"},
    ])
    assert attrs["identifiers"] == [{"identifier": "ark:/1234/x", "identifierType": "ARK"}]
    assert attrs["alternateIdentifiers"] == [
        {"alternateIdentifier": "ark:/1234/x", "alternateIdentifierType": "ARK"}
    ]


def test_spdx_rights_are_normalised(api):
    """app/models/doi.rb update_rights_list (bolognese hsh_to_spdx, the SPDX list)."""
    attrs = api.create("10.1234/rights", rightsList=[
        {"rightsIdentifier": "CC-BY-4.0"}, {"rightsIdentifier": "cc0-1.0"},
        {"rightsUri": "https://opensource.org/licenses/MIT"}, {"rights": "Ask the author"},
    ])
    assert attrs["rightsList"] == [
        {"rights": "Creative Commons Attribution 4.0 International",
         "rightsUri": "https://creativecommons.org/licenses/by/4.0/legalcode",
         "schemeUri": "https://spdx.org/licenses/", "rightsIdentifier": "cc-by-4.0",
         "rightsIdentifierScheme": "SPDX"},
        {"rights": "Creative Commons Zero v1.0 Universal",
         "rightsUri": "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
         "schemeUri": "https://spdx.org/licenses/", "rightsIdentifier": "cc0-1.0",
         "rightsIdentifierScheme": "SPDX"},
        {"rights": "MIT License", "rightsUri": "https://opensource.org/licenses/MIT",
         "schemeUri": "https://spdx.org/licenses/", "rightsIdentifier": "mit",
         "rightsIdentifierScheme": "SPDX"},
        {"rights": "Ask the author"},
    ]


# -- 3. checks on drafts too ----------------------------------------------------------------
def _draft_errors(api, **attrs) -> list[dict]:
    resp = api.post({"doi": "10.1234/draft", **attrs})
    assert resp.status_code == 422, resp.text
    return resp.json()["errors"]


def test_draft_url_must_be_a_url(api):
    """app/models/doi.rb validates_format_of :url (message "URL is not valid"), any state."""
    assert _draft_errors(api, url="not a url") == [
        {"source": "url", "title": "URL is not valid", "uid": "10.1234/draft"}
    ]


def test_draft_titles_must_be_objects(api):
    """app/models/doi.rb check_titles, any state (spec/requests/datacite_dois/patch_spec.rb)."""
    assert _draft_errors(api, titles=["Plain"]) == [
        {"source": "titles", "title": "Title 'Plain' should be an object instead of a string.",
         "uid": "10.1234/draft"}
    ]


def test_draft_contributors_need_a_schema_4_type(api):
    """app/models/doi.rb check_contributors: the message shows Ruby's inspect of the hash."""
    assert _draft_errors(api, contributors=[{"name": "Roe"}]) == [
        {"source": "contributors", "uid": "10.1234/draft",
         "title": "Contributor '{\"name\" => \"Roe\"}' is missing a required element: "
                  "contributor type."}
    ]
    assert _draft_errors(api, contributors=[{"name": "Roe", "contributorType": "Boss"}]) == [
        {"source": "contributors", "uid": "10.1234/draft",
         "title": "Contributor '{\"name\" => \"Roe\", \"contributorType\" => \"Boss\"}' has a "
                  "contributor type that is not supported in schema 4: 'Boss'."}
    ]


def test_draft_rights_and_language_checked_with_lupo_sources(api):
    """app/models/doi.rb check_rights_list / check_language; source is lupo's attribute name,
    one error per source (app/controllers/concerns/error_serializable.rb)."""
    errors = _draft_errors(api, rightsList=["CC-BY", "MIT"], language="en_US")
    assert errors == [
        {"source": "rights_list", "uid": "10.1234/draft",
         "title": "Rights 'CC-BY' should be an object instead of a string."},
        {"source": "language", "uid": "10.1234/draft",
         "title": "Language en_US is in an invalid format."},
    ]


# -- 4. URL pattern and domains -------------------------------------------------------------
def test_url_with_a_space_anywhere_is_refused(api):
    """app/models/doi.rb url format `\\A(ftp|http|https):\\/\\/\\S+\\z`: anchored at the end."""
    for url in ("https://x.org/a b", "https://x.org/a ", "https://x.org/a\n"):
        resp = api.post({"doi": "10.1234/space", "url": url})
        assert resp.status_code == 422, url
        assert resp.json()["errors"][0]["title"] == "URL is not valid"


def test_plain_domain_is_that_host_only(api_for):
    """app/models/concerns/helpable.rb match_url_with_domains: `x` is host == x,
    `*.x` is a host ending in `.x` (not x itself)."""
    from invenio_doi_ext.sandbox import SandboxServer

    def published(api, doi, url):
        resp = api.post({"doi": doi, "url": url, "event": "publish", **api.metadata()})
        return resp.status_code, resp.json()["errors"][0]["title"] if resp.status_code == 422 else ""

    with SandboxServer(allowed_domains=("example.org",)) as server:
        api = api_for(server.url)
        assert published(api, "10.1234/a", "https://example.org/1")[0] == 201
        assert published(api, "10.1234/b", "https://repo.example.org/1") == (
            422, "URL https://repo.example.org/1 is not allowed by repository sandbox domain "
                 "settings.")
    with SandboxServer(allowed_domains=("*.example.org",)) as server:
        api = api_for(server.url)
        assert published(api, "10.1234/c", "https://repo.example.org/1")[0] == 201
        assert published(api, "10.1234/d", "https://example.org/1")[0] == 422
        assert published(api, "10.1234/e", "https://badexample.org/1")[0] == 422


# -- 5. events, reason, XML input, POST without a DOI ---------------------------------------
def _xml(doi: str, title: str = "From XML") -> str:
    import base64

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<resource xmlns="http://datacite.org/schema/kernel-4">'
        f'<identifier identifierType="DOI">{doi}</identifier>'
        "<creators><creator><creatorName>Roe, R.</creatorName></creator></creators>"
        f"<titles><title>{title}</title></titles><publisher>Sandbox</publisher>"
        "<publicationYear>2023</publicationYear>"
        '<resourceType resourceTypeGeneral="Software">Tool</resourceType></resource>'
    )
    return base64.b64encode(xml.encode()).decode()


def test_show_event_makes_a_registered_doi_findable(api):
    """app/models/doi.rb aasm `event :show` (registered → findable)."""
    api.create("10.1234/shown", event="register")
    resp = api.put("10.1234/shown", {"event": "show"})
    assert resp.status_code == 200
    assert resp.json()["data"]["attributes"]["state"] == "findable"


def test_reason_sent_with_hide_is_stored_and_answered(api):
    """app/serializers/datacite_doi_serializer.rb `reason`; permitted in
    app/controllers/datacite_dois_controller.rb."""
    assert api.create("10.1234/hidden", event="publish")["reason"] is None
    resp = api.put("10.1234/hidden", {"event": "hide", "reason": "Withdrawn by the author"})
    assert resp.json()["data"]["attributes"]["state"] == "registered"
    attrs = api.get("10.1234/hidden").json()["data"]["attributes"]
    assert attrs["reason"] == "Withdrawn by the author"


def test_xml_identifier_is_replaced_by_the_request_doi(api):
    """app/lib/params_sanitizer.rb cleanse (replace_doi): the request's DOI wins."""
    import base64

    resp = api.put("10.1234/real", {"xml": _xml("10.1234/OTHER")})
    assert resp.status_code == 201, resp.text
    xml = base64.b64decode(resp.json()["data"]["attributes"]["xml"]).decode()
    assert ">10.1234/real</identifier>" in xml.lower()  # lupo stores DOIs upper-cased
    assert "10.1234/OTHER" not in xml


def test_json_null_keeps_the_xml_value(api):
    """app/lib/params_sanitizer.rb add_xml_attributes (`@params[attr] || meta[attr]`)."""
    resp = api.put("10.1234/nul", {"xml": _xml("10.1234/nul"), "titles": None})
    assert resp.json()["data"]["attributes"]["titles"] == [{"title": "From XML"}]
    resp = api.put("10.1234/nul", {"xml": _xml("10.1234/nul"), "titles": [{"title": "JSON"}]})
    assert resp.json()["data"]["attributes"]["titles"] == [{"title": "JSON"}]


def test_post_without_doi_or_prefix_is_refused(api):
    """app/models/doi.rb validates_presence_of :doi; error_serializable.rb omits a blank uid.

    `data.id` and the XML's `<identifier>` do not name the DOI."""
    import json

    body = {"data": {"type": "dois", "id": "10.1234/from-id",
                     "attributes": {"xml": _xml("10.1234/from-xml")}}}
    resp = api.call("POST", "dois", data=json.dumps(body))
    assert resp.status_code == 422
    assert resp.json() == {"errors": [{"source": "doi", "title": "Can't be blank"}]}
    assert api.get("10.1234/from-id").status_code == 404
    assert api.get("10.1234/from-xml").status_code == 404


# -- unpermitted keys -----------------------------------------------------------------------
def test_unpermitted_nested_keys_are_dropped_silently(api):
    """app/lib/params_sanitizer.rb ATTRIBUTES_MAP + config/application.rb (unpermitted: :log).

    DataCite spells ``valueUri`` and ``awardUri``; a ``valueURI`` or ``awardURI`` is
    dropped, the request still succeeds, and only reading the DOI back shows it.
    """
    attrs = api.create(
        "10.1234/permit",
        subjects=[{"subject": "Oceanography", "subjectScheme": "x", "valueURI": "https://ex.org/o"},
                  {"subject": "Ice", "valueUri": "https://ex.org/i"}],
        fundingReferences=[{"funderName": "EC", "awardNumber": "123", "awardURI": "https://ex.org/a",
                            "awardTitle": "Grant"}],
        creators=[{"name": "Doe, Jane", "nameType": "Personal", "orcid": "0000-0002-1825-0097",
                   "nameIdentifiers": [{"nameIdentifier": "x", "nameIdentifierScheme": "ORCID",
                                        "extra": 1}]}],
    )
    assert attrs["subjects"] == [{"subject": "Oceanography", "subjectScheme": "x"},
                                 {"subject": "Ice", "valueUri": "https://ex.org/i"}]
    assert attrs["fundingReferences"] == [{"funderName": "EC", "awardNumber": "123", "awardTitle": "Grant"}]
    assert "orcid" not in attrs["creators"][0]
    assert attrs["creators"][0]["nameIdentifiers"] == [
        {"nameIdentifier": "x", "nameIdentifierScheme": "ORCID"}
    ]
