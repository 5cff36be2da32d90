"""和暦 dates, 年度 archives and the annual report: the boundaries organisations care about."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from browsing import chromium, needs_chromium, serving
from conftest import SITE_YAML, SiteDir, run_cli
from generator.dates import date_text, era_of, fiscal_year_label
from linkcheck import broken_links

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("day, expected", [
    (date(1989, 1, 7), "昭和64年1月7日(土)"),
    (date(1989, 1, 8), "平成元年1月8日(日)"),
    (date(2019, 4, 30), "平成31年4月30日(火)"),
    (date(2019, 5, 1), "令和元年5月1日(水)"),
    (date(2021, 6, 17), "令和3年6月17日(木)"),
    (date(1926, 12, 24), "大正15年12月24日(金)"),
    (date(1926, 12, 25), "昭和元年12月25日(土)"),
    (date(1912, 7, 30), "大正元年7月30日(火)"),
])
def test_era_boundaries(day, expected):
    assert date_text(day, "ja", "wareki") == expected


def test_first_year_is_gannen_never_1nen():
    for first in (date(2019, 5, 1), date(1989, 1, 8), date(1926, 12, 25), date(1912, 7, 30)):
        assert "元年" in date_text(first, "ja", "wareki")
        assert not re.search(r"[^0-9]1年", date_text(first, "ja", "wareki"))


def test_date_styles_and_english():
    day = datetime(2021, 6, 17, 19, 0, tzinfo=TOKYO)
    assert date_text(day, "ja", "western") == "2021年6月17日(木)"
    assert date_text(day, "ja", "both") == "令和3年(2021年)6月17日(木)"
    assert date_text(day, "en", "wareki") == "Thu, 17 June 2021"
    assert era_of(date(1872, 12, 31)) is None  # before the Gregorian calendar: western years


@pytest.mark.parametrize("year, wareki", [(1988, "昭和63年度"), (1989, "平成元年度"), (2018, "平成30年度"),
                                          (2019, "令和元年度"), (2021, "令和3年度")])
def test_fiscal_year_labels(year, wareki):
    assert fiscal_year_label(year, 4, "ja", "wareki") == wareki
    assert fiscal_year_label(year, 4, "ja", "western") == f"{year}年度"
    assert fiscal_year_label(year, 4, "ja", "both") == f"{wareki}({year}年度)"


def _fiscal_site(site: SiteDir, extra_yaml: str = "") -> SiteDir:
    site.write("site.yaml", SITE_YAML.replace("per_page: 2", "per_page: 10") + extra_yaml)
    site.post("2024-03-31-nendomatsu.md", "title: 年度末の報告\ndate: 2024-03-31 23:59\ncategory: meeting\n")
    site.post("2024-04-01-nendohajime.md", "title: 年度初めの報告\ndate: 2024-04-01 00:30\ncategory: workshop\n")
    site.post("2024-04-20-offset.md", "title: UTCで書いた報告\ndate: 2024-03-31T16:00:00Z\ncategory: meeting\n")
    return site


def _titles(page: Path) -> list[str]:
    return re.findall(r'<h2[^>]*>\s*<a [^>]*>([^<]+)</a>', page.read_text(encoding="utf-8"))


def test_march_31_and_april_1_land_in_different_fiscal_years(site: SiteDir):
    _fiscal_site(site)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    fy2023 = (site.public / "fiscal/2023/index.html").read_text(encoding="utf-8")
    fy2024 = (site.public / "fiscal/2024/index.html").read_text(encoding="utf-8")
    assert "年度末の報告" in fy2023 and "年度初めの報告" not in fy2023
    assert "年度初めの報告" in fy2024 and "年度末の報告" not in fy2024
    # 2024-03-31T16:00Z is 2024-04-01 01:00 in Tokyo: the next fiscal year.
    assert "UTCで書いた報告" in fy2024
    assert "<h1" in fy2023 and "令和5年度" in fy2023 and "令和6年度" in fy2024
    index = (site.public / "fiscal/index.html").read_text(encoding="utf-8")
    assert re.search(r"令和6年度.*?3件", index, re.S) and re.search(r"令和5年度.*?1件", index, re.S)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_fiscal_year_does_not_depend_on_the_machine_time_zone(site: SiteDir, monkeypatch, zone):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        _fiscal_site(site)
        assert site.build().exit_code == 0
        assert "年度初めの報告" in (site.public / "fiscal/2024/index.html").read_text(encoding="utf-8")
        assert (site.public / "archive/2024/04/index.html").is_file()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_date_style_western_and_custom_fiscal_start(site: SiteDir):
    _fiscal_site(site, "date_style: western\nfiscal_year_start: 1\n")
    assert site.build().exit_code == 0
    post = (site.public / "posts/nendomatsu/index.html").read_text(encoding="utf-8")
    assert "2024年3月31日(日)" in post and "令和" not in post
    # With a January start, all three posts are in one fiscal year, named by its calendar year.
    assert not (site.public / "fiscal/2023").exists()
    assert "2024年度" in (site.public / "fiscal/2024/index.html").read_text(encoding="utf-8")


def test_post_pages_show_wareki_by_default(site: SiteDir):
    assert site.build().exit_code == 0
    post = (site.public / "posts/teireikai/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-06-17T19:00:00+09:00">令和6年6月17日(月) 19:00</time>' in post


def test_annual_report_groups_by_category_with_unique_ids(site: SiteDir):
    _fiscal_site(site)
    site.post("2024-05-10-teireikai-b.md", "title: 5月定例会\ndate: 2024-05-10\ncategory: meeting\n",
              "## 議題\n\n本文[^1]\n\n[^1]: 注記\n")
    site.post("2024-06-10-teireikai-c.md", "title: 6月定例会B\ndate: 2024-06-10\ncategory: meeting\n",
              "## 議題\n\n本文[^1]\n\n[^1]: 注記\n")
    assert site.build().exit_code == 0
    report = site.public / "fiscal/2024/report/index.html"
    html = report.read_text(encoding="utf-8")
    assert "site-nav" not in html and "<nav class=\"site" not in html, "the handout has no site navigation"
    assert "テスト地域福祉委員会" in html and "令和6年度 活動報告書" in html
    assert "令和6年4月1日(月)" in html and "令和7年3月31日(月)" in html
    # Categories in site.yaml order (meeting before workshop), posts oldest first within each.
    body = html[html.index("<main"):]
    assert [body.index(t) for t in ("UTCで書いた報告", "5月定例会", "6月定例会B", "年度初めの報告")] == sorted(
        body.index(t) for t in ("UTCで書いた報告", "5月定例会", "6月定例会B", "年度初めの報告"))
    assert body.index("会議・定例会") < body.index("研修・ワークショップ")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two posts' headings and footnotes must not share an id"
    assert broken_links(site.public, "https://example.org/minato/") == []


def test_category_feed_lists_only_its_category(site: SiteDir):
    _fiscal_site(site)
    assert site.build().exit_code == 0
    feed = etree.parse(str(site.public / "categories/meeting/feed.xml")).getroot()
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert sorted(titles) == sorted(["6月定例会", "年度末の報告", "UTCで書いた報告"])
    assert feed.findtext("{http://www.w3.org/2005/Atom}id") == "https://example.org/minato/categories/meeting/feed.xml"


@pytest.mark.browser
@needs_chromium
def test_annual_report_prints_to_a4_pdf(example_site: Path, tmp_path: Path):
    from pypdf import PdfReader

    out = example_site
    report = out / "fiscal/2024/report/index.html"
    post_count = len(re.findall(r'<article class="report-post"', report.read_text(encoding="utf-8")))
    assert post_count >= 3
    with serving(out) as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url + "fiscal/2024/report/")
        page.pdf(path=str(tmp_path / "report.pdf"), prefer_css_page_size=True)
    reader = PdfReader(str(tmp_path / "report.pdf"))
    # Cover + contents + one page break per post, and not a page per paragraph.
    assert post_count + 2 <= len(reader.pages) <= post_count * 4 + 2
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert abs(width_mm - 210) < 2, "A4"
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "令和6年度活動報告書" in text
    assert "居場所づくり講座第2回" in text


def test_errors_read_in_japanese_on_a_japanese_site(site: SiteDir, monkeypatch):
    site.post("2024-07-01-bad.md", "title：7月 定例会\ndate: 2024-07-01\n")
    site.post("2024-07-02-bad.md", "title: 日付なし\ndate: 7月2日\n")
    monkeypatch.chdir(site.root)
    result = run_cli("build")
    assert result.exit_code == 1
    assert ("content/posts/2024-07-01-bad.md:2: error: full-width colon '：' after 'title'\n"
            "    2行目: 「title」のあとの全角のコロン「：」を、半角の「:」とスペースに直してください。") in result.stderr
    assert "3行目: 「7月2日」は日付として読めません。" in result.stderr
    assert result.stderr.rstrip().endswith("2 errors; nothing was written")


def test_errors_stay_english_on_an_english_site(site: SiteDir, monkeypatch):
    site.write("site.yaml", SITE_YAML + "language: en\n")
    site.post("2024-07-01-bad.md", "title：7月 定例会\ndate: 2024-07-01\n")
    monkeypatch.chdir(site.root)
    result = run_cli("build")
    assert result.exit_code == 1 and "full-width colon" in result.stderr
    assert "行目" not in result.stderr
