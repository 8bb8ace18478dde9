"""Flask app factory of the sandbox: one DataCite account, its DOIs and the control API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask

from . import api, control
from .dois import Account, DoiService
from .faults import Faults, RateLimiter
from .journal import Journal
from .store import Store


@dataclass
class Sandbox:
    """Everything the sandbox holds, shared by the views through `app.extensions`."""

    account: Account
    store: Store
    journal: Journal = field(default_factory=Journal)
    faults: Faults = field(default_factory=Faults)
    ratelimit: RateLimiter = field(default_factory=RateLimiter)

    @property
    def service(self) -> DoiService:
        """The DOI rules over the store."""
        return DoiService(self.store, self.account)

    def reset(self) -> None:
        """Back to an empty sandbox: no DOIs, journal, faults, latency or rate limit."""
        self.store.clear()
        self.journal.reset()
        self.faults.clear()
        self.faults.latency_ms = 0.0
        self.ratelimit.configure(None)


def create_sandbox_app(
    prefixes: Iterable[str] = ("10.1234",),
    username: str = "sandbox",
    password: str = "sandbox",
    allowed_domains: Iterable[str] = (),
    db_path: str | None = None,
) -> Flask:
    """A Flask app speaking the DataCite REST API for one account.

    `allowed_domains` empty or containing `*` allows any URL host; `db_path` keeps
    the DOIs in a SQLite file so that they survive a restart.
    """
    app = Flask("invenio_doi_ext.sandbox")
    account = Account(
        username=username,
        password=password,
        prefixes=tuple(prefixes) or ("10.1234",),
        allowed_domains=tuple(allowed_domains),
    )
    app.extensions["doi_sandbox"] = Sandbox(account=account, store=Store(db_path))
    app.register_blueprint(control.blueprint)
    app.register_blueprint(api.blueprint)
    return app
