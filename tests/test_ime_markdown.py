"""Markdown typed with a Japanese IME: each slip is a warning naming the file's real line and
showing the line as it should be; an error with --strict. An empty heading is left out of the
page and its 目次. Code and ordinary Japanese prose are never warned about.

One small site is built once for the tests that only read its output (generator/ime_markdown.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import NOW, SITE_YAML, SiteDir, run_cli
from waiting import preview

SLIPS = "2024-06-20-ime.md"
QUIET = "2024-06-21-prose.md"
FRONT = """
    title: 6月定例会の報告
    date: 2024-06-20 19:00
    category: meeting
    tags: [地域福祉]
    summary: 6月の定例会の報告です。
"""
# Each slip, the start of the warning's message, and the hint's corrected line.
CASES = [
    ("＃＃ 決定事項", "'＃' (full-width) at the start of the line is shown as it is", "## 決定事項"),
    ("＃決定事項", "'＃' (full-width) at the start of the line is shown as it is", "# 決定事項"),
    ("[前回の報告]（2024-06-17-teireikai.md）をご覧ください。",
     "the link [前回の報告] has full-width brackets or parentheses", "[前回の報告](2024-06-17-teireikai.md)"),
    ("![会場の様子]（photo.jpg）", "the image [会場の様子] has full-width brackets", "![会場の様子](photo.jpg)"),
    ("－ 見守り訪問を続ける", "the list marker '－' is full-width", "- 見守り訪問を続ける"),
    ("＊　名簿を更新する", "the list marker '＊' is full-width", "* 名簿を更新する"),
    ("＋ 会場を予約する", "the list marker '＋' is full-width", "+ 会場を予約する"),
    ("-　次回は7月", "a full-width space (全角スペース) follows the list marker '-'", "- 次回は7月"),
    ("１．　開会のあいさつ", "the number '１．' at the start of the line has full-width characters", "1. 開会のあいさつ"),
    ("２) 報告", "the number '２)' at the start of the line has full-width characters", "2. 報告"),
]
EMPTY_HEADING = "## 　　"
SLIP_BODY = "\n".join(["", "6月の定例会を開きました。", "", "## 議題", ""]
                      + [line for case in CASES for line in (case[0], "")]
                      + [EMPTY_HEADING, "", "## 次回予定", "", "7月15日です。", ""])

# Ordinary Japanese prose, code and comments: nothing here is a slip, but for the last line.
PROSE = """
（注）金額はすべて税込みです。［資料１］を参照してください。会員番号は＃1024から始まります。
詳しくは[注]（後述）をご覧ください。＊印の項目は必ず書きます。第1回（6月）の日程は
[会議日程](2024-06-17-teireikai.md)（別紙）のとおりです。

＊参加費は無料です。
・受付は9時からです。
１）開会のあいさつは会長が行いました。
２０２４年度の予算は、前年度の１．５倍です。

```
＃＃ 見出しの書き方
－ 項目
```

~~~markdown
[前回]（2024-05-20-teireikai.md）
~~~

    ＃＃ 字下げしたコード
    １．　コード

本文では `＃＃ 見出し` や `[前回]（2024-05-20-teireikai.md）` とは書きません。

<!-- メモ：
＃＃ 決定事項
－ あとで書く
-->

＃＃ 最後の行だけが書き間違いです
"""


def line_of(path: Path, text: str) -> int:
    """The file's own line number (front matter counted) of the line `text`."""
    return path.read_text(encoding="utf-8").split("\n").index(text) + 1


def warning_lines(stderr: str, name: str) -> list[str]:
    """The warnings about the post `name`, from its file name on (the folder depends on the cwd)."""
    return [line[line.index(name):] for line in stderr.splitlines() if re.search(rf"{re.escape(name)}:\d+: warning: ", line)]


@pytest.fixture(scope="module")
def slipped(tmp_path_factory) -> tuple[SiteDir, object]:
    site = SiteDir(tmp_path_factory.mktemp("ime") / "site")
    site.write("site.yaml", SITE_YAML + "search: false\n")
    site.post("2024-06-17-teireikai.md", "title: 6月定例会\ndate: 2024-06-17 19:00\n", "## 議題\n\n- 防災訓練\n")
    site.post(SLIPS, FRONT, SLIP_BODY)
    site.post(QUIET, "title: 注意書き\ndate: 2024-06-21", PROSE)
    return site, site.build()


@pytest.mark.parametrize("typed, message, fixed", CASES, ids=[case[0] for case in CASES])
def test_each_slip_is_a_warning_at_its_line_with_the_corrected_line(slipped, typed, message, fixed):
    site, result = slipped
    assert result.exit_code == 0, result.stderr
    line = line_of(site.root / "content/posts" / SLIPS, typed)
    lines = result.stderr.splitlines()
    where = next((i for i, text in enumerate(lines) if f"{SLIPS}:{line}: warning: {message}" in text), None)
    assert where is not None, f"no warning at line {line}:\n{result.stderr}"
    hint = lines[where + 1]
    assert hint.startswith("    hint: ") and hint.endswith(f": {fixed}"), hint


def test_an_empty_heading_is_left_out_of_the_page_and_its_table_of_contents(slipped):
    site, result = slipped
    line = line_of(site.root / "content/posts" / SLIPS, EMPTY_HEADING)
    assert f"{SLIPS}:{line}: warning: an empty heading ('##' with nothing but spaces after it) was left out " \
           "of the page and its table of contents" in result.stderr
    html = (site.public / "posts/ime/index.html").read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    assert not re.search(r"<h[1-6][^>]*>[\s\u3000]*</h[1-6]>", article), "an empty heading was published"
    toc = re.search(r'<nav class="box toc".*?</nav>', html, re.S)
    assert toc is not None
    assert re.findall(r"<li><a [^>]*>([^<]*)</a>", toc.group(0)) == ["議題", "次回予定"]


def test_prose_code_and_comments_are_not_mistaken_for_slips(slipped):
    site, result = slipped
    line = line_of(site.root / "content/posts" / QUIET, "＃＃ 最後の行だけが書き間違いです")
    assert warning_lines(result.stderr, QUIET) == [
        f"{QUIET}:{line}: warning: '＃' (full-width) at the start of the line is shown as it is, not as a heading"]
    assert warning_lines(result.stderr, "2024-06-17-teireikai.md") == []


def test_strict_makes_a_slip_an_error_and_leaves_the_published_site_as_it_was(built_site: SiteDir):
    before = built_site.snapshot()
    post = built_site.post(SLIPS, FRONT, "\n報告です。\n\n＃＃ 決定事項\n")
    result = built_site.build("--strict")
    assert result.exit_code == 1
    assert f"{SLIPS}:{line_of(post, '＃＃ 決定事項')}: error: '＃' (full-width) at the start of the line" in result.stderr
    assert "hint: type a half-width '#' and a space: ## 決定事項" in result.stderr
    assert "nothing was written" in result.stderr
    assert built_site.snapshot() == before
    relaxed = built_site.build()
    assert relaxed.exit_code == 0 and "warning: '＃' (full-width)" in relaxed.stderr


def test_check_reports_the_slips_in_japanese_and_fails_with_strict(slipped):
    site, _ = slipped
    checked = run_cli("check", "-s", str(site.root), env={"KATSUDO_LANG": "ja"})
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    line = line_of(site.root / "content/posts" / SLIPS, "＃＃ 決定事項")
    out = checked.stdout
    assert f"{SLIPS}:{line}: warning: '＃' (full-width) at the start of the line" in out
    assert f"{line}行目: 行の先頭の「＃」が全角なので、見出しにならずにそのまま表示されます。" in out
    assert "「[前回の報告]」のかっこが全角なので、リンクにならずに文字のまま表示されます。" in out
    assert "文字のない見出し（「##」のあとが空白だけ）は、ページと目次から省きました。" in out
    strict = run_cli("check", "-s", str(site.root), "--strict")
    assert strict.exit_code == 1
    assert f"{SLIPS}:{line}: warning: '＃' (full-width)" in strict.stdout


def test_the_preview_warns_about_a_slip_when_the_post_is_saved(tmp_path):
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML + "search: false\n")
    post = site.post(SLIPS, FRONT, "\n報告です。\n")
    with preview(site.root, "-o", str(tmp_path / "preview"), env={**os.environ, "KATSUDO_NOW": NOW}) as terminal:
        said = terminal.said
        terminal.wait_for(lambda: any("http://127.0.0.1:" in line for line in said), "the preview to start")
        post.write_text(post.read_text(encoding="utf-8") + "\n[前回の報告]（2024-06-17-teireikai.md）\n",
                        encoding="utf-8")
        line = line_of(post, "[前回の報告]（2024-06-17-teireikai.md）")
        terminal.wait_for(lambda: any(f"{SLIPS}:{line}: warning: the link [前回の報告] has full-width brackets" in text
                                      for text in said), "the slip's warning")
        terminal.wait_for(lambda: any("hint: type them half-width: [前回の報告](2024-06-17-teireikai.md)" in text
                                      for text in said), "the slip's hint")
