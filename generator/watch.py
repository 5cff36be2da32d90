"""`katsudo serve`: watch the site's sources, rebuild through the cache, tell the browsers.

Watchdog events become a set of changed paths; a burst of saves (editors write a temp file and
rename it, or save several files) is debounced into one rebuild. The rebuild is the normal
build with a BuildCache, so only what changed is re-rendered, and a failed rebuild leaves the
last good site being served.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.build import BuildOptions, build
from generator.cache import BuildCache
from generator.errors import KatsudoError
from generator.report import Reporter
from generator.search import BUNDLE
from generator.serve import LiveReload
from generator.sources import is_ignored

WATCHED_FOLDERS = ("content", "templates", "assets")
CONFIG_FILE = "site.yaml"
DEBOUNCE_SECONDS = 0.12
_ATTEMPTS = 3  # builds tried when files vanish under one (a save or rename during the build)


def is_source_path(site_root: Path, path: Path) -> bool:
    """Whether a change to `path` can change the site (editor swap and backup files cannot)."""
    try:
        rel = path.resolve().relative_to(site_root.resolve())
    except ValueError:
        return False
    if not rel.parts or any(is_ignored(Path(part)) for part in rel.parts):
        return False
    return rel.parts[0] in WATCHED_FOLDERS or rel.as_posix() == CONFIG_FILE


def is_css_only(site_root: Path, paths: set[Path]) -> bool:
    root = site_root.resolve()
    return bool(paths) and all(p.suffix == ".css" and p.resolve().is_relative_to(root / "assets") for p in paths)


def _shown(filename) -> str:
    if not filename:
        return "katsudo"
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(filename)


@dataclass
class Rebuilt:
    ok: bool
    seconds: float
    pages: int  # pages rendered again (0 when nothing changed)
    errors: list[str]


class PreviewSession:
    """Builds the preview again and again with one cache, and keeps LiveReload informed."""

    def __init__(self, site_root: Path, out: Path, now: Callable[[], datetime], reporter: Reporter,
                 drafts: bool = False, future: bool = False, live: LiveReload | None = None, language: str = "en",
                 search: bool = False):
        self.site_root, self.out, self.now, self.reporter = site_root, out, now, reporter
        self.drafts, self.future, self.language, self.search = drafts, future, language, search
        self.live = live or LiveReload()
        self.cache = BuildCache()
        self._lock = threading.Lock()  # one build (or output swap) at a time
        self._index_lock = threading.Lock()  # one search index run at a time
        # Pagefind works on hard-linked snapshots of the preview beside it, never on the served folder.
        self._index_work = out.parent / f".{out.name}.katsudo-index-{os.getpid()}"
        self._last_index = out.parent / f".{out.name}.katsudo-index-last-{os.getpid()}"
        self._closed = False

    def rebuild(self, changed: set[Path] | None = None) -> Rebuilt:
        with self._lock:
            started = time.perf_counter()
            # The search index takes seconds: it is refreshed after the browsers have reloaded.
            options = BuildOptions(self.site_root, self.out, self.now(), self.drafts, self.future, search_index=False)
            for attempt in range(_ATTEMPTS):
                try:
                    # The watcher's paths let a text edit be patched in (generator/patch.py); a
                    # retry builds everything.
                    result = build(options, Reporter(quiet=True), self.cache, changed=changed if attempt == 0 else None)
                    if "patch" not in result.timings:
                        # The model lives until the next whole build: keep the garbage collector
                        # from walking its millions of objects during every patched save.
                        gc.unfreeze()
                        gc.collect()
                        gc.freeze()
                    break
                except KatsudoError as error:
                    messages = [e.format(Path.cwd(), self.language) for e in error.errors]
                except OSError as error:
                    # Most often a file renamed or deleted while this build read the folder: its own
                    # event is on the way, but building again now is quicker than waiting for it.
                    if attempt + 1 < _ATTEMPTS:
                        continue
                    messages = [f"{_shown(error.filename)}: error: {error.strerror or error}"]
                self.live.failed(messages)
                return Rebuilt(False, time.perf_counter() - started, 0, messages)
            # Only stylesheets changed and no page with them: the browsers swap the sheets and keep
            # their scroll position and form input. A new or removed stylesheet changes pages: reload.
            css_only = (changed is not None and is_css_only(self.site_root, changed)
                        and self.cache.stats.pages_rendered == 0)
            self.live.succeeded(css_only=css_only)
            build_number = self.live.build
            rebuilt = Rebuilt(True, time.perf_counter() - started, self.cache.stats.pages_rendered, [])
            if self.search and self._last_index.is_dir():
                # The previous index, until this build's is ready: search keeps working meanwhile.
                _link_tree(self._last_index, self.out / BUNDLE)
        if self.search:
            threading.Thread(target=self._index, args=(build_number,), name="katsudo-search-index", daemon=True).start()
        return rebuilt

    def _index(self, build_number: int) -> None:
        """Index build `build_number` for search, unless a newer build came meanwhile.

        Pagefind takes seconds (about 9 on a site of 1,000 posts). It runs on a hard-linked
        snapshot without holding the build lock, so a save made meanwhile is rebuilt and reloaded
        at once; the finished index is moved into the preview only if it is still the current build
        (a swap during the snapshot changes the build number, so a mixed snapshot is never used)."""
        from generator.search import index_folder

        _lower_this_threads_priority()
        with self._index_lock:
            if self._closed or self.live.build != build_number:
                return  # a newer build has its own index run queued
            try:
                shutil.rmtree(self._index_work, ignore_errors=True)
                shutil.copytree(self.out, self._index_work, copy_function=os.link,
                                ignore=lambda folder, names: [BUNDLE] if Path(folder) == self.out else [])
                if self.live.build != build_number:
                    return
                index_folder(self._index_work, self.language)
                with self._lock:
                    if self.live.build != build_number:
                        return
                    shutil.rmtree(self._last_index, ignore_errors=True)
                    os.replace(self._index_work / BUNDLE, self._last_index)
                    shutil.rmtree(self.out / BUNDLE, ignore_errors=True)
                    _link_tree(self._last_index, self.out / BUNDLE)
            except (OSError, shutil.Error):
                return  # the folder was swapped while it was copied: the newer build's run follows
            except KatsudoError as error:
                if not self._closed:  # stopping kills Pagefind: that is no error to report
                    self.reporter.error(error.errors[0])
            finally:
                shutil.rmtree(self._index_work, ignore_errors=True)

    def close(self, wait_seconds: float = 30) -> None:
        """Stop indexing and remove the index folders (the preview folder itself is the caller's).

        Ctrl-C in a terminal stops Pagefind too; otherwise its run is awaited (boundedly), so
        that it cannot write into a folder after it has been removed."""
        self._closed = True
        acquired = self._index_lock.acquire(timeout=wait_seconds)
        try:
            shutil.rmtree(self._index_work, ignore_errors=True)
            shutil.rmtree(self._last_index, ignore_errors=True)
        finally:
            if acquired:
                self._index_lock.release()


def _lower_this_threads_priority() -> None:
    """Let rebuilds have the CPU before Pagefind: on Linux the nice value belongs to the thread,
    and Pagefind, started from this thread, inherits it (elsewhere the whole preview is niced)."""
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass


def _link_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, copy_function=os.link, dirs_exist_ok=True)


class _Collector(FileSystemEventHandler):
    def __init__(self, site_root: Path, wake: Callable[[set[Path]], None], new_folder: Callable[[str], None]):
        self.site_root, self.wake, self.new_folder = site_root, wake, new_folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed: that file's own event says which
        paths = {Path(str(event.src_path))}
        if getattr(event, "dest_path", None):
            paths.add(Path(str(event.dest_path)))
        if event.is_directory and event.event_type in ("created", "moved"):
            for path in paths:
                if path.name in WATCHED_FOLDERS and path.parent.resolve() == self.site_root.resolve():
                    self.new_folder(path.name)
        relevant = {p for p in paths if is_source_path(self.site_root, p)}
        if relevant:
            self.wake(relevant)


class Watcher:
    """Runs `on_change(paths)` once per burst of relevant file events, on its own thread.

    Only content/, templates/ and assets/ are watched in depth, and the site folder itself for
    site.yaml: not an output folder inside the site (thousands of folders, rewritten on every
    rebuild), .git/ or the photo cache, each of whose folders would cost an inotify watch."""

    def __init__(self, site_root: Path, on_change: Callable[[set[Path]], None]):
        self.site_root, self.on_change = site_root, on_change
        self._pending: set[Path] = set()
        self._last_event = 0.0
        self._condition = threading.Condition()
        self._stopped = False
        self._observer = Observer()
        self._collector = _Collector(site_root, self._wake, self._watch_folder)
        self._observer.schedule(self._collector, str(site_root), recursive=False)
        self._folders: dict[str, object] = {}
        for name in WATCHED_FOLDERS:
            self._watch_folder(name)
        self._thread = threading.Thread(target=self._run, name="katsudo-rebuild", daemon=True)

    def _watch_folder(self, name: str) -> None:
        """Watch SITE/name in depth: at start, or when it appears (or is replaced) later."""
        folder = self.site_root / name
        if not folder.is_dir():
            return
        previous = self._folders.pop(name, None)
        if previous is not None:
            try:
                self._observer.unschedule(previous)
            except (KeyError, OSError):
                pass  # already gone with the folder it watched
        self._folders[name] = self._observer.schedule(self._collector, str(folder), recursive=True)

    def _wake(self, paths: set[Path]) -> None:
        with self._condition:
            self._pending |= paths
            self._last_event = time.monotonic()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                # Debounce: wait until the burst has been quiet for a moment.
                while time.monotonic() - self._last_event < DEBOUNCE_SECONDS and not self._stopped:
                    self._condition.wait(DEBOUNCE_SECONDS)
                changed, self._pending = self._pending, set()
            try:
                self.on_change(changed)
            except Exception:  # a bug in one rebuild must not end the preview: later saves still rebuild
                traceback.print_exc()

    def start(self) -> None:
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._thread.join(timeout=5)
