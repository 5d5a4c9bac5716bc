"""The ``doctor`` report and the Flask-Session (server-side) cookie report in a real headless
Chromium (tests/browser.py), made by the real CLI from a real app and a real redis-server:
no console message, no network request, the verdict is the terminal's, each finding shows
its severity in words and sits under its severity, and hostile text (store keys quoted in
findings, stored session keys and values) never runs. The controls paste the text back
unescaped to prove the checks can fail."""

from __future__ import annotations

import json
import pickle
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask, session

from tests.browser import Browser, PageLoad, running_chromium
from tests.conftest import run_cli
from tests.redis_server import RedisServer, running_redis
from tests.render.html.captures import HOSTILE_IMG, HOSTILE_SCRIPT, pasted_unescaped

SAMPLES = Path(__file__).parent.parent.parent.parent / "samples"

# Without quotes, so that Python's repr in the session tree keeps them whole.
BARE_IMG = "<img src=x onerror=window.__pwned=1>"
BARE_SCRIPT = "</script><script>window.__pwned=2</script>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with running_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture
def store(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()


def _clean(load: PageLoad) -> None:
    assert load.console == [], load.console
    assert load.other_requests() == [], load.other_requests()


def _not_pwned(browser: Browser) -> None:
    assert browser.script("return typeof window.__pwned") == "undefined"
    assert browser.script("return document.images.length") == 0
    assert browser.script("return document.scripts.length") == 1


def _verdict(browser: Browser) -> str:
    text: str = browser.script(
        "return document.querySelector('#verdict .verdict-text').textContent"
    )
    return text


def _findings(browser: Browser) -> list[list[str]]:
    """Per finding: its section's heading, the badge, the id, what, the reference link."""
    rows: list[list[str]] = browser.script(
        "return Array.from(document.querySelectorAll('article.finding')).map(a => ["
        "a.closest('section').querySelector('h2').textContent,"
        "a.querySelector('.badge').textContent,"
        "a.querySelector('.finding-id').textContent,"
        "a.querySelector('.finding-what').textContent,"
        "a.querySelector('a.rfc') ? a.querySelector('a.rfc').href : ''])"
    )
    return rows


def test_doctor_report_of_the_weak_sample(browser: Browser, tmp_path: Path) -> None:
    app = str(SAMPLES / "doctor_weak_app.py")
    plain = run_cli("doctor", "--app", app)
    page = tmp_path / "doctor.html"
    result = run_cli("doctor", "--app", app, "--html", str(page))
    assert result.exit_code == plain.exit_code == 1
    assert result.stdout == plain.stdout
    document = json.loads(run_cli("doctor", "--app", app, "--json").stdout)
    load = browser.open(page)
    browser.screenshot(tmp_path / "doctor.png")
    _clean(load)
    _not_pwned(browser)
    assert _verdict(browser) == plain.stdout.rstrip().splitlines()[-1]
    assert browser.script("return document.querySelector('#verdict .badge').textContent") == (
        "problem"
    )
    rows = _findings(browser)
    assert [row[2] for row in rows] == [finding["id"] for finding in document["findings"]]
    assert [row[1] for row in rows] == [finding["severity"] for finding in document["findings"]]
    assert [row[3] for row in rows] == [finding["what"] for finding in document["findings"]]
    headings = browser.script(
        "return Array.from(document.querySelectorAll('section.findings h2'))"
        ".map(h => h.textContent)"
    )
    assert headings == ["HIGH (2)", "MEDIUM (3)", "LOW (2)", "INFO (1)"]
    for heading, badge, *_ in rows:
        assert heading.startswith(badge.upper() + " (")
    # every finding links to where its rule comes from: an RFC section or the documentation
    assert all(row[4].startswith("https://") for row in rows), rows
    by_id = {row[2]: row[4] for row in rows}
    assert by_id["cookie-not-secure"] == "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5"
    assert by_id["secret-key-weak"].endswith("/config/#SECRET_KEY")
    text = browser.script("return document.body.innerText")
    assert "samples/doctor_weak_app.py, line 14" in text  # SECRET_KEY's line in the sample
    assert "development key" not in page.read_text(encoding="utf-8")  # the key is never shown


def test_doctor_report_of_a_good_app_says_no_finding(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "good.html"
    result = run_cli("doctor", "--app", str(SAMPLES / "doctor_good_app.py"), "--html", str(page))
    assert result.exit_code == 0
    load = browser.open(page)
    _clean(load)
    assert _verdict(browser) == "no finding" == result.stdout.rstrip().splitlines()[-1]
    assert browser.script("return document.querySelector('#verdict .badge').textContent") == "ok"
    assert _findings(browser) == []


@pytest.mark.usefixtures("sample_apps")
def test_doctor_report_with_hostile_store_keys(
    browser: Browser, redis_server: RedisServer, store: redis.Redis, tmp_path: Path
) -> None:
    """``--store`` quotes the pickled keys it found: keys an attacker named."""
    for key in (HOSTILE_IMG, HOSTILE_SCRIPT):
        store.set(f"session:{key}", pickle.dumps({"user": "ada"}, protocol=2))
    app = f"doctor_apps:flask_session({redis_server.url!r})"
    plain = run_cli("doctor", "--app", app, "--store")
    page = tmp_path / "doctor-store.html"
    result = run_cli("doctor", "--app", app, "--store", "--html", str(page))
    assert result.exit_code == plain.exit_code == 1, result.stderr
    load = browser.open(page)
    browser.screenshot(tmp_path / "doctor-store.png")
    _clean(load)
    _not_pwned(browser)
    assert _verdict(browser) == plain.stdout.rstrip().splitlines()[-1]
    rows = {row[2]: row for row in _findings(browser)}
    pickles = rows["flask-session-legacy-pickles-in-store"]
    assert pickles[1] == "high"
    assert HOSTILE_IMG in pickles[3]
    assert HOSTILE_SCRIPT in pickles[3]
    assert "2 key(s) scanned" in browser.script(
        "return document.querySelector('table.summary').innerText"
    )
    control = pasted_unescaped(page, tmp_path, (HOSTILE_IMG, HOSTILE_SCRIPT), keep_csp=False)
    browser.open(control)
    assert browser.script("return window.__pwned") in ("img", "script")


def _flask_session_app(url: str) -> Flask:
    """A real Flask-Session app on the test's redis-server; /login stores hostile text."""
    from flask_session import Session

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        SESSION_TYPE="redis",
        SESSION_REDIS=redis.Redis.from_url(url),
        SESSION_PERMANENT=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        Session(app)

    @app.route("/login")
    def login() -> str:
        session.update(
            {
                "user": BARE_IMG,
                "roles": ["admin", BARE_SCRIPT],
                HOSTILE_IMG: 7,
                "profile": {"name": "ada", "ratio": 0.5},
            }
        )
        return "ok"

    return app


def _status_line(stdout: str) -> str:
    """The terminal's verdict for a Flask-Session cookie: its first line."""
    return stdout.splitlines()[0]


def test_flask_session_cookie_report(
    browser: Browser, redis_server: RedisServer, store: redis.Redis, tmp_path: Path
) -> None:
    app = _flask_session_app(redis_server.url)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    args = ("decode-cookie", cookie.value, "--store", redis_server.url)
    plain = run_cli(*args)
    page = tmp_path / "server-session.html"
    result = run_cli(*args, "--html", str(page))
    assert result.exit_code == plain.exit_code == 0, result.stderr
    assert result.stdout == plain.stdout
    load = browser.open(page)
    browser.screenshot(tmp_path / "server-session.png")
    _clean(load)
    _not_pwned(browser)
    assert (
        _verdict(browser) == "found: found in the store (data below)" == _status_line(plain.stdout)
    )
    facts = dict(
        browser.script(
            "return Array.from(document.querySelectorAll('table.facts-table tr'))"
            ".map(r => [r.cells[0].textContent, r.cells[1].textContent])"
        )
    )
    assert facts["store key"] == f"session:{cookie.value}"
    assert facts["signed"] == "no (bare id, the Flask-Session default)"
    ttl = int(facts["TTL"].split(" s ")[0])
    assert 31 * 86400 - 60 <= ttl <= 31 * 86400  # PERMANENT_SESSION_LIFETIME, as Redis keeps it
    tree = browser.script("return document.querySelector('pre.tree').textContent")
    assert f"user = '{BARE_IMG}'  str" in tree
    assert f"[1] = '{BARE_SCRIPT}'  str" in tree
    assert f"{HOSTILE_IMG} = 7  int" in tree
    assert "profile  dict[2]" in tree
    assert "ratio = 0.5  float" in tree
    for pasted, runs in ((False, True), (True, False)):
        control = pasted_unescaped(page, tmp_path, (HOSTILE_IMG, BARE_IMG), keep_csp=pasted)
        browser.open(control)
        ran = browser.script("return typeof window.__pwned") != "undefined"
        assert ran is runs


def test_legacy_pickle_session_report(
    browser: Browser, redis_server: RedisServer, store: redis.Redis, tmp_path: Path
) -> None:
    """A pickle written by Flask-Session 0.5 is listed opcode by opcode, never unpickled."""
    session_id = secrets.token_urlsafe(32)
    store.set(f"session:{session_id}", pickle.dumps({"user": BARE_IMG, BARE_SCRIPT: 1}, 2))
    page = tmp_path / "legacy.html"
    # name=value: a token_urlsafe id starts with "-" about once in 64, which Click would take
    # for an option.
    result = run_cli(
        "decode-cookie", f"session={session_id}", "--store", redis_server.url, "--html", str(page)
    )
    assert result.exit_code == 0, result.stderr
    load = browser.open(page)
    browser.screenshot(tmp_path / "legacy.png")
    _clean(load)
    _not_pwned(browser)
    assert (
        _verdict(browser) == "found: found in the store (data below)" == _status_line(result.stdout)
    )
    # found, but a legacy pickle without TTL: a note, not an OK
    assert browser.script("return document.querySelector('#verdict .badge').textContent") == "note"
    listing = browser.script("return document.querySelector('pre.listing').textContent")
    assert f"BINUNICODE '{BARE_IMG}'" in listing
    warnings_shown = browser.script(
        "return Array.from(document.querySelectorAll('ul.warnings li')).map(li => li.textContent)"
    )
    assert any("legacy pickle" in text for text in warnings_shown)
    assert any("no TTL" in text for text in warnings_shown)


def test_trace_report(browser: Browser, tmp_path: Path) -> None:
    """``trace --html``: one list item per event, in order, with the terminal's verdict; the
    mistake links to its event; session values the app stored from the form never run."""
    app = str(SAMPLES / "trace_app.py")
    requests = (
        *("POST", "/login", "--data", f"user={BARE_IMG}", "--"),
        *("POST", "/cart/add", "--data", f"item={BARE_SCRIPT}"),
    )
    plain = run_cli("trace", "--app", app, *requests)
    page = tmp_path / "trace.html"
    result = run_cli("trace", "--app", app, "--html", str(page), *requests)
    assert result.exit_code == plain.exit_code == 1
    assert result.stdout == plain.stdout
    document = json.loads(run_cli("trace", "--app", app, "--json", *requests).stdout)
    load = browser.open(page)
    browser.screenshot(tmp_path / "trace.png")
    _clean(load)
    _not_pwned(browser)
    terminal = [line for line in plain.stdout.splitlines() if line.strip()]
    assert _verdict(browser) + ":" == "1 mistake(s):" == terminal[-2]
    events = browser.script(
        "return Array.from(document.querySelectorAll('ol.events li')).map(li => "
        "[li.value, li.querySelector('.event-kind').textContent,"
        " li.querySelector('.event-name').textContent])"
    )
    assert events == [[e["seq"], e["kind"], e["name"]] for e in document["events"]]
    headings = browser.script(
        "return Array.from(document.querySelectorAll('section.trace h2')).map(h => h.textContent)"
    )
    assert headings == ["POST /login -> 302", "POST /cart/add -> 200"]
    (mistake,) = document["mistakes"]
    link = browser.driver.find_element("css selector", "ul.mistakes a")
    assert link.get_dom_attribute("href") == f"#event-{mistake['seq']}"
    link.click()
    assert browser.script("return location.hash") == f"#event-{mistake['seq']}"
    assert mistake["id"] in browser.script("return document.querySelector(':target').textContent")
    text = browser.script("return document.body.innerText")
    assert f"+user='{BARE_IMG}'" in text
    assert BARE_SCRIPT in text
    control = pasted_unescaped(page, tmp_path, (BARE_IMG,), keep_csp=False)
    browser.open(control)
    assert browser.script("return window.__pwned") == 1
