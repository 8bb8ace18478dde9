"""Fingerprints of what DataCite holds, to skip calls that would change nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def fingerprint(payload: Mapping[str, Any] | None, url: str | None) -> str:
    """Hash of metadata and URL together: a change to either must be sent."""
    body = canonical_json({"metadata": payload or {}, "url": url or ""})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
