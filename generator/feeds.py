"""Atom feeds (RFC 4287) as bytes: full content, absolute links, RFC 3339 times."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from generator.config import SiteConfig
from generator.dates import iso
from generator.model import Entry
from generator.urls import absolute, tag_key

FEED_SIZE = 20
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')
_FRAGMENT = re.compile(r'(\shref=")(#[^"]*)"')
# Characters XML 1.0 forbids even escaped (controls other than tab and newlines, U+FFFE/FFFF):
# a pasted title or body may hold them, and one makes the whole feed unreadable to every reader.
_NOT_XML = "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"  # (compiled when a feed is made: 5 ms)


def absolutise(html_text: str, base_url: str, page_url: str) -> str:
    """Make root-relative and fragment links absolute: feed readers have no page to resolve against."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    html_text = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}{origin}{m.group(2)}"', html_text)
    return _FRAGMENT.sub(lambda m: f'{m.group(1)}{page_url}{m.group(2)}"', html_text)


def escape(text: str) -> str:
    """XML character data, as xml.sax.saxutils.escape writes it (that module imports
    urllib.request: a fortieth of a second at every start of katsudo)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """An XML attribute value with its quotes, as xml.sax.saxutils.quoteattr writes it."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


def atom_feed(config: SiteConfig, entries: tuple[Entry, ...], route: str, title: str,
              tag_names: dict[str, str]) -> bytes:
    feed_url = absolute(config.base_url, route)
    latest = entries[:FEED_SIZE]
    updated = iso(latest[0].post.date) if latest else "1970-01-01T00:00:00+00:00"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{config.language}">',
        f"  <title>{escape(title)}</title>",
    ]
    if config.description:
        lines.append(f"  <subtitle>{escape(config.description)}</subtitle>")
    lines += [
        f"  <id>{escape(feed_url)}</id>",
        f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(feed_url)}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(config.base_url)}/>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(config.author or config.organisation)}</name></author>",
        "  <generator>katsudo</generator>",
    ]
    for entry in latest:
        meta = entry.post.meta
        url = absolute(config.base_url, entry.route)
        lines += [
            "  <entry>",
            f"    <title>{escape(meta.title)}</title>",
            f"    <id>{escape(url)}</id>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
            f"    <published>{iso(entry.post.date)}</published>",
            f"    <updated>{iso(entry.post.date)}</updated>",
        ]
        if meta.author:
            lines.append(f"    <author><name>{escape(meta.author)}</name></author>")
        category = config.category(meta.category) if meta.category else None
        if meta.category and category is not None:
            lines.append(f"    <category term={quoteattr(meta.category)} label={quoteattr(category.label)}/>")
        for key in dict.fromkeys(tag_key(name) for name in meta.tags):
            lines.append(f"    <category term={quoteattr(tag_names[key])}/>")
        lines += [
            f"    <summary>{escape(entry.rendered.summary)}</summary>",
            f"    <content type=\"html\">{escape(absolutise(str(entry.rendered.html), config.base_url, url))}</content>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return re.sub(_NOT_XML, "", "\n".join(lines) + "\n").encode("utf-8")
