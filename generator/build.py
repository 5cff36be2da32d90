"""Run the stages in order and time each: the only module that calls all of them.

config -> sources -> posts -> markdown -> site model -> plan -> render -> write.
Any error stops the build before `write`, so nothing is ever half-published.
"""

from __future__ import annotations

import shutil
import time
from functools import partial
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from generator import __version__
from generator.cache import (RACY_NS, BuildCache, Stamps, file_stamp, fingerprint, folder_digest, output_stamps,
                             output_unchanged, published_files, restamped, same_moment, walk_stamps)
from generator.deps import globals_key, template_digests, track
from generator.config import SiteConfig, load_config
from dataclasses import replace
from generator.errors import ErrorBag, KatsudoError
from generator.held_back import HeldBack, future_event_warnings, held_back
from generator.images import ImageCatalog, cache_dir, process_jobs
from generator.markdown import LinkTargets, MarkdownRenderer, Rendered
from generator.model import build_site, route_of
from generator.patch import LastBuild, apply, apply_stored
from generator.plan import Planner, plan_pages
from generator.posts import is_published, load_posts
from generator.parallel import ForkedQuestion, in_background, run_indexed
from generator.render import context_key, make_environment, precompile, render_pages, view_memo
from generator.report import Reporter
from generator.search import BUNDLE, index_folder
from generator.store import forget_model, save_model
from generator.sources import bundle_files, discover
from generator.theme import load_strings, resolve_theme
from generator.urls import link
from generator.views import site_view
from generator.write import (MARKER, check_output_folder, place, place_changed, same_bytes, same_file, staging_folder,
                             update_in_place, write_site)


@dataclass(frozen=True)
class BuildOptions:
    site_root: Path
    out: Path
    now: datetime  # the build moment: posts dated after it are future posts
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    search_index: bool = True  # False: leave the search index to the caller (katsudo serve indexes after reloading)
    strict: bool = False  # warnings (missing alt text, oversized photos) are errors
    jobs: int = 1  # processes that render Markdown and pages (katsudo build: one per core)


@dataclass
class BuildResult:
    out: Path
    posts: int
    pages: int  # HTML pages
    files: int  # every file in the output
    written: int
    timings: dict[str, float] = field(default_factory=dict)
    images_processed: int = 0  # image files made this build (0 when every photo came from the cache)
    warnings: int = 0
    rendered: int = 0  # pages rendered this build (the others were unchanged and kept)
    markdown: int = 0  # posts whose Markdown was rendered this build
    held_back: tuple[HeldBack, ...] = ()  # drafts and future posts not published (generator/held_back.py)


class Progress:
    """What a long build tells as it goes (the CLI draws a bar); this one tells nothing."""

    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def render_markdown(config: SiteConfig, posts, targets: LinkTargets, strings: dict[str, str],
                    cache: BuildCache | None = None, static: tuple = (), jobs: int = 1,
                    progress: Progress | None = None, keys: dict[Path, str] | None = None
                    ) -> tuple[dict[Path, Rendered], list]:
    """Every post's Markdown as HTML, its links resolved against `targets` (`link_targets`). With
    a cache, a post is rendered again only when its input changed: its own fields, and — only for
    a post that links to or shows files of the site — what those links resolve against (every
    published URL, the files, the photos). `keys`, when given, receives each post's key (page
    keys are built on them)."""
    images = targets.images
    renderer = MarkdownRenderer(targets, strings.get("footnote_backlink", "Back to the text"),
                                strings.get("table_label", "Table"), strings.get("file_meta"),
                                safe_html=config.markdown.safe_html, keep_comments=config.markdown.keep_comments)

    def render(post) -> tuple[Rendered, bool]:
        result = renderer.render(post.source, post.body, post.body_line, link(config.base_path, route_of(post)),
                                 post.bundle, post.meta.summary, config.summary_length,
                                 post.meta.cover, post.meta.cover_line, post.meta.attachments)
        return result, renderer.last_local

    site_base: list[str] = []  # the fingerprint of everything links resolve against, made on first need

    def site_key(own: str, post) -> str:
        if not site_base:
            site_base.append(fingerprint(
                sorted(targets.source_urls.items()), sorted(targets.unpublished), sorted(targets.invalid),
                [(f.path, file_stamp(f.path)) for f in static],
                images.fingerprint() if images is not None else None))
        return "site:" + _site_key(site_base[0], own, post)

    rendered, errors = {}, []
    if cache is None:
        todo = list(posts)
    else:
        # A post whose render looked nothing up depends on its own fields alone ("own" key); one
        # that did also on everything a link can resolve against ("site" key).
        own_base = fingerprint(strings, config.base_path, config.summary_length, images is not None,
                               config.markdown.safe_html)
        own_keys, todo = {}, []
        for post in posts:
            own_keys[post.source] = fingerprint(own_base, post.body, post.body_line, route_of(post), post.bundle,
                                                post.meta.summary, post.meta.cover, post.meta.cover_line,
                                                post.meta.attachments)
            result = cache.cached_markdown(post.source, "own:" + own_keys[post.source])
            if result is None and post.source in cache.markdown and cache.markdown[post.source][0].startswith("site:"):
                result = cache.cached_markdown(post.source, site_key(own_keys[post.source], post))
            if result is None:
                todo.append(post)
            else:
                rendered[post.source] = result
                if keys is not None:
                    keys[post.source] = cache.markdown[post.source][0]
    if progress is not None:
        progress.stage("Markdown", len(todo))
    done = run_indexed(lambda index: render(todo[index]), len(todo), jobs,
                       progress.advance if progress is not None else None)
    for post, (result, local) in zip(todo, done):
        rendered[post.source] = result
        if cache is not None:
            own = own_keys[post.source]
            key = site_key(own, post) if local else "own:" + own
            cache.store_markdown(post.source, key, result)
            if keys is not None:
                keys[post.source] = key
    for post in posts:
        errors.extend(rendered[post.source].errors)
    return {post.source: rendered[post.source] for post in posts}, errors


def link_targets(config: SiteConfig, posts, unpublished, invalid: set[Path], images: ImageCatalog | None) -> LinkTargets:
    return LinkTargets(
        base_path=config.base_path,
        content_dir=config.content_dir,
        source_urls={p.source.resolve(): link(config.base_path, route_of(p)) for p in posts},
        unpublished=frozenset(p.source.resolve() for p in unpublished),
        invalid=frozenset(path.resolve() for path in invalid),
        images=images,
    )


def _site_key(site_base: str, own: str, post) -> str:
    bundle = [(path, file_stamp(path)) for path in bundle_files(post.bundle)] if post.bundle is not None else None
    return fingerprint(site_base, own, bundle)


def build(options: BuildOptions, reporter: Reporter, cache: BuildCache | None = None,
          progress: Progress | None = None, changed: set[Path] | None = None) -> BuildResult:
    """One build. With a `cache` (kept between calls by katsudo serve, saved between runs by
    katsudo build), unchanged posts, Markdown and pages are reused; the output is the same as a
    build without it. `changed`: the files changed since the last build with this in-memory
    cache (katsudo serve's watcher knows them), which lets an edit to post text be patched into
    the last build's model (generator/patch.py) instead of building everything."""
    progress = progress or Progress()
    timer = _Timer()
    config = load_config(options.site_root, options.base_url)
    check_output_folder(config.root, options.out)
    started_ns = time.time_ns()
    if cache is not None:
        # (Not the theme: each page is keyed on its own templates, Markdown on the UI strings.)
        cache.start(fingerprint(config, options.drafts, options.future))
        if changed is not None and isinstance(cache.last, LastBuild):
            patched = apply(cache.last, cache, options, changed, reporter) if cache.last.config == config else None
            if patched is not None:
                for stage, seconds in patched.timings.items():
                    reporter.debug(f"  {stage:<9} {seconds * 1000:8.1f} ms")
                return patched
        cache.last = None  # (a failed patch may have changed it half-way)
    theme = resolve_theme(config)
    strings = load_strings(theme, config.language)
    inputs = None
    output_as_left = False  # whether the published folder is exactly as the last build left it
    if cache is not None:
        output_same = _output_check(cache, options)  # (on the other core, while the inputs are compared)
        try:
            inputs = input_stamps(config, theme, options)
            done = _nothing_changed(cache, inputs, options, reporter, output_same.answer)
            if done is not None:
                timer.lap("config")
                return replace(done, timings=timer.timings)
            if cache.folder is not None:  # katsudo build: a text edit is patched from the model store
                patched = apply_stored(cache, config, theme, strings, options, inputs, started_ns, reporter,
                                       output_same.answer)
                if patched is not None:
                    timer.lap("config")
                    timings = {**timer.timings, **patched.timings}
                    for stage, seconds in timings.items():
                        reporter.debug(f"  {stage:<9} {seconds * 1000:8.1f} ms")
                    return replace(patched, timings=timings)
            output_as_left = output_same.answer()  # (for the whole build: the update in place)
        finally:
            output_same.close()
        cache.ensure_loaded()
    timer.lap("config")

    errors = ErrorBag()
    tree = discover(config.content_dir)
    all_posts, found = load_posts(config, tree.sources, cache)
    errors.extend(found)
    published = [p for p in all_posts if is_published(p, options.now, options.drafts, options.future)]
    shown = {id(p) for p in published}
    unpublished = [p for p in all_posts if id(p) not in shown]  # (by identity: `in` a list was O(N²))
    held = held_back(unpublished, options.drafts)
    timer.lap("content")

    # Sources that failed validation are already reported; links to them are not errors twice.
    invalid = {source.path for source in tree.sources} - {post.source for post in all_posts}
    images = ImageCatalog(image_routes(config, published, tree.static), config.images)
    markdown_keys: dict[Path, str] = {}  # (filled with a cache only)
    markdown_before = cache.stats.markdown_rendered if cache is not None else 0
    targets = link_targets(config, published, unpublished, invalid, images)
    rendered, found = render_markdown(config, published, targets, strings, cache, tree.static, options.jobs, progress,
                                      markdown_keys if cache is not None else None)
    markdown_count = cache.stats.markdown_rendered - markdown_before if cache is not None else len(published)
    errors.extend(found)
    warnings = [w for result in rendered.values() for w in result.warnings]
    warnings += future_event_warnings(unpublished, options.drafts)
    if options.strict:
        errors.extend(replace(w, severity="error") for w in warnings)
    else:
        for warning in sorted(warnings, key=lambda w: w.sort_key()):
            reporter.warn(warning)
    for post_rendered in rendered.values():
        images.add(post_rendered.images)  # what each post shows (also when its Markdown came from a cache)
    if config.images.default_image:
        images.default_social = images.social(images.info(config.content_dir / config.images.default_image)).route
    timer.lap("markdown")

    site = build_site(config, published, rendered, tree.static, options.now, images=images)
    planner = Planner(site, strings)
    planned, found = plan_pages(site, strings, theme.assets(), planner)
    errors.extend(found)
    errors.raise_if_any()
    timer.lap("plan")

    processed = process_jobs([job for _, job in images.outputs(site.static)[0]], cache_dir(config.root))
    reporter.debug(f"  images: {processed} processed, {len(images.variants)} variants planned")
    timer.lap("images")

    out = options.out.resolve()
    globals_view = site_view(site)
    read: set = set()  # the paths of `site` the templates read (tracked with a cache only)
    # Compiled templates are kept beside the cache (checked against their source by Jinja): most of
    # a small site's render stage is compiling them again.
    compiled = cache.folder.parent / "templates" if cache is not None and cache.folder is not None else None
    env = make_environment(config, theme, track(globals_view, read) if cache is not None else globals_view, strings,
                           compiled)
    templated = [page for page in planned if page.template is not None]
    keys: dict[str, str] = {}
    reused: set[str] = set()
    if cache is not None:
        digests = template_digests(env, {page.template for page in templated}, folder_digest(theme.template_dirs))
        before = cache.extra.get("globals")
        same_globals = before is not None and before[0] == globals_key(globals_view, strings, before[1])
        if before is not None and same_globals:
            read |= before[1]
        memo = view_memo(planned, markdown_keys)
        holders: dict[str, list[str]] = {}  # post route -> the pages whose context holds its view (the store's)
        found = _holder(holders, {id(view): route for route, view in planner.views.items()})
        keys = {page.file: context_key((digests[page.template], page.template, page.context), memo, found(page.file))
                for page in templated if page.template is not None}
        if same_globals:
            reused = {file for file, key in keys.items() if cache.reusable_page(file, key, out)}
    todo = [page for page in templated if page.file not in reused]
    if todo and options.jobs > 1:
        precompile(env, {page.template for page in todo})
    search = bool(config.search and options.search_index)
    files_key = fingerprint(sorted(page.file for page in planned))
    progress.stage("pages", len(todo))
    kept = not todo and cache is not None and _unchanged(cache, out, planned, files_key, search, output_as_left)
    staging = None if kept else staging_folder(out)
    # When the output folder is exactly what the last build left, only the files that change are
    # replaced (each atomically), instead of assembling all of them beside it and swapping.
    previous = None
    stamps_before = None
    if staging is not None and cache is not None and not search and cache.extra.get("fast") is not None:
        stamps_before = cache.extra["fast"]["output"]
        if output_as_left and (out / MARKER).is_file():
            previous = published_files(stamps_before)
    try:
        output, found = render_pages(env, theme, todo, options.jobs, progress.advance,
                                     read if cache is not None else None,
                                     partial(place_changed if previous is not None else place, staging, out)
                                     if staging is not None else None)
        errors.extend(found)
        errors.raise_if_any()
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if cache is not None:
        cache.stats.pages_rendered += len(todo)
        paths = frozenset(read)
        cache.remember("globals", (globals_key(globals_view, strings, paths), paths))
    timer.lap("render")

    stamps_after = None  # of the output folder, when known without walking it again
    if staging is None:
        written = 0  # a no-op rebuild: the published site (and its search index) is this build's already
    elif previous is not None:
        assert stamps_before is not None  # (read with `previous`)
        progress.stage("write", 0)
        update = update_in_place(out, planned, staging, output, previous)
        written = update.written
        stamps_after = restamped(stamps_before, out, update.touched)
    else:
        progress.stage("write", 0)
        written = write_site(out, planned, {}, reused=reused, staging=staging, placed=output,
                             before_swap=(lambda staging, previous: index_folder(staging, config.language, previous))
                             if search else None).written
    timer.lap("write")  # includes the search index
    progress.finish()
    result = BuildResult(options.out, len(site.posts), len(output) + len(reused), len(planned) + 1, written,
                         timer.timings, processed, len(warnings), len(todo), markdown_count, held)
    if cache is not None:
        cache.remember("fast", {"inputs": inputs, "started": started_ns, "now": options.now,
                                "horizon": _horizon(config, all_posts, options.now),
                                "output": Stamps.of(stamps_after if stamps_after is not None else output_stamps(out)),
                                "warnings": sorted(warnings, key=lambda w: w.sort_key()), "held_back": held,
                                "result": replace(result, timings={}, written=0, rendered=0, markdown=0,
                                                  images_processed=0)})
        cache.remember_pages(keys, out)
        cache.remember("files", files_key)
        cache.remember("search", search)
        cache.forget_missing({page.file for page in planned}, {source.path for source in tree.sources})
        if cache.folder is not None:
            if search:
                forget_model(cache.folder)  # (no text patch with a search index: see patch.apply_stored)
            else:
                assert cache.config_key is not None  # (cache.start set it)
                # Beside the saving of the cache, which the CLI does next (BuildCache.save waits for it).
                cache.background.append(in_background(partial(
                    save_model, cache.folder, started_ns, cache.config_key, site, planner.views, planned, keys,
                    memo, holders, {source.path: source for source in tree.sources},
                    {path: cache.posts[path][0] for path in cache.posts}, targets, tree.static, globals_view),
                    options.jobs))
        timer.lap("cache")
        if cache.folder is None:  # in memory (katsudo serve): the next build may patch this one
            cache.last = LastBuild(options, config, theme, strings, env, site, planner.views, holders, planned,
                                   {source.path: source for source in tree.sources}, targets, tree.static,
                                   cache.extra["fast"]["horizon"], result)
            cache.last.index()  # now, so that the editor's first save is as quick as the next
    for stage, seconds in timer.timings.items():
        reporter.debug(f"  {stage:<9} {seconds * 1000:8.1f} ms")
    return result


def _holder(holders: dict[str, list[str]], routes: dict[int, str]):
    """For each page, the callback that adds it to `holders` under each post view found in its
    context (`routes`: the views' ids). (Lists, not a set a page: 18,000 sets cost 10 MB.)"""
    def of_page(file: str):
        def found(object_id: int) -> None:
            route = routes.get(object_id)
            if route is not None:
                files = holders.setdefault(route, [])
                if not files or files[-1] != file:
                    files.append(file)
        return found
    return of_page


# --- A rebuild in which nothing changed ------------------------------------------------------
# Before anything is parsed: when every input file (content, templates, assets, site.yaml) has
# the size, modification time and inode it had when the last build began, the options are the
# same, no post or event changes sides at the build moment, and the output folder is exactly
# what that build left (every file's stamp), the site is already built. A file modified in the
# two seconds before the last build began is not trusted by its stamp ("racy", as git says):
# then the build runs and compares contents as always (cache.RACY_NS).


def input_stamps(config: SiteConfig, theme, options: BuildOptions) -> dict:
    stamps: dict = {}
    for number, folder in enumerate((config.content_dir, *theme.template_dirs, *theme.asset_dirs)):
        walk_stamps(str(folder), stamps, f"{number}:{folder}/")
    try:
        site_yaml = (config.root / "site.yaml").read_bytes()
    except OSError:
        site_yaml = None
    return {"files": stamps, "site.yaml": site_yaml, "config": repr(config),
            "options": (options.drafts, options.future, options.base_url, options.search_index, options.strict,
                        str(options.out.resolve())),
            "version": __version__}


def _horizon(config: SiteConfig, posts, now: datetime) -> datetime | None:
    """The first moment after `now` at which a post is published or an event is over."""
    from generator.events import finish

    moments = [p.date for p in posts if p.kind == "post" and p.date > now]
    zone = config.zone
    for post in posts:
        if post.meta.event is not None:
            end = finish(post.meta.event, zone)
            if end > now:
                moments.append(end)
    return min(moments) if moments else None


def _output_check(cache: BuildCache, options: BuildOptions) -> ForkedQuestion:
    """Whether the output is as the last build left it: 36,000 stats at 10,000 posts, asked
    of a forked process so that they overlap the comparing of the inputs (and a text patch)."""
    record = cache.extra.get("fast")
    if record is None:
        return ForkedQuestion(lambda: False, 1)
    out, recorded = options.out.resolve(), record["output"]
    return ForkedQuestion(lambda: output_unchanged(out, recorded), options.jobs)


def _nothing_changed(cache: BuildCache, inputs: dict, options: BuildOptions, reporter: Reporter,
                     output_same: Callable[[], bool]) -> BuildResult | None:
    record = cache.extra.get("fast")
    if record is None or record["inputs"] != inputs or "held_back" not in record:
        return None
    if not same_moment(record["now"], record["horizon"], options.now):
        return None
    if any(stamp[1] >= record["started"] - RACY_NS for stamp in inputs["files"].values()):
        return None
    if not output_same():
        return None
    for warning in record["warnings"]:
        reporter.warn(warning)
    return replace(record["result"], held_back=record["held_back"])


def _unchanged(cache: BuildCache, out: Path, planned, files_key: str, search: bool, output_as_left: bool) -> bool:
    """Whether the published site already is exactly this build's: the same files, every page
    kept, every feed and copied file byte-identical, and the search index of the same kind."""
    if cache.extra.get("files") != files_key or cache.extra.get("search") != search:
        return False
    if not (out / MARKER).is_file() or (search and not (out / BUNDLE / "pagefind.js").is_file()):
        return False
    if not output_as_left:
        return False  # (a file added, removed or edited by hand: the write puts the folder right)
    for page in planned:
        if page.template is not None:
            continue
        if page.copy_from is not None:
            if not same_file(out / page.file, page.copy_from):
                return False
        elif not same_bytes(out / page.file, page.data):
            return False
    return True


def image_routes(config: SiteConfig, published, static) -> dict[Path, str]:
    """Where each file a post may show is published: bundle files beside their post, content/ files at their path."""
    routes = {item.path.resolve(): item.rel for item in static}
    for post in published:
        if post.bundle is not None:
            for path in bundle_files(post.bundle):
                routes[path.resolve()] = route_of(post) + path.relative_to(post.bundle).as_posix()
    return routes


__all__ = ["BuildOptions", "BuildResult", "KatsudoError", "build"]
