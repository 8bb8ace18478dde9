"""File DOIs in the record's REST representation: ``files.entries.<key>.doi``.

InvenioRDM lets an instance replace the records service's schema
(``RDM_RECORD_SCHEMA``); the extension wraps whichever schema is configured in a
subclass that, after upstream's dump, adds to each file entry the DOI of the
file. Nothing is added while ``DOI_EXT_FILE_DOIS`` is off, or to entries the
reader may not see (upstream leaves ``entries`` out without ``read_files``).
"""

from __future__ import annotations

from typing import Any

from marshmallow import post_dump

from .. import settings
from . import file_parts

_CACHE: dict[type, type] = {}


def with_file_dois(base: type) -> type:
    """``base`` (a record schema class) whose dumps name each file's DOI (one class per base)."""
    if getattr(base, "doi_ext_file_dois", False):
        return base
    if base not in _CACHE:

        class FileDOIRecordSchema(base):  # type: ignore[misc, valid-type]
            """Upstream's record schema, plus ``files.entries.<key>.doi``."""

            doi_ext_file_dois = True

            @post_dump(pass_original=True)
            def _doi_ext_file_dois(self, data: dict, original: Any, **kwargs: Any) -> dict:
                entries = (data.get("files") or {}).get("entries")
                if not entries or not settings.file_dois_configured():
                    return data
                for key, row in file_parts.rows_by_file(original).items():
                    if isinstance(entries.get(key), dict):
                        entries[key]["doi"] = row.pid_value
                return data

        FileDOIRecordSchema.__name__ = f"FileDOI{base.__name__}"
        _CACHE[base] = FileDOIRecordSchema
    return _CACHE[base]
