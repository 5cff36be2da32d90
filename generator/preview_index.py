"""The preview's search index: Pagefind, run in the background after the rebuilds.

Pagefind takes seconds (about 9 on a site of 1,000 posts), so a rebuild never waits for it: the
browsers reload at once and the index follows. One thread does the indexing; a burst of saves
asks for it many times and gets one run for the newest build (and one more if a save comes
while Pagefind runs). Each run works on a hard-linked snapshot of the preview, in a folder
beside it, and its finished bundle is served from there (serve.py maps BASE/pagefind/ to it):
the rebuilds never see the index, and the index never sees a half-written rebuild.

The terminal hears of it twice at most per burst: when the index falls behind the pages and
when it has caught up. A failure is one line (and a log with the details), and search keeps
the last index until the next save tries again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable

from generator.preview_log import PreviewTerminal, log_unexpected
from generator.search import BUNDLE, pagefind_command
from generator.serve import LiveReload

_KEPT_BUNDLES = 2  # the served index and the one before it (for a page that loaded that one)
_STILL = ("Search keeps the previous index until the next save.", "次に保存するまで、検索は前の索引のままです。")


class PagefindError(Exception):
    """Pagefind ended without writing an index; the message is the end of what it said."""


class SearchIndexer:
    """Keeps the preview's search index following its builds (see the module's docstring)."""

    def __init__(self, site_root: Path, out: Path, language: str, live: LiveReload,
                 build_lock: threading.Lock, generation: Callable[[], int],
                 terminal: PreviewTerminal | None = None):
        self.site_root, self.out, self.language, self.live = site_root, out, language, live
        self._build_lock, self._generation, self.terminal = build_lock, generation, terminal
        self.folder = out.parent / f".{out.name}.katsudo-index-{os.getpid()}"
        self._condition = threading.Condition()
        self._wanted = 0  # the newest build (LiveReload.build) whose pages want indexing
        self._indexed = 0  # the build the served index was made from
        self._failed = 0  # the build whose run failed: not tried again until a newer build asks
        self._told_behind = False  # "updating…" was said and "up to date" not yet
        self._last_failure: str | None = None  # said once, until a run succeeds
        self._closed = False
        self._process: subprocess.Popen | None = None
        self._signature: tuple | None = None  # the HTML files the served index was made from
        self._bundles: list[Path] = []
        self._runs = 0
        self._thread: threading.Thread | None = None

    # -- asked by the preview ---------------------------------------------------------------
    def want(self, build: int) -> None:
        """Build `build` is served: index it (after whatever run is going on)."""
        with self._condition:
            if self._closed:
                return
            self._wanted = max(self._wanted, build)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="katsudo-search-index", daemon=True)
                self._thread.start()
            self._condition.notify()

    def close(self, wait_seconds: float = 10) -> None:
        """Stop (ending a running Pagefind) and remove the index folder."""
        self._close(None, wait_seconds)

    def close_keeping(self, target: Path, wait_seconds: float = 10) -> None:
        """Stop, and leave the served index at `target` (for `katsudo serve -o DIR`)."""
        self._close(target, wait_seconds)

    def _close(self, keep_at: Path | None, wait_seconds: float) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()
            process, thread = self._process, self._thread
        if process is not None and process.poll() is None:
            process.kill()  # a run for a preview that is stopping is of no use
        if thread is not None:
            thread.join(wait_seconds)
        if keep_at is not None and self._bundles and keep_at.parent.is_dir() and not keep_at.exists():
            try:
                os.replace(self._bundles[0], keep_at)
            except OSError as error:  # (the kept preview then has no index; `katsudo build` makes one)
                if self.terminal is not None:
                    self.terminal.say(f"warning: the search index could not be kept in {keep_at}: {error.strerror}",
                                      f"warning: 検索の索引を {keep_at} に残せませんでした（{error.strerror}）", err=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the indexing thread ----------------------------------------------------------------
    def _run(self) -> None:
        _lower_this_threads_priority()
        while True:
            with self._condition:
                while not self._closed and self._wanted in (self._indexed, self._failed):
                    self._condition.wait()
                if self._closed:
                    return
            try:
                self._index_once()
            except PagefindError as failure:
                self._failure(self._shown_failure(str(failure)))
            except Exception as error:  # a bug: one line and the log, and the next save tries again
                if not self._closed:
                    self._failure(log_unexpected(self.site_root, "updating the search index", "検索の索引の更新中",
                                                 self._language(), error, _STILL))

    def _index_once(self) -> None:
        with self._build_lock:  # between two builds: the folder is one build's
            if self._closed:
                return
            build, generation = self.live.build, self._generation()
        if not self.out.is_dir():  # (no good build yet)
            self._done(build, self._signature)
            return
        self._runs += 1
        snapshot = self.folder / f"snapshot-{self._runs}"
        self.folder.mkdir(exist_ok=True)
        try:
            shutil.copytree(self.out, snapshot, copy_function=os.link)
        except (OSError, shutil.Error):
            shutil.rmtree(snapshot, ignore_errors=True)
            if self._generation() != generation:
                return  # a rebuild replaced files while they were linked: the loop takes the newer build
            raise
        if self._generation() != generation:
            shutil.rmtree(snapshot, ignore_errors=True)
            return  # the same, with every file linked before the rebuild replaced it
        try:
            signature = _html_signature(snapshot)
            if signature == self._signature:
                self._done(build, signature)  # the same pages (a save that changed nothing shown)
                return
            self._behind()
            self._pagefind(snapshot)
            if self._closed:
                return
            bundle = self.folder / f"bundle-{self._runs}"
            os.replace(snapshot / BUNDLE, bundle)
        finally:
            shutil.rmtree(snapshot, ignore_errors=True)
        self._bundles.insert(0, bundle)
        for old in self._bundles[_KEPT_BUNDLES:]:
            shutil.rmtree(old, ignore_errors=True)
        del self._bundles[_KEPT_BUNDLES:]
        self.live.search_updated(tuple(self._bundles))
        self._done(build, signature)

    def _pagefind(self, folder: Path) -> None:
        """Pagefind over `folder`, as `search.index_folder` runs it for a build, but started here
        so that stopping the preview can end it, and in its own session so that Ctrl-C in the
        terminal does not end it before the preview has stopped."""
        command = pagefind_command(folder, self.language)
        with self._condition:
            if self._closed:
                return
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, text=True, errors="replace",
                                             env={**os.environ, "NO_COLOR": "1"}, start_new_session=True)
        try:
            said, _ = self._process.communicate()
        finally:
            code = self._process.returncode
            with self._condition:
                self._process = None
        if self._closed:
            return
        if code != 0 or not (folder / BUNDLE / "pagefind.js").is_file():
            lines = [line.strip() for line in (said or "").splitlines() if line.strip()]
            raise PagefindError(" / ".join([f"exit status {code}", *lines[-3:]]))

    # -- what the terminal hears --------------------------------------------------------------
    def _language(self) -> str:
        return self.terminal.language if self.terminal is not None else "en"

    def _behind(self) -> None:
        with self._condition:
            if self._told_behind or self._closed:
                return
            self._told_behind = True
        if self.terminal is not None:
            self.terminal.say("search index is being updated…", "検索の索引を作り直しています…")

    def _done(self, build: int, signature: tuple | None) -> None:
        with self._condition:
            self._indexed = max(self._indexed, build)
            self._signature = signature
            self._last_failure = None
            caught_up = self._indexed >= self._wanted and self._told_behind and not self._closed
            if caught_up:
                self._told_behind = False
        if caught_up and self.terminal is not None:
            self.terminal.say("search index is up to date", "検索の索引が最新になりました")

    def _failure(self, line: str) -> None:
        with self._condition:
            self._failed = self._wanted
            repeated = line == self._last_failure
            self._last_failure = line
            # (still behind: "updating…" is not said again, and a run that succeeds says "up to date")
        if self.terminal is not None and not repeated:
            self.terminal.echo(line, err=True)

    def _shown_failure(self, detail: str) -> str:
        # Pagefind's own words are kept: this is not an editor's mistake, and they help a report.
        return log_unexpected(self.site_root, "updating the search index", "検索の索引の更新中",
                              self._language(), PagefindError(detail), _STILL)


def _html_signature(folder: Path) -> tuple:
    """What Pagefind reads of `folder`: its HTML files, each by name, inode, size and time (the
    builds hard-link unchanged pages, so an unchanged page keeps its inode)."""
    found = []
    for parent, folders, files in os.walk(folder):
        if parent == str(folder) and BUNDLE in folders:
            folders.remove(BUNDLE)
        for name in files:
            if name.endswith(".html"):
                stat = os.stat(os.path.join(parent, name))
                found.append((os.path.join(parent, name)[len(str(folder)):], stat.st_ino, stat.st_size,
                              stat.st_mtime_ns))
    return tuple(sorted(found))


def _lower_this_threads_priority() -> None:
    """Let rebuilds have the CPU before Pagefind: on Linux the nice value belongs to the thread,
    and Pagefind, started from this thread, inherits it (elsewhere the whole preview is niced)."""
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass
