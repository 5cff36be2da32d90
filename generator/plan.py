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
from generator.feeds import atom_feed
from generator.model import Entry, Site
from generator.paginate import paginate
from generator.sitemap import robots, sitemap
from generator.sources import StaticFile
from generator.urls import archive_route, category_route, output_file, tag_route
from generator.views import doc_view, page_url, page_view, pager_view, post_view


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


def plan_pages(site: Site, strings: dict[str, str], assets: tuple[StaticFile, ...]) -> tuple[list[PlannedPage], list[SourceError]]:
    config = site.config
    title = Titles(strings, f"strings/{config.language}.yaml")
    views = {entry.route: post_view(site, entry, index) for index, entry in enumerate(site.posts)}
    planned: list[PlannedPage] = []
    sitemap_pages: list[tuple[str, datetime | None]] = []

    def html(route: str, template: str, kind: str, page_title: str | None, context: dict,
             origin: str, source: Path | None = None, description: str | None = None, index_it: bool = True,
             modified: datetime | None = None) -> None:
        context = {"page": page_view(config, kind, route, page_title, description), **context}
        planned.append(PlannedPage(route, output_file(route), origin, template, context, source=source))
        if index_it:
            sitemap_pages.append((route, modified))

    def post_list(first_route: str, kind: str, heading: str | None, entries: tuple[Entry, ...], origin: str) -> None:
        for pager in paginate(entries, config.per_page, first_route):
            page_title = heading if pager.number == 1 else title("title_paged", title=heading or title("title_latest"), n=pager.number)
            html(pager.route, "list.html", kind, page_title,
                 {"heading": heading if pager.number == 1 or heading else page_title,
                  "posts": [views[e.route] for e in pager.items], "pager": pager_view(config, pager)},
                 origin, index_it=pager.number == 1)

    post_list("", "home", None, site.posts, "the home page")
    for entry in site.posts:
        view = views[entry.route]
        html(entry.route, "post.html", "post", entry.post.meta.title, {"post": view},
             str(entry.post.source), entry.post.source, description=view["summary"], modified=entry.post.meta.date)
    for entry in site.pages:
        html(entry.route, "page.html", "page", entry.post.meta.title, {"doc": doc_view(config, entry)},
             str(entry.post.source), entry.post.source, description=entry.rendered.summary)

    tags_title = title("title_tags")
    html("tags/", "tags.html", "tags", tags_title,
         {"tags": [{"name": g.label, "url": page_url(config, tag_route(g.key)), "count": len(g.entries)}
                   for g in sorted(site.tags, key=lambda g: (-len(g.entries), g.key))]},
         "the tag index")
    for group in site.tags:
        post_list(tag_route(group.key), "tag", title("title_tag", name=group.label), group.entries, f"the tag '{group.label}'")
    for group in site.categories:
        if group.entries:
            post_list(category_route(group.key), "category", title("title_category", name=group.label),
                      group.entries, f"the category '{group.key}'")

    html(archive_route(), "archive.html", "archive", title("title_archive"),
         {"years": [{"year": y.year, "url": page_url(config, archive_route(y.year)), "count": len(y.entries),
                     "months": [{"month": m, "url": page_url(config, archive_route(y.year, m)), "count": len(es)}
                                for m, es in y.months]}
                    for y in site.years]},
         "the archive index")
    for year in site.years:
        post_list(archive_route(year.year), "archive_year", title("title_year", year=year.year), year.entries,
                  f"the archive of {year.year}")
        for month, entries in year.months:
            post_list(archive_route(year.year, month), "archive_month",
                      title("title_month", year=year.year, month=month, month_name=calendar.month_name[month]),
                      entries, f"the archive of {year.year}-{month:02d}")

    html("404.html", "404.html", "not_found", title("title_not_found"), {}, "the 404 page", index_it=False)
    planned.append(PlannedPage("feed.xml", "feed.xml", "the feed", data=atom_feed(config, site.posts, "feed.xml", config.title, site.tag_names)))
    planned.append(PlannedPage("sitemap.xml", "sitemap.xml", "the sitemap", data=sitemap(config, sitemap_pages)))
    planned.append(PlannedPage("robots.txt", "robots.txt", "robots.txt", data=robots(config)))
    for static in tuple(site.static) + tuple(assets):
        planned.append(PlannedPage(static.rel, static.rel, str(static.path), copy_from=static.path, source=static.path))

    errors = [SourceError(None, None, f"the theme's {title.origin} has no '{key}'",
                          "add it to the theme's strings file (see the default theme's)")
              for key in dict.fromkeys(title.missing)]
    return planned, errors + check_plan(planned)


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
            errors.append(SourceError(page.source or first.source, None,
                                      f"two sources would write the same address /{page.route}: {first.origin} and {page.origin}",
                                      "give one of them another 'slug:' in its front matter, or rename the file"))
            continue
        seen[page.file] = page
    for page in planned:
        for parent in PurePosixPath(page.file).parents:
            owner = seen.get(parent.as_posix())
            if owner is not None:
                errors.append(SourceError(page.source or owner.source, None,
                                          f"'{parent}' would be both a file ({owner.origin}) and a folder ({page.origin})",
                                          "rename one of them"))
    return errors
