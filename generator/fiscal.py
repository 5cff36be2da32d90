"""年度 (fiscal year) archives and the annual activity report handed out at the general assembly.

`/fiscal/` lists the fiscal years, `/fiscal/YYYY/` a year's posts (YYYY: the calendar year the
fiscal year starts in), `/fiscal/YYYY/report/` the whole year in one printable document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.dates import fiscal_year, fiscal_year_bounds, fiscal_year_label
from generator.model import Entry, Site
from generator.urls import fiscal_route

# Each pattern begins with its literal, so the scan is a string search, and the prefix goes in as
# a literal replacement (no Python call per match): ten times quicker than groups and a function,
# on an annual report of 1,000 posts. The lookbehind asks for the whitespace before the name,
# the lookahead for a value and its closing quote.
_ID = re.compile(r'id="(?<=\sid=")(?=[^"]+")')
_FRAGMENT = re.compile(r'href="#(?<=\shref="#)(?=[^"]+")')


@dataclass(frozen=True)
class FiscalYear:
    year: int
    entries: tuple[Entry, ...]  # newest first


def fiscal_years(site: Site) -> tuple[FiscalYear, ...]:
    """Fiscal years with posts, newest first, in the site's time zone."""
    years: dict[int, list[Entry]] = {}
    for entry in site.posts:
        years.setdefault(fiscal_year(entry.post.date, site.config.fiscal_year_start), []).append(entry)
    return tuple(FiscalYear(year, tuple(years[year])) for year in sorted(years, reverse=True))


def scope_ids(html: str, prefix: str) -> str:
    """Prefix every id and in-page link of one post, so that many posts can share one page
    (two minutes both have a heading 議題) without duplicate ids or wrong anchors."""
    literal = prefix.replace("\\", "\\\\")
    html = _ID.sub('id="' + literal, html)
    return _FRAGMENT.sub('href="#' + literal, html)


class ScopedContent:
    """A post's HTML with its ids prefixed (`scope_ids`), made when the report is rendered: the
    plan does not hold a second copy of every post's HTML for the reports. Prints as Markup."""

    __slots__ = ("html", "prefix")

    def __init__(self, html: str, prefix: str):
        self.html, self.prefix = html, prefix

    def __html__(self) -> str:
        return scope_ids(self.html, self.prefix)

    def __str__(self) -> str:
        return self.__html__()

    def __repr__(self) -> str:  # what the build cache fingerprints: all that decides the output
        return f"ScopedContent({self.prefix!r}, {self.html!r})"


class ReportPost(Mapping):
    """A post as the annual report shows it: its view, plus its `anchor` on the report page and
    its `content` with ids scoped to that anchor. It reads the view live, never a copy, so a post
    whose text is patched into its view (generator/patch.py) shows the new text here too."""

    __slots__ = ("view", "_anchor")

    def __init__(self, view: dict, anchor: str):
        self.view, self._anchor = view, anchor

    def __getitem__(self, key: str):
        if key == "anchor":
            return self._anchor
        if key == "content":
            return ScopedContent(str(self.view["content"]), self._anchor + "-")
        return self.view[key]

    def __getattr__(self, key: str):
        # Jinja reads `post.title` as an attribute first, and on a Mapping that lookup fails with
        # an exception caught for every name (views.View says more). Its own slots and Python's
        # special names are never keys: asking the view for them would recurse while unpickling.
        if key.startswith("__") or key in ("view", "_anchor"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self):
        yield from self.view
        if "anchor" not in self.view:
            yield "anchor"

    def __len__(self) -> int:
        return len(self.view) + ("anchor" not in self.view)

    def __repr__(self) -> str:
        return f"ReportPost({self._anchor!r}, {self.view!r})"

    def key_parts(self) -> tuple:
        """What the build cache fingerprints (render.context_key): the view stands for its key."""
        return self._anchor, self.view


def report_sections(site: Site, entries: tuple[Entry, ...], views: dict[str, dict]) -> list[dict]:
    """The year's posts grouped by category (site.yaml order, uncategorised last), oldest first."""
    oldest_first = tuple(reversed(entries))
    groups: list[tuple[str | None, str | None, list[Entry]]] = [
        (c.key, c.label, [e for e in oldest_first if e.post.meta.category == c.key]) for c in site.config.categories]
    groups.append((None, None, [e for e in oldest_first if site.config.category(e.post.meta.category or "") is None]))
    sections, number = [], 0
    for key, label, members in groups:
        if not members:
            continue
        posts = []
        for entry in members:
            number += 1
            anchor = f"r{number}"
            posts.append(ReportPost(views[entry.route], anchor))
        sections.append({"key": key, "label": label, "anchor": f"c-{key or 'other'}", "posts": posts})
    return sections


def plan_fiscal(planner) -> None:
    site, config, title = planner.site, planner.config, planner.title
    years = fiscal_years(site)
    label = {fy.year: fiscal_year_label(fy.year, config.fiscal_year_start, config.language, config.date_style)
             for fy in years}
    summaries = []
    for fy in years:
        first, last = fiscal_year_bounds(fy.year, config.fiscal_year_start)
        summaries.append({"year": fy.year, "label": label[fy.year], "count": len(fy.entries),
                          "first_day": first, "last_day": last,
                          "url": planner.url(fiscal_route(fy.year)),
                          "report_url": planner.url(fiscal_route(fy.year, report=True))})
    planner.html(fiscal_route(), "fiscal.html", "fiscal", title("title_fiscal_index"), {"years": summaries},
                 "the fiscal year index")
    for fy, summary in zip(years, summaries):
        planner.post_list(fiscal_route(fy.year), "fiscal_year", title("title_fiscal_year", label=label[fy.year]),
                          fy.entries, f"the fiscal year {fy.year}", extra={"fiscal": summary})
        planner.html(fiscal_route(fy.year, report=True), "report.html", "report",
                     title("title_report", label=label[fy.year]),
                     {"report": {**summary, "organisation": config.organisation,
                                 "sections": report_sections(site, fy.entries, planner.views)}},
                     f"the annual report {fy.year}")
