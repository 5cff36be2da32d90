"""Run the stages in order and time each: the only module that calls all of them.

config -> sources -> posts -> markdown -> site model -> plan -> render -> write.
Any error stops the build before `write`, so nothing is ever half-published.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.cache import BuildCache, fingerprint, folder_stamp
from generator.config import SiteConfig, load_config
from dataclasses import replace
from generator.errors import ErrorBag, KatsudoError
from generator.images import ImageCatalog, cache_dir, process_jobs
from generator.markdown import LinkTargets, MarkdownRenderer, Rendered
from generator.model import build_site, route_of
from generator.plan import plan_pages
from generator.posts import is_published, load_posts
from generator.render import make_environment, render_pages
from generator.report import Reporter
from generator.search import index_folder
from generator.sources import bundle_files, discover
from generator.theme import load_strings, resolve_theme
from generator.urls import link
from generator.views import site_view
from generator.write import check_output_folder, write_site


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


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def render_markdown(config: SiteConfig, posts, unpublished, invalid: set[Path],
                    strings: dict[str, str], cache: BuildCache | None = None,
                    static: tuple = (), images: ImageCatalog | None = None) -> tuple[dict[Path, Rendered], list]:
    targets = LinkTargets(
        base_path=config.base_path,
        content_dir=config.content_dir,
        source_urls={p.source.resolve(): link(config.base_path, route_of(p)) for p in posts},
        unpublished=frozenset(p.source.resolve() for p in unpublished),
        invalid=frozenset(path.resolve() for path in invalid),
        images=images,
    )
    renderer = MarkdownRenderer(targets, strings.get("footnote_backlink", "Back to the text"),
                                strings.get("table_label", "Table"), strings.get("file_meta"),
                                safe_html=config.markdown.safe_html)
    rendered, errors = {}, []
    # What any link can resolve against: a post's Markdown is re-rendered when this changes.
    targets_key = fingerprint(sorted(targets.source_urls.items()), sorted(targets.unpublished),
                              sorted(targets.invalid), [f.path for f in static], strings)
    images_key = images.fingerprint() if images is not None and cache is not None else None
    for post in posts:
        def render(post=post):
            return renderer.render(post.source, post.body, post.body_line, link(config.base_path, route_of(post)),
                                   post.bundle, post.meta.summary, config.summary_length,
                                   post.meta.cover, post.meta.cover_line, post.meta.attachments)

        if cache is None:
            result = render()
        else:
            key = fingerprint(targets_key, post.body, post.body_line, route_of(post), post.bundle,
                              post.meta.summary, config.summary_length, post.meta.cover, post.meta.attachments,
                              images_key, config.markdown.safe_html)
            result = cache.render_markdown(post.source, key, render)
        rendered[post.source] = result
        errors.extend(result.errors)
    return rendered, errors


def build(options: BuildOptions, reporter: Reporter, cache: BuildCache | None = None) -> BuildResult:
    """One build. With a `cache` kept between calls (katsudo serve), unchanged posts, Markdown
    and pages are reused; the output is the same as a build without it."""
    timer = _Timer()
    config = load_config(options.site_root, options.base_url)
    check_output_folder(config.root, options.out)
    theme = resolve_theme(config)
    strings = load_strings(theme, config.language)
    if cache is not None:
        cache.start(fingerprint(config, options.drafts, options.future, theme.template_dirs))
    timer.lap("config")

    errors = ErrorBag()
    tree = discover(config.content_dir)
    all_posts, found = load_posts(config, tree.sources, cache)
    errors.extend(found)
    published = [p for p in all_posts if is_published(p, options.now, options.drafts, options.future)]
    # By identity: `p not in published` compared whole Post dataclasses, n² of them (0.7 s at 1,000 posts).
    published_ids = {id(p) for p in published}
    unpublished = [p for p in all_posts if id(p) not in published_ids]
    timer.lap("content")

    # Sources that failed validation are already reported; links to them are not errors twice.
    invalid = {source.path for source in tree.sources} - {post.source for post in all_posts}
    images = ImageCatalog(image_routes(config, published, tree.static), config.images)
    rendered, found = render_markdown(config, published, unpublished, invalid, strings, cache, tree.static, images)
    errors.extend(found)
    warnings = [w for result in rendered.values() for w in result.warnings]
    if options.strict:
        errors.extend(replace(w, severity="error") for w in warnings)
    else:
        for warning in sorted(warnings, key=lambda w: w.sort_key()):
            reporter.warn(warning)
    for result in rendered.values():
        images.add(result.images)  # what each post shows (also when its Markdown came from a cache)
    if config.images.default_image:
        images.default_social = images.social(images.info(config.content_dir / config.images.default_image)).route
    timer.lap("markdown")

    site = build_site(config, published, rendered, tree.static, options.now, images=images)
    planned, found = plan_pages(site, strings, theme.assets())
    errors.extend(found)
    errors.raise_if_any()
    timer.lap("plan")

    processed = process_jobs([job for _, job in images.outputs(site.static)[0]], cache_dir(config.root))
    reporter.debug(f"  images: {processed} processed, {len(images.variants)} variants planned")
    timer.lap("images")

    globals_view = site_view(site)
    env = make_environment(config, theme, globals_view, strings)
    global_key = fingerprint(globals_view, strings, folder_stamp(theme.template_dirs)) if cache is not None else ""
    output, found = render_pages(env, theme, planned, cache, global_key)
    errors.extend(found)
    errors.raise_if_any()
    timer.lap("render")

    result = write_site(options.out, planned, output,
                        before_swap=(lambda staging, previous: index_folder(staging, config.language, previous))
                        if config.search and options.search_index else None)
    timer.lap("write")  # includes the search index
    if cache is not None:
        cache.forget_missing({page.file for page in planned}, {source.path for source in tree.sources})
    for stage, seconds in timer.timings.items():
        reporter.debug(f"  {stage:<9} {seconds * 1000:8.1f} ms")
    return BuildResult(options.out, len(site.posts), len(output), len(planned) + 1, result.written, timer.timings,
                       processed, len(warnings))


def image_routes(config: SiteConfig, published, static) -> dict[Path, str]:
    """Where each file a post may show is published: bundle files beside their post, content/ files at their path."""
    routes = {item.path.resolve(): item.rel for item in static}
    for post in published:
        if post.bundle is not None:
            for path in bundle_files(post.bundle):
                routes[path.resolve()] = route_of(post) + path.relative_to(post.bundle).as_posix()
    return routes


__all__ = ["BuildOptions", "BuildResult", "KatsudoError", "build"]
