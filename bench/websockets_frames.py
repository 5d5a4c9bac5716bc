"""websockets' frame parser over a byte stream: ``Frame.parse`` driven by its ``StreamReader``,
as websockets' own protocol code drives it. One loop for both of bench_frames.py's websockets
rows: in process, on chunks already in memory, and as a whole process of its own (``python
bench/websockets_frames.py FILE``), which imports websockets and nothing of flaskscope, so its
start-up is websockets' alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from websockets.frames import Frame
from websockets.streams import StreamReader

CHUNK = 1 << 20


def count_frames(chunks: Iterable[bytes]) -> int:
    """The number of masked client frames in the stream, every one parsed and unmasked."""
    reader = StreamReader()
    parser = None
    frames = 0
    for chunk in chunks:
        reader.feed_data(chunk)
        while True:
            if parser is None:
                parser = Frame.parse(reader.read_exact, mask=True)
            try:
                next(parser)
            except StopIteration:
                frames += 1
                parser = None
                continue
            break
    return frames


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as handle:
        print(count_frames(iter(lambda: handle.read(CHUNK), b"")))
