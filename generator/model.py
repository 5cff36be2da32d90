"""Published posts + their rendered Markdown -> `Site`: the lists, groups and neighbours.

Relations are by position and key, never by mutating posts: a `Site` is built once and read by
the planner.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.config import SiteConfig
from generator.markdown import Rendered
from generator.posts import Post
from generator.sources import StaticFile, bundle_files
from generator.urls import page_route, post_route, tag_key


@dataclass(frozen=True)
class Entry:
    post: Post
    rendered: Rendered
    route: str


@dataclass(frozen=True)
class Group:
    """Posts that share a tag, a category, a year or a month (newest first)."""

    key: str
    label: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Year:
    year: int
    entries: tuple[Entry, ...]
    months: tuple[tuple[int, tuple[Entry, ...]], ...]  # newest month first


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    posts: tuple[Entry, ...]  # newest first
    pages: tuple[Entry, ...]  # by weight, then title
    tags: tuple[Group, ...]  # by key
    categories: tuple[Group, ...]  # in site.yaml order, including empty ones
    years: tuple[Year, ...]  # newest first
    series: dict[str, tuple[Entry, ...]]  # name -> parts: by series_order, then oldest first
    tag_names: dict[str, str]  # tag key -> the name shown for it
    now: datetime  # the build moment
    static: tuple[StaticFile, ...]  # files published as they are
    images: Any = None  # the ImageCatalog (generator/images.py): photos and their variants
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # indexes built on first use

    def neighbours(self, index: int) -> tuple[Entry | None, Entry | None]:
        """(older, newer) post of the post at `index`."""
        older = self.posts[index + 1] if index + 1 < len(self.posts) else None
        newer = self.posts[index - 1] if index > 0 else None
        return older, newer


def route_of(post: Post) -> str:
    return post_route(post.slug) if post.kind == "post" else page_route(post.slug)


def newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (-p.date.timestamp(), p.slug))


def tag_name_by_key(posts: list[Post]) -> dict[str, str]:
    """The name shown for each tag: the spelling most posts use (ties: the first in order)."""
    spellings: dict[str, Counter] = {}
    for post in posts:
        for name in post.meta.tags:
            spellings.setdefault(tag_key(name), Counter())[name] += 1
    return {key: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
            for key, counter in spellings.items()}


def series_position(entry: Entry) -> tuple:
    """Parts with `series_order` come first, by that number; parts without it follow, by date."""
    order = entry.post.meta.series_order
    return (0, order) if order is not None else (1, 0)


def related_entries(site: Site, entry: Entry, limit: int) -> tuple[Entry, ...]:
    """Up to `limit` other posts sharing a tag with `entry`: most shared tags first, then those in
    the same category, then the newest. Empty when no tag is shared.

    Constant work per post, whatever the size of the site: every post is indexed under each set
    of (up to SUBSET_TAGS of) its tags, by category, newest first. A post sharing exactly the tags
    S with this one is in the list of S, so the posts are taken level by level (all its tags
    shared, then one fewer, ...), and of each list only the first few, as only `limit` are chosen."""
    if limit <= 0:
        return ()
    index = _related_index(site)
    keys = index.tag_keys[entry.route]
    if not keys:
        return ()
    if len(keys) > SUBSET_TAGS:
        return _related_by_pairs(site, index, entry, keys, limit)
    category = entry.post.meta.category
    groups = ([(category,), tuple(c for c in index.categories if c != category)] if category is not None
              else [tuple(index.categories)])
    chosen: list[Entry] = []
    taken = {entry.route}
    ordered = sorted(keys)
    for size in range(len(ordered), 0, -1):
        subsets = [frozenset(c) for c in combinations(ordered, size)]
        for group in groups:
            need = limit - len(chosen)
            if need <= 0:
                return tuple(chosen)
            found: list[Entry] = []
            for subset in subsets:
                for member in group:
                    count = 0
                    for other in index.by_subset.get((subset, member), ()):
                        # (a post sharing more tags was taken at a higher level already)
                        if other.route in taken or len(keys & index.tag_keys[other.route]) != size:
                            continue
                        found.append(other)
                        count += 1
                        if count >= need:
                            break
            found.sort(key=lambda other: index.position[other.route])
            for other in found[:need]:
                chosen.append(other)
                taken.add(other.route)
    return tuple(chosen)


SUBSET_TAGS = 4  # posts with more tags than this are ranked through tag pairs (still exact)


def _related_by_pairs(site: Site, index: "_RelatedIndex", entry: Entry, keys: frozenset[str],
                      limit: int) -> tuple[Entry, ...]:
    category = entry.post.meta.category

    def rank(other: Entry) -> tuple:
        same_category = category is not None and other.post.meta.category == category
        return (-len(keys & index.tag_keys[other.route]), not same_category, index.position[other.route])

    ordered = sorted(keys)
    multi: dict[str, Entry] = {}
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            for other in index.by_subset.get((frozenset((first, second)), ALL), ()):
                if other.route != entry.route:
                    multi[other.route] = other
    chosen = sorted(multi.values(), key=rank)[:limit]
    excluded = set(multi) | {entry.route}
    found = []
    for key in ordered:  # the rest share exactly one tag
        for member in index.categories:
            count = 0
            for other in index.by_subset.get((frozenset((key,)), member), ()):
                if other.route in excluded:
                    continue
                found.append(other)
                count += 1
                if count >= limit:
                    break
    found.sort(key=rank)
    return tuple(chosen + found[: limit - len(chosen)])


ALL = object()  # by_subset key for "any category"


@dataclass
class _RelatedIndex:
    tag_keys: dict[str, frozenset[str]]
    position: dict[str, int]  # place in site.posts: newest first, as (-date, slug) orders them
    categories: tuple  # every category a post has (None too), in first-seen order
    by_subset: dict[tuple, list[Entry]]  # (tag set, category or ALL) -> posts, newest first


def _related_index(site: Site) -> _RelatedIndex:
    index = site.cache.get("related")
    if index is None:
        tag_keys: dict[str, frozenset[str]] = {}
        position: dict[str, int] = {}
        by_subset: dict[tuple, list[Entry]] = {}
        categories: dict[str | None, None] = {}  # (an ordered set)
        for number, entry in enumerate(site.posts):
            keys = sorted(dict.fromkeys(tag_key(name) for name in entry.post.meta.tags))
            tag_keys[entry.route] = frozenset(keys)
            position[entry.route] = number
            category = entry.post.meta.category
            categories.setdefault(category, None)
            for size in range(1, min(len(keys), SUBSET_TAGS) + 1):
                for subset in combinations(keys, size):
                    by_subset.setdefault((frozenset(subset), category), []).append(entry)
            for i, first in enumerate(keys):  # pairs of every post, for posts with many tags
                for second in keys[i + 1:]:
                    by_subset.setdefault((frozenset((first, second)), ALL), []).append(entry)
        index = _RelatedIndex(tag_keys, position, tuple(categories), by_subset)
        site.cache["related"] = index
    return index


def build_site(config: SiteConfig, posts: list[Post], rendered: dict[Path, Rendered],
               static: tuple[StaticFile, ...], now: datetime | None = None, images: Any = None) -> Site:
    """`now` is the build moment (upcoming vs past events); None means the newest post's date."""
    articles = newest_first([p for p in posts if p.kind == "post"])
    pages = sorted((p for p in posts if p.kind == "page"), key=lambda p: (p.meta.weight, p.meta.title, p.slug))
    entries = tuple(Entry(p, rendered[p.source], route_of(p)) for p in articles)
    page_entries = tuple(Entry(p, rendered[p.source], route_of(p)) for p in pages)

    names = tag_name_by_key(articles)
    by_tag: dict[str, list[Entry]] = {}
    for entry in entries:
        for key in dict.fromkeys(tag_key(name) for name in entry.post.meta.tags):
            by_tag.setdefault(key, []).append(entry)
    tags = tuple(Group(key, names[key], tuple(by_tag[key])) for key in sorted(by_tag))

    categories = tuple(
        Group(c.key, c.label, tuple(e for e in entries if e.post.meta.category == c.key))
        for c in config.categories)

    years: dict[int, list[Entry]] = {}
    for entry in entries:
        years.setdefault(entry.post.date.year, []).append(entry)
    year_list = []
    for year in sorted(years, reverse=True):
        months: dict[int, list[Entry]] = {}
        for entry in years[year]:
            months.setdefault(entry.post.date.month, []).append(entry)
        year_list.append(Year(year, tuple(years[year]),
                              tuple((m, tuple(months[m])) for m in sorted(months, reverse=True))))

    series: dict[str, list[Entry]] = {}
    for entry in reversed(entries):
        if entry.post.meta.series:
            series.setdefault(entry.post.meta.series, []).append(entry)
    for parts in series.values():
        parts.sort(key=series_position)  # stable: the same series_order (or none) stays oldest first

    bundle_static = []
    for entry in entries + page_entries:
        if entry.post.bundle is not None:
            for path in bundle_files(entry.post.bundle):
                rel = path.relative_to(entry.post.bundle).as_posix()
                bundle_static.append(StaticFile(path, entry.route + rel))
    return Site(config, entries, page_entries, tags, categories, tuple(year_list),
                {name: tuple(parts) for name, parts in sorted(series.items())}, names,
                now or (entries[0].post.date if entries else datetime(1970, 1, 1, tzinfo=config.zone)),
                tuple(static) + tuple(bundle_static), images)
