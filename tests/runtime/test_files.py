"""flaskscope.runtime.files: opening never blocks, only files and pipes, reads bounded."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from flaskscope.errors import InputError
from flaskscope.runtime.files import describe_size, open_input_file, read_bounded, read_limited


def test_fifo_without_writer_opens_at_once_and_reads_empty(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with open_input_file(str(fifo)) as handle:
        assert handle.read() == b""


def test_fifo_with_a_writer_is_read_to_its_end(tmp_path: Path) -> None:
    """The non-blocking flag is cleared after opening: a slow writer is waited for."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    ready = threading.Event()

    def write() -> None:
        with open(fifo, "wb") as writer:  # blocks until the reader below has opened
            ready.set()
            writer.write(b"first ")
            writer.flush()
            threading.Event().wait(0.2)
            writer.write(b"second")

    thread = threading.Thread(target=write)
    thread.start()
    # Opened for reading without blocking; the writer's open() returns once it is.
    with open_input_file(str(fifo)) as handle:
        assert ready.wait(10)
        assert read_limited(handle, 100) == b"first second"
    thread.join(10)
    assert not thread.is_alive()


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/"])
def test_devices_and_directories_are_refused(path: str) -> None:
    with pytest.raises(OSError, match=r"not a regular file or a pipe|is a directory"):
        open_input_file(path)


def test_read_bounded_says_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 2049)
    with pytest.raises(InputError, match="larger than 2 KiB"):
        read_bounded(str(path), 2048, what="the key file")
    assert read_bounded(str(path), 4096, what="the key file") == b"x" * 2049


def test_read_error_partway_is_an_oserror() -> None:
    with pytest.raises(OSError, match="Input/output error"):
        read_bounded("/proc/self/mem", 1024, what="memory")


def test_describe_size() -> None:
    assert describe_size(64 << 20) == "64 MiB"
    assert describe_size(4 << 30) == "4 GiB"
    assert describe_size(65536) == "64 KiB"
    assert describe_size(1000) == "1000 bytes"
