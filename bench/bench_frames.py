"""Frame parsing speed: flaskscope against websockets (C speedups) and wsproto, in one run.

A stream of masked client frames of mixed sizes (deterministic seed; 512 MiB by default) is
parsed by: the flaskscope CLI (``parse-frame --file F --summary --json`` in a child process,
whose peak memory is measured) on the native engine and on the forced pure-Python engine, both
with numpy made unimportable (issue 17: numpy is no longer needed), the flaskscope Python API
(counts only, and keeping every unmasked payload), websockets' ``Frame.parse`` driven by its
``StreamReader``, and wsproto's ``FrameProtocol``. Every parser gets the bytes in the same
1 MiB chunks. Goal (issue 17): the CLI at least 2x websockets, whole process, without numpy.

Usage: python bench/bench_frames.py [--mib 512] [--repeat 2]
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import websockets_frames  # bench/websockets_frames.py: the same loop in process and alone

import flaskscope
from flaskscope import _speedups
from flaskscope.frames import frame as frames_module
from flaskscope.frames.capture import parse_stream
from flaskscope.frames.frame import Frame, Opcode

CHUNK = 1 << 20


def build_stream(total: int, seed: int = 6455) -> tuple[bytes, int]:
    """Masked client frames: half up to 125 bytes, most others up to 64 KiB, 2% up to
    256 KiB; 1 in 5 is (valid UTF-8) text."""
    rng = random.Random(seed)
    parts: list[bytes] = []
    size = 0
    frames = 0
    text_block = ("flaskscope websocket benchmark é ☃ " * 40000).encode()
    while size < total:
        kind = rng.random()
        if kind < 0.50:
            length = rng.randint(0, 125)
        elif kind < 0.80:
            length = rng.randint(126, 4096)
        elif kind < 0.98:
            length = rng.randint(4097, 65535)
        else:
            length = rng.randint(65536, 1 << 18)
        if rng.random() < 0.2:
            start = rng.randrange(0, 1000) * 36
            payload = text_block[start : start + length].decode("utf-8", "ignore").encode()
            opcode = Opcode.TEXT
        else:
            payload = rng.randbytes(length)
            opcode = Opcode.BINARY
        frame = Frame(opcode, payload).serialize(rng.randbytes(4))
        parts.append(frame)
        size += len(frame)
        frames += 1
    return b"".join(parts), frames


def chunks_of(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def run_flaskscope_summary(chunks: list[bytes]) -> int:
    result = parse_stream(chunks, role="client", keep=0, records=False)
    assert result.ok, result.violations[:3]
    return sum(result.summary.frames.values())


def run_flaskscope_payloads(chunks: list[bytes]) -> int:
    result = parse_stream(chunks, role="client", keep=None)
    assert result.ok, result.violations[:3]
    return len(result.frames)


def run_wsproto(chunks: list[bytes]) -> int:
    from wsproto.frame_protocol import FrameProtocol

    protocol = FrameProtocol(client=False, extensions=[])
    frames = 0
    for chunk in chunks:
        protocol.receive_bytes(chunk)
        for frame in protocol.received_frames():
            # wsproto hands out a large frame in pieces as its bytes arrive.
            frames += frame.frame_finished
    return frames


WITHOUT_NUMPY = (
    "import sys; sys.modules['numpy'] = None; sys.argv[0] = 'flaskscope'; "
    "from flaskscope.cli import main; main()"
)
"""The CLI in a child where ``import numpy`` fails, as on a machine without it."""


def run_websockets_process(path: str) -> tuple[float, int]:
    """Wall time and frame count of websockets' parser in a child process on the file."""
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, websockets_frames.__file__, path], capture_output=True, check=True
    )
    return time.perf_counter() - start, int(completed.stdout)


def run_cli(path: str, engine: str = "native") -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of ``flaskscope parse-frame --summary`` on a file."""
    command = [sys.executable, "-c", WITHOUT_NUMPY, "parse-frame", "--file", path]
    command += ["--role", "client", "--summary", "--json"]
    env = dict(os.environ)
    env.pop("FLASKSCOPE_PURE_PYTHON", None)
    if engine == "python":
        env["FLASKSCOPE_PURE_PYTHON"] = "1"
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[:500]
            raise SystemExit(f"flaskscope CLI failed ({child.returncode}): {message}")
    return elapsed, usage.ru_maxrss


def without_numpy(function: Callable[[list[bytes]], int]) -> Callable[[list[bytes]], int]:
    """The same run with flaskscope's optional numpy masking switched off."""

    def run(chunks: list[bytes]) -> int:
        saved = frames_module._numpy, frames_module._numpy_checked
        frames_module._numpy, frames_module._numpy_checked = None, True
        try:
            return function(chunks)
        finally:
            frames_module._numpy, frames_module._numpy_checked = saved

    return run


def pure_python_engine(
    function: Callable[[list[bytes]], int],
) -> Callable[[list[bytes]], int]:
    """The same run with the native masking switched off (the pure-Python engine's path)."""

    def run(chunks: list[bytes]) -> int:
        saved = frames_module._native_mask
        frames_module._native_mask = None
        try:
            return function(chunks)
        finally:
            frames_module._native_mask = saved

    return run


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--mib", type=int, default=512)
    arguments.add_argument("--repeat", type=int, default=2)
    arguments.add_argument("--write", metavar="PATH", help=argparse.SUPPRESS)
    options = arguments.parse_args()
    if options.write:
        data, _ = build_stream(options.mib << 20)
        with open(options.write, "wb") as handle:
            handle.write(data)
        return
    try:
        import websockets.speedups  # noqa: F401

        speedups = "yes"
    except ImportError:
        speedups = "NO (pure Python apply_mask)"
    has_numpy = frames_module._find_numpy() is not None

    # The CLI children start from bytecode, as an installed package does (pip compiles it);
    # without this, PYTHONDONTWRITEBYTECODE or a fresh edit would time the compiler.
    compileall.compile_dir(os.path.dirname(flaskscope.__file__), quiet=1)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "stream.bin")
        # Written by a child so that this process is still small when the CLI child starts
        # (a spawned child's ru_maxrss starts from its parent's resident size).
        subprocess.run(
            [sys.executable, __file__, "--write", path, "--mib", str(options.mib)], check=True
        )
        empty = os.path.join(directory, "empty.bin")
        with open(empty, "wb") as handle:
            handle.write(b"\x82\x80\x00\x00\x00\x00")
        cli_times = []
        pure_cli_times = []
        websockets_process_times = []
        startup_times = []
        cli_rss = 0
        for _ in range(options.repeat):
            elapsed, rss = run_cli(path)
            cli_times.append(elapsed)
            cli_rss = max(cli_rss, rss)
            pure_cli_times.append(run_cli(path, engine="python")[0])
            startup_times.append(run_cli(empty)[0])
            websockets_process_times.append(run_websockets_process(path)[0])
        with open(path, "rb") as handle:
            data = handle.read()
    frame_count = websockets_frames.count_frames(chunks_of(data))
    megabytes = len(data) / 1e6
    chunks = chunks_of(data)
    print(f"stream: {len(data)} bytes, {frame_count} masked client frames, {len(chunks)} chunks")
    print(
        f"websockets C speedups: {speedups}; flaskscope engine: {_speedups.ENGINE}; numpy: "
        f"{'installed (the CLI rows run without it)' if has_numpy else 'not installed'}"
    )

    startup = min(startup_times)
    rows: list[tuple[str, float]] = [
        ("flaskscope CLI --summary (native, no numpy)", min(cli_times)),
        ("  same, minus start-up (CLI on a 1-frame file)", max(min(cli_times) - startup, 1e-6)),
        ("flaskscope CLI --summary (pure Python, no numpy)", min(pure_cli_times)),
    ]
    runs: list[tuple[str, Callable[[list[bytes]], int]]] = [
        ("flaskscope API, counts only (records=False)", run_flaskscope_summary),
        ("flaskscope API, every payload unmasked and kept", run_flaskscope_payloads),
        (
            "  same, pure-Python engine, without numpy",
            pure_python_engine(without_numpy(run_flaskscope_payloads)),
        ),
    ]
    runs += [
        ("websockets Frame.parse + StreamReader", websockets_frames.count_frames),
        ("wsproto FrameProtocol", run_wsproto),
    ]
    best = {name: float("inf") for name, _ in runs}
    for _ in range(options.repeat):
        # Round robin, so that a busy moment on a shared machine hits every parser alike.
        for name, function in runs:
            start = time.perf_counter()
            count = function(chunks)
            best[name] = min(best[name], time.perf_counter() - start)
            assert count == frame_count, (name, count, frame_count)
    rows += [(name, best[name]) for name, _ in runs]
    websockets_process = min(websockets_process_times)
    rows.append(("websockets, whole process (file, child process)", websockets_process))

    timings = dict(rows)
    websockets_time = timings["websockets Frame.parse + StreamReader"]
    wsproto_time = timings["wsproto FrameProtocol"]
    print(f"best of {options.repeat} runs each; CLI start-up alone: {startup:.3f} s")
    print(f"{'parser':<50} {'seconds':>8} {'MB/s':>8} {'vs websockets':>14} {'vs wsproto':>11}")
    for name, elapsed in rows:
        print(
            f"{name:<50} {elapsed:8.3f} {megabytes / elapsed:8.1f} "
            f"{websockets_time / elapsed:13.2f}x {wsproto_time / elapsed:10.2f}x"
        )
    print(f"flaskscope CLI peak memory (ru_maxrss of the child): {cli_rss / 1024:.1f} MiB")
    print("(ratios > 1: flaskscope is faster; the CLI time includes interpreter start-up)")
    whole = websockets_process / min(cli_times)
    print(f"whole process, CLI / websockets in a child: {whole:.2f}x  (goal >= 2x)")


if __name__ == "__main__":
    main()
