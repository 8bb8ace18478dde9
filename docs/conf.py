"""Sphinx configuration of invenio-doi-ext's documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

from invenio_doi_ext import __version__  # noqa: E402

project = "invenio-doi-ext"
author = "invenio-doi-ext developers"
copyright = "2026, invenio-doi-ext developers"
version = release = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
autodoc_member_order = "bysource"
autodoc_mock_imports = []
templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
nitpicky = False
suppress_warnings = ["autodoc.import_object"]
