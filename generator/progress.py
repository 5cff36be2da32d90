"""The progress bar of `katsudo build`: only on a terminal, and only once a build runs long.

A build that takes under a second says nothing until its summary line; on a terminal, a longer
one draws a bar on stderr (click's) for each stage that has items to go through. When stderr is
not a terminal (CI, a pipe, a log file) nothing but the plain summary is printed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, TextIO

import click

from generator.build import Progress

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # (what click.progressbar returns)

SHOW_AFTER = 1.0  # seconds into the build before a bar appears


class TerminalProgress(Progress):
    def __init__(self, stream: TextIO):
        self.stream = stream
        self.started = time.monotonic()
        self.bar: ProgressBar[int] | None = None
        self.name, self.total, self.done = "", 0, 0

    def stage(self, name: str, total: int) -> None:
        self._close()
        self.name, self.total, self.done = name, total, 0
        self._maybe_open()

    def advance(self, done: int) -> None:
        self.done += done
        if self.bar is None:
            self._maybe_open()
        if self.bar is not None:
            self.bar.update(done)

    def finish(self) -> None:
        self._close()

    def _maybe_open(self) -> None:
        if self.total > 0 and time.monotonic() - self.started >= SHOW_AFTER:
            self.bar = click.progressbar(length=self.total, label=f"{self.name:<8}", file=self.stream,
                                         show_eta=False, width=30)
            self.bar.__enter__()
            if self.done:
                self.bar.update(self.done)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def progress_for(stream: TextIO, enabled: bool = True) -> Progress:
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return TerminalProgress(stream) if enabled and tty else Progress()
