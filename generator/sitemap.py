"""sitemap.xml and robots.txt as bytes."""

from __future__ import annotations

from datetime import datetime
from generator.feeds import escape

from generator.config import SiteConfig
from generator.dates import iso
from generator.urls import absolute


def sitemap(config: SiteConfig, pages: list[tuple[str, datetime | None]]) -> bytes:
    """`pages`: (route, last modified or None) of every HTML page worth indexing."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route, modified in pages:
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(absolute(config.base_url, route))}</loc>")
        if modified is not None:
            lines.append(f"    <lastmod>{iso(modified)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: SiteConfig) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(config.base_url, 'sitemap.xml')}\n".encode("utf-8")
