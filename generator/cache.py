"""Memo of the expensive stages: in one process (`katsudo serve`) and, saved in
SITE/.katsudo-cache/build/, between runs of `katsudo build`.

Nothing here decides *what* changed by rules about pages: every cached result is keyed by its
complete input. A post is reloaded when its file's stamp changes; Markdown is re-rendered when
its text or anything its links resolve against changes; a page is re-rendered when its own
template context, the shared globals or any template changes. So the set of re-rendered pages
falls out of the site model, and an incremental build is byte-identical to a clean one by
construction (tests/test_serve.py and tests/test_cache.py check it for every kind of change).

On disk the cache is a few files, each a header (magic, format, katsudo version, payload length,
BLAKE2b checksum) and a pickle. Posts and their Markdown are spread over shards by path, so a
rebuild after one edit rewrites one shard, not the whole cache. A file that is truncated, corrupt,
of another format or another katsudo version is ignored (as if the cache were empty there); every
file is written to a temporary name and renamed, so a build that is killed never leaves half a file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator import __version__
from generator.errors import SourceError
from generator.parallel import collector_paused

CACHE_FOLDER = ".katsudo-cache"  # under the site folder; the image cache is its images/ folder
FORMAT = 3  # bump when what is pickled changes shape (2: the output record has the folders too; 3: kept pickled)
MAGIC = b"KATSUDO-BUILD-CACHE\n"
SHARDS = 32
# A file modified this close to the start of the build that recorded its stamp is not trusted
# by that stamp ("racy", as git says): it may have changed again within the same tick.
RACY_NS = 2_000_000_000


def same_moment(built_at, horizon, now) -> bool:
    """Whether a site built at `built_at` is still the site of `now`: no later than the `horizon`,
    the first moment at which a future post is published or an event is over."""
    return built_at <= now and (horizon is None or now < horizon)


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


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def folder_digest(folders: tuple[Path, ...]) -> str:
    """Fingerprint of the *bytes* of every file under `folders` (templates): exact across runs,
    whatever the modification times say."""
    entries: list[tuple[str, str | None]] = []  # (None: a file that cannot be read)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                try:
                    entries.append((str(path), content_digest(path.read_bytes())))
                except OSError:
                    entries.append((str(path), None))
    return fingerprint(__version__, entries)


def output_stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells that a published file is still the one this build wrote (size, time, inode)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def output_stamps(out: Path) -> dict[str, tuple]:
    """The stamp of every file and folder under `out`, by path relative to it (a folder's ends
    with '/'; '' is `out` itself). A folder's stamp changes when a file is added to it, removed or
    renamed, so checking these stamps (`output_unchanged`) finds every change a walk would."""
    stamps: dict[str, tuple] = {}
    walk_stamps(str(out), stamps, "", folders=True)
    return stamps


def walk_stamps(folder: str, into: dict, prefix: str, folders: bool = False) -> None:
    """Add the (size, mtime, inode) of every file under `folder` to `into`, named `prefix` +
    its path below `folder`; with `folders`, of every folder too (named with a final '/')."""
    try:
        if folders:
            stat = os.stat(folder)
            into[prefix] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        entries = list(os.scandir(folder))
    except OSError:
        if folders:
            into.pop(prefix, None)
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            walk_stamps(entry.path, into, prefix + entry.name + "/", folders)
        else:
            try:
                stat = entry.stat()
            except OSError:
                continue
            into[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def output_unchanged(out: Path, recorded: dict[str, tuple]) -> bool:
    """Whether `out` is exactly as when `recorded` (`output_stamps`) was taken: one stat a file
    and folder, a third of the time of walking the folders again."""
    base, stat = str(out) + "/", os.stat
    try:
        for relative, stamp in recorded.items():
            found = stat(base + relative)
            if (found.st_size, found.st_mtime_ns, found.st_ino) != stamp:
                return False
    except OSError:
        return False
    return True


def published_files(stamps: dict[str, tuple]) -> set[str]:
    """The files (not folders) of `output_stamps`."""
    return {relative for relative in stamps if relative and not relative.endswith("/")}


def restamped(stamps: Mapping[str, tuple], out: Path, files) -> Stamps:
    """`stamps` of the output folder `out` (`output_stamps`) after `files` were replaced, added
    or removed: their stamps and their folders' taken again, the others as they were."""
    changes: dict[str, tuple | None] = {}
    folders: set[str] = set()
    for file in files:
        changes[file] = output_stamp(out / file)
        parts = file.split("/")[:-1]
        folders.update("".join(part + "/" for part in parts[:depth]) for depth in range(len(parts) + 1))
    for folder in folders:
        changes[folder] = output_stamp(out / folder) if folder else output_stamp(out)
    return Stamps.of(stamps).changed(changes)


class Stamps(Mapping):
    """Stamps by relative path (`output_stamps`), kept in their pickle until someone reads them.

    The record of a build at 10,000 posts holds 36,000 of them. A text patch only checks them
    (in a forked process: build._output_check) and changes a few, so it neither unpickles nor
    pickles them again: the changes ride beside the pickle (None: the file is gone), and they
    are folded in once they are many."""

    FOLD = 2_000  # changes beyond which the table is pickled again, with them in it
    __slots__ = ("_pickled", "_changes", "_table")

    def __init__(self, table: dict | None = None, pickled: bytes | None = None, changes: dict | None = None):
        self._table, self._pickled, self._changes = table, pickled, changes or {}

    @classmethod
    def of(cls, stamps: Mapping[str, tuple]) -> Stamps:
        return stamps if isinstance(stamps, Stamps) else cls(dict(stamps))

    def changed(self, changes: dict[str, tuple | None]) -> Stamps:
        if self._table is None:
            return Stamps(pickled=self._pickled, changes={**self._changes, **changes})
        table = dict(self._table)
        _apply(table, changes)
        return Stamps(table)

    def _read(self) -> dict:
        if self._table is None:
            assert self._pickled is not None  # (without a table, always the pickle)
            with collector_paused():
                table = pickle.loads(self._pickled)
            _apply(table, self._changes)
            self._table, self._pickled, self._changes = table, None, {}
        return self._table

    def __getitem__(self, name: str) -> tuple:
        return self._read()[name]

    def __iter__(self):
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def items(self):
        return self._read().items()

    def __eq__(self, other) -> bool:
        if isinstance(other, Stamps) and self._table is None and other._table is None \
                and self._pickled == other._pickled and self._changes == other._changes:
            return True
        return isinstance(other, Mapping) and self._read() == dict(other.items())

    # (Unhashable, like a dict: a class that defines __eq__ gets __hash__ = None.)

    def __repr__(self) -> str:
        return f"Stamps({len(self)} entries)"

    def __reduce__(self):
        if self._table is not None or len(self._changes) > self.FOLD:
            return Stamps, (None, pickle.dumps(self._read(), protocol=pickle.HIGHEST_PROTOCOL))
        return Stamps, (None, self._pickled, self._changes)


def _apply(table: dict, changes: dict) -> None:
    for name, stamp in changes.items():
        if stamp is None:
            table.pop(name, None)
        else:
            table[name] = stamp


@dataclass
class CacheStats:
    posts_loaded: int = 0
    markdown_rendered: int = 0
    pages_rendered: int = 0
    cache_files_ignored: int = 0  # corrupt, truncated or of another version (on load)
    cache_files_written: int = 0  # on save


@dataclass
class BuildCache:
    """`posts`: path -> (content digest, Post, errors); `markdown`: path -> (key, Rendered);
    `pages`: output file -> (key of its template context, stamp of the file it was written as).
    A page is reused (not rendered, its file kept) only when both its key and the published
    file's stamp are unchanged."""

    config_key: str | None = None
    # source -> (digest of its bytes, None if unreadable; the Post; its errors)
    posts: dict[Path, tuple[str | None, object, list[SourceError]]] = field(default_factory=dict)
    markdown: dict[Path, tuple[str, object]] = field(default_factory=dict)
    pages: dict[str, tuple[str, tuple[int, int, int] | None]] = field(default_factory=dict)  # (key, output_stamp)
    stats: CacheStats = field(default_factory=CacheStats)
    # Small values the build keeps, each name its own shape (build.py writes and reads them: "fast",
    # "globals", "files", "search"), hence Any.
    extra: dict[str, Any] = field(default_factory=dict)
    folder: Path | None = None  # where it is saved; None: in memory only (katsudo serve)
    _dirty: set[int] = field(default_factory=set, repr=False)  # shards changed since loading
    _pages_dirty: bool = field(default=False, repr=False)
    _unloaded: bool = field(default=False, repr=False)  # shards not read yet (open(lazy=True))
    # The page table as saved, until a whole build reads it (`ensure_loaded`); a text patch only
    # forgets a few pages (`forget_page`), which are saved beside it.
    _pages_pickled: bytes | None = field(default=None, repr=False)
    _pages_forgotten: set[str] = field(default_factory=set, repr=False)
    # In memory only (katsudo serve): the last build's model, for generator/patch.py.
    last: object = field(default=None, repr=False, compare=False)
    # Processes writing beside this one (the model store, generator/store.py): `save` waits for them.
    background: list = field(default_factory=list, repr=False, compare=False)

    def start(self, config_key: str) -> None:
        """Begin a build; a different site.yaml, theme location or katsudo version invalidates everything."""
        config_key = fingerprint(__version__, FORMAT, config_key)
        if config_key != self.config_key:
            self._unloaded = False  # nothing of the old cache is wanted: no need to read it
            self._dirty |= {shard_of(p) for p in (*self.posts, *self.markdown)}
            self._pages_dirty = True
            self.posts.clear()
            self.markdown.clear()
            self.pages.clear()
            self._pages_pickled, self._pages_forgotten = None, set()
            self.extra.clear()
            self.last = None
            self.config_key = config_key
        self.stats = CacheStats(cache_files_ignored=self.stats.cache_files_ignored)

    def load(self, path: Path, loader: Callable[[], tuple[object, list[SourceError]]]):
        """The post at `path`, loaded again only when the file's bytes changed."""
        try:
            stamp = content_digest(path.read_bytes())
        except OSError:
            stamp = None
        cached = self.posts.get(path)
        if cached is not None and stamp is not None and cached[0] == stamp:
            return cached[1], cached[2]
        post, errors = loader()
        self.stats.posts_loaded += 1
        self.posts[path] = (stamp, post, errors)
        self._dirty.add(shard_of(path))
        return post, errors

    def cached_markdown(self, path: Path, key: str):
        cached = self.markdown.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        return None

    def store_markdown(self, path: Path, key: str, result: object) -> None:
        self.stats.markdown_rendered += 1
        self.markdown[path] = (key, result)
        self._dirty.add(shard_of(path))

    def reusable_page(self, file: str, key: str, out: Path) -> bool:
        """Whether the page `file` of the last build can stay as it is: same key, file untouched."""
        cached = self.pages.get(file)
        return cached is not None and cached[0] == key and cached[1] is not None \
            and output_stamp(out / file) == cached[1]

    def remember_pages(self, keys: dict[str, str], out: Path) -> None:
        """After a build: the key of every rendered page and the stamp of the file now published."""
        pages = {file: (key, output_stamp(out / file)) for file, key in keys.items()}
        if pages != self.pages:
            self.pages = pages
            self._pages_dirty = True

    def forget_page(self, file: str) -> None:
        """The page `file` was rendered outside a whole build (generator/patch.py): its key is
        gone, so that the next whole build renders it again."""
        if self._pages_pickled is not None:
            self._pages_forgotten.add(file)
        else:
            self.pages.pop(file, None)
        self._pages_dirty = True

    def remember(self, name: str, value: object) -> None:
        if self.extra.get(name) != value:
            self.extra[name] = value
            self._pages_dirty = True

    def forget_missing(self, live_files: set[str], live_sources: set[Path]) -> None:
        """Drop entries of deleted posts and pages, so memory follows the site."""
        for table in (self.posts, self.markdown):
            for path in [p for p in table if p not in live_sources]:
                del table[path]
                self._dirty.add(shard_of(path))
        for file in [f for f in self.pages if f not in live_files]:
            del self.pages[file]
            self._pages_dirty = True

    # --- On disk ------------------------------------------------------------------------

    @classmethod
    def open(cls, site_root: Path, lazy: bool = False) -> BuildCache:
        """The cache saved by the last build of the site at `site_root` (empty when there is none
        or it cannot be trusted); `save()` writes it back. `lazy`: read the posts' shards only when
        the build needs them (`ensure_loaded`), not for a rebuild in which nothing changed."""
        folder = site_root / CACHE_FOLDER / "build"
        cache = cls(folder=folder)
        head = _read(folder / "main.cache")
        if head is None:
            if (folder / "main.cache").exists():
                cache.stats.cache_files_ignored += 1
            cache._dirty = set(range(SHARDS))
            cache._pages_dirty = True
            return cache
        cache.config_key, cache.extra = head["config_key"], head["extra"]
        cache._pages_pickled, cache._pages_forgotten = head["pages"], set(head["forgotten"])
        cache._unloaded = True
        if not lazy:
            cache.ensure_loaded()
        return cache

    def ensure_loaded(self) -> None:
        if self._pages_pickled is not None:
            try:
                with collector_paused():
                    self.pages = pickle.loads(self._pages_pickled)
            except Exception:  # (checksummed, so never seen; then no page is reused)
                self.pages = {}
            for file in self._pages_forgotten:
                self.pages.pop(file, None)
            self._pages_pickled, self._pages_forgotten = None, set()
        if not self._unloaded or self.folder is None:
            return
        self._unloaded = False
        for shard in range(SHARDS):
            path = self.folder / f"posts-{shard:02d}.cache"
            data = _read(path)
            if data is None or data.get("config_key") != self.config_key:
                if path.exists():
                    self.stats.cache_files_ignored += 1
                self._dirty.add(shard)
                continue
            self.posts.update(data["posts"])
            self.markdown.update(data["markdown"])

    def save(self) -> None:
        """Write what changed since `open()`: the shards of changed posts, and the page table;
        then wait for the build's writers in `background`."""
        from generator.parallel import wait_for

        try:
            self._save()
        finally:
            wait_for([pid for pid in self.background if pid is not None])
            self.background.clear()

    def _save(self) -> None:
        if self.folder is None:
            return
        if self._unloaded:  # shards never read: only the page table can have changed
            self._dirty.clear()
        self.folder.mkdir(parents=True, exist_ok=True)
        written = 0
        by_shard: dict[int, tuple[dict, dict]] = {shard: ({}, {}) for shard in self._dirty}
        for table, index in ((self.posts, 0), (self.markdown, 1)):
            for path, value in table.items():
                shard = shard_of(path)
                if shard in by_shard:
                    by_shard[shard][index][path] = value
        for shard, (posts, markdown) in sorted(by_shard.items()):
            _write(self.folder / f"posts-{shard:02d}.cache",
                   {"config_key": self.config_key, "posts": posts, "markdown": markdown})
            written += 1
        if self._pages_dirty or written:
            pages = self._pages_pickled
            if pages is None:
                pages = pickle.dumps(self.pages, protocol=pickle.HIGHEST_PROTOCOL)
            _write(self.folder / "main.cache", {"config_key": self.config_key, "pages": pages,
                                                "forgotten": sorted(self._pages_forgotten), "extra": self.extra})
            written += 1
        self._dirty.clear()
        self._pages_dirty = False
        self.stats.cache_files_written = written


def shard_of(path: Path) -> int:
    return zlib.crc32(str(path).encode("utf-8", "surrogatepass")) % SHARDS


def _header(payload: bytes) -> bytes:
    digest = hashlib.blake2b(payload, digest_size=32).hexdigest()
    return MAGIC + f"{FORMAT} {__version__} {len(payload)} {digest}\n".encode("ascii")


def _read(path: Path):
    """The value saved at `path`, or None when it is missing or cannot be trusted."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        return None
    try:
        form, version, length_text, digest = data[len(MAGIC):end].decode("ascii").split(" ")
        length = int(length_text)
    except ValueError:
        return None
    payload = data[end + 1:]
    if form != str(FORMAT) or version != __version__ or len(payload) != length \
            or hashlib.blake2b(payload, digest_size=32).hexdigest() != digest:
        return None
    try:
        with collector_paused():
            value = pickle.loads(payload)
    except Exception:  # a checksum that matches a payload pickle cannot read: still not trusted
        return None
    return value if isinstance(value, dict) else None


def _write(path: Path, value: object) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(_header(payload))
        handle.write(payload)
    os.replace(temporary, path)
