"""How the tests that drive a running preview wait for it, save as editors save, and start the
installed `katsudo`: one copy for the tests of `katsudo serve` as a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def katsudo() -> list[str]:
    """The console script installed beside this Python (as `pip install` made it), else the module."""
    script = Path(sys.executable).with_name("katsudo")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "generator"]


def wait_until(condition, what: str, timeout: float = 30.0):
    """Poll `condition` until it returns something truthy (and return that); fail naming `what`
    and the last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def atomic_save(path: Path, text: str) -> None:
    """As most editors save: a temporary file beside the real one, renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp-save")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class Terminal:
    """A running process and every line it has printed so far (both streams, as they came)."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.said: list[str] = []
        self._pumps = [threading.Thread(target=self._pump, args=(stream,), daemon=True)
                       for stream in (process.stdout, process.stderr) if stream is not None]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream) -> None:
        for line in stream:
            self.said.append(line.rstrip("\n"))

    def wait_for(self, condition, what: str, timeout: float = 60.0) -> None:
        """Wait for `condition`; fail naming `what` and showing the terminal if it does not come
        or the process stops first."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.process.poll() is None, "the process stopped:\n" + "\n".join(self.said)
            assert time.monotonic() < deadline, f"{what}; the terminal said:\n" + "\n".join(self.said)
            time.sleep(0.05)

    def stop(self) -> None:
        """Ctrl-C, as an editor stops it; then the last lines."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pump in self._pumps:
            pump.join(10)


@contextmanager
def preview(site: Path, *args: str, env: dict[str, str]) -> Iterator[Terminal]:
    """`katsudo serve --port 0 ARGS` running in `site` with `env`, stopped (Ctrl-C) on exit."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "-s", ".", "--port", "0", *args],
                               cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               encoding="utf-8", env={**env, "PYTHONUNBUFFERED": "1"})
    terminal = Terminal(process)
    try:
        yield terminal
    finally:
        terminal.stop()
