"""The UI application for view tests: what differs from the API harness of tests/conftest.py.

Shared by ``tests/views`` and ``tests/browser`` (their conftests import it).

- ``create_app`` is ``invenio_app.factory.create_app`` (UI with the API mounted on /api).
- Until the package's ``setup.cfg`` declares them, the UI blueprint and the
  administration view are injected with pytest-invenio's ``entry_points``
  fixture, exactly as the entry points will register them.
- The view tests build no frontend: the webpack manifest is replaced by one whose
  every entry renders nothing (invenio-app-rdm's own tests mock it the same way,
  with paths instead of nothing), so pages come without InvenioRDM's JavaScript
  and CSS. The browser tests serve the real bundle when it is built
  (``ui_config(bundle=True)``, see ``tests/browser/conftest.py``).
"""

from __future__ import annotations

from typing import Any

from flask_webpackext.manifest import JinjaManifest, JinjaManifestEntry, JinjaManifestLoader

from invenio_doi_ext.views import add_landing_page_block

#: The entry points this package declares (or must declare) for its UI.


class EmptyManifest(JinjaManifest):
    """Every bundle exists and renders no tag: the page is served without JS and CSS."""

    def __getitem__(self, key: str) -> JinjaManifestEntry:
        return JinjaManifestEntry(key, [])

    def __getattr__(self, name: str) -> JinjaManifestEntry:
        return JinjaManifestEntry(name, [])


class EmptyManifestLoader(JinjaManifestLoader):
    """Loads :class:`EmptyManifest` instead of reading ``dist/manifest.json``."""

    def load(self, filepath: str) -> EmptyManifest:
        return EmptyManifest()


def ui_config(bundle: bool = False) -> dict[str, Any]:
    """Configuration of the UI app in tests (``bundle``: the app's static folder holds a built frontend)."""
    config: dict[str, Any] = {
        "WTF_CSRF_ENABLED": True,
        "SESSION_COOKIE_SECURE": False,
        "SECURITY_EMAIL_SENDER": "noreply@example.org",
    }
    if bundle:
        # What an InvenioRDM instance sets (its invenio.cfg): the React pages need
        # inline styles, data: and blob: URLs; pytest-invenio's default allows nothing.
        config["APP_DEFAULT_SECURE_HEADERS"] = {
            "force_https": False,
            "session_cookie_secure": False,
            "content_security_policy": {
                "default-src": ["'self'", "data:", "'unsafe-inline'", "'unsafe-eval'", "blob:"],
            },
        }
    else:
        config["WEBPACKEXT_MANIFEST_LOADER"] = EmptyManifestLoader
    add_landing_page_block(config)
    return config


def create_user(datastore: Any, email: str, password: str, *, admin: bool = False) -> Any:
    """An active, confirmed local user.

    Administrators get ``administration-access`` (the admin pages) and
    ``administration-moderation`` (InvenioRDM's right to view deleted records).
    """
    from datetime import datetime, timezone

    from flask_security.utils import hash_password
    from invenio_access.models import ActionUsers
    from invenio_access.permissions import ActionNeed
    from invenio_db import db

    user = datastore.create_user(
        email=email,
        password=hash_password(password),
        active=True,
        confirmed_at=datetime.now(timezone.utc).replace(tzinfo=None),
        username=email.split("@")[0].replace(".", "-"),
    )
    db.session.flush()
    if admin:
        for action in ("administration-access", "administration-moderation"):
            db.session.add(ActionUsers.allow(ActionNeed(action), user=user))
    db.session.commit()
    return user


def identity_of(user: Any) -> Any:
    """The identity a logged-in user has, for calling the records service as them."""
    from invenio_access.permissions import authenticated_user
    from invenio_access.utils import get_identity

    identity = get_identity(user)
    identity.provides.add(authenticated_user)
    return identity



REFUSED_DOMAINS = ("elsewhere.example.org",)
"""Repository domain settings at DataCite that do not include the site (repo.example.org)."""


class DomainSandbox:
    """The sandbox, whose DataCite account's domain settings an operator can change.

    DataCite refuses to register a DOI whose URL is not on the repository's
    domain list (422, ``url: URL ... is not allowed by repository ... domain
    settings.``): a real misconfiguration that no change to the record fixes,
    only an operator (in DataCite Fabrica), followed by a retry. The sandbox
    takes its domains at start, so a change restarts it on the same port; its
    DOIs are not kept across a restart.
    """

    def __init__(self, prefix: str = "10.1234") -> None:
        self.prefix = prefix
        self.server = self._start(0, ())

    def _start(self, port: int, domains: tuple[str, ...]) -> Any:
        from invenio_doi_ext.sandbox.server import SandboxServer

        return SandboxServer(
            prefixes=(self.prefix,), username="sandbox", password="sandbox",
            allowed_domains=domains, port=port,
        ).start()

    @property
    def url(self) -> str:
        """The sandbox's root URL (the same across restarts)."""
        return self.server.url

    @property
    def control(self) -> Any:
        """The control client of the running sandbox."""
        return self.server.control

    def set_allowed_domains(self, domains: tuple[str, ...]) -> None:
        """What an operator does in Fabrica: change the repository's domain settings."""
        port = self.server.port
        self.server.stop()
        self.server = self._start(port, tuple(domains))

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()
