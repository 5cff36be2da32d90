"""Series: posts with the same `series:` name are parts of one series.

Pages: `/series/` (every series, with its number of parts) and `/series/SLUG/` (its parts in
order), SLUG being the name's tag_key. Each post's own series box comes from views.post_view.
Nothing is planned when no post belongs to a series.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.urls import series_route

if TYPE_CHECKING:
    from generator.plan import Planner


def series_index_view(planner: "Planner") -> list[dict]:
    """Every series, the one with the newest part first (then by name)."""
    site = planner.site
    items = []
    for name, parts in site.series.items():
        dates = [p.post.date for p in parts]
        items.append({"name": name, "url": planner.url(series_route(name)), "count": len(parts),
                      "first": min(dates), "last": max(dates)})
    return sorted(items, key=lambda item: (-item["last"].timestamp(), item["name"]))


def plan_series(planner: "Planner") -> None:
    site, title = planner.site, planner.title
    if not site.series:
        return
    planner.html(series_route(), "series.html", "series_index", title("title_series_index"),
                 {"series_list": series_index_view(planner)}, "the series index")
    for name, parts in site.series.items():
        planner.html(series_route(name), "series_list.html", "series", title("title_series", name=name),
                     {"series": {"name": name, "url": planner.url(series_route(name)), "total": len(parts)},
                      "posts": [planner.views[p.route] for p in parts]},
                     f"the series '{name}'", modified=max(p.post.date for p in parts))
