"""Headless Chromium against the UI app served over real HTTP on loopback.

The UI app is the one of ``tests/views`` (``ui_harness``). Unlike the view
tests, nothing runs inside pytest-invenio's rolled-back transaction: the server
answers from its own threads and connections, so the data is committed for
real (in the module's database, dropped at the end of the module).
"""

from __future__ import annotations

import base64
import shutil
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
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def chromedriver() -> str | None:
    """The Debian chromedriver, if installed."""
    return shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    """Skip the browser tests, saying why, when Chromium or its driver is missing."""
    missing = [name for name, ok in (("/usr/bin/chromium", Path(CHROMIUM).exists()),
                                     ("chromedriver", chromedriver() is not None)) if not ok]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (Debian packages chromium, chromium-driver)"
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def create_app(instance_path: str) -> Callable:
    """The UI application (with the REST API under /api)."""
    from invenio_app.factory import create_app as create_ui

    return create_ui


@pytest.fixture(scope="module")
def extra_app_config() -> dict[str, Any]:
    """UI configuration: no frontend bundle, CSRF on, our side-bar block."""
    return ui_config()


@pytest.fixture(scope="module")
def datacite_sandbox_server() -> Iterator[DomainSandbox]:
    """This module's own sandbox, whose domain settings the test changes."""
    server = DomainSandbox()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ui_server(app: Any) -> Iterator[str]:
    """The UI app on a free loopback port, served by werkzeug's threaded server."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ui-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium with a fresh profile (named so: pytest-invenio skips tests using `browser`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver()), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


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
