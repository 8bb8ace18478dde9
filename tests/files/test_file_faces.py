"""File DOIs on the operators' and depositors' faces: CLI, REST API, landing redirect."""

from __future__ import annotations

import json

from files_helpers import file_rows
from invenio_access.permissions import system_identity

from invenio_doi_ext.lifecycle.store import get_row


def _two_file_record(service, draft_with_files):
    draft = draft_with_files({"data.csv": b"a,b\n1,2\n", "notes.txt": b"hello"})
    return service.publish(system_identity, draft.id)


def test_cli_list_and_status_of_file_dois(run, service, draft_with_files, sandbox):
    record = _two_file_record(service, draft_with_files)
    rows = file_rows(record)

    listed = json.loads(run("list", "--kind", "file", "--format", "json").output)
    assert sorted(item["doi"] for item in listed) == sorted(row.doi for row in rows.values())
    assert {item["kind"] for item in listed} == {"file"}
    records = json.loads(run("list", "--kind", "record", "--format", "json").output)
    assert [item["doi"] for item in records] == [record.data["pids"]["doi"]["identifier"].lower()]
    assert run("list", "--kind", "files").exit_code == 2

    shown = run("status", rows["data.csv"].doi)
    assert shown.exit_code == 0, shown.output
    assert "Kind" in shown.output and "file" in shown.output
    assert "data.csv" in shown.output


def test_reserve_unreserved_and_verify_of_file_dois(run, draft_with_files, sandbox):
    sandbox.control.set_faults(queue=["503_html", "503_html"])
    draft = draft_with_files({"a.csv": b"1", "b.csv": b"2"})
    dois = sorted(row.doi for row in file_rows(draft).values())
    assert [get_row(doi).remote_state for doi in dois] == ["none", "none"]
    sandbox.control.clear_faults()

    result = run("reserve-unreserved", "--kind", "file")
    assert result.exit_code == 0, result.output
    assert "done 2, failed 0, remaining 0" in result.stdout
    assert [sandbox.control.doi(doi)["state"] for doi in dois] == ["draft", "draft"]
    assert [get_row(doi).kind for doi in dois] == ["file", "file"]  # still file DOIs

    sandbox.control.remove(dois[0])
    verified = run("verify", "--kind", "file")
    assert verified.exit_code == 1
    assert f"{dois[0]}  missing" in verified.stdout
    assert "checked 2, drift 1" in verified.stdout

    adopted = run("adopt", "--kind", "file")
    assert adopted.exit_code == 0 and "adopted 0 file DOI(s)" in adopted.output


def test_rest_list_and_unreserved_filter_by_kind(service, draft_with_files, admin, login, sandbox):
    record = _two_file_record(service, draft_with_files)
    client = login(admin)
    res = client.get("/dois?kind=file")
    assert res.status_code == 200, res.json
    assert sorted(hit["doi"] for hit in res.json["hits"]["hits"]) == sorted(
        row.doi for row in file_rows(record).values()
    )
    bad = client.get("/dois?kind=files")
    assert bad.status_code == 400
    assert "kind" in json.dumps(bad.json)

    sandbox.control.set_faults(queue=["503_html"])
    waiting = draft_with_files({"c.csv": b"3"})
    doi = file_rows(waiting)["c.csv"].doi
    unreserved = client.get("/dois/unreserved?kind=file").json["hits"]
    assert [(hit["doi"], hit["kind"], hit["file_key"]) for hit in unreserved["hits"]] == [
        (doi, "file", "c.csv")
    ]
    assert client.get("/dois/unreserved?kind=parent").json["hits"]["total"] == 0
    assert client.get("/dois/unreserved?kind=nope").status_code == 400


def test_rest_reserve_of_a_file_doi(service, draft_with_files, admin, login, sandbox):
    sandbox.control.set_faults(queue=["503_html"])
    draft = draft_with_files({"c.csv": b"3"})
    doi = file_rows(draft)["c.csv"].doi
    sandbox.control.clear_faults()
    res = login(admin).post(f"/dois/{doi}/reserve")
    assert res.status_code == 202, res.json
    assert sandbox.control.doi(doi)["state"] == "draft"


def test_the_record_s_rest_representation_names_each_file_s_doi(client, service, draft_with_files, sandbox):
    record = _two_file_record(service, draft_with_files)
    rows = file_rows(record)
    entries = client.get(f"/records/{record.id}").json["files"]["entries"]
    assert {key: entry.get("doi") for key, entry in entries.items()} == {
        key: row.pid_value for key, row in rows.items()
    }
    # The draft's representation too (a file DOI is reserved before publish).
    draft = draft_with_files({"c.csv": b"3"})
    drafted = service.read_draft(system_identity, draft.id).data["files"]["entries"]
    assert drafted["c.csv"]["doi"] == file_rows(draft)["c.csv"].pid_value
