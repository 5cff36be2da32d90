"""Rebuild after an edit to the text of posts, without planning the site again (katsudo serve).

When an editor saves a post and only its Markdown body changed — the front matter means the
same (title, date, tags, category, address...) — the site has the same structure as before:
the same pages, lists, neighbours and related posts. What can change is what is made of the
post's text: its view (content, table of contents, summary, reading time), and so the pages
that show that view, and the outputs made from post text (the feeds, the events calendar).

So instead of a whole build, `apply` takes the last build's site model and page plan (kept in
memory by `katsudo serve` as a `LastBuild`), renders the edited posts' Markdown, updates their
views in place (each view is one dict, shared by every page that shows the post, so every
context that holds it sees the new text), plans again the post pages and the text-made
outputs, and renders and writes only the pages that hold a changed view. Anything else — a
changed front matter, a new or deleted file, a template, an error in the edited post — is left
to the whole build (`apply` returns None), which gives the same site; tests/test_patch.py
checks the two byte for byte.
"""

from __future__ import annotations

import shutil
import time
from functools import partial
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from generator.cache import RACY_NS, BuildCache, restamped, same_moment
from generator.config import SiteConfig
from generator.events import plan_events
from generator.model import Entry, Group, Site, Year
from generator.plan import Planner, PlannedPage, plan_feeds, plan_post_page
from generator.posts import load_post
from generator.render import render_page
from generator.urls import tag_key
from generator.views import View, post_view
from generator.write import MARKER, place_changed, staging_folder, update_in_place

# Sections planned again on every patch: the outputs they make read the posts' rendered text
# directly, not through the views.
TEXT_SECTIONS = (plan_feeds, plan_events)


@dataclass
class LastBuild:
    """What a build in `katsudo serve` leaves for the next one: the model it published."""

    options: Any  # the BuildOptions it was built with
    config: SiteConfig
    theme: Any
    strings: dict[str, str]
    env: Any  # the Jinja environment, templates compiled
    site: Site
    views: dict[str, View]  # route -> the view every page showing that post holds
    holders: dict[str, list[str]]  # route -> the pages whose context holds its view (render.context_key found them)
    planned: list[PlannedPage]
    sources: dict[Path, Any]  # content file -> its SourceFile
    targets: Any  # the LinkTargets the Markdown was rendered against
    static: tuple
    horizon: datetime | None  # when a future post is published or an event is over
    result: Any  # the BuildResult
    _index: dict[str, int] | None = field(default=None, repr=False)  # output file -> place in `planned`
    _places: dict[Path, int] | None = field(default=None, repr=False)  # post source -> place in site.posts

    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {page.file: number for number, page in enumerate(self.planned)}
        return self._index

    def places(self) -> dict[Path, int]:
        if self._places is None:
            self._places = {entry.post.source: number for number, entry in enumerate(self.site.posts)}
        return self._places


def apply(last: LastBuild, cache: BuildCache, options, changed: set[Path], reporter) -> Any | None:
    """Bring the published site up to date with the edited posts in `changed`; None when the
    change is more than post text (the caller builds the whole site instead). The edited posts'
    warnings go to `reporter`, as a whole build would say them."""
    started = time.perf_counter()
    if replace(options, now=last.options.now) != last.options:
        return None
    if not same_moment(last.options.now, last.horizon, options.now):
        return None
    config = last.config
    content = config.content_dir.resolve()
    by_source = last.places()
    edited: list[tuple[int, Entry]] = []
    for path in changed:
        resolved = path.resolve()
        try:
            candidate = config.content_dir / resolved.relative_to(content)
        except ValueError:
            return None  # a template, an asset or site.yaml
        if candidate in by_source:
            number = by_source[candidate]
            edited.append((number, last.site.posts[number]))
        elif resolved.exists() or _read_by(last, candidate):
            return None  # a new file, a photo, a page, a draft, a folder, or one of them deleted
        # else: a file that came and went (an editor's temporary file) changes nothing

    posts, old_entries = [], []
    for number, entry in edited:
        source = last.sources.get(entry.post.source)
        if source is None or source.kind != "post":
            return None
        post, errors = cache.load(source.path, partial(load_post, config, source))
        if errors or post is None:
            return None  # the whole build reports them, with everything else
        old = entry.post
        if (post.meta, post.slug, post.kind, post.bundle) != (old.meta, old.slug, old.kind, old.bundle):
            return None
        if post.body != old.body or post.body_line != old.body_line:
            posts.append(post)
            old_entries.append((number, entry))
    if not posts:
        return replace(last.result, written=0, rendered=0, markdown=0, images_processed=0, timings={})

    markdown_before = cache.stats.markdown_rendered
    from generator.build import render_markdown  # (build imports this module)

    rendered, errors = render_markdown(config, posts, last.targets, last.strings, cache, last.static)
    if errors:
        return None
    new_warnings = [w for result in rendered.values() for w in result.warnings]
    if options.strict and new_warnings:
        return None
    swaps: dict[int, Entry] = {}
    for post, (number, entry) in zip(posts, old_entries):
        fresh = rendered[post.source]
        if fresh.images != entry.rendered.images:
            return None  # another photo: the image stage has work to do
        swaps[id(entry)] = Entry(post, fresh, entry.route)
    site = _swap_entries(last.site, swaps)

    # Views change in place: every planned context that holds one now shows the new text.
    index = last.index()
    todo: dict[int, PlannedPage] = {}
    for number, entry in old_entries:
        view = last.views[entry.route]
        new_view = post_view(site, site.posts[number], number)
        if new_view == view:
            continue
        view.clear()
        view.update(new_view)
        for file in last.holders.get(entry.route, ()):
            todo[index[file]] = last.planned[index[file]]
    planner = Planner(site, last.strings, views=last.views)
    for number, _ in old_entries:
        plan_post_page(planner, site.posts[number])
    for section in TEXT_SECTIONS:
        section(planner)
    for page in planner.planned:
        place = index.get(page.file)
        if place is None:
            return None
        before = last.planned[place]
        if page.context != before.context or page.data != before.data or page.template != before.template:
            todo[place] = page
        last.planned[place] = page

    out = options.out.resolve()
    pages = [todo[place] for place in sorted(todo)]
    staging = staging_folder(out)
    placed: dict[str, bool] = {}
    try:
        for page in pages:
            if page.template is None:
                continue
            data, error = render_page(last.env, last.theme, page)
            if error is not None or data is None:
                raise _Unpatchable
            placed[page.file] = place_changed(staging, out, page.file, data)
        update = update_in_place(out, pages, staging, placed, {page.file for page in pages})
    except _Unpatchable:
        shutil.rmtree(staging, ignore_errors=True)
        return None

    # What the whole build reads next time: these pages' keys are gone (they are rendered again
    # then), and the published files' stamps are the new ones.
    for page in pages:
        cache.forget_page(page.file)
    record = cache.extra.get("fast")
    if record is not None:
        cache.extra["fast"] = {**record, "output": restamped(record["output"], out, update.touched), "inputs": None}
    cache.stats.pages_rendered += len(placed)
    last.site = site
    last.options = options
    for warning in sorted(new_warnings, key=lambda w: w.sort_key()):
        reporter.warn(warning)
    old_warnings = sum(len(entry.rendered.warnings) for _, entry in old_entries)
    last.result = replace(last.result, warnings=last.result.warnings - old_warnings + len(new_warnings))
    return replace(last.result, written=update.written, rendered=len(placed),
                   markdown=cache.stats.markdown_rendered - markdown_before, images_processed=0,
                   timings={"patch": time.perf_counter() - started})


class _Unpatchable(Exception):
    pass


def _read_by(last: LastBuild, path: Path) -> bool:
    """Whether the last build may have read `path` or files under it: a page, a draft or future
    post (sources not in the model's posts), a file of content/, a file in a folder post (its
    photos are published beside it), or a folder of them. Such a path gone is a change."""
    bundles = {source.bundle for source in last.sources.values() if source.bundle is not None}
    if path in last.sources or any(parent in bundles for parent in path.parents):
        return True
    prefix = str(path) + "/"
    return any(known == path or str(known).startswith(prefix)
               for known in [*last.sources, *(item.path for item in last.static)])


def _swap_entries(site: Site, swaps: dict[int, Entry]) -> Site:
    """`site` with each entry whose id is in `swaps` replaced, in every list that holds it. Only
    the lists of the entry's own tags, category, year, month and series are looked through: the
    swapped entry has the same front matter, so it sits in the same lists."""
    def swap(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        return tuple(swaps.get(id(entry), entry) for entry in entries)

    metas = [entry.post.meta for entry in swaps.values()]
    tag_keys = {tag_key(name) for meta in metas for name in meta.tags}
    categories = {meta.category for meta in metas}
    dates = [entry.post.date for entry in swaps.values()]
    years = {date.year for date in dates}
    months = {(date.year, date.month) for date in dates}
    series = {meta.series for meta in metas if meta.series}
    return replace(
        site,
        posts=swap(site.posts),
        tags=tuple(Group(g.key, g.label, swap(g.entries)) if g.key in tag_keys else g for g in site.tags),
        categories=tuple(Group(g.key, g.label, swap(g.entries)) if g.key in categories else g for g in site.categories),
        years=tuple(Year(y.year, swap(y.entries),
                         tuple((m, swap(es)) if (y.year, m) in months else (m, es) for m, es in y.months))
                    if y.year in years else y for y in site.years),
        series={name: swap(parts) if name in series else parts for name, parts in site.series.items()},
        # The related-posts index holds entries for their tags, titles and dates, which a text edit keeps.
        cache=dict(site.cache),
    )


# --- The same patch for `katsudo build`, from the model store ----------------------------------

PATCH_LIMIT = 20  # changed files beyond which the whole build is the quicker way


def apply_stored(cache: BuildCache, config: SiteConfig, theme, strings: dict[str, str], options, inputs: dict,
                 started_ns: int, reporter, output_same: Callable[[], bool]) -> Any | None:
    """`apply` for a run of `katsudo build`: the model comes from generator/store.py, a few rows
    at a time, and the changed files from comparing the inputs' stamps with the last build's.
    None when the change is more than post text, or the store cannot be used."""
    from generator.store import ModelStore, forget_model

    begun = time.perf_counter()
    record = cache.extra.get("fast")
    if record is None or record["inputs"] is None or cache.folder is None or "held_back" not in record:
        return None
    before = record["inputs"]
    if any(inputs[name] != before.get(name) for name in inputs if name != "files"):
        return None
    if not same_moment(record["now"], record["horizon"], options.now):
        return None
    if config.search and options.search_index:
        return None  # the search index is made from every page: the whole build makes it
    old_files, new_files = before["files"], inputs["files"]
    if old_files.keys() != new_files.keys():
        return None  # a file added or deleted
    content = f"0:{config.content_dir}/"
    racy = record["started"] - RACY_NS
    changed = [name for name, stamp in new_files.items() if stamp != old_files[name] or stamp[1] >= racy]
    if not changed or len(changed) > PATCH_LIMIT or not all(name.startswith(content) for name in changed):
        return None
    out = options.out.resolve()
    if not (out / MARKER).is_file():
        return None
    assert cache.config_key is not None  # (cache.start set it)
    store = ModelStore.open(cache.folder, record["started"], cache.config_key)
    if store is None:
        return None
    try:
        outcome = _patch_stored(store, cache, config, theme, strings, options, out,
                                [Path(name[2:]) for name in changed], inputs, started_ns, output_same)
    except Exception as error:  # a damaged store: the whole build runs, and writes a new one
        reporter.debug(f"  model store not used: {type(error).__name__}: {error}")
        store.close()
        forget_model(cache.folder)
        return None
    store.close()
    if outcome is None:
        return None
    update, rendered_pages, markdown, warnings = outcome
    for warning in warnings:
        reporter.warn(warning)
    return replace(cache.extra["fast"]["result"], written=update.written, rendered=rendered_pages, markdown=markdown,
                   images_processed=0, timings={"patch": time.perf_counter() - begun})


def _patch_stored(store, cache: BuildCache, config: SiteConfig, theme, strings, options, out: Path,
                  changed: list[Path], inputs: dict, started_ns: int, output_same: Callable[[], bool]):
    from generator.build import render_markdown  # (build imports this module)
    from generator.render import make_environment
    from generator.store import unchanging, update_model
    from generator.urls import output_file
    from generator.views import page_description, text_fields

    assert cache.folder is not None  # (apply_stored checked)
    header = store.header
    posts, stored_posts = [], []
    for path in changed:
        stored = store.post(path)
        if stored is None or stored.source_file is None or stored.source_file.kind != "post":
            return None  # a page, a draft, a photo
        post, errors = load_post(config, stored.source_file)
        if errors or post is None or unchanging(post) != stored.unchanging:
            return None
        posts.append(post)
        stored_posts.append(stored)
    rendered, errors = render_markdown(config, posts, header.targets, strings, None, header.static)
    if errors:
        return None
    new_warnings = [w for post in posts for w in rendered[post.source].warnings]
    if options.strict and new_warnings:
        return None

    todo: dict[str, None] = {}
    changed_views = {}
    fresh_entries = {}
    for post, stored in zip(posts, stored_posts):
        fresh = rendered[post.source]
        if tuple(fresh.images) != stored.images or fresh.og_image != stored.og_image:
            return None  # another photo: the image stage has work to do
        fresh_entries[stored.route] = Entry(post, fresh, stored.route)
        view = store.view(stored.route)
        fields = text_fields(config, fresh)
        if all(view[name] == value for name, value in fields.items()):
            continue
        view.update(fields)
        changed_views[stored.route] = view
        todo.update(dict.fromkeys(stored.pages))
    pages = [store.page(file) for file in todo]
    own_pages = {output_file(route): view for route, view in changed_views.items()}
    for page in pages:
        if page.file in own_pages:  # (plan_post_page: the page's description is the summary)
            page.context["page"]["description"] = page_description(config, own_pages[page.file]["summary"])

    # The feeds and the events calendar, from the entries they are made of.
    site = None
    if not store.text_routes().isdisjoint(fresh_entries):
        site = store.text_site()
        site = _swap_entries(site, {id(entry): fresh_entries[entry.route] for entry in site.posts
                                    if entry.route in fresh_entries})
        planner = Planner(site, strings, views=_StoredViews(store))
        for section in TEXT_SECTIONS:
            section(planner)
        for page in planner.planned:
            if page.file not in todo and (page.template is None or _stored_context(store, page.file) != page.context):
                pages.append(page)  # (a data page is written only if its bytes change)

    env = make_environment(config, theme, header.globals_view, strings, cache.folder.parent / "templates")
    rendered_pages = [(page, None if page.template is None else render_page(env, theme, page)) for page in pages]
    if not output_same():  # (a file edited or added by hand: the whole build puts the folder right)
        return None
    staging = staging_folder(out)
    placed: dict[str, bool] = {}
    try:
        for page, outcome in rendered_pages:
            if outcome is None:
                data = page.data
            else:
                data, error = outcome
                if error is not None:
                    raise _Unpatchable
            placed[page.file] = place_changed(staging, out, page.file, data)
        update = update_in_place(out, pages, staging, placed, {page.file for page in pages})
    except _Unpatchable:
        shutil.rmtree(staging, ignore_errors=True)
        return None

    # The store and the cache's record now describe this build; the pages rendered here are
    # rendered again by the next whole build (their keys are gone), which rewrites their rows.
    update_model(cache.folder, started_ns, changed_views, [p for p in pages if p.file in own_pages], site)
    for page in pages:
        cache.forget_page(page.file)
    record = cache.extra["fast"]
    sources = {post.source for post in posts}
    warnings = sorted([w for w in record["warnings"] if w.path not in sources] + new_warnings,
                      key=lambda w: w.sort_key())
    cache.remember("fast", {**record, "inputs": inputs, "started": started_ns, "now": options.now, "warnings": warnings,
                            "output": restamped(record["output"], out, update.touched),
                            "result": replace(record["result"], warnings=len(warnings))})
    return update, sum(outcome is not None for _, outcome in rendered_pages), len(posts), warnings


def _stored_context(store, file: str) -> dict | None:
    try:
        return store.page(file).context
    except KeyError:
        return None


class _StoredViews(dict):
    """The views a re-planned section asks for, read from the store as it asks."""

    def __init__(self, store):
        super().__init__()
        self.store = store

    def __missing__(self, route: str):
        return self.store.view(route)
