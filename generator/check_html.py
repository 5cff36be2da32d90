"""What `katsudo check` reads of a built page: its links, images, ids, title and description
(`parse_page`), and where a link points relative to the site's address (`classify`,
`served_file`). Plain functions over the HTML, no knowledge of the site's sources."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Schemes that are not web addresses: nothing to fetch, nothing to check.
_NOT_CHECKED = ("mailto", "tel", "sms", "data", "javascript", "geo")


@dataclass(frozen=True)
class Reference:
    tag: str
    attribute: str
    url: str
    line: int  # line in the output file


@dataclass
class ParsedPage:
    """What check needs from one built HTML file."""

    rel: str  # path under the output folder, '/'-separated
    title: str | None = None
    title_line: int = 1
    description: str | None = None
    ids: set[str] = field(default_factory=set)
    references: list[Reference] = field(default_factory=list)
    images: list[tuple[dict[str, str | None], int]] = field(default_factory=list)  # <img> attributes, line


class _PageParser(HTMLParser):
    def __init__(self, page: ParsedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        values = dict(attrs)
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"])
        if tag == "title":
            self._in_title, self.page.title_line = True, line
        if tag == "meta" and (values.get("name") or "").lower() == "description":
            self.page.description = values.get("content") or ""
        if tag == "img":
            self.page.images.append((values, line))
        if tag == "meta" and ((values.get("property") or "") == "og:image" or (values.get("name") or "") == "twitter:image") \
                and values.get("content"):
            # The picture shown when the page is shared: a missing one is a broken card on every share.
            self.page.references.append(Reference("meta", "content", values["content"].strip(), line))
        for attribute in ("href", "src"):
            value = values.get(attribute)
            if value is not None and not (tag == "link" and (values.get("rel") or "") in ("preconnect", "dns-prefetch")):
                self.page.references.append(Reference(tag, attribute, value.strip(), line))
        if values.get("srcset"):
            for candidate in values["srcset"].split(","):
                url = candidate.strip().split(" ")[0]
                if url:
                    self.page.references.append(Reference(tag, "srcset", url, line))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self._in_title = False
            self.page.title = "".join(self._title).strip()

    def handle_data(self, data):
        if self._in_title:
            self._title.append(data)


def parse_page(out: Path, file: Path) -> ParsedPage:
    page = ParsedPage(file.relative_to(out).as_posix())
    parser = _PageParser(page)
    parser.feed(file.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return page


@dataclass(frozen=True)
class Target:
    kind: str  # 'internal', 'outside' (same host, outside base_url's path), 'external', 'skip'
    file: str | None = None  # for 'internal': the output file it is served from
    fragment: str = ""


def classify(url: str, page_rel: str, base_url: str) -> Target:
    """Where a URL found on the page `page_rel` points, relative to a site published at `base_url`."""
    base = urlsplit(base_url)
    base_path = base.path or "/"
    try:
        parts = urlsplit(url)
    except ValueError:
        return Target("internal", None)  # not even a URL: certainly broken
    fragment = unquote(parts.fragment)
    if parts.scheme.lower() in _NOT_CHECKED:
        return Target("skip")
    if parts.scheme or parts.netloc:
        if parts.scheme.lower() not in ("http", "https", ""):
            return Target("skip")
        if parts.netloc.lower() != base.netloc.lower():
            return Target("external")
        path = parts.path or "/"
    elif not parts.path:
        return Target("internal", page_rel, fragment)  # '#id' on this page
    else:
        path = parts.path
    if path.startswith("/"):
        if not (path + ("" if path.endswith("/") else "/")).startswith(base_path) and path != base_path.rstrip("/"):
            return Target("outside")
        rel = unquote(path[len(base_path):]) if len(path) >= len(base_path) else ""
    else:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(path)))
        if rel == "." or path.endswith("/"):
            rel = "" if rel == "." else rel + "/"
        if rel.startswith("../") or rel == "..":
            return Target("outside")
    return Target("internal", rel, fragment)


def served_file(out: Path, rel: str) -> Path | None:
    """The file a web server would answer with for `rel`, or None."""
    candidate = out / rel
    try:
        if not candidate.resolve().is_relative_to(out.resolve()):
            return None
        if rel == "" or rel.endswith("/") or candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    except (OSError, ValueError):
        return None
