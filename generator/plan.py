"""Site -> the page plan: one `PlannedPage` per output file, checked before anything is written.

Every output — HTML page, feed, copied asset — is planned here, so collisions (two sources, one
URL) and paths that would leave the output folder are found while nothing has been written.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from generator.errors import SourceError
from generator.events import home_extra, plan_events
from generator.feeds import atom_feed
from generator.fiscal import plan_fiscal
from generator.images import cache_dir
from generator.model import Entry, Site
from generator.paginate import paginate
from generator.search import plan_search
from generator.series import plan_series
from generator.sitemap import robots, sitemap
from generator.sources import StaticFile
from generator.urls import archive_route, category_route, output_file, tag_route
from generator.views import View, doc_view, page_url, page_view, pager_view, post_view


@dataclass(frozen=True)
class PlannedPage:
    route: str
    file: str  # path under the output folder, '/'-separated
    origin: str  # what asked for this output, for messages: a source file or a description
    template: str | None = None  # rendered with this template and `context`...
    context: dict = field(default_factory=dict)
    data: bytes | None = None  # ...or written as these bytes...
    copy_from: Path | None = None  # ...or copied from this file
    source: Path | None = None  # the content file behind it, if any


class Titles:
    """Page titles from the theme's UI strings (the code supplies only the values)."""

    def __init__(self, strings: dict[str, str], origin: str):
        self.strings, self.origin = strings, origin
        self.missing: list[str] = []

    def __call__(self, key: str, **values) -> str:
        if key not in self.strings:
            self.missing.append(key)
            return key
        return self.strings[key].format(**values)


class Planner:
    """Collects the plan. Sections (functions taking a Planner) add pages through `html`,
    `post_list` and `data`; each feature lives in its own section, in its own module."""

    def __init__(self, site: Site, strings: dict[str, str], views: dict[str, View] | None = None):
        self.site, self.config = site, site.config
        self.title = Titles(strings, f"strings/{site.config.language}.yaml")
        # Every post's view is built once and shared by its page and every list showing it
        # (`views`: those of the last build, when generator/patch.py plans a few pages again).
        self.views = views if views is not None else \
            {entry.route: post_view(site, entry, index) for index, entry in enumerate(site.posts)}
        self.planned: list[PlannedPage] = []
        self.sitemap_pages: list[tuple[str, datetime | None]] = []

    def url(self, route: str) -> str:
        return page_url(self.config, route)

    def html(self, route: str, template: str, kind: str, page_title: str | None, context: dict,
             origin: str, source: Path | None = None, description: str | None = None, index_it: bool = True,
             modified: datetime | None = None, image: str | None = None) -> None:
        image = image or (self.site.images.default_social if self.site.images is not None else None)
        context = {"page": page_view(self.config, kind, route, page_title, description, image), **context}
        self.planned.append(PlannedPage(route, output_file(route), origin, template, context, source=source))
        if index_it:
            self.sitemap_pages.append((route, modified))

    def post_list(self, first_route: str, kind: str, heading: str | None, entries: tuple[Entry, ...], origin: str,
                  extra: dict | None = None, template: str = "list.html") -> None:
        """A paginated list of posts; `extra` is added to the first page's context only."""
        title = self.title
        for pager in paginate(entries, self.config.per_page, first_route):
            page_title = heading if pager.number == 1 else title("title_paged", title=heading or title("title_latest"), n=pager.number)
            context = {"heading": heading if pager.number == 1 or heading else page_title,
                       "posts": [self.views[e.route] for e in pager.items], "pager": pager_view(self.config, pager)}
            if extra and pager.number == 1:
                context.update(extra)
            self.html(pager.route, template, kind, page_title, context, origin, index_it=pager.number == 1)

    def data(self, route: str, origin: str, content: bytes) -> None:
        self.planned.append(PlannedPage(route, output_file(route), origin, data=content))


def plan_posts_and_pages(planner: Planner) -> None:
    site, config = planner.site, planner.config
    planner.post_list("", "home", None, site.posts, "the home page", extra=home_extra(planner))
    for entry in site.posts:
        plan_post_page(planner, entry)
    for entry in site.pages:
        planner.html(entry.route, "page.html", "page", entry.post.meta.title, {"doc": doc_view(config, entry)},
                     str(entry.post.source), entry.post.source, description=entry.rendered.summary,
                     image=entry.rendered.og_image)
    planner.html("404.html", "404.html", "not_found", planner.title("title_not_found"), {}, "the 404 page", index_it=False)


def plan_post_page(planner: Planner, entry: Entry) -> None:
    view = planner.views[entry.route]
    planner.html(entry.route, "post.html", "post", entry.post.meta.title, {"post": view},
                 str(entry.post.source), entry.post.source, description=view["summary"], modified=entry.post.meta.date,
                 image=entry.rendered.og_image)


def plan_taxonomies(planner: Planner) -> None:
    site, title = planner.site, planner.title
    planner.html("tags/", "tags.html", "tags", title("title_tags"),
                 {"tags": [{"name": g.label, "url": planner.url(tag_route(g.key)), "count": len(g.entries)}
                           for g in sorted(site.tags, key=lambda g: (-len(g.entries), g.key))]},
                 "the tag index")
    for group in site.tags:
        planner.post_list(tag_route(group.key), "tag", title("title_tag", name=group.label), group.entries,
                          f"the tag '{group.label}'")
    for group in site.categories:
        if group.entries:
            planner.post_list(category_route(group.key), "category", title("title_category", name=group.label),
                              group.entries, f"the category '{group.key}'",
                              extra={"category_feed_url": planner.url(category_route(group.key) + "feed.xml")})


def plan_archives(planner: Planner) -> None:
    site, title = planner.site, planner.title
    planner.html(archive_route(), "archive.html", "archive", title("title_archive"),
                 {"years": [{"year": y.year, "url": planner.url(archive_route(y.year)), "count": len(y.entries),
                             "months": [{"month": m, "url": planner.url(archive_route(y.year, m)), "count": len(es)}
                                        for m, es in y.months]}
                            for y in site.years]},
                 "the archive index")
    for year in site.years:
        planner.post_list(archive_route(year.year), "archive_year", title("title_year", year=year.year), year.entries,
                          f"the archive of {year.year}")
        for month, entries in year.months:
            planner.post_list(archive_route(year.year, month), "archive_month",
                              title("title_month", year=year.year, month=month, month_name=calendar.month_name[month]),
                              entries, f"the archive of {year.year}-{month:02d}")


def plan_feeds(planner: Planner) -> None:
    site, config = planner.site, planner.config
    planner.data("feed.xml", "the feed", atom_feed(config, site.posts, "feed.xml", config.title, site.tag_names))
    for group in site.categories:
        if group.entries:
            route = category_route(group.key) + "feed.xml"
            feed_title = planner.title("feed_title_category", site=config.title, name=group.label)
            planner.data(route, f"the feed of the category '{group.key}'",
                         atom_feed(config, group.entries, route, feed_title, site.tag_names))


SECTIONS = (plan_posts_and_pages, plan_taxonomies, plan_archives, plan_fiscal, plan_feeds, plan_events, plan_series,
            plan_search)


def plan_pages(site: Site, strings: dict[str, str], assets: tuple[StaticFile, ...],
               planner: Planner | None = None) -> tuple[list[PlannedPage], list[SourceError]]:
    """`planner`: a new Planner on `site` to plan with, when the caller keeps its views."""
    planner = planner or Planner(site, strings)
    for section in SECTIONS:
        section(planner)
    # The sitemap and robots.txt come last: they list what the sections planned.
    planner.data("sitemap.xml", "the sitemap", sitemap(site.config, planner.sitemap_pages))
    planner.data("robots.txt", "robots.txt", robots(site.config))
    images = site.images
    for static in tuple(site.static) + tuple(assets):
        if images is not None and static in site.static and images.replaces(static.path):
            continue  # published by plan_images, without its metadata
        planner.planned.append(PlannedPage(static.rel, static.rel, str(static.path), copy_from=static.path, source=static.path))
    if images is not None:
        image_errors = plan_images(planner, images)
    else:
        image_errors = []
    title = planner.title
    errors = image_errors + [SourceError(None, None, f"the theme's {title.origin} has no '{key}'",
                          "add it to the theme's strings file (see the default theme's)")
              for key in dict.fromkeys(title.missing)]
    return planner.planned, errors + check_plan(planner.planned)


def plan_images(planner: Planner, images) -> list[SourceError]:
    """Photos and their variants, copied from the image cache that the build's image stage fills."""
    cache = cache_dir(planner.config.root)
    outputs, errors = images.outputs(planner.site.static)
    for route, job in outputs:
        planner.planned.append(PlannedPage(route, output_file(route), str(job.source), copy_from=cache / job.cache_name,
                                           source=job.source))
    return errors


def address_line(source: Path | None) -> int | None:
    """The line that gives a source its address: its 'slug:' line, else line 1 (the file name
    gives it); None for a file that is not Markdown (a photo has no lines)."""
    if source is None or source.suffix != ".md":
        return None
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == "---":
            break
        if line.startswith("slug:"):
            return number
    return 1


def check_plan(planned: list[PlannedPage]) -> list[SourceError]:
    """Two outputs on one path, or a path outside the output folder, is an error before writing."""
    errors: list[SourceError] = []
    seen: dict[str, PlannedPage] = {}
    for page in planned:
        path = PurePosixPath(page.file)
        if path.is_absolute() or ".." in path.parts or not page.file:
            errors.append(SourceError(page.source, None, f"'{page.file}' would be written outside the output folder",
                                      "change the slug or file name so it has no '..' or leading '/'"))
            continue
        if page.file in seen:
            first = seen[page.file]
            errors.append(SourceError(page.source or first.source, address_line(page.source or first.source),
                                      f"two sources would write the same address /{page.route}: {first.origin} and {page.origin}",
                                      "give one of them another 'slug:' in its front matter, or rename the file"))
            continue
        seen[page.file] = page
    for page in planned:
        parent = page.file
        while "/" in parent:  # every folder above the file (string work: PurePosixPath costs more)
            parent = parent.rsplit("/", 1)[0]
            owner = seen.get(parent)
            if owner is not None:
                errors.append(SourceError(page.source or owner.source, address_line(page.source or owner.source),
                                          f"'{parent}' would be both a file ({owner.origin}) and a folder ({page.origin})",
                                          "rename one of them"))
    return errors
