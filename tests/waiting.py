"""How the tests that drive a running preview wait for it, save as editors save, and start the
installed `katsudo`: one copy for test_serve, test_preview_saves and test_editors_day."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

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
