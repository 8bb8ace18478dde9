"""Several repository accounts in one sandbox, each with its prefixes and password, as lupo.

lupo app/models/ability.rb (client roles): ``can %i[new create], Doi`` only when the
DOI's prefix is one of the DOI's client's; update, destroy and reading a draft only for
``client_id: user.client_id``. A refusal (CanCan::AccessDenied) is 403 "You are not
authorized to access this resource." for an authenticated caller
(app/controllers/application_controller.rb); an unknown client named in
``relationships.client`` is 404 (app/models/doi.rb ``client_id=``).
"""

from __future__ import annotations

import json

import pytest

from invenio_doi_ext.sandbox import SandboxServer
from invenio_doi_ext.sandbox.dois import Account

B_AUTH = ("INST.B", "b-secret")
FORBIDDEN = {"errors": [{"status": "403", "title": "You are not authorized to access this resource."}]}


@pytest.fixture
def two(datacite_sandbox, api):
    """The shared sandbox with a second account, INST.B, owning 10.5678."""
    datacite_sandbox.control.add_account("INST.B", "b-secret", ["10.5678", "10.9999"])
    return api


def test_each_account_creates_under_its_own_prefixes_and_the_journal_names_it(two, datacite_sandbox):
    assert two.put("10.1234/a-1", {"url": "https://repo.example.org/a"}).status_code == 201
    created = two.put("10.5678/b-1", {"url": "https://repo.example.org/b"}, auth=B_AUTH)
    assert created.status_code == 201
    assert created.json()["data"]["relationships"]["client"]["data"]["id"] == "inst.b"
    # An additional prefix of B works like its first one.
    assert two.put("10.9999/b-2", {"url": "https://repo.example.org/b2"}, auth=B_AUTH).status_code == 201
    users = {(e["path"], e["user"]) for e in datacite_sandbox.control.journal()}
    assert ("/dois/10.5678/b-1", "INST.B") in users and ("/dois/10.1234/a-1", "sandbox") in users
    owners = {d["doi"]: d["client"] for d in datacite_sandbox.control.dois()}
    assert owners == {"10.1234/a-1": "sandbox", "10.5678/b-1": "inst.b", "10.9999/b-2": "inst.b"}


def test_creating_under_another_accounts_prefix_is_403(two):
    for method in (two.put, lambda doi, attrs, **kw: two.post({"doi": doi, **attrs}, **kw)):
        resp = method("10.5678/not-yours", {"url": "https://repo.example.org/x"})
        assert resp.status_code == 403
        assert resp.json() == FORBIDDEN
    assert two.get("10.5678/not-yours", auth=B_AUTH).status_code == 404  # nothing was made


def test_updating_deleting_or_reading_another_accounts_draft_is_refused(two):
    assert two.put("10.5678/b-draft", {"url": "https://repo.example.org/b"}, auth=B_AUTH).status_code == 201
    update = two.put("10.5678/b-draft", {"url": "https://repo.example.org/taken"})
    assert (update.status_code, update.json()) == (403, FORBIDDEN)
    delete = two.delete("10.5678/b-draft")
    assert (delete.status_code, delete.json()) == (403, FORBIDDEN)
    assert two.get("10.5678/b-draft").status_code == 404  # a draft is its owner's only
    owner_view = two.get("10.5678/b-draft", auth=B_AUTH)
    assert owner_view.json()["data"]["attributes"]["url"] == "https://repo.example.org/b"


def naming(client: str, **attributes: str) -> str:
    """A body that names its repository, as lupo looks a new DOI's repository up first."""
    return json.dumps({"data": {"type": "dois", "attributes": attributes,
                                "relationships": {"client": {"data": {"id": client, "type": "clients"}}}}})


def test_a_wrong_password_of_one_account_is_401_and_the_other_account_still_writes(two):
    body = naming("inst.b", url="https://repo.example.org/b")
    resp = two.call("PUT", "dois/10.5678/b-3", data=body, auth=("INST.B", "wrong"))
    assert resp.status_code == 401
    assert resp.json() == {"errors": [{"status": "401", "title": "Bad credentials."}]}
    # Naming no repository, a failed login has none: lupo's Doi#client_id= answers 404.
    unnamed = two.put("10.5678/b-3", {"url": "https://repo.example.org/b"}, auth=("INST.B", "wrong"))
    assert unnamed.status_code == 404
    assert two.put("10.1234/a-3", {"url": "https://repo.example.org/a"}).status_code == 201


def test_the_client_named_in_the_body_decides_the_new_dois_prefix_check(two):
    body = {"data": {"type": "dois", "attributes": {"doi": "10.5678/named"},
                     "relationships": {"client": {"data": {"id": "nobody", "type": "clients"}}}}}
    unknown = two.call("PUT", "dois/10.5678/named", data=json.dumps(body), auth=B_AUTH)
    assert unknown.status_code == 404  # Doi#client_id= finds no such client
    body["data"]["relationships"]["client"]["data"]["id"] = "sandbox"
    other = two.call("PUT", "dois/10.5678/named", data=json.dumps(body), auth=B_AUTH)
    assert other.status_code == 403  # 10.5678 is not a prefix of the client named


def test_reset_forgets_added_accounts(datacite_sandbox, two):
    datacite_sandbox.control.reset()
    assert [a["username"] for a in datacite_sandbox.control.accounts()] == ["sandbox"]
    body = naming("inst.b", url="https://repo.example.org/b")
    assert two.call("PUT", "dois/10.5678/b-4", data=body, auth=B_AUTH).status_code == 404  # no such client
    body = naming("sandbox", url="https://repo.example.org/b")
    assert two.call("PUT", "dois/10.1234/b-4", data=body, auth=B_AUTH).status_code == 401


def test_accounts_given_at_start_and_on_the_command_line(api_for):
    extra = Account(username="INST.C", password="c", prefixes=("10.7777",))
    with SandboxServer(accounts=(extra,)) as server:
        api = api_for(server.url)
        assert api.put("10.7777/c-1", {"url": "https://x.org/"}, auth=("INST.C", "c")).status_code == 201
        assert api.put("10.7777/c-2", {"url": "https://x.org/"}).status_code == 403

    from invenio_doi_ext.sandbox.cli import parser

    args = parser().parse_args(["--account", "INST.D:pw:10.1111,10.2222"])
    assert args.accounts == [Account(username="INST.D", password="pw", prefixes=("10.1111", "10.2222"))]
    with pytest.raises(SystemExit):
        parser().parse_args(["--account", "INST.D:10.1111"])


def test_validate_checks_the_client_named_as_lupo_does(two):
    def validate(client_id, auth):
        body = {"data": {"type": "dois", "attributes": {"doi": "10.5678/v"},
                         "relationships": {"client": {"data": {"id": client_id, "type": "clients"}}}}}
        return two.call("POST", "dois/validate", data=json.dumps(body), auth=auth).status_code

    assert validate("inst.b", B_AUTH) == 200
    assert validate("sandbox", B_AUTH) == 403  # another account's client
    assert validate("nobody", B_AUTH) == 404
    assert validate("inst.b", ("INST.B", "wrong")) == 401
