"""One gateway per worker process, built from the application's configuration.

A gateway holds a ``requests.Session`` (connection reuse); it must not be shared
across a fork, so it is rebuilt when the process id changes.
"""

from __future__ import annotations

import os

from flask import current_app

from ..datacite.gateway import DataCiteGateway

_CACHE_KEY = "invenio-doi-ext.gateway"


def current_gateway() -> DataCiteGateway:
    """The gateway of this process and application."""
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] == os.getpid():
        return cached[1]
    gateway = DataCiteGateway.from_config(current_app.config)
    current_app.extensions[_CACHE_KEY] = (os.getpid(), gateway)
    return gateway


def reset_gateway() -> None:
    """Forget the cached gateway (after a configuration change, in tests)."""
    cached = current_app.extensions.pop(_CACHE_KEY, None)
    if cached is not None:
        cached[1].close()
