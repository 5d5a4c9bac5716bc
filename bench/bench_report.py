"""HTML report of a 100,000-frame capture: how long the page takes to make, how big it is,
and how long headless Chromium takes to open it (the issue asks for "a few seconds").

The peer is the same command without ``--html`` (the cost of the report itself), and the
frame-by-frame JSON (``--json-lines``), which also writes every frame. Keep runs short: the
machine is shared. Chromium is skipped (with a line saying so) when it is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.frames import Frame, Opcode

FRAMES = 100_000


def capture(path: Path) -> None:
    """Text and binary messages of varied length, masked as a client sends them."""
    out = bytearray()
    for n in range(FRAMES):
        if n % 3:
            out += Frame(Opcode.TEXT, (f"message {n} " * (1 + n % 7)).encode()).serialize(mask=True)
        else:
            out += Frame(Opcode.BINARY, os.urandom(20 + n % 300)).serialize(mask=True)
    path.write_bytes(out)


def flaskscope() -> list[str]:
    found = shutil.which("flaskscope") or str(Path(sys.executable).parent / "flaskscope")
    return [found]


def best_seconds(command: list[str], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def open_in_chromium(page: Path) -> str:
    """DOMContentLoaded and load of the page in headless Chromium, best of 3 (ms)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    missing = [name for name in ("selenium", "pytest") if importlib.util.find_spec(name) is None]
    if missing:
        return f"chromium: skipped (not installed: {', '.join(missing)})"
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return "chromium: skipped (no chromium/chromedriver)"
    from tests.browser import running_chromium

    timings = []
    with running_chromium() as browser:
        for _ in range(3):
            load = browser.open(page)
            timing = browser.script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "const p = performance.getEntriesByType('paint');"
                "return [p.length ? p[0].startTime : -1, n.domContentLoadedEventEnd,"
                " n.loadEventEnd]"
            )
            marks = browser.script("return document.querySelectorAll('a.mark').length")
            assert not load.other_requests(), load.other_requests()
            timings.append((timing[2], timing))
    _, (paint, ready, loaded) = min(timings)
    return (
        f"chromium: first paint {paint:.0f} ms, DOMContentLoaded {ready:.0f} ms, "
        f"load {loaded:.0f} ms; {marks} timeline marks"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as work:
        data = Path(work) / "capture.bin"
        page = Path(work) / "report.html"
        capture(data)
        base = [*flaskscope(), "parse-frame", "--file", str(data)]
        summary = best_seconds([*base, "--summary"])
        report = best_seconds([*base, "--summary", "--html", str(page)])
        only_page = best_seconds([*base, "--html", "-"])
        json_lines = best_seconds([*base, "--json-lines"])
        size = page.stat().st_size
        print(f"{FRAMES} frames, {data.stat().st_size / 1e6:.1f} MB capture")
        print(f"  parse-frame --summary --html FILE  {report:6.2f} s  page {size / 1e6:.1f} MB")
        print(f"  parse-frame --html - (page only)   {only_page:6.2f} s")
        for name, seconds in (("--summary (no page)", summary), ("--json-lines", json_lines)):
            print(f"  parse-frame {name:<22} {seconds:6.2f} s  ratio {seconds / report:5.2f}")
        print("  " + open_in_chromium(page))


if __name__ == "__main__":
    main()
