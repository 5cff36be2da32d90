"""Unit tests of the pipeline's pure stages: dates, URLs, YAML with lines, Markdown, pagination,
the site model and config; and the writer's promise that unchanged files keep their mtime."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import SITE_YAML, SiteDir
from generator.config import load_config
from generator.dates import date_text, datetime_text, fiscal_year, parse_datetime
from generator.errors import KatsudoError
from generator.frontmatter import PostMeta
from generator.markdown import LinkTargets, MarkdownRenderer, Rendered
from generator.model import build_site
from generator.paginate import paginate
from generator.posts import Post
from generator.urls import is_inside, link, output_file, slug_from_name, slug_problem, tag_key
from generator.views import post_view
from generator.yamltext import parse_mapping

TOKYO = ZoneInfo("Asia/Tokyo")


# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("text, expected, has_time", [
    ("2021-06-17", datetime(2021, 6, 17, 0, 0), False),
    ("2021-06-17 19:00", datetime(2021, 6, 17, 19, 0), True),
    ("2021-06-17T19:00", datetime(2021, 6, 17, 19, 0), True),
    ("２０２１-０６-１７", datetime(2021, 6, 17), False),
    ("２０２１-０６-１７ １９:００", datetime(2021, 6, 17, 19, 0), True),
    ("2021/6/17", datetime(2021, 6, 17), False),
    ("2021/6/17 19:05", datetime(2021, 6, 17, 19, 5), True),
    ("2021年6月17日 19:00", datetime(2021, 6, 17, 19, 0), True),
    ("2021年6月17日", datetime(2021, 6, 17), False),
    ("２０２１年６月１７日", datetime(2021, 6, 17), False),
    ("  2021-06-17  ", datetime(2021, 6, 17), False),
])
def test_parse_datetime_accepts_what_editors_type(text, expected, has_time):
    parsed = parse_datetime(text, TOKYO)
    assert parsed is not None, text
    moment, with_time = parsed
    assert moment == expected.replace(tzinfo=TOKYO)
    assert moment.utcoffset() == timedelta(hours=9)
    assert with_time is has_time


def test_parse_datetime_with_an_offset_is_converted_to_the_site_zone():
    moment, has_time = parse_datetime("2021-06-17T10:00:00+00:00", TOKYO)
    assert (moment.year, moment.month, moment.day, moment.hour) == (2021, 6, 17, 19)
    assert moment.utcoffset() == timedelta(hours=9)
    assert has_time
    moment, _ = parse_datetime("2021-03-31T15:30:00Z", TOKYO)
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2021, 4, 1, 0, 30)
    # The same text in another site zone is another wall-clock time.
    ny, _ = parse_datetime("2021-06-17T10:00:00+00:00", ZoneInfo("America/New_York"))
    assert (ny.hour, ny.utcoffset()) == (6, timedelta(hours=-4))


def test_parse_datetime_naive_text_is_in_the_site_zone_not_utc():
    moment, _ = parse_datetime("2021-06-17 19:00", TOKYO)
    assert moment.astimezone(timezone.utc).hour == 10


@pytest.mark.parametrize("value", ["garbage", "6月17日", "2021-13-01", "2021-02-30", "", "   ", "17/06/2021",
                                   "2021-06-17 25:00", 2021, None, ["2021-06-17"], {"a": 1}])
def test_parse_datetime_rejects_what_is_not_a_date(value):
    assert parse_datetime(value, TOKYO) is None


@pytest.fixture
def process_tz(monkeypatch):
    """Set the process's local time zone (TZ + tzset) and restore it afterwards."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("process_zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_month_and_fiscal_year_do_not_depend_on_the_process_time_zone(process_tz, process_zone, tmp_path):
    process_tz(process_zone)
    assert time.localtime(1617204600).tm_mday == (1 if process_zone == "Asia/Tokyo" else 31)  # the zone took effect
    moment, _ = parse_datetime("2021-04-01 00:30", TOKYO)
    assert (moment.year, moment.month, moment.day) == (2021, 4, 1)
    assert fiscal_year(moment, 4) == 2021
    assert date_text(moment, "ja") == "2021年4月1日(木)"
    # And the site model files it under April 2021 (not March: 2021-03-31 15:30 UTC).
    config = _config(tmp_path)
    site = build_site(config, [_post(tmp_path, "a", "2021-04-01 00:30")], _rendered_for(tmp_path, ["a"]), ())
    assert [(y.year, [m for m, _ in y.months]) for y in site.years] == [(2021, [4])]


def test_fiscal_year_boundaries():
    assert fiscal_year(datetime(2021, 3, 31, 23, 59, tzinfo=TOKYO), 4) == 2020
    assert fiscal_year(datetime(2021, 4, 1, 0, 0, tzinfo=TOKYO), 4) == 2021
    assert fiscal_year(datetime(2021, 12, 31, tzinfo=TOKYO), 4) == 2021
    assert fiscal_year(datetime(2022, 1, 1, tzinfo=TOKYO), 4) == 2021
    # A fiscal year starting in October; and one that is the calendar year.
    assert fiscal_year(datetime(2021, 9, 30, tzinfo=TOKYO), 10) == 2020
    assert fiscal_year(datetime(2021, 10, 1, tzinfo=TOKYO), 10) == 2021
    assert fiscal_year(datetime(2021, 1, 1, tzinfo=TOKYO), 1) == 2021
    assert fiscal_year(datetime(2021, 12, 31, tzinfo=TOKYO), 1) == 2021


def test_date_text_in_japanese_and_english():
    moment = datetime(2021, 6, 17, 19, 5, tzinfo=TOKYO)
    assert date_text(moment, "ja") == "2021年6月17日(木)"
    assert date_text(moment, "en") == "Thu, 17 June 2021"
    assert datetime_text(moment, "ja") == "2021年6月17日(木) 19:05"
    assert date_text(datetime(2024, 12, 1, tzinfo=TOKYO), "ja") == "2024年12月1日(日)"
    assert date_text(datetime(2024, 12, 1, tzinfo=TOKYO), "en") == "Sun, 1 December 2024"


# --------------------------------------------------------------------------- urls

@pytest.mark.parametrize("name, key", [
    ("ＳＤＧｓ", "sdgs"),
    ("SDGs", "sdgs"),
    ("地域 福祉", "地域-福祉"),
    ("地域\u3000福祉", "地域-福祉"),
    ("防災", "防災"),
    ("Q&A", "qa"),
    ("防災?", "防災"),
    ("a#b%c", "abc"),
    ("  まちづくり  ", "まちづくり"),
    ("ＡＢＣ１２３", "abc123"),
])
def test_tag_key(name, key):
    assert tag_key(name) == key


def test_tag_key_of_only_symbols_is_empty():
    assert tag_key("?#/") == ""


@pytest.mark.parametrize("slug", ["", ".", "..", "../../etc", "a/b", "a\\b", "x..y", ".hidden", "a b",
                                  "a?b", "a#b", "100%", "a&b", "tab\there", "nul\x00"])
def test_slug_problem_rejects(slug):
    assert slug_problem(slug), slug


@pytest.mark.parametrize("slug", ["teireikai-2024-06", "定例会", "6月定例会の報告", "a_b", "v1.2"])
def test_slug_problem_accepts(slug):
    assert slug_problem(slug) is None


def test_slug_from_name_drops_the_date_prefix_only():
    assert slug_from_name("2024-06-17-teireikai") == "teireikai"
    assert slug_from_name("2024-06-17-定例会") == "定例会"
    assert slug_from_name("about") == "about"
    assert slug_from_name("2024-06-teireikai") == "2024-06-teireikai"


def test_link_percent_encodes_japanese_and_keeps_the_base_path():
    assert link("/minato/", "posts/定例会/") == "/minato/posts/%E5%AE%9A%E4%BE%8B%E4%BC%9A/"
    assert link("/", "tags/地域-福祉/") == "/tags/%E5%9C%B0%E5%9F%9F-%E7%A6%8F%E7%A5%89/"
    assert link("/minato/", "") == "/minato/"
    assert link("/minato/", "feed.xml") == "/minato/feed.xml"


def test_output_file():
    assert output_file("") == "index.html"
    assert output_file("posts/定例会/") == "posts/定例会/index.html"
    assert output_file("page/2/") == "page/2/index.html"
    assert output_file("feed.xml") == "feed.xml"
    assert output_file("404.html") == "404.html"


def test_is_inside(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "out-evil").mkdir()
    assert is_inside(out, "index.html")
    assert is_inside(out, "posts/定例会/index.html")
    assert is_inside(out, "a/../b.html")
    assert not is_inside(out, "../out-evil/index.html")
    assert not is_inside(out, "../x.html")
    assert not is_inside(out, "posts/../../x.html")
    assert not is_inside(out, "/etc/passwd")


def test_is_inside_follows_symlinks(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "link").symlink_to(tmp_path / "elsewhere")
    assert not is_inside(out, "link/index.html")


# --------------------------------------------------------------------------- yamltext

def test_parse_mapping_gives_file_lines_offset_by_first_line():
    mapping, errors = parse_mapping("title: 定例会\ndate: 2024-06-17\n\ntags: [a]\n", Path("x.md"), 2, "front matter")
    assert errors == []
    assert mapping.values == {"title": "定例会", "date": "2024-06-17", "tags": ["a"]}
    assert mapping.lines == {"title": 2, "date": 3, "tags": 5}
    assert mapping.line_of("tags") == 5
    assert mapping.line_of("nothere") == 2


def test_parse_mapping_keeps_dates_as_text():
    mapping, _ = parse_mapping("date: 2024-06-17\nstart: 2024-06-17 19:00\n", Path("x.md"), 1, "front matter")
    assert mapping.values == {"date": "2024-06-17", "start": "2024-06-17 19:00"}


def test_parse_mapping_empty_is_an_empty_mapping():
    mapping, errors = parse_mapping("", Path("x.md"), 2, "front matter")
    assert errors == [] and mapping.values == {}


def test_parse_mapping_reports_a_duplicate_key_at_its_second_line():
    mapping, errors = parse_mapping("title: a\ndate: 2024-06-17\ntitle: b\n", Path("x.md"), 2, "front matter")
    assert mapping is None
    assert len(errors) == 1
    assert (errors[0].path, errors[0].line) == (Path("x.md"), 4)
    assert "'title' is given twice (first on line 2)" in errors[0].message


def test_parse_mapping_not_a_mapping():
    mapping, errors = parse_mapping("- a\n- b\n", Path("x.md"), 2, "front matter")
    assert mapping is None
    assert errors[0].line == 2 and "key: value" in errors[0].message


@pytest.mark.parametrize("text, line", [
    ("title：5月 定例会\ndate: 2024-06-17\n", 2),  # PyYAML itself blames the next line
    ("date: 2024-06-17\ntitle：5月 定例会\n", 3),
    ("title：5月 定例会\n", 2),
])
def test_parse_mapping_full_width_colon(text, line):
    mapping, errors = parse_mapping(text, Path("x.md"), 2, "front matter")
    assert mapping is None
    assert [(e.line, "：" in e.message and "title" in e.message) for e in errors] == [(line, True)]
    assert "：" in errors[0].hint and "title: " in errors[0].hint


def test_parse_mapping_full_width_colon_inside_a_value_is_fine():
    mapping, errors = parse_mapping("title: 会議：第1回\n# メモ：あとで\n", Path("x.md"), 2, "front matter")
    assert errors == [] and mapping.values == {"title": "会議：第1回"}


def test_parse_mapping_tab_indentation():
    mapping, errors = parse_mapping("title: a\nevent:\n\tstart: 2024-12-05\n", Path("x.md"), 2, "front matter")
    assert mapping is None
    assert errors[0].line == 4
    assert "tab" in errors[0].message and "space" in errors[0].hint


@pytest.mark.parametrize("text, line", [
    ("title: a\n\u3000tags: [a]\n", 3),
    ("\u3000title: a\n", 2),
    ("title: a\nevent:\n  \u3000start: 2024-12-05\n", 4),
])
def test_parse_mapping_full_width_space_at_line_start(text, line):
    mapping, errors = parse_mapping(text, Path("x.md"), 2, "front matter")
    assert mapping is None
    assert errors and errors[0].line == line
    assert "全角スペース" in errors[0].message and "\u3000" in errors[0].hint


def test_parse_mapping_full_width_space_on_a_line_of_its_own():
    mapping, errors = parse_mapping("title: a\n\u3000\n", Path("x.md"), 2, "front matter")
    assert mapping is None
    assert errors[0].line == 3 and "全角スペース" in errors[0].message


def test_parse_mapping_broken_yaml_names_the_line():
    mapping, errors = parse_mapping("title: a\nsummary: a: b\n", Path("x.md"), 2, "front matter")
    assert mapping is None
    assert errors[0].line == 3
    assert errors[0].message.startswith("front matter is not valid YAML")
    assert "quotes" in errors[0].hint


# --------------------------------------------------------------------------- markdown

def _renderer(tmp_path: Path, source_urls: dict | None = None) -> MarkdownRenderer:
    return MarkdownRenderer(LinkTargets("/minato/", tmp_path / "content", source_urls or {}))


def _render(tmp_path: Path, body: str, renderer: MarkdownRenderer | None = None) -> Rendered:
    renderer = renderer or _renderer(tmp_path)
    return renderer.render(tmp_path / "content/posts/a.md", body, 5, "/minato/posts/a/", None)


def test_markdown_japanese_headings_get_stable_unique_ids(tmp_path: Path):
    body = "## 議題\n\n一つ目\n\n## 議題\n\n二つ目\n\n## 決定事項\n"
    renderer = _renderer(tmp_path)
    first = _render(tmp_path, body, renderer)
    assert '<h2 id="議題">議題</h2>' in first.html
    assert '<h2 id="議題_1">議題</h2>' in first.html
    assert '<h2 id="決定事項">決定事項</h2>' in first.html
    # The renderer is reused for every post of a build: ids must not drift between posts.
    again = _render(tmp_path, body, renderer)
    assert again.html == first.html and again.toc == first.toc
    other = renderer.render(tmp_path / "content/posts/b.md", "## 議題\n", 5, "/minato/posts/b/", None)
    assert '<h2 id="議題">' in other.html


def test_markdown_toc_only_with_two_or_more_headings(tmp_path: Path):
    one = _render(tmp_path, "## 議題\n\n本文\n")
    assert one.toc == ""
    two = _render(tmp_path, "## 議題\n\n本文\n\n### 詳細\n\n## 議題\n")
    assert two.toc.startswith("<ul>")
    assert '<a href="#議題">議題</a>' in two.toc
    assert '<a href="#詳細">詳細</a>' in two.toc
    assert '<a href="#議題_1">議題</a>' in two.toc


def test_markdown_tables_footnotes_code_attr_list_raw_html(tmp_path: Path):
    body = (
        "| 項目 | 内容 |\n|---|---|\n| 日時 | 6月17日 |\n\n"
        "報告します[^1]。\n\n[^1]: 注記です。\n\n"
        "```python\nprint(\"<b>\")\n```\n\n"
        "## 見出し {#custom-id}\n\n"
        "段落\n{: .note}\n\n"
        '<div class="box">生の<strong>HTML</strong></div>\n'
    )
    html = _render(tmp_path, body).html
    assert "<table>" in html and "<th>項目</th>" in html and "<td>6月17日</td>" in html
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html and "注記です。" in html
    assert '<pre><code class="language-python">print(&quot;&lt;b&gt;&quot;)\n</code></pre>' in html
    assert '<h2 id="custom-id">見出し</h2>' in html
    assert '<p class="note">段落</p>' in html
    assert '<div class="box">生の<strong>HTML</strong></div>' in html


def test_markdown_links_to_posts_and_site_paths(tmp_path: Path):
    other = (tmp_path / "content/posts/2024-05-20-zenkai.md").resolve()
    renderer = _renderer(tmp_path, {other: "/minato/posts/zenkai/"})
    result = _render(tmp_path, "[前回](2024-05-20-zenkai.md#議題) と [説明](/about/) と [外部](https://example.com/x)\n",
                     renderer)
    assert result.errors == ()
    assert 'href="/minato/posts/zenkai/#議題"' in result.html
    assert 'href="/minato/about/"' in result.html
    assert 'href="https://example.com/x"' in result.html


def test_markdown_link_to_a_missing_post_is_an_error_with_its_line(tmp_path: Path):
    result = _render(tmp_path, "一行目\n\n[前回](2023-01-01-nai.md)\n")
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 5 + 2
    assert "2023-01-01-nai.md" in error.message


def test_markdown_summary_comes_from_the_first_paragraph(tmp_path: Path):
    result = _render(tmp_path, "## 議題\n\n最初の段落。\n\n次の段落。\n")
    assert result.summary == "最初の段落。次の段落。"  # the first paragraphs, up to summary_length
    given = _renderer(tmp_path).render(tmp_path / "content/posts/a.md", "本文\n", 5, "/minato/posts/a/", None, "指定の要約")
    assert given.summary == "指定の要約"


# --------------------------------------------------------------------------- paginate

def test_paginate_empty_list_has_one_page():
    pages = paginate([], 5, "")
    assert len(pages) == 1
    assert (pages[0].number, pages[0].total, list(pages[0].items), pages[0].routes) == (1, 1, [], ("",))


def test_paginate_eleven_items_by_five():
    items = list(range(11))
    pages = paginate(items, 5, "")
    assert [p.number for p in pages] == [1, 2, 3]
    assert all(p.total == 3 for p in pages)
    assert [list(p.items) for p in pages] == [items[0:5], items[5:10], items[10:11]]
    assert pages[0].routes == ("", "page/2/", "page/3/")
    assert [p.route for p in pages] == ["", "page/2/", "page/3/"]


def test_paginate_under_a_folder_and_exact_multiple():
    pages = paginate(list(range(10)), 5, "tags/防災/")
    assert [p.route for p in pages] == ["tags/防災/", "tags/防災/page/2/"]


# --------------------------------------------------------------------------- model

def _config(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    return load_config(root)


def _post(tmp_path: Path, slug: str, date: str, tags: tuple[str, ...] = (), series: str | None = None,
          title: str | None = None) -> Post:
    moment, has_time = parse_datetime(date, TOKYO)
    meta = PostMeta(title=title or slug, date=moment, has_time=has_time, tags=tags, series=series)
    return Post(tmp_path / f"site/content/posts/{slug}.md", "post", meta, "本文\n", 5, slug, None)


def _rendered_for(tmp_path: Path, slugs: list[str]) -> dict[Path, Rendered]:
    return {tmp_path / f"site/content/posts/{slug}.md": Rendered(f"<p>{slug}</p>", "", slug) for slug in slugs}


def test_model_orders_newest_first_with_prev_older_and_next_newer(tmp_path: Path):
    config = _config(tmp_path)
    posts = [_post(tmp_path, "b", "2024-02-01"), _post(tmp_path, "c", "2024-03-01"), _post(tmp_path, "a", "2024-01-01")]
    site = build_site(config, posts, _rendered_for(tmp_path, ["a", "b", "c"]), ())
    assert [e.post.slug for e in site.posts] == ["c", "b", "a"]
    assert [e.route for e in site.posts] == ["posts/c/", "posts/b/", "posts/a/"]
    older, newer = site.neighbours(0)
    assert (older.post.slug, newer) == ("b", None)
    older, newer = site.neighbours(1)
    assert (older.post.slug, newer.post.slug) == ("a", "c")
    older, newer = site.neighbours(2)
    assert (older, newer.post.slug) == (None, "b")
    # What templates get: prev is the older post, next the newer one.
    middle = post_view(site, site.posts[1], 1)
    assert middle["prev"] == {"title": "a", "url": "/minato/posts/a/"}
    assert middle["next"] == {"title": "c", "url": "/minato/posts/c/"}
    assert post_view(site, site.posts[0], 0)["next"] is None
    assert post_view(site, site.posts[2], 2)["prev"] is None


def test_model_same_day_posts_are_ordered_by_time_then_slug(tmp_path: Path):
    config = _config(tmp_path)
    posts = [_post(tmp_path, "m", "2024-06-17"), _post(tmp_path, "z", "2024-06-17 19:00"), _post(tmp_path, "k", "2024-06-17")]
    site = build_site(config, posts, _rendered_for(tmp_path, ["m", "z", "k"]), ())
    assert [e.post.slug for e in site.posts] == ["z", "k", "m"]


def test_model_tags_that_normalise_alike_are_one_tag(tmp_path: Path):
    config = _config(tmp_path)
    posts = [_post(tmp_path, "a", "2024-01-01", ("ＳＤＧｓ", "防災")), _post(tmp_path, "b", "2024-02-01", ("SDGs",)),
             _post(tmp_path, "c", "2024-03-01", ("SDGs", "sdgs"))]
    site = build_site(config, posts, _rendered_for(tmp_path, ["a", "b", "c"]), ())
    assert [g.key for g in site.tags] == ["sdgs", "防災"]
    sdgs = site.tags[0]
    assert [e.post.slug for e in sdgs.entries] == ["c", "b", "a"]  # c once, though it has two spellings
    assert sdgs.label == "SDGs"  # the spelling most posts use
    assert site.tag_names == {"sdgs": "SDGs", "防災": "防災"}


def test_model_series_is_oldest_first_and_years_months_newest_first(tmp_path: Path):
    config = _config(tmp_path)
    posts = [_post(tmp_path, "s2", "2024-05-01", series="講座"), _post(tmp_path, "s1", "2023-11-01", series="講座"),
             _post(tmp_path, "s3", "2024-09-01", series="講座"), _post(tmp_path, "x", "2024-05-20")]
    site = build_site(config, posts, _rendered_for(tmp_path, ["s1", "s2", "s3", "x"]), ())
    assert list(site.series) == ["講座"]
    assert [e.post.slug for e in site.series["講座"]] == ["s1", "s2", "s3"]
    series = post_view(site, next(e for e in site.posts if e.post.slug == "s2"))["series"]
    assert (series["name"], series["index"], series["total"]) == ("講座", 2, 3)
    assert [(p["title"], p["current"]) for p in series["parts"]] == [("s1", False), ("s2", True), ("s3", False)]
    assert [y.year for y in site.years] == [2024, 2023]
    assert [(m, [e.post.slug for e in es]) for m, es in site.years[0].months] == [(9, ["s3"]), (5, ["x", "s2"])]
    # Categories from site.yaml, in order, even when empty.
    assert [(g.key, len(g.entries)) for g in site.categories] == [("meeting", 0), ("workshop", 0), ("event", 0)]


# --------------------------------------------------------------------------- config

def test_config_defaults(tmp_path: Path):
    (tmp_path / "site.yaml").write_text("title: 会\nbase_url: https://example.org/\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.title == "会"
    assert config.base_url == "https://example.org/"
    assert config.base_path == "/"
    assert config.language == "ja"
    assert config.timezone == "Asia/Tokyo" and config.zone == TOKYO
    assert config.fiscal_year_start == 4
    assert config.per_page == 10
    assert config.author == "" and config.description == ""
    assert config.organisation == "会"
    assert config.categories == ()
    assert config.content_dir == tmp_path / "content"


def test_config_reads_every_setting(tmp_path: Path):
    (tmp_path / "site.yaml").write_text(SITE_YAML + "language: en\ntimezone: Europe/London\nfiscal_year_start: 10\n"
                                        "organisation: 某会\ndescription: 説明\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert (config.language, config.timezone, config.fiscal_year_start, config.per_page) == ("en", "Europe/London", 10, 2)
    assert (config.organisation, config.description, config.author) == ("某会", "説明", "事務局")
    assert [(c.key, c.label) for c in config.categories] == [
        ("meeting", "会議・定例会"), ("workshop", "研修・ワークショップ"), ("event", "お知らせ・イベント")]
    assert config.category("workshop").label == "研修・ワークショップ"
    assert config.category("nope") is None


@pytest.mark.parametrize("given, normal, path", [
    ("https://example.org/minato", "https://example.org/minato/", "/minato/"),
    ("https://example.org/minato/", "https://example.org/minato/", "/minato/"),
    ("https://example.org", "https://example.org/", "/"),
    ("  http://localhost:8000/a/b  ", "http://localhost:8000/a/b/", "/a/b/"),
])
def test_config_base_url_is_normalised(tmp_path: Path, given, normal, path):
    (tmp_path / "site.yaml").write_text(f"title: 会\nbase_url: {given}\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.base_url == normal
    assert config.base_path == path


def test_config_base_url_override(tmp_path: Path):
    (tmp_path / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    config = load_config(tmp_path, "https://preview.example.net/pr-7")
    assert config.base_url == "https://preview.example.net/pr-7/"
    assert config.base_path == "/pr-7/"
    with pytest.raises(KatsudoError) as raised:
        load_config(tmp_path, "preview.example.net/pr-7/")
    assert "base_url" in raised.value.errors[0].message


# --------------------------------------------------------------------------- write

def _stats(root: Path, marker: bool = False) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every published file (and of katsudo's own marker file if `marker`)."""
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and (marker or p.name != ".katsudo-output")}


def _age(root: Path) -> None:
    """Date every output file an hour back, so a rewrite cannot share its mtime by chance."""
    past = time.time() - 3600
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (past, past))


def test_rebuild_of_the_same_site_changes_no_file(built_site: SiteDir):
    _age(built_site.public)
    before = _stats(built_site.public)
    result = built_site.build()
    assert result.exit_code == 0, result.stderr
    assert "(0 files changed)" in result.stdout
    after = _stats(built_site.public)
    assert len(after) > 10
    assert after == before


def test_rebuild_keeps_even_the_marker_file(built_site: SiteDir):
    _age(built_site.public)
    before = _stats(built_site.public, marker=True)
    assert built_site.build().exit_code == 0
    assert _stats(built_site.public, marker=True) == before


@pytest.mark.search  # (the search index is among the files that change)
def test_a_changed_post_changes_only_the_files_that_show_it(built_site: SiteDir):
    built_site.post("2024-05-01-zenkai.md", """
        title: 5月定例会
        date: 2024-05-01
        category: workshop
    """, "前回の本文。\n")
    assert built_site.build().exit_code == 0
    _age(built_site.public)
    before = _stats(built_site.public)
    old_post = (built_site.public / "posts/zenkai/index.html").read_text(encoding="utf-8")
    built_site.post("2024-05-01-zenkai.md", """
        title: 5月定例会
        date: 2024-05-01
        category: workshop
    """, "前回の本文を直しました。\n")
    result = built_site.build()
    assert result.exit_code == 0, result.stderr
    after = _stats(built_site.public)
    # The search index (pagefind/) names its data files by their content, so a changed post
    # changes some of their names; its scripts are the same files as before.
    index_before = {name: stat for name, stat in before.items() if name.startswith("pagefind/")}
    index_after = {name: stat for name, stat in after.items() if name.startswith("pagefind/")}
    assert index_after != index_before
    for name in ("pagefind/pagefind.js", "pagefind/pagefind-worker.js"):
        assert index_after[name] == index_before[name], name
    before = {name: stat for name, stat in before.items() if name not in index_before}
    after = {name: stat for name, stat in after.items() if name not in index_after}
    assert set(after) == set(before)
    changed = {name for name in after if after[name] != before[name]}
    assert "posts/zenkai/index.html" in changed
    assert "前回の本文を直しました。" in (built_site.public / "posts/zenkai/index.html").read_text(encoding="utf-8")
    assert old_post != (built_site.public / "posts/zenkai/index.html").read_text(encoding="utf-8")
    assert "feed.xml" in changed
    # The other post's page (other text, its own tags), its tag lists and the site-wide files are untouched.
    for name in ("posts/teireikai/index.html", "tags/防災/index.html", "tags/地域福祉/index.html",
                 "categories/meeting/index.html", "sitemap.xml", "robots.txt", "tags/index.html"):
        assert name not in changed, name
    for name in after:
        if name.startswith("assets/"):
            assert name not in changed, name
    assert f"({len(changed)} files changed)" in result.stdout


def test_every_japanese_sentence_can_be_formatted():
    """A sentence is a str.format template: a literal brace ('{ }') must be doubled, or the
    error message itself would crash with KeyError (it did, for the list-as-a-key error)."""
    import re

    from generator.messages_ja import _PATTERNS

    for pattern, sentence in _PATTERNS:
        names = re.compile(pattern).groupindex
        assert sentence.format(**{name: "x" for name in names}), pattern


def test_the_feed_escapes_post_html_once(site):
    """Rendered HTML is Markup (generator/markdown.py); the feed must escape it as plain text,
    once: Markup's own replace() would escape the escaping again (&amp;amp;)."""
    import xml.etree.ElementTree as ElementTree

    site.write("content/posts/2024-05-01-amp.md",
               "---\ntitle: 会計報告\ndate: 2024-05-01\n---\n\n収入 & 支出 <b>太字</b>\n")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    feed = ElementTree.parse(site.public / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    content = next(e.find(f"{atom}content").text for e in feed.iter(f"{atom}entry")
                   if e.find(f"{atom}title").text == "会計報告")
    assert "収入 &amp; 支出 <b>太字</b>" in content


@pytest.mark.parametrize("text", ['a&b<c>d', 'say "hi"', "it's", 'both "\' quotes', 'tab\tnew\nline\r', '', '防災&訓練'])
def test_the_feeds_xml_escaping_is_that_of_the_standard_library(text):
    from xml.sax.saxutils import escape as sax_escape, quoteattr as sax_quoteattr

    from generator.feeds import escape, quoteattr
    assert escape(text) == sax_escape(text) and quoteattr(text) == sax_quoteattr(text)


# --------------------------------------------------------------------------- a question asked of a forked process

def test_a_forked_question_answers_what_the_question_returns(tmp_path: Path):
    from generator.parallel import ForkedQuestion

    marker = tmp_path / "asked"
    yes = ForkedQuestion(lambda: marker.write_text("child") > 0, 2)
    no = ForkedQuestion(lambda: False, 2)
    assert yes.answer() is True and no.answer() is False
    assert yes.answer() is True  # (asked once: the child is reaped)
    assert marker.read_text() == "child"
    yes.close()
    no.close()


def test_a_forked_question_that_fails_answers_no():
    from generator.parallel import ForkedQuestion

    def broken() -> bool:
        raise OSError("the disk went away")

    question = ForkedQuestion(broken, 2)
    assert question.answer() is False


def test_a_forked_question_nobody_asked_is_stopped_and_reaped():
    from generator.parallel import ForkedQuestion

    question = ForkedQuestion(lambda: time.sleep(30) or True, 2)
    pid = question._pid
    started = time.monotonic()
    question.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind
    assert question.answer() is False


def test_with_one_job_the_question_is_asked_here_once():
    from generator.parallel import ForkedQuestion

    asked = []
    question = ForkedQuestion(lambda: asked.append(os.getpid()) or True, 1)
    assert asked == []  # (only when the answer is wanted)
    assert question.answer() and question.answer()
    assert asked == [os.getpid()]


# --------------------------------------------------------------------------- the annual report's scoped ids

def _scope_ids_by_groups(html: str, prefix: str) -> str:
    """The first scope_ids, kept as the reference: groups and a function per match."""
    import re

    html = re.sub(r'(\sid=")([^"]+)(")', lambda m: f"{m.group(1)}{prefix}{m.group(2)}{m.group(3)}", html)
    return re.sub(r'(\shref="#)([^"]+)(")', lambda m: f"{m.group(1)}{prefix}{m.group(2)}{m.group(3)}", html)


@pytest.mark.parametrize("html", [
    '<h2 id="gidai">議題</h2><p>本文<a href="#gidai">議題へ</a></p>',
    '<p id="">空</p><a href="#">上へ</a><a href="##x">二重</a>',
    '<a\nhref="#x">改行</a><b\tid="y" id="z">タブ</b><x\u3000id="w">全角空白</x>',
    '<a href="#a" href="#b"></a><x id="a"id="b"></x>',
    'id="q" at the start, <span id="open without its quote',
    '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>',
    '<a href="https://example.org/#top">外部</a><img src="x.png" alt="id=&quot;no&quot;">',
])
def test_scope_ids_prefixes_what_the_first_version_did(html: str):
    from generator.fiscal import scope_ids

    assert scope_ids(html, "r12-") == _scope_ids_by_groups(html, "r12-")


def test_scope_ids_matches_the_first_version_on_the_example_sites_posts(tmp_path: Path):
    from generator.fiscal import scope_ids

    renderer = _renderer(tmp_path)
    posts = sorted((Path(__file__).resolve().parent.parent / "content").rglob("*.md"))
    assert len(posts) >= 10
    scoped = 0
    for number, path in enumerate(posts):
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        html = renderer.render(path, body, 1, "/minato/x/", None).html
        assert scope_ids(html, f"r{number}-") == _scope_ids_by_groups(html, f"r{number}-"), path
        scoped += scope_ids(html, "r-") != html
    assert scoped >= 3  # (posts with headings or footnotes: the comparison saw ids)


def test_the_collector_is_paused_inside_and_restored_after():
    import gc

    from generator.parallel import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # (left as it was found)
    finally:
        gc.enable()


def test_starting_katsudo_loads_no_process_pool_and_no_thread_pool():
    """A no-op rebuild or a text patch starts neither: their imports are left to the builds that do."""
    import subprocess
    import sys

    probe = "import sys, generator.cli; print(sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules))"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                           cwd=Path(__file__).resolve().parent.parent)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def test_ui_language_follows_katsudo_lang_then_locale_then_site():
    from generator.i18n import say, ui_language

    assert ui_language("en", {"KATSUDO_LANG": "ja", "LANG": "C"}) == "ja"
    assert ui_language("ja", {"LANG": "C"}) == "en"
    assert ui_language("ja", {"LANG": "C.UTF-8"}) == "en"
    assert ui_language("en", {"LANG": "ja_JP.UTF-8"}) == "ja"
    assert ui_language("ja", {"LC_ALL": "POSIX", "LANG": "ja_JP.UTF-8"}) == "en"
    assert ui_language("ja", {"LANG": "en_US.UTF-8"}) == "ja"
    assert ui_language("en", {}) == "en"
    assert ui_language("ja", {}) == "ja"
    assert say("ja", "built", "作成しました") == "作成しました"
    assert say("en", "built", "作成しました") == "built"
