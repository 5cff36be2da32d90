"""Memo of the expensive stages for rebuilds in one process (`katsudo serve`).

Nothing here decides *what* changed by rules about pages: every cached result is keyed by its
complete input. A post is reloaded when its file's stamp changes; Markdown is re-rendered when
its text or anything its links resolve against changes; a page is re-rendered when its own
template context, the shared globals or any template changes. So the set of re-rendered pages
falls out of the site model, and an incremental build is byte-identical to a clean one by
construction (tests/test_serve.py checks it for every kind of change).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.errors import SourceError


def fingerprint(*parts: object) -> str:
    """A digest of values whose repr is deterministic (plain data, dates, Markup)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def file_stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def folder_stamp(folders: tuple[Path, ...]) -> str:
    """Fingerprint of every file under `folders` (templates, UI strings): any edit changes it."""
    entries = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                entries.append((str(path), file_stamp(path)))
    return fingerprint(entries)


@dataclass
class CacheStats:
    posts_loaded: int = 0
    markdown_rendered: int = 0
    pages_rendered: int = 0


@dataclass
class BuildCache:
    config_key: str | None = None
    posts: dict[Path, tuple[object, object, list[SourceError]]] = field(default_factory=dict)
    markdown: dict[Path, tuple[str, object]] = field(default_factory=dict)
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    stats: CacheStats = field(default_factory=CacheStats)

    def start(self, config_key: str) -> None:
        """Begin a build; a different site.yaml or theme location invalidates everything."""
        if config_key != self.config_key:
            self.posts.clear()
            self.markdown.clear()
            self.pages.clear()
            self.config_key = config_key
        self.stats = CacheStats()

    def load(self, path: Path, loader: Callable[[], tuple[object, list[SourceError]]]):
        stamp = file_stamp(path)
        cached = self.posts.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        post, errors = loader()
        self.stats.posts_loaded += 1
        self.posts[path] = (stamp, post, errors)
        return post, errors

    def render_markdown(self, path: Path, key: str, renderer: Callable[[], object]):
        cached = self.markdown.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        result = renderer()
        self.stats.markdown_rendered += 1
        self.markdown[path] = (key, result)
        return result

    def render_page(self, file: str, key: str, renderer: Callable[[], tuple[bytes | None, SourceError | None]]):
        cached = self.pages.get(file)
        if cached is not None and cached[0] == key:
            return cached[1], None
        data, error = renderer()
        self.stats.pages_rendered += 1
        if error is None:
            self.pages[file] = (key, data)
        return data, error

    def forget_missing(self, live_files: set[str], live_sources: set[Path]) -> None:
        """Drop entries of deleted posts and pages, so memory follows the site."""
        for path in [p for p in self.posts if p not in live_sources]:
            del self.posts[path]
        for path in [p for p in self.markdown if p not in live_sources]:
            del self.markdown[path]
        for file in [f for f in self.pages if f not in live_files]:
            del self.pages[file]
