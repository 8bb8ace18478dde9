"""A local stand-in of the DataCite REST API, for tests, demos and development.

DataCite cannot be reached from every machine, and a test must be able to make it
fail on purpose: the sandbox speaks the REST API over real HTTP, with a control
API under `/__sandbox__/` for faults, latency, rate limits and a request journal.
"""

from .app import create_sandbox_app
from .client import SandboxControl
from .server import SandboxServer

__all__ = ("SandboxControl", "SandboxServer", "create_sandbox_app")
