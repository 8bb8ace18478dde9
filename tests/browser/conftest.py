"""Headless Chromium against the UI app served over real HTTP on loopback.

The UI app is the one of ``tests/views`` (``ui_harness``), with InvenioRDM's
real frontend when it is built: ``scripts/ensure-ui-bundle.sh`` (run by
``./run-tests.sh``) builds the webpack bundle of the installed invenio-app-rdm
and its modules, ours included, into a cache outside the clone, and the app's
static folder is that bundle's. Tests marked ``ui_bundle`` (the deposit form)
skip with the reason when it is not built. Unlike the view tests, nothing runs
inside pytest-invenio's rolled-back transaction: the server answers from its
own threads and connections, so the data is committed for real (in the
module's database, dropped at the end of the module).

A failing test leaves the page's HTML and the browser's console log in
``test-output/browser/`` beside its screenshots.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "views"))

from ui_harness import DomainSandbox, ui_config  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1000",
)
REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
BUNDLE_SCRIPT = REPO / "scripts" / "ensure-ui-bundle.sh"


def ui_bundle() -> Path | None:
    """The static folder of InvenioRDM's built frontend, if ``ensure-ui-bundle.sh`` built it."""
    result = subprocess.run(
        ["bash", str(BUNDLE_SCRIPT), "--print"], cwd=REPO, capture_output=True, text=True, check=False
    )
    folder = Path(result.stdout.strip()) if result.returncode == 0 else None
    return folder if folder and (folder / "dist" / "manifest.json").exists() else None


UI_BUNDLE = ui_bundle()
NO_BUNDLE_REASON = (
    "InvenioRDM's frontend bundle is not built: ./run-tests.sh builds it with "
    "scripts/ensure-ui-bundle.sh (needs node and npm, and the npm registry); its log is in "
    "~/.cache/invenio-doi-ext/ui-bundle/<key>.log"
)


def chromedriver() -> str | None:
    """The Debian chromedriver, if installed."""
    return shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    """Skip the browser tests, saying why, when Chromium or its driver is missing."""
    missing = [name for name, ok in (("/usr/bin/chromium", Path(CHROMIUM).exists()),
                                     ("chromedriver", chromedriver() is not None)) if not ok]
    reason = f"{' and '.join(missing)} not installed (Debian packages chromium, chromium-driver)"
    for item in items:
        if "browser" in item.keywords and missing:
            item.add_marker(pytest.mark.skip(reason=reason))
        elif "ui_bundle" in item.keywords and UI_BUNDLE is None:
            item.add_marker(pytest.mark.skip(reason=NO_BUNDLE_REASON))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """Keep each phase's report on the test item, so the browser fixture knows it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def create_app(instance_path: str) -> Callable:
    """The UI application (with the REST API under /api), its static folder the built bundle's."""
    from invenio_app.factory import create_app as create_ui

    if UI_BUNDLE is None:
        return create_ui

    def create_with_bundle(**kwargs: Any) -> Any:
        # invenio-base resolves the factory's static folder once per process, at the
        # first app it creates (INVENIO_STATIC_FOLDER set now is too late when a view
        # test module created one before); the manifest and /static read the app's.
        app = create_ui(**kwargs)
        app.static_folder = str(UI_BUNDLE)
        return app

    return create_with_bundle


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """UI configuration: the real frontend when built (else none), CSRF on, our side-bar block."""
    return ui_config(bundle=UI_BUNDLE is not None)


def api_app(app: Any) -> Any:
    """The REST API app that the UI app serves under /api (a separate Flask app)."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    wsgi = app.wsgi_app
    while not isinstance(wsgi, DispatcherMiddleware):
        wsgi = wsgi.app  # ProxyFix, when WSGI_PROXIES is set
    return wsgi.mounts["/api"]


@pytest.fixture(scope="module")
def search(search: Any, base_app: Any) -> Iterator[Any]:
    """The search stand-in and the sessions, shared by the UI app and the API app.

    The browser's JavaScript calls the API app (mounted on /api): it must find
    the records the UI indexed and the session the login form opened, both of
    which live in process memory here (one store per app unless shared).
    """
    api = api_app(base_app)
    api.kvsession_store = base_app.kvsession_store
    api_search = api.extensions["invenio-search"]
    api_search._client, api_search._current_suffix = search, ""
    yield search
    api_search._client = None


@pytest.fixture(scope="module")
def datacite_sandbox_server() -> Iterator[DomainSandbox]:
    """This module's own sandbox, whose domain settings the test changes."""
    server = DomainSandbox()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ui_port() -> int:
    """A free loopback port for the UI server, known before the app is configured.

    Pages whose JavaScript follows the API's links (the deposit form) need
    ``SITE_UI_URL`` and ``SITE_API_URL`` to be this server's address.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ui_server(app: Any, ui_port: int) -> Iterator[str]:
    """The UI app on its loopback port, served by werkzeug's threaded server."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", ui_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ui-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def chromium(request: Any, tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium with a fresh profile (named so: pytest-invenio skips tests using `browser`).

    When the test fails, the page's HTML and the console log are saved to
    ``test-output/browser/<test>.html`` and ``<test>.console.json``.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver()), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            save_failure(driver, request.node.name)
        driver.quit()


def save_failure(driver: Any, name: str) -> None:
    """The page and the console of a failed flow, for whoever reads the CI log."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    try:
        (OUTPUT / f"{name}.html").write_text(driver.page_source)
        (OUTPUT / f"{name}.console.json").write_text(json.dumps(driver.get_log("browser"), indent=1))
        driver.save_screenshot(str(OUTPUT / f"{name}.failed.png"))
    except Exception as error:  # noqa: BLE001 - a dead browser must not hide the test's failure
        (OUTPUT / f"{name}.html").write_text(f"could not read the page: {error!r}")


@pytest.fixture(scope="module")
def screenshots() -> Callable[..., Path]:
    """Save a screenshot (the whole page through DevTools, or one element) into test-output/browser/."""
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def shoot(driver: Any, name: str, element: Any = None) -> Path:
        if element is not None:
            path = OUTPUT / f"{name}.png"
            element.screenshot(str(path))
            return path
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = max(metrics["width"], driver.execute_script("return document.documentElement.scrollWidth"))
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": metrics["height"], "scale": 1},
        })
        path = OUTPUT / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    return shoot
