"""`katsudo serve`: watch the site's sources, rebuild through the cache, tell the browsers.

Watchdog events become a set of changed paths; a burst of saves (editors write a temp file and
rename it, or save several files) is debounced into one rebuild. The rebuild is the normal
build with a BuildCache, so only what changed is re-rendered, and a failed rebuild leaves the
last good site being served. Each rebuild prints one line (or the errors, with file and line);
the search index follows in the background (generator/preview_index.py).
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.build import BuildOptions, build
from generator.cache import BuildCache
from generator.errors import KatsudoError
from generator.held_back import HeldBack, preview_line
from generator.i18n import ui_language
from generator.preview_index import SearchIndexer
from generator.preview_log import PreviewTerminal, log_unexpected
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
    unexpected: bool = False  # the error is a bug in katsudo (one line naming the log), not the editor's
    held_back: tuple[HeldBack, ...] = ()  # drafts and future posts the preview leaves out


class PreviewSession:
    """Builds the preview again and again with one cache, keeps LiveReload informed, and (with
    a `terminal`) prints one line per rebuild. `reporter` is not used (the builds are quiet;
    the preview's own lines go to `terminal`): it is kept for the callers that pass it."""

    def __init__(self, site_root: Path, out: Path, now: Callable[[], datetime], reporter: Reporter | None = None,
                 drafts: bool = False, future: bool = False, live: LiveReload | None = None, language: str = "en",
                 search: bool = False, terminal: PreviewTerminal | None = None):
        self.site_root, self.out, self.now, self.terminal = site_root, out, now, terminal
        self.drafts, self.future, self.language, self.search = drafts, future, language, search
        self.live = live or LiveReload()
        self.cache = BuildCache()
        self.build_lock = threading.Lock()  # one build at a time
        # Builds started so far: the search index's snapshot of the folder is one build's only
        # if no build started while it was taken.
        self.generation = 0
        self.indexer = (SearchIndexer(site_root, out, language, self.live, self.build_lock, lambda: self.generation,
                                      terminal) if search else None)
        self._closed = False
        self._held_said: tuple[HeldBack, ...] = ()  # what the terminal was last told was left out

    def rebuild(self, changed: set[Path] | None = None) -> Rebuilt:
        with self.build_lock:
            if self._closed:
                return Rebuilt(False, 0.0, 0, [])
            self.generation += 1
            rebuilt = self._build(changed)
            if not rebuilt.ok:
                self.live.failed(rebuilt.errors)
                self._say(rebuilt, changed)
                return rebuilt
            # Only stylesheets changed and no page with them: the browsers swap the sheets and keep
            # their scroll position and form input. A new or removed stylesheet changes pages: reload.
            css_only = changed is not None and is_css_only(self.site_root, changed) and rebuilt.pages == 0
            self.live.succeeded(css_only=css_only)
            build_number = self.live.build
            self._say(rebuilt, changed)
        # (after the rebuild's line: the index's own lines come after it)
        if self.indexer is not None and not css_only:
            self.indexer.want(build_number)
        return rebuilt

    def _build(self, changed: set[Path] | None) -> Rebuilt:
        started = time.perf_counter()
        # The search index takes seconds: it is made after the browsers have reloaded.
        options = BuildOptions(self.site_root, self.out, self.now(), self.drafts, self.future, search_index=False)
        attempt = 0
        while True:
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
                return Rebuilt(True, time.perf_counter() - started, self.cache.stats.pages_rendered, [],
                               held_back=result.held_back)
            except KatsudoError as error:
                messages = [e.format(Path.cwd(), self.language) for e in error.errors]
            except OSError as error:
                # Most often a file renamed or deleted while this build read the folder: its own
                # event is on the way, but building again now is quicker than waiting for it.
                attempt += 1
                if attempt < _ATTEMPTS:
                    continue
                messages = [self._said(f"{_shown(error.filename)}: error: {error.strerror or error}",
                                       f"{_shown(error.filename)}: error: ファイルを読み書きできませんでした"
                                       f"（{error.strerror or error}）")]
            except Exception as error:  # a bug in katsudo: one line and the log; later saves build afresh
                # (the cache may be half-updated: the next rebuild starts from an empty one)
                self.cache = BuildCache()
                line = log_unexpected(self.site_root, "rebuilding the preview", "プレビューの作り直しの途中",
                                      self._lang(), error)
                return Rebuilt(False, time.perf_counter() - started, 0, [line], unexpected=True)
            return Rebuilt(False, time.perf_counter() - started, 0, messages)

    def _lang(self) -> str:
        return self.terminal.language if self.terminal is not None else ui_language(self.language)

    def _said(self, english: str, japanese: str) -> str:
        return japanese if self._lang() == "ja" else english

    def _say(self, rebuilt: Rebuilt, changed: set[Path] | None) -> None:
        """The rebuild's line in the terminal: what was built, or every error (with file and line)."""
        if self.terminal is None:
            return
        if rebuilt.ok:
            milliseconds = f"{rebuilt.seconds * 1000:.0f}"
            if changed:
                what = ", ".join(sorted(_shown(p) for p in changed))
                what_ja = "、".join(sorted(_shown(p) for p in changed))
            else:
                what, what_ja = "first build", "最初のビルド"
            self.terminal.say(f"rebuilt {rebuilt.pages} pages in {milliseconds} ms ({what})",
                              f"作り直しました：{rebuilt.pages} ページ、{milliseconds} ms（{what_ja}）")
            if rebuilt.held_back != self._held_said:  # (said when it changes, not after every save)
                self._held_said = rebuilt.held_back
                line = preview_line(rebuilt.held_back, self._lang(), Path.cwd())
                if line is not None:
                    self.terminal.echo(line)
            return
        for message in rebuilt.errors:
            self.terminal.echo(message, err=True)
        if not rebuilt.unexpected:
            count = len(rebuilt.errors)
            self.terminal.say(f"{count} error{'s' if count != 1 else ''}; still serving the last good build",
                              f"エラー {count} 件：前回の正しいページを表示しています", err=True)

    def close(self, keep_index: bool = False, wait_seconds: float = 30) -> None:
        """Stop indexing and remove the index folders (the preview folder itself is the caller's).
        A rebuild under way is finished first, so that nothing writes into a removed folder;
        `keep_index` leaves the last search index in the preview folder (`serve -o DIR`)."""
        self._closed = True
        if self.indexer is not None:
            if keep_index:
                self.indexer.close_keeping(self.out / BUNDLE)
            else:
                self.indexer.close()
        if self.build_lock.acquire(timeout=wait_seconds):
            self.build_lock.release()


class _Collector(FileSystemEventHandler):
    def __init__(self, site_root: Path, wake: Callable[[set[Path]], None], new_folder: Callable[[str], None],
                 unexpected: Callable[[BaseException], None]):
        self.site_root, self.wake, self.new_folder, self.unexpected = site_root, wake, new_folder, unexpected

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._collect(event)
        except Exception as error:  # (it would end watchdog's thread: no save would be seen again)
            self.unexpected(error)

    def _collect(self, event: FileSystemEvent) -> None:
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

    def __init__(self, site_root: Path, on_change: Callable[[set[Path]], object],
                 terminal: PreviewTerminal | None = None):
        self.site_root, self.on_change, self.terminal = site_root, on_change, terminal
        self._pending: set[Path] = set()
        self._last_event = 0.0
        self._condition = threading.Condition()
        self._stopped = False
        self._observer = Observer()
        self._collector = _Collector(site_root, self._wake, self._watch_folder, self._unexpected)
        self._observer.schedule(self._collector, str(site_root), recursive=False)
        self._folders: dict[str, ObservedWatch] = {}
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
            except Exception as error:  # a bug in one rebuild must not end the preview: later saves still rebuild
                self._unexpected(error)

    def _unexpected(self, error: BaseException) -> None:
        language = self.terminal.language if self.terminal is not None else ui_language()
        line = log_unexpected(self.site_root, "watching for saves", "保存の見張りの途中", language, error)
        if self.terminal is not None:
            self.terminal.echo(line, err=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def start(self) -> None:
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()
        self._observer.stop()
        if self._observer.is_alive():  # (a stop may come between making the watcher and starting it)
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)
