"""The last build's model on disk, in pieces, for `katsudo build` to patch a text edit.

`katsudo serve` keeps its last build in memory, and patches a text edit into it
(generator/patch.py). A run of `katsudo build` starts from nothing, and loading the whole model
(every post's HTML, every page's context: 150 MB at 10,000 posts) costs more than the patch
saves. So each whole build of the CLI leaves the parts a text patch reads in
SITE/.katsudo-cache/build/model.sqlite, one row at a time:

- `views`: each post's view, as every page that shows the post holds it;
- `pages`: the template context of each page that holds a view, with every view in it stored
  as a reference to its row, so that a page read back shares the views of the pages read with it;
- `posts`: per post source, what a text edit must leave as it was (front matter, slug, photos),
  and which pages hold its view;
- `build`: build-wide values: the link targets, the site globals of the templates, and the
  entries the feeds and the events calendar are made from (`text_site`).

A whole build rewrites only the rows whose key changed. The store carries the start time of the
build that wrote it (`generation`), which the build cache's record carries too: a store that a
later build did not update, or a damaged one, is never used (the patch gives up and the whole
build runs, which writes it again).
"""

from __future__ import annotations

import io
import pickle
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from generator.feeds import FEED_SIZE
from generator.events import event_entries
from generator.model import Group, Site
from generator.parallel import collector_paused
from generator.plan import PlannedPage
from generator.views import View

STORE_FILE = "model.sqlite"
SCHEMA = 2  # 2: a page row begins with the routes of the views it holds
PROTOCOL = pickle.HIGHEST_PROTOCOL


@dataclass(frozen=True)
class StoredPost:
    """What the store knows of one published post."""

    source_file: Any  # its SourceFile
    place: int  # in site.posts
    route: str
    unchanging: tuple  # (meta, slug, kind, bundle): a text edit leaves these as they are
    og_image: str | None
    images: tuple  # the photos its Markdown shows
    pages: tuple[str, ...]  # the output files whose context holds its view


@dataclass(frozen=True)
class StoredBuild:
    config_key: str
    targets: Any  # the LinkTargets the Markdown was rendered against (by_name: quick to read back)
    static: tuple
    globals_view: dict  # `site` in the templates


class _ByName(dict):
    """A dict keyed by paths, stored by their names: unpickling 10,000 Path objects costs a
    tenth of a second, unpickling their names next to nothing."""

    def __contains__(self, path) -> bool:
        return dict.__contains__(self, str(path))

    def __getitem__(self, path):
        return dict.__getitem__(self, str(path))


class _NamesOf(frozenset):
    def __contains__(self, path) -> bool:
        return frozenset.__contains__(self, str(path))


def by_name(targets):
    """`targets` (markdown.LinkTargets) with its sets and maps of paths keyed by name."""
    return replace(targets, source_urls=_ByName((str(path), url) for path, url in targets.source_urls.items()),
                   unpublished=_NamesOf(str(path) for path in targets.unpublished),
                   invalid=_NamesOf(str(path) for path in targets.invalid))


def unchanging(post) -> tuple:
    return post.meta, post.slug, post.kind, post.bundle


def text_site(site: Site) -> Site:
    """`site` reduced to the entries plan_feeds and plan_events read (the newest FEED_SIZE
    posts overall and in each category, the events), in their order: those sections plan the
    same outputs from it as from the whole site."""
    kept = {id(entry) for entry in site.posts[:FEED_SIZE]}
    kept |= {id(entry) for group in site.categories for entry in group.entries[:FEED_SIZE]}
    kept |= {id(entry) for entry in event_entries(site)}
    return replace(site, posts=tuple(e for e in site.posts if id(e) in kept), pages=(), tags=(), years=(),
                   categories=tuple(Group(g.key, g.label, tuple(e for e in g.entries if id(e) in kept))
                                    for g in site.categories),
                   series={}, static=(), cache={})


class _ReferencingPickler(pickle.Pickler):
    def __init__(self, file, references: dict[int, str]):
        super().__init__(file, protocol=PROTOCOL)
        self.references = references
        self.referenced: dict[str, None] = {}

    def persistent_id(self, obj):
        route = self.references.get(id(obj))
        if route is not None:
            self.referenced[route] = None
        return route


class _ResolvingUnpickler(pickle.Unpickler):
    def __init__(self, stream: io.BytesIO, resolve: Callable[[str], View]):
        super().__init__(stream)
        self.resolve = resolve

    def persistent_load(self, route):
        return self.resolve(route)


def _dumps_referencing(value: object, references: dict[int, str]) -> bytes:
    """Two pickles: the routes of the views `value` holds (so that a reader fetches them in one
    query), then `value` with each view stored as its route."""
    buffer = io.BytesIO()
    pickler = _ReferencingPickler(buffer, references)
    pickler.dump(value)
    return pickle.dumps(tuple(pickler.referenced), protocol=PROTOCOL) + buffer.getvalue()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    # A rollback journal, not a write-ahead log: a new store's 150 MB is written once, not twice
    # (into the log, then into the file); a killed write still rolls back.
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def save_model(folder: Path, generation: int, config_key: str, site: Site, views: dict[str, View],
               planned: list[PlannedPage], page_keys: dict[str, str], view_keys: dict[int, str],
               holders: dict[str, list[str]], sources: dict[Path, Any], file_digests: dict[Path, str | None], targets,
               static: tuple, globals_view: dict) -> None:
    """Bring the store in `folder` up to this build (see the module's docstring). `page_keys`,
    `view_keys` and `file_digests` are the build cache's keys of the pages, views and post files;
    `holders`: post route -> the pages whose context holds its view (collected while
    render.context_key keys the pages). A store that cannot be read is replaced; when even a new one
    cannot be written (a full disk), there is none, and the next text edit takes the whole build."""
    folder.mkdir(parents=True, exist_ok=True)
    arguments = (folder, generation, config_key, site, views, planned, page_keys, view_keys, holders, sources,
                 file_digests, targets, static, globals_view)
    try:
        _save(*arguments)
    except sqlite3.Error:
        forget_model(folder)
        try:
            _save(*arguments)
        except (sqlite3.Error, OSError):
            forget_model(folder)


def _save(folder: Path, generation: int, config_key: str, site: Site, views: dict[str, View],
          planned: list[PlannedPage], page_keys: dict[str, str], view_keys: dict[int, str],
          holders: dict[str, list[str]], sources: dict[Path, Any], file_digests: dict[Path, str | None], targets,
          static: tuple, globals_view: dict) -> None:
    db = _connect(folder / STORE_FILE)
    try:
        _create(db)
        by_id = {id(view): route for route, view in views.items()}
        holding = {file for files in holders.values() for file in files}
        pages = {page.file: page for page in planned if page.file in holding}
        # Each row's key is exact: everything the row is made of is in it, or determines it.
        db.execute("BEGIN")

        def page_key(page: PlannedPage) -> str | None:
            key = page_keys.get(page.file)
            return None if key is None else f"{key}|{page.route}|{page.origin}|{page.source}"

        _sync(db, "pages", {file: page_key(page) for file, page in pages.items()},
              lambda file: (pages[file].template, _dumps_referencing(
                  (pages[file].route, pages[file].origin, pages[file].source, pages[file].context), by_id)))
        _sync(db, "views", {route: view_keys.get(id(view)) for route, view in views.items()},
              lambda route: (None, pickle.dumps(views[route], protocol=PROTOCOL)))
        entries = {str(entry.post.source): (place, entry) for place, entry in enumerate(site.posts)}

        def post_key(place: int, entry) -> str | None:
            digest = file_digests.get(entry.post.source)
            if digest is None:
                return None
            return (f"{config_key}|{digest}|{sources.get(entry.post.source)!r}|{place}|{entry.route}|"
                    f"{entry.rendered.og_image}|{entry.rendered.images!r}|{holders.get(entry.route)}")

        def post_row(source: str) -> tuple:
            place, entry = entries[source]
            record = StoredPost(sources.get(entry.post.source), place, entry.route, unchanging(entry.post),
                                entry.rendered.og_image, tuple(entry.rendered.images),
                                tuple(holders.get(entry.route, ())))
            return None, pickle.dumps(record, protocol=PROTOCOL)

        _sync(db, "posts", {source: post_key(*value) for source, value in entries.items()}, post_row)
        _put(db, "build", StoredBuild(config_key, by_name(targets), static, globals_view))
        _put_text_site(db, text_site(site))
        _put(db, "generation", generation)
        db.execute("COMMIT")
    finally:
        db.close()


def _put(db: sqlite3.Connection, name: str, value: object) -> None:
    db.execute("INSERT OR REPLACE INTO build VALUES (?, ?)", (name, pickle.dumps(value, protocol=PROTOCOL)))


def _put_text_site(db: sqlite3.Connection, site: Site) -> None:
    _put(db, "text-routes", frozenset(entry.route for entry in site.posts))
    _put(db, "text-site", site)


def _get(db: sqlite3.Connection, name: str):
    found = db.execute("SELECT value FROM build WHERE name = ?", (name,)).fetchone()
    if found is None:
        raise KeyError(name)
    return pickle.loads(found[0])


def _create(db: sqlite3.Connection) -> None:
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found != SCHEMA:
        for table in ("build", "pages", "views", "posts"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"PRAGMA user_version={SCHEMA}")
    db.execute("CREATE TABLE IF NOT EXISTS build (name TEXT PRIMARY KEY, value BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS pages (name TEXT PRIMARY KEY, key TEXT, template TEXT, value BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS views (name TEXT PRIMARY KEY, key TEXT, template TEXT, value BLOB)")
    db.execute("CREATE TABLE IF NOT EXISTS posts (name TEXT PRIMARY KEY, key TEXT, template TEXT, value BLOB)")


def _sync(db: sqlite3.Connection, table: str, keys: dict[str, str | None], row: Callable[[str], tuple]) -> None:
    """Make `table` hold a row for each of `keys`: rows whose key is unchanged are kept (a key of
    None is never trusted), the others written, rows of names not in `keys` deleted."""
    stored = dict(db.execute(f"SELECT name, key FROM {table}"))
    gone = [(name,) for name in stored if name not in keys]
    if gone:
        db.executemany(f"DELETE FROM {table} WHERE name = ?", gone)
    db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)",
                   ((name, key, *row(name)) for name, key in keys.items() if key is None or stored.get(name) != key))


def forget_model(folder: Path) -> None:
    """Remove the store (a build whose model it no longer describes: --no-cache, a failed save)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        (folder / (STORE_FILE + suffix)).unlink(missing_ok=True)


class ModelStore:
    """The store read back, a few rows at a time. Views read through `view` are shared: the pages
    read after them hold the same objects, so updating a view updates every page read."""

    def __init__(self, db: sqlite3.Connection, header: StoredBuild):
        self.db, self.header = db, header
        self._views: dict[str, View] = {}

    @classmethod
    def open(cls, folder: Path, generation: int, config_key: str) -> ModelStore | None:
        path = folder / STORE_FILE
        if not path.is_file():
            return None
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                raise ValueError("another schema")
            if _get(db, "generation") != generation:
                raise ValueError("another build")
            header = _get(db, "build")
            if not isinstance(header, StoredBuild) or header.config_key != config_key:
                raise ValueError("another build")
        except Exception:  # damaged, of another build or katsudo: not trusted
            db.close()
            return None
        return cls(db, header)

    def text_routes(self) -> frozenset[str]:
        """The posts the feeds and the events calendar are made from."""
        return _get(self.db, "text-routes")

    def text_site(self) -> Site:
        return _get(self.db, "text-site")

    def close(self) -> None:
        self.db.close()

    def post(self, source: Path) -> StoredPost | None:
        found = self.db.execute("SELECT value FROM posts WHERE name = ?", (str(source),)).fetchone()
        return pickle.loads(found[0]) if found else None

    def view(self, route: str) -> View:
        view = self._views.get(route)
        if view is None:
            self._fetch((route,))
            view = self._views[route]
        return view

    def _fetch(self, routes) -> None:
        """Read the views of `routes` not read yet, 500 to a query."""
        wanted = [route for route in routes if route not in self._views]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            with collector_paused():
                for route, value in self.db.execute(f"SELECT name, value FROM views WHERE name IN ({marks})", chunk):
                    self._views[route] = pickle.loads(value)
        missing = [route for route in wanted if route not in self._views]
        if missing:
            raise KeyError(missing[0])

    def views(self) -> dict[str, View]:
        return self._views

    def page(self, file: str) -> PlannedPage:
        found = self.db.execute("SELECT template, value FROM pages WHERE name = ?", (file,)).fetchone()
        if found is None:
            raise KeyError(file)
        stream = io.BytesIO(found[1])
        self._fetch(pickle.load(stream))
        with collector_paused():
            route, origin, source, context = _ResolvingUnpickler(stream, self.view).load()
        return PlannedPage(route, file, origin, found[0], context, source=source)


def update_model(folder: Path, generation: int, views: dict[str, View], pages: list[PlannedPage],
                 site: Site | None) -> None:
    """After a patch: the changed views and pages, the new text site (if it changed) and generation."""
    db = _connect(folder / STORE_FILE)
    try:
        db.execute("BEGIN")
        references = {id(view): route for route, view in views.items()}
        db.executemany("UPDATE views SET key = NULL, value = ? WHERE name = ?",
                       ((pickle.dumps(view, protocol=PROTOCOL), route) for route, view in views.items()))
        db.executemany("UPDATE pages SET key = NULL, value = ? WHERE name = ?",
                       ((_dumps_referencing((p.route, p.origin, p.source, p.context), references), p.file)
                        for p in pages))
        if site is not None:
            _put_text_site(db, site)
        _put(db, "generation", generation)
        db.execute("COMMIT")
    finally:
        db.close()
