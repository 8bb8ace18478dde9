"""Flask app factory of the sandbox: its DataCite accounts, their DOIs and the control API."""

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
    others: tuple[Account, ...] = ()
    """Further repository accounts given at start; the control API may add more."""
    added: dict[str, Account] = field(default_factory=dict)

    @property
    def accounts(self) -> tuple[Account, ...]:
        """Every account, the first (``account``) first; an added one replaces a same-named one."""
        found = {a.client_id: a for a in (self.account, *self.others)}
        found.update(self.added)
        return tuple(found.values())

    def service_for(self, caller: Account | None) -> DoiService:
        """The DOI rules over the store, as seen by ``caller`` (None: anonymous)."""
        return DoiService(self.store, self.accounts, caller)

    def authenticate(self, username: str | None, password: str | None) -> Account | None:
        """The account with these Basic credentials, or None (lupo: anonymous)."""
        for each in self.accounts:
            if username == each.username and password == each.password:
                return each
        return None

    def add_account(self, account: Account) -> None:
        """A further account (control API), until the next reset."""
        self.added[account.client_id] = account

    def reset(self) -> None:
        """Back to an empty sandbox: no DOIs, journal, faults, latency, rate limit or added accounts."""
        self.added.clear()
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
    accounts: Iterable[Account] = (),
) -> Flask:
    """A Flask app speaking the DataCite REST API for its accounts.

    The first account is `username`/`password` with `prefixes`; `accounts` adds
    others, each with its own prefixes and password. `allowed_domains` empty or
    containing `*` allows any URL host; `db_path` keeps the DOIs in a SQLite file
    so that they survive a restart.
    """
    app = Flask("invenio_doi_ext.sandbox")
    account = Account(
        username=username,
        password=password,
        prefixes=tuple(prefixes) or ("10.1234",),
        allowed_domains=tuple(allowed_domains),
    )
    app.extensions["doi_sandbox"] = Sandbox(account=account, store=Store(db_path), others=tuple(accounts))
    app.register_blueprint(control.blueprint)
    app.register_blueprint(api.blueprint)
    return app
