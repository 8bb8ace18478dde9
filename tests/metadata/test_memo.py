"""The memo of derived payloads and checks: bounded, copied, and blind only to what the serializer ignores."""

from __future__ import annotations

import copy
from typing import Any

from invenio_access.permissions import system_identity

from invenio_doi_ext.metadata import memo
from invenio_doi_ext.metadata import payload as payloads


def test_a_long_lived_process_keeps_at_most_size_entries() -> None:
    kept = memo.Memo(size=8)
    for number in range(50):
        kept.get_or_compute(memo.Memo.key("n", number), lambda n=number: {"n": n})
    assert len(kept) == 8
    # The newest stay: the last one is a hit, the first was dropped and is computed again.
    assert kept.get_or_compute(memo.Memo.key("n", 49), lambda: {"n": "recomputed"}) == {"n": 49}
    assert kept.get_or_compute(memo.Memo.key("n", 0), lambda: {"n": "recomputed"}) == {"n": "recomputed"}


def test_what_a_caller_changes_is_not_what_the_next_caller_gets() -> None:
    kept = memo.Memo()
    key = memo.Memo.key("payload")
    first = kept.get_or_compute(key, lambda: {"relatedIdentifiers": []})
    first["relatedIdentifiers"].append({"relatedIdentifier": "10.1234/x"})
    second = kept.get_or_compute(key, lambda: {"relatedIdentifiers": ["never computed"]})
    assert second == {"relatedIdentifiers": []}
    second["relatedIdentifiers"].append("changed")
    assert kept.get_or_compute(key, dict) == {"relatedIdentifiers": []}


def _vary(record: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(record)
    changed[key] = {"enabled": True, "record": "restricted", "value": "something else"}
    return changed


def test_the_keys_left_out_of_the_memo_are_keys_the_serializer_does_not_read(
    service: Any, record_data: Any, db: Any
) -> None:
    """An upgrade of upstream's serializer that starts reading one of them fails here."""
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    stored = dict(service.record_cls.pid.resolve(record.id))
    baseline = payloads._serializer.dump_obj(stored)
    for key in payloads.NOT_SERIALIZED:
        assert payloads._serializer.dump_obj(_vary(stored, key)) == baseline, key
    # Of ``access`` only the status is read.
    assert payloads._serializer.dump_obj({**stored, "access": {"record": "restricted"}}) == baseline


def test_a_changed_field_is_a_different_key(app: Any, service: Any, record_data: Any, db: Any) -> None:
    record = service.publish(system_identity, service.create(system_identity, record_data()).id)
    stored = dict(service.record_cls.pid.resolve(record.id))
    same = memo.Memo.key("record", payloads.memo_content(stored))
    for key in ("metadata", "pids", "custom_fields", "parent", "updated", "links"):
        changed = {**stored, key: {"changed": True}}
        assert memo.Memo.key("record", payloads.memo_content(changed)) != same, key
    # The access status is read (as rights) only when upstream is told to dump it.
    status = {**stored, "access": {"status": "open"}}
    assert memo.Memo.key("record", payloads.memo_content(status)) == same
    app.config["RDM_DATACITE_DUMP_OPENAIRE_ACCESS_RIGHTS"] = True
    try:
        assert payloads._serializer.dump_obj(status) != payloads._serializer.dump_obj(stored)
        assert memo.Memo.key("record", payloads.memo_content(status)) != same
    finally:
        app.config["RDM_DATACITE_DUMP_OPENAIRE_ACCESS_RIGHTS"] = False
