"""The demo checks every DOI it made and says what it shows in plain words.

The whole demo (worker and beat processes) is ``./run-demo.sh``; these tests take
its parts on the test instance: the story's bookkeeping against the sandbox,
the report, and the instance configuration.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from invenio_access.permissions import system_identity

from invenio_doi_ext.demo.instance import Services, instance_config
from invenio_doi_ext.demo.report import COLUMN_MEANINGS, COLUMNS, Snapshot, legend, write_html
from invenio_doi_ext.demo.story import Story


@pytest.fixture
def story(service, sandbox):
    """A story on the test instance; the licence step is taken as told."""
    told = Story(service, system_identity, sandbox, echo=lambda line: None, timeout=5.0)
    told.refused_errors = [{"field": "metadata.rights.0.title", "messages": ["too long"]}]
    return told


def dois_of(item):
    return item.data["pids"]["doi"]["identifier"], item.data["parent"]["pids"]["doi"]["identifier"]


def test_tracking_a_record_checks_its_concept_doi_too(story, publish, record_data):
    record = publish(record_data(title="Tracked"))
    story.track("public dataset", record, "findable", "Tracked")
    assert set(story.tracked) == set(dois_of(record))
    assert story.problems() == []
    assert story.summary().startswith("2 DOIs checked, the record and concept DOIs of 1 records")


def test_a_doi_the_story_made_but_does_not_track_fails_the_verdict(story, publish, record_data):
    tracked = publish(record_data(title="Tracked"))
    forgotten = publish(record_data(title="Forgotten"))
    story.track("public dataset", tracked, "findable", "Tracked")

    unchecked = sorted(dois_of(forgotten))
    assert story.problems() == [f"{doi} was made but the demo does not check it" for doi in unchecked]


def test_a_concept_doi_in_the_wrong_state_is_named_by_its_record(story, publish, record_data):
    record = publish(record_data(title="Tracked"))
    story.track("public dataset", record, "findable", "Tracked")
    concept = dois_of(record)[1]
    story.expect(concept, "registered", "Tracked")
    assert story.problems() == [
        f"{concept} (concept DOI of the public dataset) is findable at DataCite, not registered"
    ]


def test_titles_are_quoted_as_text_not_python(story, publish, record_data):
    record = publish(record_data(title="Sea ice 'thickness'"))
    assert story.title_at_datacite(dois_of(record)[0]) == "\u201cSea ice 'thickness'\u201d"
    assert story.title_at_datacite("10.1234/never-made") == "(none)"


def test_the_columns_are_explained_once():
    assert [label for _, label in COLUMNS] == list(COLUMN_MEANINGS)
    assert len(legend()) == len(COLUMNS)


def test_report_has_the_verdict_at_the_top_and_the_bottom(tmp_path: Path):
    rows = [{"what": "public dataset", "doi": "10.1234/a", "desired": "findable", "datacite": "findable"}]
    verdict = "FAIL:\n  10.1234/b was made but the demo does not check it"
    write_html(tmp_path / "report.html", [Snapshot("1. A step", rows)], verdict, False, ["database: SQLite"])
    page = (tmp_path / "report.html").read_text()

    shown = "FAIL:<br>  10.1234/b was made but the demo does not check it"
    headings = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page)
    assert headings[1] == shown  # right under the page title
    assert headings[-1] == shown
    assert page.index(shown) < page.index("<table>")
    assert "<dt>last error</dt>" in page


def test_demo_instance_uses_trusted_hosts_not_the_deprecated_key(tmp_path: Path):
    config = instance_config(Services.from_environment(tmp_path), "http://127.0.0.1:1/", tmp_path)
    assert "APP_ALLOWED_HOSTS" not in config
    assert "demo.example.org" in config["TRUSTED_HOSTS"]


def test_embedded_demo_names_no_redis_and_follows_demo_redis_url(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("DEMO_REDIS_URL", raising=False)
    embedded = instance_config(Services.from_environment(tmp_path), "http://127.0.0.1:1/", tmp_path)
    assert [key for key, value in embedded.items() if "redis" in repr(value).lower()] == []
    assert embedded["ACCOUNTS_SESSION_REDIS_URL"] is None

    monkeypatch.setenv("DEMO_REDIS_URL", "redis://127.0.0.1:6379/3")
    on_redis = instance_config(Services.from_environment(tmp_path), "http://127.0.0.1:1/", tmp_path)
    for key in ("CACHE_REDIS_URL", "ACCOUNTS_SESSION_REDIS_URL", "RATELIMIT_STORAGE_URI"):
        assert on_redis[key] == "redis://127.0.0.1:6379/3", key
