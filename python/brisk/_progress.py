"""A one-line progress bar (items, items/s, ETA) for long predict() and pipeline runs.

Shown when stderr is a terminal (verbose="auto", like Keras), always with verbose=1, never
with verbose=0. The C++ loop calls the bar after every batch with (done, total or -1).
"""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Iterator, Optional, TextIO, Union


def _format_seconds(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressBar:
    """Callable as bar(done, total); redraws at most every `interval` seconds."""

    def __init__(self, stream: TextIO, width: int = 30, interval: float = 0.1) -> None:
        self._stream = stream
        self._width = width
        self._interval = interval
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._done = 0
        self._total = -1
        self.drawn = False

    def line(self, done: int, total: int, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        rate = done / elapsed
        if total > 0:
            filled = min(self._width, self._width * done // total)
            bar = "=" * filled + "." * (self._width - filled)
            eta = (total - done) / rate if rate > 0 else 0.0
            return f"{done}/{total} [{bar}] {rate:,.1f} items/s, ETA {_format_seconds(eta)}"
        return f"{done} items, {rate:,.1f} items/s, {_format_seconds(elapsed)} elapsed"

    def __call__(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        now = time.perf_counter()
        if now - self._last_draw < self._interval and done != total:
            return
        self._last_draw = now
        self._stream.write("\r" + self.line(done, total, now) + "\x1b[K")
        self._stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self._stream.write("\r" + self.line(self._done, self._total, time.perf_counter()))
            self._stream.write("\x1b[K\n")
            self._stream.flush()


def _wants_bar(verbose: Union[str, int], stream: TextIO) -> bool:
    if verbose == "auto":
        return bool(getattr(stream, "isatty", lambda: False)())
    if verbose in (0, 1, False, True):
        return bool(verbose)
    raise ValueError(f"verbose must be 'auto', 0 or 1, got {verbose!r}")


@contextlib.contextmanager
def progress_for(verbose: Union[str, int], stream: Optional[TextIO] = None) -> Iterator:
    """Yields a ProgressBar or None, and finishes the bar's line on exit."""
    stream = stream or sys.stderr
    bar = ProgressBar(stream) if _wants_bar(verbose, stream) else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()
