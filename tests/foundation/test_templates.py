"""The operator templates are complete: every key, and a worker that follows the queue key."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from invenio_doi_ext import config as ext_config
from invenio_doi_ext.settings import UPSTREAM_KEYS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
#: A key set (``KEY = ...``) or shown commented out (``# KEY = ...``).
KEY_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)\s*=", re.MULTILINE)


def package_keys() -> set[str]:
    """Every key this package reads: its own ``DOI_EXT_*`` keys and upstream's DataCite keys."""
    return {key for key in dir(ext_config) if key.startswith("DOI_EXT_")} | set(UPSTREAM_KEYS)


def test_invenio_cfg_lists_every_configuration_key():
    listed = set(KEY_LINE.findall((TEMPLATES / "invenio.cfg").read_text()))
    assert sorted(package_keys() - listed) == []
    assert sorted(listed - package_keys()) == []


def test_invenio_cfg_runs_and_sets_the_package_keys_to_their_defaults():
    """A snippet to copy: what it sets uncommented changes nothing but the account."""
    values = runpy.run_path(str(TEMPLATES / "invenio.cfg"))
    for key, value in values.items():
        if key.startswith("DOI_EXT_"):
            assert value == getattr(ext_config, key), key


# -- the worker follows DOI_EXT_TASK_QUEUE -------------------------------------------------


@pytest.fixture
def fake_venv(tmp_path):
    """A virtualenv whose ``invenio`` prints a given configuration and whose ``celery`` echoes."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "celery").write_text('#!/bin/sh\necho "celery $*"\n')
    (bin_dir / "celery").chmod(0o755)

    def with_config(shown: str) -> Path:
        (tmp_path / "config.json").write_text(shown)
        (bin_dir / "invenio").write_text(f'#!/bin/sh\ncat "{tmp_path / "config.json"}"\n')
        (bin_dir / "invenio").chmod(0o755)
        return tmp_path / "venv"

    return with_config


def start_worker(venv: Path) -> str:
    """What invenio-doi-worker.sh would run, as the fake celery prints it."""
    result = subprocess.run(
        [str(TEMPLATES / "invenio-doi-worker.sh"), "--concurrency", "2"],
        env={**os.environ, "INVENIO_VENV": str(venv)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[-1]


def test_worker_consumes_the_configured_queue(run, set_config, fake_venv):
    set_config(DOI_EXT_TASK_QUEUE="doi-calls")
    shown = run("config", "--format", "json").output
    assert json.loads(shown)["DOI_EXT_TASK_QUEUE"] == "doi-calls"

    command = start_worker(fake_venv(shown))
    assert command == "celery -A invenio_app.celery worker -Q doi-calls --concurrency 2"


def test_worker_without_a_queue_consumes_the_default_one(run, set_config, fake_venv):
    set_config(DOI_EXT_TASK_QUEUE=None)
    command = start_worker(fake_venv(run("config", "--format", "json").output))
    assert command == "celery -A invenio_app.celery worker --concurrency 2"


def test_worker_unit_starts_the_wrapper_and_hard_codes_no_queue():
    unit = (TEMPLATES / "invenio-doi-worker.service").read_text()
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit, re.MULTILINE)
    assert exec_start.split()[0].endswith("/invenio-doi-worker.sh")
    assert "-Q" not in exec_start.split()
