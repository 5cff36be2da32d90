"""`katsudo check`: every broken link, missing picture and missing title is reported at the source
line an editor can change, as `PATH:LINE: error|warning: …` with a hint, then a summary line;
exit 1 on an error (on a warning too with --strict); the published output is never touched.

Tests run from inside the site folder, as editors do, so paths print as `content/posts/…`.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, SITE_YAML, SiteDir, run_cli
from generator.check import Place, check_external
from generator.check_external import ExternalCache, fetch_status
from generator.check_html import classify

POST = "content/posts/2024-06-17-teireikai.md"


def check(site: SiteDir, *args: str):
    return run_cli("check", "-s", str(site.root), *args)


def finding_lines(stdout: str) -> list[str]:
    """The 'PATH:LINE: severity: message' lines (not hints, not the summary)."""
    return [line for line in stdout.splitlines()
            if not line.startswith("    ") and (": error: " in line or ": warning: " in line)]


@pytest.fixture
def in_site(site: SiteDir, monkeypatch) -> SiteDir:
    """The small site, with a description for the pages that have none of their own."""
    site.write("site.yaml", SITE_YAML + "description: みなと市の地域福祉委員会の活動報告です。\n")
    monkeypatch.chdir(site.root)
    return site


def add_body(site: SiteDir, body: str) -> None:
    """Replace the fixture post's body (its front matter is 6 lines: the body starts on line 7)."""
    site.post("2024-06-17-teireikai.md", """
        title: 6月定例会
        date: 2024-06-17 19:00
        category: meeting
        tags: [地域福祉, 防災]
    """, body)


# --------------------------------------------------------------------------- the example site

def test_the_example_site_passes(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("check", "--strict")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert finding_lines(result.stdout) == []
    assert result.stdout.strip().startswith("0 errors, 0 warnings in ")


def test_a_clean_site_passes_and_nothing_is_published(in_site: SiteDir):
    result = check(in_site)
    assert result.exit_code == 0, result.stdout
    assert not in_site.public.exists()  # check builds into a temporary folder only


# --------------------------------------------------------------------------- internal links and anchors

def test_broken_raw_html_link_points_at_its_source_line(in_site: SiteDir):
    add_body(in_site, "## 議題\n\n本文です。\n\n<p><a href=\"/minato/posts/nai/\">前回</a></p>\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:11: error: the link '/minato/posts/nai/' points at a page or file that does not exist"]
    assert "    hint: check the spelling" in result.stdout
    # A Japanese site (language: ja, the default) gets the sentence in Japanese too.
    assert "    11行目: リンク先「/minato/posts/nai/」のページやファイルがありません。" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("1 error, 0 warnings in ")


def test_a_root_link_without_the_sub_path_points_outside_the_site(in_site: SiteDir):
    # base_url is https://example.org/minato/: '/about/' in raw HTML is not rewritten and 404s.
    in_site.write("content/pages/about.md", "---\ntitle: 会について\n---\n会の紹介です。\n")
    add_body(in_site, "<a href=\"/about/\">会について</a> と [会について](/about/)\n")
    result = check(in_site)
    assert result.exit_code == 1
    [line] = finding_lines(result.stdout)
    assert line == (f"{POST}:7: error: the link '/about/' points outside the site (https://example.org/minato/)")
    assert "katsudo adds /minato/" in result.stdout


def test_broken_anchor_on_the_same_page_and_on_another(in_site: SiteDir):
    in_site.post("2024-05-01-gogatsu.md", "title: 5月定例会\ndate: 2024-05-01\n", "## 報告\n\n本文。\n")
    add_body(in_site, "## 議題\n\n[議題へ](#議題) [ない見出し](#giji)\n\n[前回の報告](2024-05-01-gogatsu.md#houkoku)\n"
                      "[前回の報告](2024-05-01-gogatsu.md#報告)\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:9: error: the link '#giji' points at '#giji', which is not on this page",
        f"{POST}:11: error: the link '/minato/posts/gogatsu/#houkoku' points at '#houkoku', "
        "which is not on /posts/gogatsu/index.html",
    ]
    assert "'## 議題' gets #議題" in result.stdout


def test_raw_html_link_to_a_draft_or_a_future_post(in_site: SiteDir):
    in_site.post("2024-07-01-shitagaki.md", "title: 下書き\ndate: 2024-07-01\ndraft: true\n")
    in_site.post("2027-01-10-mirai.md", "title: 来年の予定\ndate: 2027-01-10\n")
    add_body(in_site, "<a href=\"/minato/posts/shitagaki/\">下書き</a>\n\n"
                      "<a href=\"https://example.org/minato/posts/mirai/\">来年</a>\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:7: error: the link '/minato/posts/shitagaki/' points at a draft or a post dated in the future "
        "(2024-07-01-shitagaki.md)",
        f"{POST}:9: error: the link 'https://example.org/minato/posts/mirai/' points at a draft or a post dated "
        "in the future (2027-01-10-mirai.md)",
    ]


def test_links_that_work_are_not_reported(in_site: SiteDir):
    in_site.write("content/pages/about.md", "---\ntitle: 会について\nsummary: 会の紹介\n---\n## 連絡先\n\n電話です。\n")
    add_body(in_site, "<a href=\"/minato/about/#連絡先\">連絡先</a> [連絡先](/about/#連絡先) "
                      "<a href=\"mailto:info@example.org\">メール</a> "
                      "<a href=\"https://example.org/minato/\">ホーム</a> <a href=\"/minato\">ホーム</a>\n")
    result = check(in_site)
    assert result.exit_code == 0, result.stdout
    assert finding_lines(result.stdout) == []


# --------------------------------------------------------------------------- images and files

def test_missing_image_and_attachment_in_raw_html(in_site: SiteDir):
    add_body(in_site, "<img src=\"nai.png\" alt=\"地図\" width=\"10\" height=\"10\">\n\n"
                      "<a href=\"shiryou.pdf\">資料</a>\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:7: error: the image 'nai.png' points at a file that does not exist",
        f"{POST}:9: error: the link 'shiryou.pdf' points at a page or file that does not exist",
    ]


def test_image_without_alt_or_size_is_a_warning_and_fails_only_with_strict(in_site: SiteDir):
    in_site.write("content/images/map.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    add_body(in_site, "本文です。\n\n<img src=\"/minato/images/map.svg\">\n")
    result = check(in_site)
    assert result.exit_code == 0, result.stdout
    assert finding_lines(result.stdout) == [
        f"{POST}:9: warning: the image '/minato/images/map.svg' has no alt text",
        f"{POST}:9: warning: the image '/minato/images/map.svg' has no width and height",
    ]
    assert result.stdout.splitlines()[-1].startswith("0 errors, 2 warnings in ")
    strict = check(in_site, "--strict")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1].endswith("(--strict: warnings fail the check)")


def test_markdown_image_without_alt_is_reported_once(in_site: SiteDir):
    in_site.write("content/images/map.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"/>')
    add_body(in_site, "![](/images/map.svg)\n")
    result = check(in_site, "--strict")
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [f"{POST}:7: warning: the image '/images/map.svg' has no alt text"]


# --------------------------------------------------------------------------- titles and descriptions

def test_duplicate_titles_are_warned_at_both_title_lines(in_site: SiteDir):
    in_site.post("2024-05-01-gogatsu.md", "date: 2024-05-01\ntitle: 6月定例会\n")
    result = check(in_site)
    assert result.exit_code == 0
    assert finding_lines(result.stdout) == [
        "content/posts/2024-05-01-gogatsu.md:3: warning: the title '6月定例会 | テスト地域福祉委員会' is also the title "
        "of /posts/teireikai/",
        f"{POST}:2: warning: the title '6月定例会 | テスト地域福祉委員会' is also the title of /posts/gogatsu/",
    ]
    assert check(in_site, "--strict").exit_code == 1


def test_pages_without_description_when_site_yaml_has_none(in_site: SiteDir):
    # Without site.yaml's 'description:', a page without text has none, nor have the lists:
    # one finding for all the lists the theme makes (they are alike), at the first one built.
    in_site.write("site.yaml", SITE_YAML)
    in_site.write("content/pages/empty.md", "---\ntitle: 空のページ\n---\n")
    result = check(in_site)
    assert result.exit_code == 0
    lines = finding_lines(result.stdout)
    assert lines[0] == "(build)/archive/2024/06/index.html:1: warning: this page has no description for search " \
                       "engines (and on 11 more pages)"
    # The fixture's post has only a heading and a list: no sentence for a summary either.
    assert lines[1:] == ["content/pages/empty.md:1: warning: this page has no description for search engines",
                         f"{POST}:1: warning: this page has no description for search engines"]
    assert "add a line 'summary: …'" in result.stdout and "site.yaml's 'description:'" in result.stdout


# --------------------------------------------------------------------------- formats and options

def test_json_lines_for_ci(in_site: SiteDir):
    add_body(in_site, "<a href=\"/minato/nai/\">ない</a>\n")
    result = check(in_site, "--format", "json")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records == [{"path": POST, "line": 7, "severity": "error",
                        "message": "the link '/minato/nai/' points at a page or file that does not exist",
                        "hint": records[0]["hint"]}]
    assert records[0]["hint"].startswith("check the spelling")
    assert result.stderr.startswith("1 error, 0 warnings in ")


def test_json_lines_for_a_build_error(in_site: SiteDir):
    add_body(in_site, "[前回](2024-01-01-nai.md)\n")
    result = check(in_site, "--format", "json")
    assert result.exit_code == 1
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (record["path"], record["line"], record["severity"]) == (POST, 7, "error")
    assert result.stderr.strip() == "1 error; nothing was checked"


def test_build_errors_stop_the_check_like_the_build(in_site: SiteDir):
    add_body(in_site, "[前回](2024-01-01-nai.md)\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert f"{POST}:7: error: the link '2024-01-01-nai.md' points at no post or page" in result.stderr
    assert result.stderr.rstrip().endswith("1 error; nothing was checked")


def test_check_an_existing_build_leaves_it_untouched(in_site: SiteDir):
    add_body(in_site, "<a href=\"/minato/nai/\">ない</a>\n")
    assert in_site.build().exit_code == 0
    before = in_site.snapshot()
    result = check(in_site, "--output", "public")
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:7: error: the link '/minato/nai/' points at a page or file that does not exist"]
    assert in_site.snapshot() == before


def test_output_that_katsudo_did_not_write_is_refused(in_site: SiteDir):
    (in_site.root / "other").mkdir()
    result = check(in_site, "--output", "other")
    assert result.exit_code == 1
    assert "error: other is not a folder that 'katsudo build' wrote" in result.stderr


def test_a_relative_link_that_breaks_in_the_annual_report_is_traced_to_its_post(in_site: SiteDir):
    # Raw HTML is not rewritten: '../../about/' works on the post's page, not in /fiscal/2024/report/.
    in_site.write("content/pages/about.md", "---\ntitle: 会について\nsummary: 会の紹介\n---\n本文\n")
    add_body(in_site, "<a href=\"../../about/\">相対</a>\n")
    result = check(in_site)
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:7: error: the link '../../about/' points at a page or file that does not exist "
        "(on /fiscal/2024/report/)"]


def test_a_broken_theme_link_is_reported_once_at_the_output_file(in_site: SiteDir):
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    in_site.write("templates/base.html", base.replace("</footer>", '<a href="/minato/nowhere/">どこにも</a></footer>'))
    result = check(in_site)
    assert result.exit_code == 1
    [line] = [line for line in finding_lines(result.stdout) if "nowhere" in line]
    assert line.split(": error: ")[1].startswith("the link '/minato/nowhere/' points at a page or file that does not "
                                                 "exist (and on ")


def test_a_missing_social_card_image_is_found(in_site: SiteDir):
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    in_site.write("templates/base.html", base.replace(
        "</head>", '<meta property="og:image" content="https://example.org/minato/nai/card.png">\n</head>'))
    result = check(in_site)
    assert result.exit_code == 1
    [line] = finding_lines(result.stdout)
    assert ": error: the image 'https://example.org/minato/nai/card.png' points at a file that does not exist (and on " \
        in line


@pytest.mark.parametrize(("url", "page", "kind", "file"), [
    ("/minato/posts/a/", "index.html", "internal", "posts/a/"),
    ("/minato", "posts/a/index.html", "internal", ""),
    ("/other/", "index.html", "outside", None),
    ("../../tags/", "posts/a/index.html", "internal", "tags/"),
    ("../../../x/", "posts/a/index.html", "outside", None),
    ("#top", "posts/a/index.html", "internal", "posts/a/index.html"),
    ("https://example.org/minato/feed.xml", "index.html", "internal", "feed.xml"),
    ("https://EXAMPLE.org/other/", "index.html", "outside", None),
    ("https://example.com/", "index.html", "external", None),
    ("mailto:a@example.org", "index.html", "skip", None),
    ("JavaScript:alert(1)", "index.html", "skip", None),
])
def test_classify_under_a_sub_path(url, page, kind, file):
    target = classify(url, page, "https://example.org/minato/")
    assert target.kind == kind
    if file is not None:
        assert target.file == file


# --------------------------------------------------------------------------- external links


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list[tuple[str, str]] = []

    def _answer(self, with_body: bool) -> None:
        self.hits.append((self.command, self.path))
        if self.path == "/slow":
            time.sleep(5)  # far longer than the timeouts below, even on a busy machine
        status = {"/ok": 200, "/slow": 200, "/gone": 404, "/%E7%A4%BE%E4%BC%9A%E7%A6%8F%E7%A5%89": 200,
                  "/search?q=%E9%98%B2%E7%81%BD": 200}.get(self.path, 404)
        if self.path == "/no-head":
            status = 405 if self.command == "HEAD" else 200
        if self.path == "/busy":
            status = 503
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if with_body:
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802 (http.server's names)
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    _Handler.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_status_falls_back_to_get_and_times_out(web):
    assert fetch_status(web + "/ok", 5).status == 200
    assert fetch_status(web + "/gone", 5).status == 404
    assert fetch_status(web + "/no-head", 5).status == 200
    assert ("HEAD", "/no-head") in _Handler.hits and ("GET", "/no-head") in _Handler.hits
    # Japanese in the path or query is percent-encoded, as a browser sends it.
    assert fetch_status(web + "/社会福祉", 5).status == 200
    assert fetch_status(web + "/search?q=防災", 5).status == 200
    assert fetch_status("http://127.0.0.1:notaport/", 5).status is None
    slow = fetch_status(web + "/slow", 0.3)
    assert (slow.status, slow.reason) == (None, "timed out")


def test_external_links_are_checked_only_when_asked(in_site: SiteDir, web):
    add_body(in_site, f"[良い]({web}/ok)\n\n[消えた]({web}/gone)\n\n[HEAD不可]({web}/no-head)\n\n"
                      f"[遅い]({web}/slow)\n\n[混雑]({web}/busy)\n")
    plain = check(in_site)
    assert plain.exit_code == 0, plain.stdout
    assert _Handler.hits == []  # never in the default run

    result = check(in_site, "--external", "--timeout", "1.5")
    assert result.exit_code == 1
    assert finding_lines(result.stdout) == [
        f"{POST}:9: error: the external link '{web}/gone' is broken (404 Not Found)",
        f"{POST}:13: warning: the external link '{web}/slow' could not be reached (timed out)",
        f"{POST}:15: warning: the external link '{web}/busy' answered 503 Service Unavailable",
    ]
    assert result.stdout.splitlines()[-1].startswith("1 error, 2 warnings in ")
    assert result.stdout.splitlines()[-1].endswith(" and 5 external links")

    cache = json.loads((in_site.root / ".katsudo-cache" / "external-links.json").read_text(encoding="utf-8"))
    assert sorted(cache["links"]) == sorted(f"{web}{p}" for p in ("/ok", "/gone", "/no-head", "/busy"))

    # Within a day the answers come from the cache: only the site that did not answer is asked again.
    _Handler.hits = []
    again = check(in_site, "--external", "--timeout", "1.5")
    assert finding_lines(again.stdout) == finding_lines(result.stdout)
    assert {path for _, path in _Handler.hits} == {"/slow"}


def test_external_cache_expires_after_a_day(tmp_path: Path, web):
    file = tmp_path / "links.json"
    clock = [1_000_000.0]
    urls = {web + "/ok": [Place(tmp_path / "a.md", 3, True)]}
    check_external(urls, ExternalCache(file, lambda: clock[0]), timeout=5)
    assert len(_Handler.hits) == 1
    check_external(urls, ExternalCache(file, lambda: clock[0] + 3600), timeout=5)
    assert len(_Handler.hits) == 1
    check_external(urls, ExternalCache(file, lambda: clock[0] + 25 * 3600), timeout=5)
    assert len(_Handler.hits) == 2


def test_a_damaged_cache_is_ignored(tmp_path: Path, web):
    file = tmp_path / "links.json"
    file.write_text("{not json", encoding="utf-8")
    found = check_external({web + "/gone": [Place(tmp_path / "a.md", 3, True)]}, ExternalCache(file), timeout=5)
    assert [f.message for f in found] == [f"the external link '{web}/gone' is broken (404 Not Found)"]
    assert json.loads(file.read_text(encoding="utf-8"))["links"][web + "/gone"]["status"] == 404
