"""Work around upstream behaviour that would break documented configuration.

invenio-rdm-records' ``fix_datacite_configs`` runs ``str()`` on ``DATACITE_FORMAT``
at start-up, turning the callable its own docs allow into ``"<function ...>"``.
It runs in that extension's ``init_config``, and Invenio does not order extension
initialisation, so this wrapper is installed when this package's configuration
module is loaded (``invenio_config.module`` entry points load before any
extension) and again from our ``init_app``.
"""

from __future__ import annotations

from typing import Any

_MARK = "_invenio_doi_ext_keeps_callable_format"


def keep_callable_datacite_format() -> None:
    """Make upstream's stringification leave a callable ``DATACITE_FORMAT`` alone."""
    try:
        from invenio_rdm_records.ext import InvenioRDMRecords
    except ImportError:  # pragma: no cover - invenio-rdm-records is a dependency
        return
    original = InvenioRDMRecords.fix_datacite_configs
    if getattr(original, _MARK, False):
        return

    def fix_datacite_configs(self: Any, app: Any) -> None:
        doi_format = app.config.get("DATACITE_FORMAT")
        original(self, app)
        if callable(doi_format):
            app.config["DATACITE_FORMAT"] = doi_format

    setattr(fix_datacite_configs, _MARK, True)
    InvenioRDMRecords.fix_datacite_configs = fix_datacite_configs
