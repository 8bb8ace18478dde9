"""Fixtures of the metadata tests: vocabularies the richer records need, and a worker drain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from invenio_access.permissions import system_identity


def _create_entries(vocab_type: str, pid_type: str, entries: list[dict[str, Any]]) -> None:
    """Create a vocabulary type (unless another fixture did) and its entries."""
    from invenio_vocabularies.proxies import current_service as vocabulary_service
    from invenio_vocabularies.records.models import VocabularyType

    if VocabularyType.query.filter_by(id=vocab_type).one_or_none() is not None:
        return
    vocabulary_service.create_type(system_identity, vocab_type, pid_type)
    for entry in entries:
        vocabulary_service.create(system_identity, {"type": vocab_type, **entry})


@pytest.fixture(scope="module")
def metadata_vocabularies(resource_types: None) -> None:
    """Relation types, languages, removal reasons, and a resource type with a wrong DataCite type."""
    from invenio_vocabularies.proxies import current_service as vocabulary_service
    from invenio_vocabularies.records.api import Vocabulary

    _create_entries(
        "relationtypes",
        "rlt",
        [{"id": "iscitedby", "props": {"datacite": "IsCitedBy"}, "title": {"en": "Is cited by"}}],
    )
    _create_entries(
        "languages",
        "lng",
        [
            {"id": "eng", "props": {"alpha_2": "en"}, "title": {"en": "English"}, "tags": ["individual"]},
            {"id": "en_GB", "props": {"alpha_2": ""}, "title": {"en": "British"}, "tags": ["individual"]},
        ],
    )
    _create_entries("removalreasons", "rem", [{"id": "spam", "title": {"en": "Spam"}}])
    # A misconfigured vocabulary entry: DataCite has no general type "Datasets".
    vocabulary_service.create(
        system_identity,
        {
            "id": "dataset-misconfigured",
            "type": "resourcetypes",
            "icon": "table",
            "props": {"csl": "dataset", "datacite_general": "Datasets", "datacite_type": "",
                      "openaire_resourceType": "21", "openaire_type": "dataset",
                      "eurepo": "info:eu-repo/semantics/other", "schema.org": "https://schema.org/Dataset",
                      "subtype": "", "type": "dataset-misconfigured"},
            "title": {"en": "Dataset (misconfigured)"},
            "tags": ["depositable", "linkable"],
        },
    )
    Vocabulary.index.refresh()


@pytest.fixture
def rdm(service: Any, sandbox: Any, db: Any, metadata_vocabularies: None) -> Any:
    """The records service with everything the metadata tests need in place."""
    return service


@pytest.fixture
def drain(app: Any) -> Callable[[], int]:
    """Run the worker step on every due row, as the beat's sweep would; returns calls made.

    Rows changed outside a service unit of work (upstream's post-commit PID
    tasks, the pids endpoints) wait for the sweep under eager Celery.
    """
    from invenio_doi_ext.lifecycle.converge import Step, converge, due_rows_query

    def _drain() -> int:
        sent = 0
        for _ in range(10):
            ids = [row_id for (row_id,) in due_rows_query().all()]
            if not ids:
                return sent
            for row_id in ids:
                step, _row = converge(row_id)
                sent += step == Step.SENT
        return sent

    return _drain
