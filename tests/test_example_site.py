"""The bundled example site, built as a newcomer's `make build` does: every page there, every
link working, under a sub-path and at a domain root, drafts nowhere, byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import etree

from conftest import REPO, build_example
from linkcheck import broken_links

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def built_example(out: Path, *args: str) -> Path:
    result = build_example(out, *args)
    assert result.exit_code == 0, result.stderr
    # -q says only what was held back: the example site's one draft (2026-09-28-rinji-iinkai.md).
    assert result.stdout == "held back: 1 draft (katsudo build without -q lists them)\n"
    return out


@pytest.fixture(scope="module")
def example(example_site: Path) -> Path:
    return example_site


def published_posts() -> list[Path]:
    """Example posts that are neither drafts nor dated after the pinned build moment."""
    import frontmatter

    posts = []
    for path in sorted((REPO / "content/posts").glob("*.md")) + sorted((REPO / "content/posts").glob("*/index.md")):
        meta = frontmatter.load(path).metadata
        if not meta.get("draft"):
            posts.append(path)
    return posts


def slug_of(path: Path) -> str:
    import frontmatter

    meta = frontmatter.load(path).metadata
    name = path.parent.name if path.name == "index.md" else path.stem
    return meta.get("slug") or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", name)


def test_every_kind_of_page_is_built(example: Path):
    for rel in ["index.html", "page/2/index.html", "about/index.html", "tags/index.html", "archive/index.html",
                "feed.xml", "sitemap.xml", "robots.txt", "404.html", "assets/css/style.css"]:
        assert (example / rel).is_file(), rel
    for post in published_posts():
        assert (example / "posts" / slug_of(post) / "index.html").is_file(), post.name
    for key in ("meeting", "workshop", "plan", "event"):
        assert (example / "categories" / key / "index.html").is_file()
    years = [p.name for p in (example / "archive").iterdir() if p.is_dir()]
    assert years and all(re.fullmatch(r"\d{4}", y) for y in years)
    assert any((example / "archive" / y).glob("[01][0-9]/index.html") for y in years)


def test_post_page_shows_what_a_reader_needs(example: Path):
    post = published_posts()[len(published_posts()) // 2]
    html = (example / "posts" / slug_of(post) / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in html
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00"', html)
    assert "/minato/tags/" in html and "/minato/categories/" in html
    assert 'rel="canonical" href="https://example.org/minato/posts/' in html


def test_all_internal_links_resolve_under_a_sub_path(example: Path):
    assert broken_links(example, "https://example.org/minato/") == []


def test_all_internal_links_resolve_at_a_domain_root(tmp_path: Path):
    out = built_example(tmp_path / "root", "--base-url", "https://katsudo.example.net/")
    assert broken_links(out, "https://katsudo.example.net/") == []
    assert "/minato/" not in (out / "index.html").read_text(encoding="utf-8")


def test_no_request_to_another_host(example: Path):
    for page in example.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)="(https?:)?//([^/"]+)', html):
            tag = match.group(0)
            if 'rel="canonical"' in tag or 'rel="alternate"' in tag:
                continue
            pytest.fail(f"{page.relative_to(example)} loads from another host: {tag}")


def test_feed_is_atom_with_absolute_links_and_site_offset(example: Path):
    feed = etree.parse(str(example / "feed.xml")).getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 20
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for name in ("published", "updated"):
            value = entry.findtext(f"{ATOM}{name}")
            assert RFC3339.match(value) and value.endswith("+09:00"), value
        assert entry.find(f"{ATOM}link").get("href").startswith("https://example.org/minato/posts/")
        content = entry.findtext(f"{ATOM}content")
        assert content and not re.search(r'(?:href|src)="/', content), "root-relative link in the feed"
    dates = [e.findtext(f"{ATOM}published") for e in entries]
    assert dates == sorted(dates, reverse=True)


def test_sitemap_lists_posts_with_absolute_urls(example: Path):
    sitemap = etree.parse(str(example / "sitemap.xml")).getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(loc.startswith("https://example.org/minato/") for loc in locs)
    for post in published_posts():
        assert f"https://example.org/minato/posts/{quote(slug_of(post))}/" in locs, post.name
    assert "Sitemap: https://example.org/minato/sitemap.xml" in (example / "robots.txt").read_text()


def test_drafts_appear_nowhere(example: Path):
    marker = "DRAFT-MARKER"
    for path in example.rglob("*"):
        if path.is_file():
            assert marker not in path.read_bytes().decode("utf-8", "replace"), path


@pytest.mark.search  # (the search index too)
def test_two_builds_are_byte_identical(tmp_path: Path, example: Path):
    again = built_example(tmp_path / "again")

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert digest(again) == digest(example)


def test_tables_scroll_in_a_focusable_labelled_region(example: Path):
    pages = [p.read_text(encoding="utf-8") for p in (example / "posts").rglob("index.html")]
    tables = sum(html.count("<table") for html in pages)
    wrapped = sum(len(re.findall(r'<div aria-label="表（横にスクロールできます）" class="table-wrap" role="region" tabindex="0"><table', html))
                  for html in pages)
    assert tables >= 3 and wrapped == tables
