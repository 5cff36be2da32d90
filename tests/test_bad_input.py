"""Every mistake an editor makes is reported as `PATH:LINE: error: …` with a hint, the build
exits 1 with `N error(s); nothing was written`, and the site published before is left exactly
as it was (no file changed, no staging folder left beside it).

Tests run from inside the site folder, as editors do, so paths print as `content/posts/…`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import SITE_YAML, SiteDir

POST = "content/posts/2024-05-01-gogatsu.md"


@dataclass
class Problem:
    where: str  # the first line: 'PATH:LINE: error: message'
    hint: str  # the hint's text ('' if none), continuation lines joined with '\n'


def parse_errors(stderr: str) -> tuple[list[Problem], str]:
    lines = stderr.rstrip("\n").split("\n")
    problems: list[Problem] = []
    for line in lines[:-1]:
        if line.startswith("    hint: "):
            problems[-1].hint = line[len("    hint: "):]
        elif line.startswith("    ") and problems:
            problems[-1].hint += "\n" + line
        else:
            problems.append(Problem(line, ""))
    return problems, lines[-1]


@dataclass
class Published:
    """A site built once, whose output must survive every failing build untouched."""

    site: SiteDir
    before: dict[str, str]

    def refused(self, *args: str, count: int = 1) -> list[Problem]:
        result = self.site.build(*args)
        assert result.exit_code == 1, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        assert result.stdout == ""
        problems, last = parse_errors(result.stderr)
        assert last == f"{count} error{'s' if count != 1 else ''}; nothing was written"
        assert len(problems) == count, result.stderr
        assert all(": error: " in p.where or p.where.startswith("error: ") for p in problems), result.stderr
        self.assert_untouched()
        return problems

    def assert_untouched(self) -> None:
        assert self.site.snapshot() == self.before
        leftovers = [p.name for pattern in (".*.katsudo-new-*", ".*.katsudo-old-*")
                     for p in self.site.root.parent.rglob(pattern)]
        assert leftovers == [], leftovers


@pytest.fixture
def published(built_site: SiteDir, monkeypatch) -> Published:
    monkeypatch.chdir(built_site.root)
    return Published(built_site, built_site.snapshot())


def write_post(site: SiteDir, front_lines: str, body: str = "本文です。\n", name: str = POST) -> None:
    """Write a post exactly as given: '---', the front matter lines, '---', the body."""
    (site.root / name).parent.mkdir(parents=True, exist_ok=True)
    (site.root / name).write_text("---\n" + front_lines + "---\n" + body, encoding="utf-8")


# --------------------------------------------------------------------------- YAML typed with a Japanese IME

def test_full_width_colon_points_at_its_own_line(published: Published):
    write_post(published.site, "title：5月 定例会\ndate: 2024-05-01\ncategory: meeting\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:2: error: full-width colon '：' after 'title'"
    assert "'：'" in problem.hint and "'title: ...'" in problem.hint


def test_full_width_colon_on_a_later_line(published: Published):
    write_post(published.site, "title: 5月 定例会\ndate: 2024-05-01\ncategory：meeting\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: full-width colon '：' after 'category'"


def test_full_width_space_at_line_start(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n\u3000tags: [a]\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: a full-width space (全角スペース) is at the start of the line"
    assert "'\u3000'" in problem.hint


def test_full_width_space_alone_on_a_line(published: Published):
    write_post(published.site, "title: 5月定例会\n\u3000\ndate: 2024-05-01\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:3: error: a full-width space (全角スペース) is at the start of the line"


def test_tab_used_for_indentation(published: Published):
    write_post(published.site, "title: 講演会\ndate: 2024-05-01\nevent:\n\tstart: 2024-05-20 13:30\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:5: error: a tab is used for indentation"
    assert "replace the tab with two spaces" in problem.hint


def test_colon_inside_a_value(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\nsummary: 議題: 防災訓練\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: front matter is not valid YAML: the value of 'summary' has ': ' in it, which YAML reads as another key"
    assert "quotes" in problem.hint and 'summary: "議題: 防災訓練"' in problem.hint


def test_unclosed_bracket_points_at_its_line(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\ntags: [地域福祉, 防災\n")
    [problem] = published.refused()
    assert problem.where.startswith(f"{POST}:4: error: front matter is not valid YAML")


def test_full_width_colon_in_a_list_item_is_not_blamed_for_another_mistake(published: Published):
    write_post(published.site, "title: 会議\ntags:\n  - 議題：予算\ndate: [2024-05-01\n")
    [problem] = published.refused()
    assert "full-width colon" not in problem.where
    assert problem.where.startswith(f"{POST}:5: error: front matter is not valid YAML")


def test_unclosed_bracket_is_an_error(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\ntags: [地域福祉, 防災\n")
    [problem] = published.refused()
    assert re.fullmatch(rf"{re.escape(POST)}:\d+: error: front matter is not valid YAML: .*", problem.where)
    assert "tags: [地域福祉, 防災]" in problem.hint  # the line with its closing bracket


# --------------------------------------------------------------------------- encodings

def test_shift_jis_file(published: Published):
    (published.site.root / POST).write_bytes("---\ntitle: 5月の定例会\ndate: 2024-05-01\n---\n本文\n".encode("cp932"))
    [problem] = published.refused()
    assert problem.where == f"{POST}:2: error: this file is saved in Shift_JIS (CP932), not UTF-8"
    assert "save it again with the encoding 'UTF-8'" in problem.hint


def test_shift_jis_body_line(published: Published):
    text = "---\ntitle: report\ndate: 2024-05-01\n---\nascii\n\n日本語\n"
    (published.site.root / POST).write_bytes(text.encode("cp932"))
    [problem] = published.refused()
    assert problem.where.startswith(f"{POST}:7: error: this file is saved in Shift_JIS")


def test_invalid_bytes(published: Published):
    (published.site.root / POST).write_bytes(b"---\ntitle: x\ndate: 2024-05-01\n---\nabc \x80\x81\x7f\xfc\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:5: error: this file is not UTF-8 text"
    assert "UTF-8" in problem.hint


def test_utf16_file_from_notepad(published: Published):
    (published.site.root / POST).write_bytes("---\ntitle: ユニコード\ndate: 2024-05-01\n---\n本文\n".encode("utf-16"))
    [problem] = published.refused()
    assert problem.where == f"{POST}:1: error: this file is not UTF-8 text"


def test_shift_jis_site_yaml(published: Published):
    (published.site.root / "site.yaml").write_bytes(SITE_YAML.encode("cp932"))
    [problem] = published.refused()
    assert problem.where == "site.yaml:1: error: this file is saved in Shift_JIS (CP932), not UTF-8"


def test_utf8_bom_and_crlf_build(site: SiteDir):
    text = "\ufeff---\r\ntitle: BOM付きの報告\r\ndate: 2024-05-01\r\ntags: [改行]\r\n---\r\n## 見出し\r\n\r\n本文の一行目。\r\n"
    (site.root / POST).parent.mkdir(parents=True, exist_ok=True)
    (site.root / POST).write_bytes(text.encode("utf-8"))
    (site.root / "site.yaml").write_bytes(b"\xef\xbb\xbf" + SITE_YAML.replace("\n", "\r\n").encode("utf-8"))
    result = site.build()
    assert result.exit_code == 0, result.stderr
    page = (site.public / "posts/gogatsu/index.html").read_text(encoding="utf-8")
    assert "BOM付きの報告" in page and "本文の一行目。" in page
    assert 'id="見出し"' in page
    assert (site.public / "tags/改行/index.html").is_file()
    for path in site.public.rglob("*.html"):
        data = path.read_bytes()
        assert b"\r" not in data and "\ufeff".encode() not in data, path


def test_crlf_only_builds(site: SiteDir):
    (site.root / POST).write_bytes("---\r\ntitle: CRLF\r\ndate: 2024-05-01\r\n---\r\n本文\r\n".encode("utf-8"))
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert "CRLF" in (site.public / "posts/gogatsu/index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- front matter

def test_missing_front_matter(published: Published):
    (published.site.root / POST).write_text("5月定例会の報告です。\n", encoding="utf-8")
    [problem] = published.refused()
    assert problem.where == f"{POST}:1: error: this file has no front matter"
    assert "'---'" in problem.hint


def test_front_matter_not_closed(published: Published):
    (published.site.root / POST).write_text("---\ntitle: 5月定例会\ndate: 2024-05-01\n\n本文です。\n", encoding="utf-8")
    [problem] = published.refused()
    assert problem.where == f"{POST}:1: error: the front matter is not closed"
    assert "'---'" in problem.hint


def test_missing_title(published: Published):
    write_post(published.site, "date: 2024-05-01\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:1: error: 'title' is missing"
    assert "title: " in problem.hint


def test_empty_title(published: Published):
    write_post(published.site, "date: 2024-05-01\ntitle:\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:3: error: 'title' is empty"


def test_missing_date(published: Published):
    write_post(published.site, "title: 5月定例会\ncategory: meeting\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:1: error: 'date' is missing"
    assert "date: 2024-06-17" in problem.hint


def test_unparseable_date(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 6月17日\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:3: error: 'date' is not a date: '6月17日'"
    assert "2024-06-17" in problem.hint


def test_unknown_category_near_miss(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\ncategory: meetng\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: unknown category 'meetng'"
    assert problem.hint.startswith("did you mean 'meeting'?")
    assert "meeting (会議・定例会), workshop (研修・ワークショップ), event (お知らせ・イベント)" in problem.hint


def test_unknown_category_lists_the_known_ones(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\ncategory: 会議\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: unknown category '会議'"
    assert "did you mean" not in problem.hint
    assert "meeting (会議・定例会)" in problem.hint and "event (お知らせ・イベント)" in problem.hint


def test_draft_must_be_true_or_false(published: Published):
    write_post(published.site, 'title: 5月定例会\ndate: 2024-05-01\ndraft: "はい"\n')
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: 'draft' must be true or false, not 'はい'"
    assert "draft: true" in problem.hint


def test_event_end_before_start(published: Published):
    write_post(published.site, "title: 講演会\ndate: 2024-05-01\nevent:\n  start: 2024-05-20 13:30\n"
                               "  end: 2024-05-20 12:00\n  place: 市民センター\n")
    [problem] = published.refused()
    assert re.fullmatch(rf"{re.escape(POST)}:(4|6): error: event 'end' is before its 'start'", problem.where)


def test_event_without_start(published: Published):
    write_post(published.site, "title: 講演会\ndate: 2024-05-01\nevent:\n  place: 市民センター\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: 'event' needs a 'start' date"
    assert "start: " in problem.hint


def test_duplicate_key(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\ntags: [防災]\ndate: 2024-05-02\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:5: error: 'date' is given twice (first on line 3)"
    assert "delete" in problem.hint


# --------------------------------------------------------------------------- two sources, one address

def test_two_posts_with_the_same_slug(published: Published):
    write_post(published.site, "title: 一つ目\ndate: 2024-05-01\nslug: onaji\n", name="content/posts/2024-05-01-ichi.md")
    write_post(published.site, "title: 二つ目\ndate: 2024-05-02\nslug: onaji\n", name="content/posts/2024-05-02-ni.md")
    [problem] = published.refused()
    assert "error: two sources would write the same address /posts/onaji/: " in problem.where
    assert "content/posts/2024-05-01-ichi.md" in problem.where
    assert "content/posts/2024-05-02-ni.md" in problem.where
    assert re.match(r"content/posts/2024-05-0[12]-(ichi|ni)\.md(:\d+)?: error: ", problem.where)
    assert "slug:" in problem.hint


def test_post_file_and_folder_post_with_the_same_name(published: Published):
    write_post(published.site, "title: ファイル\ndate: 2024-01-01\n", name="content/posts/2024-01-01-a.md")
    write_post(published.site, "title: フォルダ\ndate: 2024-01-02\n", name="content/posts/a/index.md")
    [problem] = published.refused()
    assert "two sources would write the same address /posts/a/: " in problem.where
    assert "content/posts/2024-01-01-a.md" in problem.where
    assert "content/posts/a/index.md" in problem.where


def test_slug_that_collides_with_an_existing_post(published: Published):
    write_post(published.site, "title: 別の会\ndate: 2024-05-01\nslug: teireikai\n")
    [problem] = published.refused()
    assert "/posts/teireikai/" in problem.where
    assert POST in problem.where and "content/posts/2024-06-17-teireikai.md" in problem.where


def test_page_that_collides_with_a_generated_page(published: Published):
    published.site.write("content/pages/tags.md", "---\ntitle: タグについて\n---\n本文\n")
    [problem] = published.refused()
    assert problem.where.startswith("content/pages/tags.md")
    assert "the same address /tags/" in problem.where


def test_page_whose_folder_clashes_with_a_generated_file(published: Published):
    published.site.write("content/pages/feed.xml.md", "---\ntitle: フィードについて\n---\n本文\n")
    [problem] = published.refused()
    assert problem.where.startswith("content/pages/feed.xml.md")
    assert "feed.xml" in problem.where


# --------------------------------------------------------------------------- slugs

def test_slug_that_would_escape_the_output_folder(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\nslug: ../../etc\n")
    [problem] = published.refused()
    assert problem.where == (f"{POST}:4: error: slug '../../etc' contains '/', '\\' or '..', "
                             "which would put the page outside its folder")
    assert "slug: " in problem.hint
    root = published.site.root
    assert not (root / "etc").exists() and not (root.parent / "etc").exists()


def test_bad_slug_from_the_file_name(published: Published):
    name = "content/posts/2024-05-01-会議 報告?.md"
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n", name=name)
    [problem] = published.refused()
    assert problem.where.startswith(f"{name}:1: error: the file name gives the address '会議 報告?', which contains spaces")
    assert "rename the file" in problem.hint and "slug:" in problem.hint


def test_hidden_slug_from_the_file_name(published: Published):
    name = "content/posts/2024-05-01-.secret.md"
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n", name=name)
    [problem] = published.refused()
    assert problem.where == f"{name}:1: error: the file name gives the address '.secret', which starts with '.', which makes a hidden folder"


def test_a_good_slug_in_the_front_matter_fixes_a_bad_file_name(site: SiteDir):
    write_post(site, "title: 5月定例会\ndate: 2024-05-01\nslug: gogatsu\n", name="content/posts/2024-05-01-会議 報告.md")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert (site.public / "posts/gogatsu/index.html").is_file()


# --------------------------------------------------------------------------- the output folder

def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("out, message", [
    (".", "error: the output folder . is the site folder or contains it"),
    ("{root}", "error: the output folder {root} is the site folder or contains it"),
    ("{parent}", "error: the output folder {parent} is the site folder or contains it"),
    ("..", "error: the output folder .. is the site folder or contains it"),
    ("content", "error: the output folder content is inside the site's content/ folder"),
    ("content/public", "error: the output folder content/public is inside the site's content/ folder"),
    ("templates/out", "error: the output folder templates/out is inside the site's templates/ folder"),
])
def test_output_folder_that_would_destroy_the_site(published: Published, out: str, message: str):
    root = published.site.root
    (root / "templates").mkdir(exist_ok=True)
    (root / "content/images").mkdir()
    (root / "content/images/map.txt").write_text("地図", encoding="utf-8")
    site_files = _tree(root.parent)
    out = out.format(root=root, parent=root.parent)
    [problem] = published.refused("-o", out)
    assert problem.where == message.format(root=root, parent=root.parent)
    assert "-o" in problem.hint
    assert _tree(root.parent) == site_files


def test_existing_folder_not_written_by_katsudo_is_refused(published: Published):
    mine = published.site.root.parent / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "keep.txt").write_text("大事なファイル", encoding="utf-8")
    (mine / "sub/photo.jpg").write_bytes(b"\xff\xd8jpeg")
    kept = _tree(mine)
    [problem] = published.refused("-o", str(mine))
    assert problem.where == f"error: the output folder {mine} already holds files that katsudo did not write"
    assert _tree(mine) == kept
    assert sorted(p.name for p in mine.iterdir()) == ["keep.txt", "sub"]


def test_existing_empty_folder_and_own_output_are_accepted(site: SiteDir, tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert site.build("-o", str(empty)).exit_code == 0
    assert (empty / "index.html").is_file()
    again = site.build("-o", str(empty))
    assert again.exit_code == 0, again.stderr


# --------------------------------------------------------------------------- links in the text

def test_link_to_a_post_that_does_not_exist(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n",
               "前回の続きです。\n\n詳しくは[前回](2023-01-01-nai.md)をご覧ください。\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:7: error: the link '2023-01-01-nai.md' points at no post or page"
    assert "file name" in problem.hint


def test_link_to_a_file_missing_beside_a_folder_post(published: Published):
    name = "content/posts/2024-05-01-kenshu/index.md"
    write_post(published.site, "title: 研修\ndate: 2024-05-01\n",
               "## 資料\n\n- [当日の資料](shiryou.pdf)\n- ![会場の写真](kaijou.jpg)\n", name=name)
    (published.site.root / "content/posts/2024-05-01-kenshu/shiryou.pdf").write_bytes(b"%PDF-1.4")
    [problem] = published.refused()
    assert problem.where == f"{name}:8: error: the link or image 'kaijou.jpg' points at a file that does not exist"
    assert "content/posts/NAME/" in problem.hint


def test_two_broken_links_are_both_reported(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n",
               "[前回](2023-01-01-nai.md)\n\n![図](zu.png)\n")
    problems = published.refused(count=2)
    assert [p.where.split(": error: ")[0] for p in problems] == [f"{POST}:5", f"{POST}:7"]


def test_each_broken_link_is_reported_on_its_own_line(published: Published):
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n",
               "前回（2023-01-01-nai.md）の続きです。\n\n[前回](2023-01-01-nai.md)\n\n[もう一度](2023-01-01-nai.md)\n")
    problems = published.refused(count=2)
    assert [p.where.split(": error: ")[0] for p in problems] == [f"{POST}:7", f"{POST}:9"]


def test_link_to_a_draft(published: Published):
    write_post(published.site, "title: 下書き\ndate: 2024-05-02\ndraft: true\n", name="content/posts/2024-05-02-shitagaki.md")
    write_post(published.site, "title: 5月定例会\ndate: 2024-05-01\n", "本文。\n\n[下書きの記事](2024-05-02-shitagaki.md)\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:7: error: the link '2024-05-02-shitagaki.md' points at a draft or a post dated in the future"


def test_link_to_a_draft_is_fine_when_drafts_are_built(site: SiteDir, tmp_path: Path):
    write_post(site, "title: 下書き\ndate: 2024-05-02\ndraft: true\n", name="content/posts/2024-05-02-shitagaki.md")
    write_post(site, "title: 5月定例会\ndate: 2024-05-01\n", "[下書きの記事](2024-05-02-shitagaki.md)\n")
    result = site.build("--drafts")
    assert result.exit_code == 0, result.stderr
    assert 'href="/minato/posts/shitagaki/"' in (site.public / "posts/gogatsu/index.html").read_text(encoding="utf-8")


def test_working_links_resolve(site: SiteDir):
    folder = "content/posts/2024-05-01-kenshu"
    write_post(site, "title: 研修\ndate: 2024-05-01\n",
               "[前回](../2024-06-17-teireikai.md#議題) [資料](shiryou.pdf) ![地図](/images/map.png) [紹介](/about/)\n",
               name=f"{folder}/index.md")
    (site.root / folder / "shiryou.pdf").write_bytes(b"%PDF-1.4")
    (site.root / "content/images").mkdir()
    from PIL import Image

    Image.new("RGB", (4, 4), (200, 30, 30)).save(site.root / "content/images/map.png")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    html = (site.public / "posts/kenshu/index.html").read_text(encoding="utf-8")
    assert 'href="/minato/posts/teireikai/#議題"' in html
    assert 'href="/minato/posts/kenshu/shiryou.pdf"' in html
    assert re.search(r'src="/minato/images/map-[0-9a-f]{8}-4\.png"', html)  # a variant (generator/images.py)
    assert 'href="/minato/about/"' in html
    assert (site.public / "posts/kenshu/shiryou.pdf").read_bytes() == b"%PDF-1.4"
    assert (site.public / "images/map.png").read_bytes().startswith(b"\x89PNG")  # re-encoded, metadata-free


# --------------------------------------------------------------------------- templates

def test_template_with_an_undefined_name(published: Published):
    published.site.write("templates/post.html", "<!doctype html>\n<title>{{ post.title }}</title>\n<h1>{{ post.titel }}</h1>\n")
    [problem] = published.refused()
    assert problem.where == "templates/post.html:3: error: template error: 'dict object' has no attribute 'titel'"
    assert "spelling" in problem.hint


def test_template_syntax_error(published: Published):
    published.site.write("templates/post.html", "<!doctype html>\n<title>{{ post.title }}</title>\n{% if %}x{% endif %}\n")
    [problem] = published.refused()
    assert re.fullmatch(r"templates/post\.html:3: error: template error: .+", problem.where), problem.where
    assert "{% %}" in problem.hint


def test_template_error_on_many_pages_is_reported_once(published: Published):
    published.site.write("templates/list.html", "<!doctype html>\n<title>{{ page.title }}</title>\n{{ pager.nombre }}\n")
    [problem] = published.refused()
    assert problem.where.startswith("templates/list.html:3: error: template error: ")


# --------------------------------------------------------------------------- site.yaml

def test_site_yaml_unknown_key(published: Published):
    published.site.write("site.yaml", SITE_YAML + "per_pgae: 5\n")
    [problem] = published.refused()
    assert problem.where == "site.yaml:9: error: unknown setting 'per_pgae'"
    assert problem.hint == "did you mean 'per_page'?"


def test_site_yaml_misspelt_title(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("title:", "titel:"))
    problems = published.refused(count=2)
    wheres = [p.where for p in problems]
    assert "site.yaml:1: error: unknown setting 'titel'" in wheres
    assert "site.yaml: error: 'title' is missing" in wheres
    assert next(p for p in problems if "titel" in p.where).hint == "did you mean 'title'?"


def test_site_yaml_wrong_type(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("per_page: 2", "per_page: ten"))
    [problem] = published.refused()
    assert problem.where == "site.yaml:3: error: 'per_page' must be a whole number from 1 to 1000, not 'ten'"


def test_site_yaml_bad_base_url(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("https://example.org/minato/", "example.org/minato"))
    [problem] = published.refused()
    assert problem.where == ("site.yaml:2: error: 'base_url' must be a full address starting with https:// or "
                             "http://, not 'example.org/minato'")
    assert "https://example.org/minato/" in problem.hint


def test_bad_base_url_option(published: Published):
    [problem] = published.refused("--base-url", "ftp://example.org/")
    assert "'base_url' must be a full address" in problem.where


def test_site_yaml_unknown_timezone(published: Published):
    published.site.write("site.yaml", SITE_YAML + "timezone: Asia/Tokio\n")
    [problem] = published.refused()
    assert problem.where == "site.yaml:9: error: unknown time zone 'Asia/Tokio'"
    assert "Asia/Tokyo" in problem.hint


def test_site_yaml_missing_title(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("title: テスト地域福祉委員会\n", ""))
    [problem] = published.refused()
    assert problem.where == "site.yaml: error: 'title' is missing"
    assert "title: " in problem.hint


def test_site_yaml_empty_title_points_at_its_line(published: Published):  # found by test_fuzz.py
    published.site.write("site.yaml", SITE_YAML.replace("title: テスト地域福祉委員会\n", "title:\n"))
    [problem] = published.refused()
    assert problem.where == "site.yaml:1: error: 'title' is empty"


def test_site_yaml_full_width_colon(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("per_page: 2", "per_page：2"))
    [problem] = published.refused()
    assert problem.where == "site.yaml:3: error: full-width colon '：' after 'per_page'"


def test_site_yaml_missing(published: Published):
    (published.site.root / "site.yaml").unlink()
    [problem] = published.refused()
    assert problem.where == "site.yaml: error: site.yaml not found"
    assert "katsudo init" in problem.hint


def test_site_yaml_several_errors_at_once(published: Published):
    published.site.write("site.yaml", SITE_YAML.replace("per_page: 2", "per_page: ten")
                         + "timezone: Mars/Base\nlanguage: fr\nfiscal_year_start: 13\n")
    problems = published.refused(count=4)
    assert [p.where.split(": error: ")[0] for p in problems] == ["site.yaml:3", "site.yaml:9", "site.yaml:10", "site.yaml:11"]


def test_several_bad_posts_are_reported_in_one_run(published: Published):
    write_post(published.site, "title：一つ目\ndate: 2024-05-01\n", name="content/posts/2024-05-01-a.md")
    write_post(published.site, "title: 二つ目\ndate: 6月17日\n", name="content/posts/2024-05-02-b.md")
    write_post(published.site, "title: 三つ目\ndate: 2024-05-03\n", "[前回](2023-01-01-nai.md)\n", name="content/posts/2024-05-03-c.md")
    problems = published.refused(count=3)
    assert [p.where.split(": error: ")[0] for p in problems] == [
        "content/posts/2024-05-01-a.md:2", "content/posts/2024-05-02-b.md:3", "content/posts/2024-05-03-c.md:5"]


# --------------------------------------------------------------------------- drafts and future posts

DRAFT_MARK = "DRAFTMARK7f3a"
FUTURE_MARK = "FUTUREMARK9c1e"


@pytest.fixture
def with_hidden_posts(site: SiteDir) -> SiteDir:
    write_post(site, f"title: 下書き {DRAFT_MARK}\ndate: 2024-07-01\ncategory: workshop\n"
                     f"tags: [防災, tag{DRAFT_MARK}]\nsummary: 要約 {DRAFT_MARK}\ndraft: true\n",
               f"本文 {DRAFT_MARK}\n", name=f"content/posts/2024-07-01-{DRAFT_MARK}.md")
    # Half an hour after the pinned build moment (conftest.NOW = 2026-11-22 12:00).
    write_post(site, f"title: 予告 {FUTURE_MARK}\ndate: 2026-11-22 12:30\ncategory: event\n"
                     f"tags: [防災, tag{FUTURE_MARK}]\nsummary: 要約 {FUTURE_MARK}\n",
               f"本文 {FUTURE_MARK}\n", name=f"content/posts/2026-11-22-{FUTURE_MARK}.md")
    # A minute before it: published.
    write_post(site, "title: 今日の報告\ndate: 2026-11-22 11:59\n", "本文\n", name="content/posts/2026-11-22-kyou.md")
    return site


def _files_mentioning(public: Path, marker: str) -> list[str]:
    marker = marker.lower()
    return sorted(str(p.relative_to(public)) for p in public.rglob("*")
                  if p.is_file() and (marker in p.read_bytes().decode("utf-8", "replace").lower()
                                      or marker in str(p.relative_to(public)).lower()))


def _listed(public: Path, first: str) -> set[str]:
    """Slugs of the posts a paginated list links to, over all its pages."""
    pages = [public / first / "index.html"] + sorted((public / first / "page").glob("*/index.html"))
    slugs: set[str] = set()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        slugs |= {unquote(s) for s in re.findall(r'<a[^>]* href="/minato/posts/([^/"]+)/"', html)}
    return slugs


def test_drafts_and_future_posts_appear_nowhere(with_hidden_posts: SiteDir):
    site = with_hidden_posts
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert "built 2 posts" in result.stdout
    assert _files_mentioning(site.public, DRAFT_MARK) == []
    assert _files_mentioning(site.public, FUTURE_MARK) == []
    assert (site.public / "posts/kyou/index.html").is_file()
    assert not (site.public / "archive/2024/07").exists()
    assert not (site.public / "categories/workshop").exists()
    assert not (site.public / "categories/event").exists()
    assert (site.public / "archive/2026/11/index.html").is_file()
    assert _listed(site.public, "tags/防災") == {"teireikai"}
    assert _listed(site.public, "archive/2026/11") == {"kyou"}
    assert _listed(site.public, "") == {"teireikai", "kyou"}
    sitemap = (site.public / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("/posts/") == 2
    feed = (site.public / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 2


def test_drafts_flag_publishes_drafts_only(with_hidden_posts: SiteDir):
    site = with_hidden_posts
    result = site.build("--drafts")
    assert result.exit_code == 0, result.stderr
    assert "built 3 posts" in result.stdout
    assert f"posts/{DRAFT_MARK}/index.html" in _files_mentioning(site.public, DRAFT_MARK)
    assert f"tags/tag{DRAFT_MARK.lower()}/index.html" in _files_mentioning(site.public, DRAFT_MARK)
    assert (site.public / "categories/workshop/index.html").is_file()
    assert _files_mentioning(site.public, FUTURE_MARK) == []
    assert _listed(site.public, "tags/防災") == {"teireikai", DRAFT_MARK}


def test_future_flag_publishes_future_posts_only(with_hidden_posts: SiteDir):
    site = with_hidden_posts
    result = site.build("--future")
    assert result.exit_code == 0, result.stderr
    assert "built 3 posts" in result.stdout
    assert f"posts/{FUTURE_MARK}/index.html" in _files_mentioning(site.public, FUTURE_MARK)
    assert "feed.xml" in _files_mentioning(site.public, FUTURE_MARK)
    assert _files_mentioning(site.public, DRAFT_MARK) == []
    both = site.build("--drafts", "--future")
    assert both.exit_code == 0 and "built 4 posts" in both.stdout
    assert _listed(site.public, "tags/防災") == {"teireikai", DRAFT_MARK, FUTURE_MARK}


def test_tag_and_archive_counts_exclude_hidden_posts(with_hidden_posts: SiteDir, tmp_path: Path):
    site = with_hidden_posts
    assert site.build().exit_code == 0
    tags = (site.public / "tags/index.html").read_text(encoding="utf-8")
    archive = (site.public / "archive/index.html").read_text(encoding="utf-8")
    everything = tmp_path / "everything"
    assert site.build("--drafts", "--future", "-o", str(everything)).exit_code == 0
    tags_all = (everything / "tags/index.html").read_text(encoding="utf-8")
    archive_all = (everything / "archive/index.html").read_text(encoding="utf-8")
    assert _count_near(tags, "防災") == 1 and _count_near(tags_all, "防災") == 3
    assert _count_near(archive, "2024") == 1 and _count_near(archive_all, "2024") == 2
    assert _count_near(archive, "2026") == 1 and _count_near(archive_all, "2026") == 2


def _count_near(html: str, label: str) -> int:
    """The number shown with `label` in an index page (the first number after it, tags allowed between)."""
    match = re.search(r">\s*" + re.escape(label) + r"(?:[^<\d]|<[^>]*>)*?[（(]\s*(\d+)\s*(?:件|[)）]|\s*posts?\b)", html)
    assert match, f"no count after {label!r}"
    return int(match.group(1))


# --------------------------------------------------------------------------- found by tests/test_fuzz.py (hypothesis)

@pytest.mark.parametrize(("line", "field"), [
    ("date: 9999-12-31T23:00:00-12:00", "date"),  # the year 10000 in Tokyo: was OverflowError
    ("date: 0001-01-01", "date"),  # the year 0 in UTC: was ValueError
])
def test_dates_at_the_ends_of_the_calendar(published: Published, line: str, field: str):
    write_post(published.site, f"title: 五月\n{line}\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:3: error: 'date' is not a date: '{line.split(': ', 1)[1]}'"


def test_event_in_the_year_9999(published: Published):
    write_post(published.site, "title: 五月\ndate: 2024-05-01\nevent:\n  start: 9999-12-31 23:59\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:5: error: event 'start' is not a date: '9999-12-31 23:59'"


@pytest.mark.parametrize("front", ["? [a, b]\n: c\n", "[a]: b\n", "{a: 1}: b\n"])
def test_a_list_as_a_key(published: Published, front: str):  # was TypeError: unhashable type: 'list'
    write_post(published.site, "title: 五月\ndate: 2024-05-01\n" + front)
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: front matter has a list or a mapping where a key should be"
    assert "in quotes" in problem.hint


def test_brackets_nested_thousands_deep(published: Published):  # was RecursionError
    write_post(published.site, "title: 五月\ndate: 2024-05-01\ntags: " + "[" * 3000 + "]" * 3000 + "\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: front matter is nested too deeply to read"


def test_a_number_with_thousands_of_digits(published: Published):  # was ValueError (int_max_str_digits)
    write_post(published.site, "title: 五月\ndate: 2024-05-01\nweight: " + "9" * 5000 + "\n")
    [problem] = published.refused()
    assert problem.where == f"{POST}:4: error: front matter has a number too long to read"


def test_two_posts_on_one_address_name_the_slug_line(published: Published):  # was a PATH: error without line
    write_post(published.site, "title: 一つ目\ndate: 2024-05-01\nslug: onaji\n", name="content/posts/2024-05-01-ichi.md")
    write_post(published.site, "title: 二つ目\ndate: 2024-05-02\nslug: onaji\n", name="content/posts/2024-05-02-ni.md")
    [problem] = published.refused()
    assert re.match(r"content/posts/2024-05-0[12]-(ichi|ni)\.md:4: error: two sources would write the same address",
                    problem.where), problem.where


def test_control_characters_in_tags_titles_and_text(built_site: SiteDir):
    """A NUL in a tag stopped the build with 'embedded null byte'; a right-to-left override made
    a folder name no one can type; an escape character in a title made the feed unreadable XML."""
    from lxml import etree

    built_site.post("2024-05-01-gogatsu.md", 'title: "五月\\x1b定例会"\ndate: 2024-05-01\n'
                                             'tags: ["防災\\0", "\\u202e地域"]\n', "本文\x1bです。\n")
    result = built_site.build()
    assert result.exit_code == 0, result.stderr
    assert (built_site.public / "tags/防災/index.html").is_file()
    assert (built_site.public / "tags/地域/index.html").is_file()
    feed = etree.fromstring((built_site.public / "feed.xml").read_bytes())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "五月定例会" in titles
