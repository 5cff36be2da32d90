"""Run the stages in order and time each: the only module that calls all of them.

config -> sources -> posts -> markdown -> site model -> plan -> render -> write.
Any error stops the build before `write`, so nothing is ever half-published.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.config import SiteConfig, load_config
from generator.errors import ErrorBag, KatsudoError
from generator.markdown import LinkTargets, MarkdownRenderer, Rendered
from generator.model import build_site, route_of
from generator.plan import plan_pages
from generator.posts import is_published, load_posts
from generator.render import make_environment, render_pages
from generator.report import Reporter
from generator.sources import discover
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


@dataclass
class BuildResult:
    out: Path
    posts: int
    pages: int  # HTML pages
    files: int  # every file in the output
    written: int
    timings: dict[str, float] = field(default_factory=dict)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = now - self._last
        self._last = now


def render_markdown(config: SiteConfig, posts, unpublished, invalid: set[Path],
                    strings: dict[str, str]) -> tuple[dict[Path, Rendered], list]:
    targets = LinkTargets(
        base_path=config.base_path,
        content_dir=config.content_dir,
        source_urls={p.source.resolve(): link(config.base_path, route_of(p)) for p in posts},
        unpublished=frozenset(p.source.resolve() for p in unpublished),
        invalid=frozenset(path.resolve() for path in invalid),
    )
    renderer = MarkdownRenderer(targets, strings.get("footnote_backlink", "Back to the text"),
                                strings.get("table_label", "Table"))
    rendered, errors = {}, []
    for post in posts:
        result = renderer.render(post.source, post.body, post.body_line, link(config.base_path, route_of(post)),
                                 post.bundle, post.meta.summary, config.summary_length)
        rendered[post.source] = result
        errors.extend(result.errors)
    return rendered, errors


def build(options: BuildOptions, reporter: Reporter) -> BuildResult:
    timer = _Timer()
    config = load_config(options.site_root, options.base_url)
    check_output_folder(config.root, options.out)
    theme = resolve_theme(config)
    strings = load_strings(theme, config.language)
    timer.lap("config")

    errors = ErrorBag()
    tree = discover(config.content_dir)
    all_posts, found = load_posts(config, tree.sources)
    errors.extend(found)
    published = [p for p in all_posts if is_published(p, options.now, options.drafts, options.future)]
    unpublished = [p for p in all_posts if p not in published]
    timer.lap("content")

    # Sources that failed validation are already reported; links to them are not errors twice.
    invalid = {source.path for source in tree.sources} - {post.source for post in all_posts}
    rendered, found = render_markdown(config, published, unpublished, invalid, strings)
    errors.extend(found)
    timer.lap("markdown")

    site = build_site(config, published, rendered, tree.static, options.now)
    planned, found = plan_pages(site, strings, theme.assets())
    errors.extend(found)
    errors.raise_if_any()
    timer.lap("plan")

    env = make_environment(config, theme, site_view(site), strings)
    output, found = render_pages(env, theme, planned)
    errors.extend(found)
    errors.raise_if_any()
    timer.lap("render")

    result = write_site(options.out, planned, output)
    timer.lap("write")
    for stage, seconds in timer.timings.items():
        reporter.debug(f"  {stage:<9} {seconds * 1000:8.1f} ms")
    return BuildResult(options.out, len(site.posts), len(output), len(planned) + 1, result.written, timer.timings)


__all__ = ["BuildOptions", "BuildResult", "KatsudoError", "build"]
