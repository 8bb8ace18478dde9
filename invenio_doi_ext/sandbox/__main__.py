"""`python -m invenio_doi_ext.sandbox`: same as `invenio-doi-sandbox`."""

import sys

from .cli import main

sys.exit(main())
