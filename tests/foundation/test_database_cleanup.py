"""A test run drops the PostgreSQL databases it created, and only those.

(Only those: every run on a developer's own database, which exists beforehand,
keeps it; this module checks the costlier half, in a pytest of its own.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy_utils import database_exists, drop_database

ROOT = Path(__file__).resolve().parents[2]
SMALL_MODULE = "tests/foundation/test_publish_smoke.py"

pytestmark = pytest.mark.postgresql


def database_url(name: str) -> str:
    """A database beside the one this run uses, on the same server."""
    uri = make_url(os.environ["SQLALCHEMY_DATABASE_URI"])
    return uri.set(database=name).render_as_string(hide_password=False)


def run_module(url: str) -> subprocess.CompletedProcess:
    """Run one small test module in a pytest of its own, on the database ``url``."""
    env = {**os.environ, "SQLALCHEMY_DATABASE_URI": url}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", SMALL_MODULE],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def test_a_database_the_run_created_is_dropped():
    url = database_url(f"invenio_doi_ext_cleanup_{uuid.uuid4().hex[:8]}")
    assert not database_exists(url)
    try:
        result = run_module(url)
        assert result.returncode == 0, result.stdout + result.stderr
        assert not database_exists(url)
    finally:
        if database_exists(url):
            drop_database(url)

