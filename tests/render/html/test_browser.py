"""Each kind of report opened in a real headless Chromium (tests/browser.py): no console
error, no network request, one timeline mark per message or control frame, a click (and
Enter) on a mark shows its message, and hostile text from the input never runs.

The controls at the end prove the checks can fail: the same page with the payload pasted
in unescaped and without its CSP does run it (and asks for the image), and the same page
with its CSP but the payload unescaped is stopped by the CSP alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, PageLoad, running_chromium
from tests.conftest import run_cli
from tests.peers import flask_cookie
from tests.render.html.captures import (
    HOSTILE,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    handshake_files,
    pasted_unescaped,
    write_capture,
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with running_chromium() as chromium:
        yield chromium


def _clean(load: PageLoad) -> None:
    assert load.console == [], load.console
    assert load.other_requests() == [], load.other_requests()


def _not_pwned(browser: Browser) -> None:
    assert browser.script("return typeof window.__pwned") == "undefined"
    assert browser.script("return document.images.length") == 0
    assert browser.script("return document.scripts.length") == 1


def _frames_report(tmp_path: Path) -> tuple[Path, object]:
    data, response, capture = write_capture(tmp_path)
    page = tmp_path / "frames.html"
    result = run_cli(
        "parse-frame", "--file", str(data), "--handshake", str(response), "--html", str(page)
    )
    assert result.exit_code == 0, result.stderr
    return page, capture


def test_frames_report(browser: Browser, tmp_path: Path) -> None:
    page, capture = _frames_report(tmp_path)
    load = browser.open(page)
    browser.screenshot(tmp_path / "frames.png")
    _clean(load)
    _not_pwned(browser)
    marks = browser.script("return document.querySelectorAll('svg.tl a.mark').length")
    assert marks == capture.entries == 9  # type: ignore[attr-defined]
    texts = browser.script(
        "return Array.from(document.querySelectorAll('details.entry pre.payload'))"
        ".map(e => e.textContent)"
    )
    # --max-bytes (256) of each text, then how many bytes are left out
    assert texts == [text[:256] for text in capture.texts]  # type: ignore[attr-defined]
    long_text = capture.texts[4]  # type: ignore[attr-defined]
    assert f"... {len(long_text) - 256} more bytes not shown." in browser.script(
        "return document.body.innerText"
    )
    for hostile in HOSTILE:
        assert hostile in browser.script("return document.body.innerText")


def test_click_on_a_mark_shows_its_message(browser: Browser, tmp_path: Path) -> None:
    page, capture = _frames_report(tmp_path)
    browser.open(page)
    driver = browser.driver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    marks = driver.find_elements(By.CSS_SELECTOR, "svg.tl a.mark")
    seventh = marks[5]  # the 256-byte binary message: collapsed (beyond the first screen)
    target = seventh.get_dom_attribute("href").removeprefix("#")
    details = driver.find_element(By.ID, target)
    assert details.get_attribute("open") is None
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", seventh)
    seventh.click()
    assert details.get_attribute("open") is not None
    assert details.is_displayed()
    body = details.text
    assert "binary message, 256 bytes" in body
    assert "00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f" in body
    info = driver.find_element(By.CSS_SELECTOR, ".mark-info").text
    assert info.startswith("#5 client binary message, 256 bytes")
    # Keyboard: the mouse leaves, focus goes to the hostile text's mark, Enter opens it.
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).move_to_element(driver.find_element(By.TAG_NAME, "h1")).perform()
    second = marks[1]
    driver.execute_script("arguments[0].focus()", second)
    assert driver.find_element(By.CSS_SELECTOR, ".mark-info").text.endswith(HOSTILE_IMG)
    second.send_keys(Keys.ENTER)
    target = second.get_dom_attribute("href").removeprefix("#")
    opened = driver.find_element(By.ID, target)
    assert opened.get_attribute("open") is not None
    assert opened.find_element(By.CSS_SELECTOR, "pre.payload").text == HOSTILE_IMG
    assert driver.switch_to.active_element.tag_name == "summary"
    assert capture.texts[1] == HOSTILE_IMG  # type: ignore[attr-defined]
    _not_pwned(browser)
    browser.screenshot(tmp_path / "frames-clicked.png")


def test_cookie_report(browser: Browser, tmp_path: Path) -> None:
    cookie = flask_cookie(
        "s3cret", {"user": HOSTILE_IMG, "roles": [HOSTILE_SCRIPT, "admin"], "n": 7}
    )
    page = tmp_path / "cookie.html"
    result = run_cli("decode-cookie", cookie, "-k", "s3cret", "--html", str(page))
    assert result.exit_code == 0, result.stderr
    load = browser.open(page)
    browser.screenshot(tmp_path / "cookie.png")
    _clean(load)
    _not_pwned(browser)
    assert browser.script("return document.querySelectorAll('a.mark').length") == 0
    text = browser.script("return document.body.innerText")
    assert "valid: genuine and within its max age" in text
    assert "matches the secret key" in text
    assert f"user = '{HOSTILE_IMG}'  str" in text
    assert "roles  list[2]" in text
    assert "s3cret" not in page.read_text(encoding="utf-8")


def test_handshake_report(browser: Browser, tmp_path: Path) -> None:
    request, response = handshake_files(tmp_path)
    page = tmp_path / "handshake.html"
    result = run_cli("check-handshake", str(request), str(response), "--html", str(page))
    load = browser.open(page)
    browser.screenshot(tmp_path / "handshake.png")
    _clean(load)
    _not_pwned(browser)
    rows = browser.script(
        "return Array.from(document.querySelectorAll('table.checklist tbody tr'))"
        ".map(r => [r.cells[0].innerText, r.cells[1].innerText, r.cells[2].querySelector('a')"
        " ? r.cells[2].querySelector('a').href : ''])"
    )
    json_rows = run_cli("check-handshake", str(request), str(response), "--json")
    import json

    checks = json.loads(json_rows.stdout)["checks"]
    assert [row[1] for row in rows] == [check["id"] for check in checks]
    assert [row[0] == "OK" for row in rows] == [check["ok"] for check in checks]
    assert all(
        re.match(r"https://www\.rfc-editor\.org/rfc/rfc\d+#section-", row[2]) for row in rows
    )
    assert result.exit_code == (0 if all(check["ok"] for check in checks) else 1)


def test_large_capture_report(browser: Browser, tmp_path: Path) -> None:
    """Past the limits the page says what it left out, and still opens cleanly."""
    from flaskscope.frames.builder import build_frames  # noqa: F401  (the builder exists)

    count = 6000
    frame = b"\x81\x05hello"
    page = tmp_path / "big.html"
    data = tmp_path / "big.bin"
    data.write_bytes(frame * count)
    result = run_cli("parse-frame", "--file", str(data), "--summary", "--html", str(page))
    assert result.exit_code == 0, result.stderr
    load = browser.open(page)
    _clean(load)
    assert browser.script("return document.querySelectorAll('a.mark').length") == 5000
    assert browser.script("return document.querySelectorAll('details.entry').length") == 1000
    text = browser.script("return document.body.innerText")
    assert "5000 of 6000 messages and control frames are counted but not shown in detail" in text
    assert "1000 are not drawn" in text


def _pasted(page: Path, tmp_path: Path, *, keep_csp: bool) -> Path:
    return pasted_unescaped(page, tmp_path, (HOSTILE_IMG, HOSTILE_SCRIPT), keep_csp=keep_csp)


def test_control_unescaped_payload_without_csp_runs(browser: Browser, tmp_path: Path) -> None:
    page, _ = _frames_report(tmp_path)
    load = browser.open(_pasted(page, tmp_path, keep_csp=False))
    assert browser.script("return window.__pwned") in ("img", "script")
    assert browser.script("return document.images.length") > 0
    assert any(url.endswith("/x") for url in load.other_requests())


def test_control_csp_alone_stops_the_unescaped_payload(browser: Browser, tmp_path: Path) -> None:
    page, _ = _frames_report(tmp_path)
    load = browser.open(_pasted(page, tmp_path, keep_csp=True))
    assert browser.script("return typeof window.__pwned") == "undefined"
    # the image is asked for, and stopped by the CSP before it leaves
    assert load.other_requests() == load.blocked_by_csp != []
    assert any("Content Security Policy" in entry["message"] for entry in load.console)


def test_dark_mode_page_is_readable(tmp_path: Path) -> None:
    page, _ = _frames_report(tmp_path)
    with running_chromium(dark=True) as dark:
        load = dark.open(page)
        _clean(load)
        background = dark.script("return getComputedStyle(document.body).backgroundColor")
        colour = dark.script("return getComputedStyle(document.body).color")
        dark.screenshot(tmp_path / "frames-dark.png")
    assert background == "rgb(22, 24, 29)"
    assert colour == "rgb(230, 230, 230)"


def test_a_link_to_a_message_opens_it(browser: Browser, tmp_path: Path) -> None:
    """``report.html#conversation-e6`` (a link pasted in a ticket) opens that message."""
    page, _ = _frames_report(tmp_path)
    browser.driver.get(page.resolve().as_uri() + "#conversation-e6")
    assert browser.script("return document.getElementById('conversation-e6').open") is True
    assert browser.script("return document.getElementById('conversation-e7').open") is False
    assert browser.driver.get_log("browser") == []


def test_keyboard_reaches_every_mark_from_one_tab_stop(browser: Browser, tmp_path: Path) -> None:
    """Tab reaches the timeline once; the arrow keys, Home and End walk its marks."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page, capture = _frames_report(tmp_path)
    browser.open(page)
    stops = browser.script(
        "return document.querySelectorAll('a.mark:not([tabindex=\"-1\"])').length"
    )
    assert stops == 1
    actions = ActionChains(browser.driver)
    for _ in range(40):  # Tab from the top of the page until a mark has the focus
        actions.send_keys(Keys.TAB).perform()
        if browser.script("return document.activeElement.classList.contains('mark')"):
            break
    info = "return document.querySelector('.mark-info').textContent"
    assert browser.script("return document.activeElement.dataset.n") == "0"
    assert browser.script(info).startswith("#0 client text message")
    actions.send_keys(Keys.ARROW_RIGHT).perform()
    assert browser.script(info).startswith("#1 client text message")
    actions.send_keys(Keys.END).perform()
    assert browser.script(info).startswith("#8 client close frame")
    assert browser.script("return document.activeElement.dataset.n") == str(
        capture.entries - 1  # type: ignore[attr-defined]
    )
    actions.send_keys(Keys.HOME).perform()
    assert browser.script("return document.activeElement.dataset.n") == "0"
