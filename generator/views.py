"""The views templates receive: plain dicts built for them, never the model itself.

docs/themes.md ("Template context reference") is the reference for every name here.
"""

from __future__ import annotations

from markupsafe import Markup

from generator.config import SiteConfig
from generator.model import Entry, Site, related_entries
from generator.paginate import Pager
from generator.text import reading_minutes
from generator.events import event_entries
from generator.urls import absolute, archive_route, fiscal_route, category_route, link, tag_key, tag_route
from generator.urls import events_route
from generator.urls import series_route
from generator.dates import fiscal_year, fiscal_year_label
from generator.search import search_route


class View(dict):
    """A view: a dict whose keys are also its attributes. Jinja reads `post.title` as an
    attribute first; on a plain dict that lookup fails with an exception, caught, on every
    name a template reads (a tenth of rendering a list page). Keys never shadow dict methods:
    no view has a key such as 'items' or 'get'."""

    def __init__(self, values: dict) -> None:
        super().__init__(values)
        self.__dict__ = self

    def __reduce__(self):
        # By its class, pickle would look a View up under the name it shows (builtins.dict) and
        # fail; the model store (generator/store.py) keeps views on disk.
        return _view, (dict(self),)


def _view(values: dict) -> View:
    return View(values)


# Jinja names the type in "… has no attribute 'titel'": a theme author reads 'dict object', as
# for any plain dict, not this module's internals.
View.__module__, View.__name__, View.__qualname__ = "builtins", "dict", "dict"


def as_markup(text: str) -> Markup:
    """`text` as Markup, without copying it when it is Markup already (the rendered HTML is)."""
    return text if isinstance(text, Markup) else Markup(text)


def page_url(config: SiteConfig, route: str) -> str:
    return link(config.base_path, route)


def site_view(site: Site) -> dict:
    config = site.config
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "home_url": config.base_path,
        "author": config.author,
        "organisation": config.organisation,
        "categories": [
            {"key": g.key, "label": g.label, "count": len(g.entries),
             "url": page_url(config, category_route(g.key)) if g.entries else None}
            for g in site.categories],
        "nav_pages": [{"title": e.post.meta.title, "url": page_url(config, e.route)} for e in site.pages],
        "tags_url": page_url(config, "tags/"),
        "archive_url": page_url(config, archive_route()),
        "fiscal_url": page_url(config, fiscal_route()),
        "events_url": page_url(config, events_route()) if event_entries(site) else None,
        "series_url": page_url(config, series_route()) if site.series else None,
        "search_url": page_url(config, search_route()),
        "pagefind_url": page_url(config, "pagefind/"),
        "feed_url": page_url(config, "feed.xml"),
        "feed_abs_url": absolute(config.base_url, "feed.xml"),
    }


def page_view(config: SiteConfig, kind: str, route: str, title: str | None, description: str | None,
              image: str | None = None) -> dict:
    """`image` is the route of the page's 1200×630 social card (og:image), if any."""
    return View({"kind": kind, "url": page_url(config, route), "abs_url": absolute(config.base_url, route),
            "title": title, "description": page_description(config, description),
            "image": absolute(config.base_url, image) if image else None})


def page_description(config: SiteConfig, description: str | None) -> str:
    return description or config.description


def link_view(config: SiteConfig, entry: Entry | None) -> dict | None:
    if entry is None:
        return None
    return View({"title": entry.post.meta.title, "url": page_url(config, entry.route)})


def post_view(site: Site, entry: Entry, index: int | None = None) -> View:
    """A post as templates see it; `index` (its place in site.posts) adds prev/next."""
    config, meta = site.config, entry.post.meta
    category = config.category(meta.category) if meta.category else None
    series = None
    if meta.series:
        parts = site.series[meta.series]
        position = next(i for i, part in enumerate(parts) if part.route == entry.route)
        series = {"name": meta.series, "url": page_url(config, series_route(meta.series)),
                  "index": position + 1, "total": len(parts),
                  "parts": [{"title": p.post.meta.title, "url": page_url(config, p.route), "current": p.route == entry.route}
                            for p in parts]}
    event = None
    if meta.event:
        event = {"start": meta.event.start, "end": meta.event.end, "place": meta.event.place,
                 "has_time": meta.event.has_time, "online": meta.event.online, "url": meta.event.url,
                 "capacity": meta.event.capacity, "contact": meta.event.contact}
    fiscal = fiscal_year(entry.post.date, config.fiscal_year_start)
    older, newer = site.neighbours(index) if index is not None else (None, None)
    return View({
        "title": meta.title,
        "url": page_url(config, entry.route),
        "abs_url": absolute(config.base_url, entry.route),
        "slug": entry.post.slug,
        "date": meta.date,
        "has_time": meta.has_time,
        "category": {"key": category.key, "label": category.label, "url": page_url(config, category_route(category.key))}
        if category else None,
        "tags": [{"name": site.tag_names[key], "url": page_url(config, tag_route(key))}
                 for key in dict.fromkeys(tag_key(name) for name in meta.tags)],
        "author": meta.author or config.author or None,
        **text_fields(config, entry.rendered),
        "series": series,
        "event": event,
        "related": [{"title": r.post.meta.title, "url": page_url(config, r.route), "date": r.post.meta.date}
                    for r in related_entries(site, entry, config.related_posts)],
        "prev": link_view(config, older),
        "next": link_view(config, newer),
        "extra": meta.extra,
        "fiscal_year": {"label": fiscal_year_label(fiscal, config.fiscal_year_start, config.language, config.date_style),
                        "url": page_url(config, fiscal_route(fiscal))},
    })


def text_fields(config: SiteConfig, rendered) -> dict:
    """The part of a post's view made from its Markdown body: all a text edit changes in it
    (generator/patch.py and generator/store.py replace these in place)."""
    return {
        "summary": rendered.summary,
        "content": as_markup(rendered.html),
        "toc": as_markup(rendered.toc),
        "reading_minutes": reading_minutes(rendered.cjk_chars, rendered.words,
                                           config.reading_speed_ja, config.reading_speed_en),
        "attachments": list(rendered.attachments),
    }


def doc_view(config: SiteConfig, entry: Entry) -> dict:
    meta = entry.post.meta
    return View({"title": meta.title, "url": page_url(config, entry.route), "content": as_markup(entry.rendered.html),
            "toc": as_markup(entry.rendered.toc), "summary": entry.rendered.summary, "extra": meta.extra})


def pager_view(config: SiteConfig, pager: Pager) -> dict:
    def url_of(number: int) -> str | None:
        return page_url(config, pager.routes[number - 1]) if 1 <= number <= pager.total else None

    pages: list[dict] = []
    for n in pager_numbers(pager.number, pager.total):
        if n is None:
            pages.append(View({"number": None, "url": None, "current": False, "gap": True}))
        else:
            pages.append(View({"number": n, "url": url_of(n), "current": n == pager.number, "gap": False}))
    return View({"number": pager.number, "total": pager.total,
            "prev_url": url_of(pager.number - 1), "next_url": url_of(pager.number + 1), "pages": pages})


PAGER_AROUND = 2  # page numbers shown either side of the current page


def pager_numbers(number: int, total: int) -> list[int | None]:
    """The page numbers a pager shows: all of them when there are few, else the first, the last
    and PAGER_AROUND either side of the current one, with None where numbers are left out.
    At most 2 * PAGER_AROUND + 5 entries, so a list of N posts costs O(N) to page, not O(N²)."""
    if total <= 2 * PAGER_AROUND + 5:
        return list(range(1, total + 1))
    low, high = max(2, number - PAGER_AROUND), min(total - 1, number + PAGER_AROUND)
    if low <= 3:
        low, high = 2, max(high, 2 * PAGER_AROUND + 3)
    if high >= total - 2:
        low, high = min(low, total - 2 * PAGER_AROUND - 2), total - 1
    shown: list[int | None] = [1]
    if low > 2:
        shown.append(None)
    shown.extend(range(low, high + 1))
    if high < total - 1:
        shown.append(None)
    shown.append(total)
    return shown
