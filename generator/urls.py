"""The one owner of URLs and output paths: nothing else builds a URL or a destination.

A page is identified by its *route*: the path below the site root, unencoded, '/'-separated,
ending in '/' for a folder page ('posts/定例会/') or naming a file ('feed.xml'). Links get the
base_url's path and percent-encoding; files on disk keep the UTF-8 names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")
# Characters that would change a URL's meaning or are unsafe in a file name.
_RESERVED = re.compile(r"[/\\?#%&=+:;@!$'\"()*,<>\[\]{}|^`]")
_SPACES = re.compile(r"[\s\u3000]+")


def slug_from_name(stem: str) -> str:
    return _DATE_PREFIX.sub("", stem)


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a folder under the output, or None if it can."""
    if not slug or slug in (".", ".."):
        return "is empty or only dots"
    if "/" in slug or "\\" in slug or ".." in slug:
        return "contains '/', '\\' or '..', which would put the page outside its folder"
    if slug.startswith("."):
        return "starts with '.', which makes a hidden folder"
    if any(unicodedata.category(ch).startswith("C") for ch in slug):
        return "contains control characters"
    if _RESERVED.search(slug) or " " in slug:
        return "contains spaces or characters such as ? # % & that have a meaning in addresses"
    return None


@lru_cache(maxsize=4096)  # a site has tens of tags, on thousands of posts
def tag_key(name: str) -> str:
    """The folder name of a tag: NFKC (full-width ASCII to half-width), ASCII lower-cased,
    spaces to '-', reserved characters dropped. Tags with the same key are one tag."""
    text = unicodedata.normalize("NFKC", name).strip()
    text = "".join(ch.lower() if ch.isascii() else ch for ch in text)
    text = _SPACES.sub("-", text)
    text = _RESERVED.sub("", text).strip(".-")
    # Controls (NUL would stop the build writing the folder), format characters such as the
    # right-to-left override, and lone surrogates cannot be part of a folder name or a URL.
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C")).strip(".-")


def post_route(slug: str) -> str:
    return f"posts/{slug}/"


def page_route(slug: str) -> str:
    return f"{slug}/"


def tag_route(key: str) -> str:
    return f"tags/{key}/"


def category_route(key: str) -> str:
    return f"categories/{key}/"


def archive_route(year: int | None = None, month: int | None = None) -> str:
    if year is None:
        return "archive/"
    if month is None:
        return f"archive/{year}/"
    return f"archive/{year}/{month:02d}/"


def fiscal_route(year: int | None = None, report: bool = False) -> str:
    if year is None:
        return "fiscal/"
    return f"fiscal/{year}/report/" if report else f"fiscal/{year}/"


def events_route() -> str:
    return "events/"


def events_calendar_route() -> str:
    return "events.ics"


def series_route(name: str | None = None) -> str:
    """The series index, or one series' page: its folder is the name's tag_key."""
    return "series/" if name is None else f"series/{tag_key(name)}/"


def paged_route(first: str, number: int) -> str:
    """Route of page `number` of a list whose first page is at `first`."""
    return first if number == 1 else f"{first}page/{number}/"


@lru_cache(maxsize=65536)
def link(base_path: str, route: str) -> str:
    """Root-relative, percent-encoded URL of a route: what goes into href (memoised: the same
    post is linked from many lists)."""
    return base_path + quote(route, safe="/")


@lru_cache(maxsize=65536)
def absolute(base_url: str, route: str) -> str:
    return base_url + quote(route, safe="/")


def output_file(route: str) -> str:
    """The file a route is written to, relative to the output folder."""
    if route == "" or route.endswith("/"):
        return route + "index.html"
    return route


def is_inside(folder: Path, relative_file: str) -> bool:
    """Whether writing `relative_file` under `folder` stays inside it (resolved, not by strings)."""
    if PurePosixPath(relative_file).is_absolute():
        return False
    target = (folder / relative_file).resolve()
    return target.is_relative_to(folder.resolve())
