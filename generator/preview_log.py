"""What `katsudo serve` prints, and where the details of its own failures go.

The preview's lines come from several threads (the rebuilds, the search index, the HTTP
server): `PreviewTerminal` prints each one whole. A failure that is a bug in katsudo (not a
mistake in an editor's files) is one readable line in the terminal, naming a log file that
holds the traceback: to an editor a traceback says "I broke it", but a bug report needs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import traceback
from datetime import datetime
from pathlib import Path

from generator.cache import CACHE_FOLDER
from generator.i18n import say, ui_language

LOG_NAME = "serve.log"
_LOG_LIMIT = 1_000_000  # bytes; the log is rotated once (serve.log.1) beyond this


class PreviewTerminal:
    """Prints the preview's lines, one whole line at a time, in the terminal's language."""

    def __init__(self, site_language: str | None = None):
        self.language = ui_language(site_language)
        self._lock = threading.Lock()

    def say(self, english: str, japanese: str, err: bool = False) -> None:
        self.echo(say(self.language, english, japanese), err)

    def echo(self, text: str, err: bool = False) -> None:
        stream = sys.stderr if err else sys.stdout
        with self._lock:
            try:
                stream.write(text + "\n")
                stream.flush()
            except (OSError, ValueError):
                # The terminal is gone (its window closed: SIGHUP, then EIO; or a closed pipe).
                # Nobody is left to tell; the preview is stopping or serving on regardless.
                _silence(stream)


def _silence(stream) -> None:
    """Point a dead terminal's stream at /dev/null: what is still buffered (and Python's own
    flush at exit) then goes nowhere instead of failing again, and the exit status stays 0."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)
        stream.flush()
    except (OSError, ValueError):
        pass  # (no descriptor to point elsewhere: a closed stream, which fails no more)


def log_folder(site_root: Path) -> Path:
    return site_root / CACHE_FOLDER / "logs"


STILL_SERVING = ("Still showing the last good build.", "前回の正しいページを表示し続けます。")


def log_unexpected(site_root: Path, doing_en: str, doing_ja: str, language: str,
                   error: BaseException | None = None, still: tuple[str, str] = STILL_SERVING) -> str:
    """Write the traceback of `error` (default: the exception being handled) to the preview's
    log and return the one line to print instead: what katsudo was doing, the exception in
    brief, what the preview goes on showing (`still`, in English and Japanese), and where the
    details are."""
    if error is None:
        error = sys.exc_info()[1]
    details = "".join(traceback.format_exception(error)) if error is not None else "(no exception)\n"
    where = _write_log(site_root, f"--- {datetime.now().isoformat(timespec='seconds')} pid {os.getpid()}: "
                                  f"{doing_en}\n{details}")
    brief = _brief(error)
    if where is None:
        where_en, where_ja = "(the details could not be written to a log)", "（詳しい記録は書き込めませんでした）"
    else:
        where_en = where_ja = _shown(where)
    return say(language,
               f"katsudo had an unexpected problem while {doing_en} ({brief}); this is not a mistake in your "
               f"files. {still[0]} Details for a bug report: {where_en}",
               f"katsudo の内部で思わぬ問題が起きました（{doing_ja}。{brief}）。原稿の間違いではありません。"
               f"{still[1]}不具合の報告用の詳しい記録: {where_ja}")


def _brief(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return first if len(first) <= 160 else first[:157] + "..."


def _write_log(site_root: Path, text: str) -> Path | None:
    """Append `text` to the site's preview log (else one in the temporary folder); its path."""
    for folder in (log_folder(site_root), Path(tempfile.gettempdir()) / "katsudo-logs"):
        log = folder / LOG_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if log.is_file() and log.stat().st_size > _LOG_LIMIT:
                os.replace(log, log.with_name(LOG_NAME + ".1"))
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(text)
            return log
        except OSError:
            continue  # a read-only site folder: try the next place
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
