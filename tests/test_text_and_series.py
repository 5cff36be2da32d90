"""Automatic summaries, reading time, related posts, series, and an English UI with no Japanese
left in it (issue 3)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import frontmatter
import yaml
import pytest
from lxml import html as lxml_html

from conftest import REPO, SITE_YAML, SiteDir, run_cli
from generator.config import load_config
from generator.dates import parse_datetime
from generator.frontmatter import PostMeta
from generator.markdown import Rendered
from generator.model import build_site, related_entries
from generator.posts import Post
from generator.text import count_reading, cut_summary, paragraphs_text, plain_text, reading_minutes, summarise
from generator.views import post_view

TOKYO = "Asia/Tokyo"
JAPANESE = re.compile("[\u3001-\u303f\u3040-\u30ff\u3400-\u9fff\uff01-\uffef]")


def page(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- summaries

def test_summary_cuts_at_the_last_sentence_end_before_the_limit():
    first, second, third = "あ" * 50 + "。", "い" * 50 + "。", "う" * 60 + "。"
    assert cut_summary(first + second + third, 120) == first + second + "…"


def test_summary_takes_a_closing_bracket_with_its_sentence():
    text = "か" * 70 + "と話しました。」" + "き" * 80
    assert cut_summary(text, 120) == "か" * 70 + "と話しました。」…"


def test_summary_hard_cuts_when_the_sentence_end_is_too_early():
    text = "短い文。" + "な" * 200  # the only sentence end keeps less than half of 120
    cut = cut_summary(text, 120)
    assert cut == text[:120] + "…"


def test_summary_of_short_text_is_not_cut():
    assert cut_summary("短い要約です。", 120) == "短い要約です。"
    assert cut_summary("ち" * 120, 120) == "ち" * 120  # exactly the limit: no ellipsis
    assert summarise("<h2>見出しだけ</h2>", 120) == ""


def test_summary_english_sentence_end_needs_a_space_after_the_mark():
    text = "The committee met on 17 June in the hall. The budget is 3.5 million yen, approved by all."
    assert text.index("3.5") + 2 <= 60  # '3.' would be the last end within 60 characters if it counted
    assert cut_summary(text, 60) == "The committee met on 17 June in the hall.…"
    assert cut_summary("Hello world! Next one here.", 20) == "Hello world!…"


@pytest.mark.parametrize("limit", range(90, 140))
def test_summary_is_never_cut_inside_a_tag_or_an_entity(limit: int):
    body = ("<p>" + "あ" * 95 + '<a href="/minato/posts/%E5%AE%9A/" title="a&amp;b">リンク&amp;資料</a>'
            "&lt;案&gt;&quot;" + "<strong>強調</strong>" + "い" * 40 + "</p>")
    text = "あ" * 95 + "リンク&資料<案>\"強調" + "い" * 40  # what a reader sees
    summary = summarise(body, limit)
    assert summary.endswith("…") and len(summary) <= limit + 1
    assert text.startswith(summary[:-1]), summary  # a piece of the text, never of the markup


def test_summary_joins_the_opening_paragraphs_and_skips_headings_and_footnotes():
    body = ('<h2 id="x">議題</h2>\n<p>最初の段落<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>。</p>\n'
            "<p>次の\n段落。</p>\n<p>Third paragraph.</p>\n<ul><li>箇条書き</li></ul>\n<p>リストの後の段落。</p>\n"
            '<div class="footnote"><ol><li><p>注の本文</p></li></ol></div>')
    assert paragraphs_text(body) == "最初の段落。次の 段落。Third paragraph."  # the run ends at the list
    assert plain_text(body).startswith("議題 最初の段落。 次の 段落。 Third paragraph. 箇条書き リストの後の段落。")
    assert "注の本文" not in plain_text(body)
    assert paragraphs_text("<p>One.</p><p>Two.</p>") == "One. Two."


def test_summary_length_from_site_yaml_is_used(site: SiteDir):
    site.write("site.yaml", SITE_YAML + "summary_length: 30\n")
    site.post("2024-07-01-nagai.md", "title: 長い報告\ndate: 2024-07-01",
              "## 概要\n\n" + "一文目は短めの文です。" * 2 + "三文目はずっと長く続いていく文章になっています。\n")
    assert site.build().exit_code == 0
    card = re.search(r'<p class="card-summary">(.*?)</p>', page(site.public, "index.html")).group(1)
    assert card == "一文目は短めの文です。一文目は短めの文です。…"
    assert 'content="一文目は短めの文です。一文目は短めの文です。…"' in page(site.public, "posts/nagai/index.html")


# --------------------------------------------------------------------------- reading time

def test_reading_time_of_japanese_counts_characters():
    cjk, words = count_reading("あ" * 999 + "。")
    assert (cjk, words) == (1000, 0)
    assert reading_minutes(cjk, words, 500, 200) == 2
    assert reading_minutes(1001, 0, 500, 200) == 3
    assert count_reading("漢字カタカナひらがな、ＡＢＣ１２３「」")[0] == 19  # kana, kanji, full-width


def test_reading_time_of_english_counts_words():
    text = " ".join(["word"] * 399 + ["don't"])
    assert count_reading(text) == (0, 400)
    assert reading_minutes(0, 400, 500, 200) == 2
    assert reading_minutes(0, 401, 500, 200) == 3
    assert reading_minutes(0, 0, 500, 200) == 1  # never "0 minutes"


def test_reading_time_of_mixed_text_counts_both():
    cjk, words = count_reading("今日はSDGsの話です。 We talked about it.")
    assert (cjk, words) == (8, 5)  # 今日は の話です。 / SDGs We talked about it
    assert reading_minutes(500, 200, 500, 200) == 2
    assert reading_minutes(250, 100, 500, 200) == 1


def test_reading_time_is_on_the_post_page(site: SiteDir):
    site.post("2024-07-01-nagai.md", "title: 長い報告\ndate: 2024-07-01", "あ" * 1200 + "\n\nSome English words here.\n")
    assert site.build().exit_code == 0
    assert '<span class="post-reading">この記事は約3分で読めます</span>' in page(site.public, "posts/nagai/index.html")
    assert "この記事は約1分で読めます" in page(site.public, "posts/teireikai/index.html")


# --------------------------------------------------------------------------- related posts

def _config(tmp_path: Path, extra: str = ""):
    root = tmp_path / "site"
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML + extra, encoding="utf-8")
    return load_config(root)


def _post(tmp_path: Path, slug: str, date: str, tags: tuple[str, ...] = (), category: str | None = None,
          series: str | None = None, series_order: int | None = None) -> Post:
    moment, has_time = parse_datetime(date, ZoneInfo(TOKYO))
    meta = PostMeta(title=slug, date=moment, has_time=has_time, tags=tags, category=category, series=series,
                    series_order=series_order)
    return Post(tmp_path / f"site/content/posts/{slug}.md", "post", meta, "本文\n", 5, slug, None)


def _site(tmp_path: Path, posts: list[Post], extra: str = ""):
    rendered = {p.source: Rendered(f"<p>{p.slug}</p>", "", p.slug) for p in posts}
    return build_site(_config(tmp_path, extra), posts, rendered, ())


def _entry(site, slug: str):
    return next(e for e in site.posts if e.post.slug == slug)


def test_related_by_shared_tags_then_category_then_newest(tmp_path: Path):
    posts = [
        _post(tmp_path, "me", "2024-06-01", ("防災", "福祉", "子育て"), "meeting"),
        _post(tmp_path, "two-tags", "2023-01-01", ("防災", "福祉")),
        _post(tmp_path, "one-old-same-cat", "2022-01-01", ("子育て",), "meeting"),
        _post(tmp_path, "one-new", "2024-09-01", ("福祉",), "event"),
        _post(tmp_path, "one-older", "2024-03-01", ("ＳＤＧｓ", "防災")),
        _post(tmp_path, "unrelated", "2024-06-02", ("音楽",), "meeting"),
        _post(tmp_path, "no-tags", "2024-06-03", (), "meeting"),
    ]
    site = _site(tmp_path, posts)
    me = _entry(site, "me")
    assert [e.post.slug for e in related_entries(site, me, 10)] == ["two-tags", "one-old-same-cat", "one-new", "one-older"]
    assert [e.post.slug for e in related_entries(site, me, 2)] == ["two-tags", "one-old-same-cat"]
    assert related_entries(site, me, 0) == ()
    assert related_entries(site, _entry(site, "no-tags"), 3) == ()
    assert related_entries(site, _entry(site, "unrelated"), 3) == ()
    for entry in site.posts:  # never itself
        assert entry.route not in [e.route for e in related_entries(site, entry, 10)]


def test_related_in_the_post_view_honours_related_posts(tmp_path: Path):
    posts = [_post(tmp_path, f"p{i}", f"2024-0{i}-01", ("防災",)) for i in range(1, 7)]
    site = _site(tmp_path, posts)
    view = post_view(site, _entry(site, "p3"))
    assert [r["title"] for r in view["related"]] == ["p6", "p5", "p4"]  # config default: 3, newest first
    assert set(view["related"][0]) == {"title", "url", "date"}
    assert view["related"][0]["url"] == "/minato/posts/p6/"
    none = _site(tmp_path / "zero", [_post(tmp_path / "zero", f"p{i}", f"2024-0{i}-01", ("防災",)) for i in range(1, 3)],
                 "related_posts: 0\n")
    assert post_view(none, _entry(none, "p1"))["related"] == []


def test_related_posts_section_on_the_page(site: SiteDir):
    site.post("2024-07-01-kunren.md", "title: 防災訓練の報告\ndate: 2024-07-01\ntags: [防災]")
    site.post("2024-08-01-ongaku.md", "title: 音楽会\ndate: 2024-08-01\ntags: [音楽]")
    assert site.build().exit_code == 0
    html = page(site.public, "posts/teireikai/index.html")
    nav = re.search(r'<nav class="related" aria-label="関連する記事">(.*?)</nav>', html, re.S).group(1)
    assert "<h2" in nav and "関連する記事" in nav
    assert "/minato/posts/kunren/" in nav and "音楽会" not in nav and "6月定例会" not in nav
    assert html.index('class="post-content"') < html.index('class="related"') < html.index('class="post-nav"')
    assert 'class="related"' not in page(site.public, "posts/ongaku/index.html")


# --------------------------------------------------------------------------- series

def test_series_by_date_without_series_order(tmp_path: Path):
    posts = [_post(tmp_path, "b", "2024-05-01", series="講座"), _post(tmp_path, "a", "2023-11-01", series="講座"),
             _post(tmp_path, "c", "2024-09-01", series="講座")]
    site = _site(tmp_path, posts)
    assert [e.post.slug for e in site.series["講座"]] == ["a", "b", "c"]


def test_series_order_wins_over_the_date(tmp_path: Path):
    posts = [_post(tmp_path, "first", "2024-09-01", series="講座", series_order=1),
             _post(tmp_path, "third", "2023-01-01", series="講座", series_order=3),
             _post(tmp_path, "second", "2024-01-01", series="講座", series_order=2),
             _post(tmp_path, "extra", "2022-01-01", series="講座")]  # without a number: after the numbered
    site = _site(tmp_path, posts)
    assert [e.post.slug for e in site.series["講座"]] == ["first", "second", "third", "extra"]
    view = post_view(site, _entry(site, "second"))["series"]
    assert (view["index"], view["total"], view["url"]) == (2, 4, "/minato/series/%E8%AC%9B%E5%BA%A7/")


@pytest.fixture
def series_site(site: SiteDir) -> SiteDir:
    for day, order in (("09-01", 3), ("07-01", 1), ("08-01", 2)):
        site.post(f"2024-{day}-kouza-{order}.md",
                  f"title: 講座 第{order}回\ndate: 2024-{day}\nseries: ＳＤＧｓ 講座\nseries_order: {order}")
    site.post("2024-10-01-other.md", "title: 別の連続企画\ndate: 2024-10-01\nseries: 防災シリーズ")
    assert site.build().exit_code == 0
    return site


def test_series_pages_exist_and_link_every_part(series_site: SiteDir):
    public = series_site.public
    index = page(public, "series/index.html")
    assert 'href="/minato/series/sdgs-%E8%AC%9B%E5%BA%A7/"' in index and "ＳＤＧｓ 講座" in index
    assert "全3回" in index and "全1回" in index
    one = page(public, "series/sdgs-講座/index.html")
    links = re.findall(r'<h2 class="card-title"><a href="([^"]+)">', one)
    assert links == ["/minato/posts/kouza-1/", "/minato/posts/kouza-2/", "/minato/posts/kouza-3/"]
    assert "第1回" in one and "第3回" in one and "シリーズ「ＳＤＧｓ 講座」" in one
    assert (public / "series/防災シリーズ/index.html").is_file()
    post = page(public, "posts/kouza-2/index.html")
    assert "「ＳＤＧｓ 講座」全3回のうち第2回" in post
    assert 'href="/minato/posts/kouza-1/"' in post and 'href="/minato/posts/kouza-3/"' in post
    assert 'href="/minato/series/sdgs-%E8%AC%9B%E5%BA%A7/"' in post
    assert '<a href="/minato/series/">シリーズ</a>' in post  # the footer links the index
    sitemap = page(public, "sitemap.xml")
    assert "https://example.org/minato/series/" in sitemap


def test_no_series_no_series_pages_and_no_link(built_site: SiteDir):
    assert not (built_site.public / "series").exists()
    assert "/minato/series/" not in page(built_site.public, "index.html")


@pytest.mark.parametrize("value", ["二", "0", "-1", "1.5", "true", "[1, 2]"])
def test_bad_series_order_is_an_error_with_file_and_line(site: SiteDir, value: str):
    site.post("2024-07-01-kouza.md", f"title: 講座\ndate: 2024-07-01\nseries: 講座\nseries_order: {value}")
    result = site.build()
    assert result.exit_code == 1
    assert re.search(r"content/posts/2024-07-01-kouza\.md:5: error: 'series_order' must be a whole number",
                     result.stderr), result.stderr
    assert "hint:" in result.stderr


def test_series_order_without_series_and_full_width_digits(site: SiteDir):
    site.post("2024-07-01-kouza.md", "title: 講座\ndate: 2024-07-01\nseries_order: 2")
    result = site.build()
    assert result.exit_code == 1
    assert "2024-07-01-kouza.md:4: error: 'series_order' is set but the post has no 'series'" in result.stderr
    site.post("2024-07-01-kouza.md", "title: 講座\ndate: 2024-07-01\nseries: 講座\nseries_order: ２")
    assert site.build().exit_code == 0


# --------------------------------------------------------------------------- English UI

def _editor_strings(site: Path) -> list[str]:
    """What editors wrote — site.yaml's values, front matter (titles, tags, places…): not UI text,
    and Japanese whatever the UI language. Longest first, so that a title goes before its parts."""
    found: set[str] = set()

    def add(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                add(item)
        elif isinstance(value, str):
            found.add(value.strip())
            found.update(part.strip() for part in re.split(r"[,、，]", value))  # tags: 防災, 福祉

    add(yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8")))
    for path in (site / "content").rglob("*.md"):
        add(frontmatter.load(path).metadata)
    return sorted((s for s in found if s), key=len, reverse=True)


def _drop(element) -> None:
    """Remove an element but keep the text after it (lxml keeps that text on the element)."""
    parent, previous, tail = element.getparent(), element.getprevious(), element.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


# Elements holding the editors' Markdown or text cut from it.
_CONTENT = " | ".join(f'//*[contains(concat(" ", normalize-space(@class), " "), " {name} ")]'
                      for name in ("post-content", "report-post-content", "card-summary")) \
    + ' | //nav[contains(@class, "toc")]/ul | //meta'


def test_english_site_has_no_japanese_ui_text(tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    original = (REPO / "site.yaml").read_text(encoding="utf-8")
    assert re.search(r"^language: ja$", original, re.M)
    (site / "site.yaml").write_text(re.sub(r"^language: ja$", "language: en", original, flags=re.M), encoding="utf-8")
    result = run_cli("build", "-s", str(site), "-q")
    assert result.exit_code == 0, result.stderr
    editors = _editor_strings(site)

    problems = []
    pages = sorted((site / "public").rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        doc = lxml_html.fromstring(path.read_bytes())
        assert doc.get("lang") == "en", path
        for element in doc.xpath(_CONTENT):
            _drop(element)
        for text in doc.xpath("//text() | //@aria-label | //@title | //@alt | //@placeholder"):
            rest = str(text)
            for value in editors:
                rest = rest.replace(value, "")
            if JAPANESE.search(rest):
                problems.append(f"{path.relative_to(site / 'public')}: {rest.strip()!r}")
    assert problems == [], "\n".join(dict.fromkeys(problems))

    post = (site / "public/posts/ibasho-2/index.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="post-reading">\d+ min read</span>', post)
    assert "Part 2 of 2 in the series “居場所づくり講座”" in post
    assert 'aria-label="Related posts"' in post
    assert '<a href="/minato/series/">Series</a>' in post


@pytest.mark.parametrize("html_text", [
    "<h2>議題</h2><p>第1回の会議を開きました。参加者は12名でした。</p><ul><li>報告</li></ul><p>次回は5月です。</p>",
    '<p>本文<sup class="footnote-ref"><a href="#fn:1">1</a></sup>です。</p><div class="footnote"><ol><li>注</li></ol></div>',
    "<p>Meeting notes in English. We met twice.</p><p>日本語もあります。</p>",
    "",
])
def test_measure_matches_the_separate_summary_and_reading_counts(html_text: str):
    from generator import text

    assert text.measure(html_text, 20) == (text.summarise(html_text, 20),
                                           *text.count_reading(text.plain_text(html_text)))


@pytest.mark.parametrize("html_text", [
    "<p>a &amp; b &lt;c&gt; &#x3042;</p>",
    '<p title="x>y">題</p><!-- 注記 -->本文',
    "<p>一行目<br>二行目<br/>三行目</p>",
    '<div class="footnote"><p>注</p></div><p>本文</p>',
    "<p>a < b</p>",
    "<P CLASS=footnote-ref>1</P><p>本文</p>",
    "<p>閉じていない段落",
    "<![CDATA[x]]><?php echo 1 ?><!DOCTYPE html><p>本文</p>",
    '<p>a<sup class="footnote-ref" id="fnref:1"><a href="#fn:1">1</a></sup>b</p><h2>見出し</h2><p>続き</p>',
    "<table><tr><th>項目</th><td>内容</td></tr></table><p>後の段落</p>",
])
def test_the_fast_text_scan_reads_html_as_html_parser_does(html_text: str):
    """text._parse tokenises with regexes (html.parser was a tenth of the Markdown stage); it
    must find the same text and opening paragraphs as the standard library's parser."""
    from generator import text

    reference = text._TextParser()
    reference.feed(html_text)
    reference.close()
    scanned = text._parse(html_text)
    assert text.squeeze("".join(scanned.all)) == text.squeeze("".join(reference.all))
    assert scanned.paragraphs == reference.paragraphs


def test_script_and_style_are_not_prose():
    from generator import text

    assert text.plain_text("<p>本文</p><script>var x = '<p>';</script><style>p { color: red }</style>") == "本文"
