"""``DOI_EXT_PERMISSION_POLICY`` replaces who may do what, the Invenio way."""

from __future__ import annotations

from invenio_records_permissions.generators import AnyUser, AuthenticatedUser, Disable

from invenio_doi_ext.services.permissions import DOIPermissionPolicy


class OpenStatusPolicy(DOIPermissionPolicy):
    """Anyone reads a DOI's status; any logged-in user may sync; nobody lists."""

    can_read = [AnyUser()]
    can_manage = DOIPermissionPolicy.can_manage + [AuthenticatedUser()]
    can_search = [Disable()]


def test_configured_policy_class_is_used(owned_record, other, admin, login, client, set_app_config_fn_scoped):
    doi = owned_record().data["pids"]["doi"]["identifier"]
    set_app_config_fn_scoped({"DOI_EXT_PERMISSION_POLICY": OpenStatusPolicy})

    assert client.get(f"/dois/{doi}").status_code == 200  # anonymous may read now
    assert login(other).post(f"/dois/{doi}/sync").status_code == 202
    assert login(admin).get("/dois").status_code == 403  # even administrators may not list


def test_policy_by_import_path(owned_record, client, set_app_config_fn_scoped):
    doi = owned_record().data["pids"]["doi"]["identifier"]
    set_app_config_fn_scoped(
        {"DOI_EXT_PERMISSION_POLICY": "invenio_doi_ext.services.permissions:DOIPermissionPolicy"}
    )
    assert client.get(f"/dois/{doi}").status_code == 403
