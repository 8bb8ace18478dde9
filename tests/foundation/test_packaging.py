"""The release artefacts carry what an operator and a packager need, and nothing built.

The project is copied (without git, virtualenvs and build output) and a Sphinx
build output is planted in the copy's ``docs/_build``, as ``./run-tests.sh``
leaves one: the sdist must not ship it whether or not the docs were built
before. Then ``python -m build`` makes the sdist and the wheel from it, and
``twine check --strict`` reads both, as PyPI would (RELEASING.md).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Never copied: version control, virtualenvs, caches and what builds leave behind.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "*.egg-info", "build", "dist", "_build", "__pycache__", "*.pyc",
    ".ruff_cache", ".pytest_cache", "test-output", "demo-output", "benchmark-output",
)

#: What an earlier Sphinx build leaves in docs/_build (html/openapi.yaml is the trap).
BUILD_OUTPUT = ("html/index.html", "html/openapi.yaml", "html/_static/openapi.json", "doctrees/index.doctree")


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel of a copy of the project with stale build output in docs/_build."""
    source = tmp_path_factory.mktemp("project") / "invenio-doi-ext"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    for name in BUILD_OUTPUT:
        planted = source / "docs" / "_build" / name
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_text("built by sphinx, not a source\n")
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    (sdist,) = dist.glob("invenio_doi_ext-*.tar.gz")
    (wheel,) = dist.glob("invenio_doi_ext-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def sdist_names(sdist: Path) -> set[str]:
    """Paths inside the sdist, without its top folder."""
    with tarfile.open(sdist) as archive:
        return {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}


def test_sdist_holds_templates_migrations_docs_and_scripts(artefacts):
    names = sdist_names(artefacts["sdist"])
    for expected in (
        "templates/invenio.cfg",
        "templates/invenio-doi-worker.service",
        "invenio_doi_ext/templates/semantic-ui/invenio_doi_ext/landing_page/doi_status.html",
        "invenio_doi_ext/alembic/7c1d0e5a9b21_create_invenio_doi_ext_branch.py",
        "invenio_doi_ext/alembic/3f9a2b6c4d10_create_lifecycle_tables.py",
        "docs/index.rst",
        "docs/configuration.rst",
        "docs/openapi.yaml",
        "run-tests.sh",
        "run-demo.sh",
        "scripts/ensure-venv.sh",
        "requirements/constraints.txt",
        "tests/closed-services/invenio.cfg",
        "LICENSE",
        "CHANGES.rst",
        "RELEASING.md",
    ):
        assert expected in names, expected


def test_no_build_output_in_the_artefacts(artefacts):
    with zipfile.ZipFile(artefacts["wheel"]) as wheel:
        wheel_names = set(wheel.namelist())
    for names in (sdist_names(artefacts["sdist"]), wheel_names):
        built = sorted(name for name in names if "_build" in Path(name).parts or "__pycache__" in name)
        assert built == []


def test_twine_check_passes(artefacts):
    files = [str(artefacts["sdist"]), str(artefacts["wheel"])]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout
