"""File DOIs use the account of their record's DOI (several DataCite accounts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from files_helpers import file_rows, related
from invenio_access.permissions import system_identity

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))

from accounts_setup import ACCOUNTS, with_accounts  # noqa: E402


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """Accounts ``a`` (10.4444) and ``b`` besides the default; community alpha mints with ``a``."""
    return {
        "DOI_EXT_DATACITE_ACCOUNTS": ACCOUNTS,
        "DOI_EXT_COMMUNITY_ACCOUNTS": {"alpha": "a", "beta": "b"},
        "DOI_EXT_FILE_DOIS": True,
    }


@pytest.fixture
def sandbox(sandbox: Any) -> Any:
    """The sandbox knowing the accounts ``a`` and ``b``."""
    return with_accounts(sandbox)


def test_a_community_s_files_get_dois_of_its_account_before_the_record_has_a_doi(
    service, record_data, upload, community, in_community, sandbox
):
    alpha = community("alpha")
    draft = service.create(system_identity, record_data(files={"enabled": True}))
    in_community(draft.id, alpha)
    upload(draft.id, {"data.csv": b"1"})

    row = file_rows(draft)["data.csv"]
    assert (row.account, row.doi.split("/")[0]) == ("a", "10.4444")
    assert sandbox.control.doi(row.doi)["client"] == ACCOUNTS["a"]["username"].lower()

    record = service.publish(system_identity, draft.id)
    record_doi = record.data["pids"]["doi"]["identifier"].lower()
    assert record_doi.startswith("10.4444/")
    remote = sandbox.control.doi(row.doi)
    assert remote["state"] == "findable"
    assert related(remote["attributes"], "IsPartOf") == [record_doi]
