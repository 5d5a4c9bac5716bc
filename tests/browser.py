"""A real headless Chromium driven by Selenium (chromedriver), for the HTML report tests.

``make test`` installs the Debian packages ``chromium`` and ``chromium-driver`` (scripts/
system-deps.sh) and the ``selenium`` dev dependency. Without them the tests skip with the
reason, except under CI (``CI`` set), where they fail: CI must open the reports for real.

Chromium starts with background networking, component updates, sync and QUIC off and a
fresh profile, so the only network requests it could make are the page's own; the
performance log (DevTools ``Network`` events) records every one of them.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,900",
)


def _binary(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must open the reports in Chromium, but {reason}")
    pytest.skip(reason)


@dataclass
class Browser:
    """One Chromium for a test module; :meth:`open` loads a page and returns what happened."""

    driver: Any
    shots: list[Path] = field(default_factory=list)

    def open(self, page: Path) -> PageLoad:
        self.driver.get_log("browser")  # drop what earlier pages left
        self.driver.get_log("performance")
        url = page.resolve().as_uri()
        self.driver.get(url)
        self.driver.execute_script("return document.readyState")
        console = self.driver.get_log("browser")
        requests, blocked = _requests(self.driver.get_log("performance"))
        return PageLoad(url=url, console=console, requests=requests, blocked_by_csp=blocked)

    def screenshot(self, path: Path) -> Path:
        """The whole page (not just the window) as PNG, through DevTools."""
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        self.shots.append(path)
        return path

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)


@dataclass
class PageLoad:
    url: str
    console: list[dict[str, Any]]
    requests: list[str]
    """Every URL the page asked for (DevTools Network.requestWillBeSent), the page too."""
    blocked_by_csp: list[str]
    """Those the Content-Security-Policy stopped before they left (Network.loadingFailed)."""

    def other_requests(self) -> list[str]:
        return [url for url in self.requests if url.split("#")[0] != self.url]


def _requests(entries: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    urls: dict[str, str] = {}
    blocked = []
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif (
            message.get("method") == "Network.loadingFailed"
            and params.get("blockedReason") == "csp"
            and params["requestId"] in urls
        ):
            blocked.append(urls[params["requestId"]])
    return list(urls.values()), blocked


@contextmanager
def running_chromium(*, dark: bool = False) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, quit on exit."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[dev]')")
    chromium = _binary("chromium", "chromium-browser", "google-chrome")
    driver_binary = _binary("chromedriver")
    if chromium is None or driver_binary is None:
        _missing("no chromium/chromedriver: install the Debian packages chromium chromium-driver")
    assert chromium is not None
    assert driver_binary is not None
    profile = tempfile.mkdtemp(prefix="flaskscope-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_binary))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
