"""``/doi/<file DOI>`` and the file DOIs on the landing page, through the real UI app."""

from __future__ import annotations

from files_helpers import file_rows
from invenio_access.permissions import system_identity
from invenio_accounts.testutils import login_user_via_session


def _published(service, draft_with_files):
    draft = draft_with_files({"data.csv": b"a,b\n1,2\n", "raw.bin": b"\x00\x01"})
    return service.publish(system_identity, draft.id)


def test_doi_route_redirects_a_file_doi_to_its_file(client, service, draft_with_files, sandbox):
    record = _published(service, draft_with_files)
    rows = file_rows(record)

    previewable = client.get(f"/doi/{rows['data.csv'].doi}")
    assert previewable.status_code == 302
    assert previewable.location.endswith(f"/records/{record.id}?preview_file=data.csv")
    other = client.get(f"/doi/{rows['raw.bin'].doi}")
    assert other.status_code == 302
    assert other.location.endswith(f"/records/{record.id}#file-list-table")
    # The record's own DOI still goes where InvenioRDM sends it.
    record_doi = record.data["pids"]["doi"]["identifier"]
    assert client.get(f"/doi/{record_doi}").location.endswith(f"/records/{record.id}")


def test_landing_page_lists_each_file_with_its_doi(client, service, draft_with_files, admin_user, sandbox):
    record = _published(service, draft_with_files)
    rows = file_rows(record)

    html = client.get(f"/records/{record.id}").get_data(as_text=True)
    assert 'id="doi-ext-file-dois"' in html
    for key, row in rows.items():
        assert f'data-file="{key}" data-doi="{row.pid_value}"' in html
    assert "doi-ext-state" not in html.split('id="doi-ext-file-dois"')[1].split("</dl>")[0]

    login_user_via_session(client, email="admin@example.org")
    managed = client.get(f"/records/{record.id}").get_data(as_text=True)
    section = managed.split('id="doi-ext-file-dois"')[1].split("</dl>")[0]
    assert section.count('data-state="findable"') == 2


def test_admin_page_shows_a_waiting_file_doi_with_its_file(client, draft_with_files, admin_user, sandbox):
    sandbox.control.set_faults(queue=["503_html"])
    draft = draft_with_files({"data.csv": b"1"})
    row = file_rows(draft)["data.csv"]
    assert row.remote_state == "none"

    login_user_via_session(client, email="admin@example.org")
    html = client.get("/administration/dois").get_data(as_text=True)
    assert f'data-doi="{row.pid_value}" data-state="retrying"' in html
    assert '<small class="doi-ext-kind">file: data.csv</small>' in html
