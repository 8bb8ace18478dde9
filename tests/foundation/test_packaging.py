"""The source distribution carries what an operator and a packager need."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sdist_holds_templates_migrations_docs_and_scripts(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (archive,) = tmp_path.glob("invenio_doi_ext-*.tar.gz")
    with tarfile.open(archive) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for expected in (
        "templates/invenio.cfg",
        "invenio_doi_ext/templates/semantic-ui/invenio_doi_ext/landing_page/doi_status.html",
        "invenio_doi_ext/alembic/7c1d0e5a9b21_create_invenio_doi_ext_branch.py",
        "invenio_doi_ext/alembic/3f9a2b6c4d10_create_lifecycle_tables.py",
        "docs/index.rst",
        "docs/configuration.rst",
        "run-tests.sh",
        "run-demo.sh",
        "scripts/ensure-venv.sh",
        "requirements/constraints.txt",
        "LICENSE",
        "CHANGES.rst",
    ):
        assert expected in names, expected
