"""``--serve``: after the story, leave the demo's instance running in InvenioRDM's real UI.

The UI application (invenio-app-rdm's pages, with the REST API under /api) is
served by werkzeug on loopback, with InvenioRDM's built frontend
(``scripts/ensure-ui-bundle.sh``, which ``./run-demo.sh --serve`` runs) as its
static folder. The Celery worker and beat keep running, so a newcomer can log
in, deposit, ask for a DOI, publish and watch the DOI status block change.

Everything the demo keeps in process memory (the search stand-in, sessions) is
shared by the story's application, the UI application and the API application
it mounts, so the story's records are found and a login holds on every page.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Callable

from ..embedded import install_search_standin

USER_EMAIL = "depositor@demo.example.org"
USER_PASSWORD = "demo-password"
#: The vocabularies InvenioRDM's deposit form reads besides resource types (empty here).
FORM_VOCABULARIES = (
    ("titletypes", "ttyp"), ("creatorsroles", "crr"), ("contributorsroles", "cor"),
    ("descriptiontypes", "dty"), ("datetypes", "dat"), ("relationtypes", "rlt"),
    ("removalreasons", "rem"),
)

def ui_config(config: dict[str, Any], port: int) -> dict[str, Any]:
    """The demo's configuration for pages in a browser at http://127.0.0.1:<port>.

    DataCite still receives the demo's landing URLs (demo.example.org, the
    sandbox account's domain), whatever address the browser uses. The form's
    defaults are InvenioRDM's without the licence (the demo has no licence
    vocabulary).
    """
    site = f"http://127.0.0.1:{port}"
    return {
        **config,
        "SITE_UI_URL": site,
        "SITE_API_URL": f"{site}/api",
        "DOI_EXT_LANDING_URL": "https://demo.example.org/doi/{doi}",
        "APP_RDM_DEPOSIT_FORM_DEFAULTS": {
            "publication_date": lambda: date.today().isoformat(),
            "publisher": config.get("THEME_SITENAME", "Demo Repository"),
        },
        "SESSION_COOKIE_SECURE": False,
        "APP_DEFAULT_SECURE_HEADERS": {
            "force_https": False,
            "session_cookie_secure": False,
            "content_security_policy": {
                "default-src": ["'self'", "data:", "'unsafe-inline'", "'unsafe-eval'", "blob:"],
            },
        },
    }


def _api_app(app: Any) -> Any:
    """The REST API application the UI application mounts on /api."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    wsgi = app.wsgi_app
    while not isinstance(wsgi, DispatcherMiddleware):
        wsgi = wsgi.app
    return wsgi.mounts["/api"]


def _prepare(app: Any, search_client: Any) -> None:
    """Share memory-held services; give the depositor a password to log in with."""
    from flask_security.utils import hash_password
    from invenio_access.models import ActionUsers
    from invenio_access.permissions import ActionNeed, system_identity
    from invenio_accounts.proxies import current_datastore
    from invenio_db import db
    from invenio_vocabularies.proxies import current_service as vocabularies
    from invenio_vocabularies.records.models import VocabularyType

    from ..lifecycle.models import utcnow

    api = _api_app(app)
    api.kvsession_store = app.kvsession_store
    for flask_app in (app, api):
        search = flask_app.extensions["invenio-search"]
        search._client, search._current_suffix = search_client, ""
    with app.app_context():
        for vocabulary, pid_type in FORM_VOCABULARIES:
            if VocabularyType.query.filter_by(id=vocabulary).one_or_none() is None:
                vocabularies.create_type(system_identity, vocabulary, pid_type)
        user = current_datastore.get_user(USER_EMAIL)
        user.password = hash_password(USER_PASSWORD)
        user.confirmed_at = utcnow()
        user.username = "depositor"
        for action in ("administration-access", "administration-moderation"):
            db.session.add(ActionUsers.allow(ActionNeed(action), user=user))
        db.session.commit()


def serve(
    config: dict[str, Any], instance_path: Path, story_app: Any, port: int, static: Path,
    echo: Callable[[str], None],
) -> None:
    """Serve the UI until interrupted (Ctrl-C)."""
    from invenio_app.factory import create_app
    from werkzeug.serving import make_server

    os.environ["INVENIO_STATIC_FOLDER"] = str(static)
    app = create_app(instance_path=str(instance_path), **ui_config(config, port))
    with story_app.app_context():
        client = story_app.extensions["invenio-search"]._client or install_search_standin()
    _prepare(app, client)
    server = make_server("127.0.0.1", port, app, threaded=True)
    echo(f"\nServing the demo's instance in InvenioRDM's UI: http://127.0.0.1:{port}/")
    echo(f"  log in as {USER_EMAIL} / {USER_PASSWORD} (depositor and administrator)")
    echo(f"  new upload: http://127.0.0.1:{port}/uploads/new   "
         f"DOIs: http://127.0.0.1:{port}/administration/dois")
    echo("  the Celery worker and beat keep converging DOIs; Ctrl-C stops everything")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        echo("\nstopping")
    finally:
        server.server_close()
