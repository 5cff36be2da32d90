"""Front matter typed with a Japanese IME (issue 15, items 3 and 5).

Lists split on '、' '，' '､' as on ',', with or without brackets, full-width spaces trimmed: the
same words give the same tag pages however they were typed. A YAML slip (a colon inside a value,
a full-width space after the colon, a missing colon, an unclosed quote or bracket, indentation)
fails the build at the line to fix, in plain words, with the corrected line, and in Japanese;
the site published before is left as it was.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import SITE_YAML, SiteDir, run_cli

POST = "content/posts/2024-05-01-gogatsu.md"


def write_post(site: SiteDir, front_lines: str, name: str = POST) -> None:
    """A post written exactly as given: '---', the front matter lines, '---', a body."""
    path = site.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + front_lines + "---\n本文です。\n", encoding="utf-8")


# --------------------------------------------------------------------------- lists split on Japanese commas

SPELLINGS = (
    "tags: [定例会、地域福祉計画、防災]",
    "tags: [定例会，地域福祉計画，防災]",
    "tags: [定例会､地域福祉計画､防災]",
    "tags: [定例会、 地域福祉計画,防災]",
    "tags: 定例会、地域福祉計画、防災",
    "tags: 定例会，\u3000地域福祉計画，\u3000防災",
    "tags: [\u3000定例会\u3000、\u3000地域福祉計画\u3000，防災\u3000]",
    "tags: ［定例会、地域福祉計画、防災］",
    'tags: "定例会、地域福祉計画、防災"',
    "tags:\n  - 定例会、地域福祉計画\n  - 防災",
    "tags: [定例会、地域福祉計画、、防災、]",
    "tags: [定例会, 地域福祉計画, 防災]",
)


def _tag_links(html: str) -> list[str]:
    return [unquote(m) for m in re.findall(r'<a class="tag" href="/minato/tags/([^"/]+)/"', html)]


def test_japanese_commas_give_the_same_tags_with_or_without_brackets(tmp_path: Path):
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML + "search: false\n")
    for number, spelling in enumerate(SPELLINGS, start=1):
        write_post(site, f"title: 報告{number}\ndate: 2024-05-{number:02d}\n{spelling}\n",
                   name=f"content/posts/2024-05-{number:02d}-houkoku{number}.md")
    result = site.build()
    assert result.exit_code == 0, result.stderr

    # The tag index a reader browses: three tags, each with every post.
    index = (site.public / "tags" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<a class="tag" href="/minato/tags/([^"/]+)/">([^<]+?) <span class="count">\((\d+)件\)', index)
    count = str(len(SPELLINGS))
    assert sorted((unquote(slug), name, n) for slug, name, n in listed) == sorted(
        [("定例会", "定例会", count), ("地域福祉計画", "地域福祉計画", count), ("防災", "防災", count)]), index
    assert sorted(p.name for p in (site.public / "tags").iterdir() if p.is_dir()) == sorted(["定例会", "地域福祉計画", "防災"])

    # Each post shows the same three tag links, in the order they were typed.
    for number in range(1, len(SPELLINGS) + 1):
        html = (site.public / "posts" / f"houkoku{number}" / "index.html").read_text(encoding="utf-8")
        assert _tag_links(html) == ["定例会", "地域福祉計画", "防災"], (SPELLINGS[number - 1], _tag_links(html))

    # And the tag's pages (per_page: 2) list every post.
    meeting = "".join(page.read_text(encoding="utf-8") for page in (site.public / "tags" / "定例会").rglob("*.html"))
    for number in range(1, len(SPELLINGS) + 1):
        assert f">報告{number}</a>" in meeting


# --------------------------------------------------------------------------- YAML slips, at the line to fix

@pytest.fixture
def published(built_site: SiteDir, monkeypatch) -> SiteDir:
    monkeypatch.chdir(built_site.root)  # as editors run it: paths print as content/posts/…
    built_site.before = built_site.snapshot()
    return built_site


def refused(site: SiteDir, env: dict[str, str] | None = None) -> str:
    """Build `site`, expecting one error and public/ untouched; the error's text as printed."""
    result = run_cli("build", "-s", str(site.root), env=env)
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert result.stdout == ""
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[-1] in ("1 error; nothing was written", "エラー 1 件。何も書き込んでいません。"), result.stderr
    assert site.snapshot() == site.before
    return "\n".join(lines[:-1])


# (front matter lines, line in the file, message, corrected line in the hint, Japanese sentence)
SLIPS = {
    "colon in the title": (
        "title: 研修会: 報告\ndate: 2024-05-01\n", 2,
        "front matter is not valid YAML: the value of 'title' has ': ' in it, which YAML reads as another key",
        'title: "研修会: 報告"',
        "「title」の値の中に「: 」（コロンとスペース）があるため、別の項目の始まりと読まれてしまいます。値全体を「\"」で囲んでください"),
    "colon and quotes in a later value": (
        'title: 研修会\ndate: 2024-05-01\nsummary: 講師: "山田さん"\n', 4,
        "front matter is not valid YAML: the value of 'summary' has ': ' in it, which YAML reads as another key",
        "summary: '講師: \"山田さん\"'",
        "「summary」の値の中に「: 」"),
    "full-width space after the colon": (
        "title:\u3000研修会の報告\ndate: 2024-05-01\ncategory: meeting\n", 2,
        "a full-width space (全角スペース) follows the ':' after 'title'",
        "title: 研修会の報告",
        "「title:」のあとのスペースが全角です。「:」のあとの全角スペースを半角スペースに直してください"),
    "full-width space after the colon, last line": (
        "date: 2024-05-01\ntitle:\u3000研修会: 報告\n", 3,
        "a full-width space (全角スペース) follows the ':' after 'title'",
        'title: "研修会: 報告"',
        "全角スペースを半角スペースに直してください"),
    "full-width space in a nested field that parsed as text": (
        "title: 講演会\ndate: 2024-05-01\nevent:\n  place:\u3000市民センター\n", 5,
        "a full-width space (全角スペース) follows the ':' after 'place'",
        "  place: 市民センター",
        "「place:」のあとのスペースが全角です。"),
    "full-width colon": (
        "title：5月 定例会\ndate: 2024-05-01\n", 2,
        "full-width colon '：' after 'title'",
        "title: 5月 定例会",
        "「title」のあとの全角のコロン「：」を、半角の「:」とスペースに直してください。"),
    "no colon after the key": (
        "title 研修会の報告\ndate: 2024-05-01\n", 2,
        "front matter is not valid YAML: this line has no ':' between a key and its value",
        "title: 研修会の報告",
        "この行には「キー: 値」の「:」がありません。"),
    "unclosed quote": (
        'title: "研修会の報告\ndate: 2024-05-01\ncategory: meeting\n', 2,
        'front matter is not valid YAML: the quote " opened on this line is never closed with "',
        'title: "研修会の報告"',
        "この行で開いた「\"」が閉じられていません。値の終わりに「\"」を付けてください"),
    "unclosed bracket": (
        "title: 5月定例会\ntags: [地域福祉, 防災\ndate: 2024-05-01\n", 3,
        "front matter is not valid YAML: the bracket [ opened on this line is never closed with ]",
        "tags: [地域福祉, 防災]",
        "この行で開いた「[」が閉じられていません。値の終わりに「]」を付けてください"),
    "line indented more than the one above": (
        "title: 5月定例会\n  date: 2024-05-01\n", 3,
        "front matter is not valid YAML: this line is indented more than the line above",
        "date: 2024-05-01",
        "この行の字下げ（行頭の半角スペース）が上の行より深くなっています。"),
    "value starting with a bracket": (
        "title: 5月定例会\ndate: 2024-05-01\nsummary: [速報] 研修会の報告\n", 4,
        "front matter is not valid YAML: the value of 'summary' starts with '[' and goes on after the closing ']'",
        'summary: "[速報] 研修会の報告"',
        "「summary」の値が「[」で始まり、閉じる「]」のあとにも文字が続いています。"),
    "value starting with '@'": (
        "title: 5月定例会\ndate: 2024-05-01\nauthor: @事務局\n", 4,
        "front matter is not valid YAML: the value of 'author' starts with '@', which has a special meaning in YAML",
        'author: "@事務局"',
        "「author」の値が「@」で始まっていますが、この記号は YAML では特別な意味を持ちます。"),
}


@pytest.mark.parametrize("slip", SLIPS.values(), ids=list(SLIPS))
def test_yaml_slip_is_reported_at_its_line_with_the_corrected_line_and_in_japanese(published: SiteDir, slip):
    front, line, message, corrected, japanese = slip
    write_post(published, front)
    shown = refused(published)
    first, *rest = shown.split("\n")
    assert first == f"{POST}:{line}: error: {message}", shown
    assert rest[0].startswith(f"    {line}行目: ") and japanese in rest[0], shown  # the site's language is ja
    hint = "\n".join(rest[1:])
    assert hint.startswith("    hint: ") and "write the line as:" in hint, shown
    assert f"\n      {corrected}" in hint, shown  # the corrected line, on a line of its own


def test_other_yaml_errors_get_a_japanese_sentence(published: SiteDir):
    write_post(published, "title: 5月定例会\ndate: 2024-05-01\ntags: [地域福祉, 防災]]\n")
    shown = refused(published, env={"KATSUDO_LANG": "ja"})
    assert shown.startswith(f"{POST}:4: error: front matter is not valid YAML: "), shown
    assert "    4行目: この行は YAML（「キー: 値」の形）として読めません。" in shown


def test_site_yaml_slip_is_reported_at_its_line_in_japanese(published: SiteDir):
    (published.root / "site.yaml").write_text(SITE_YAML.replace("title: ", "title:\u3000", 1), encoding="utf-8")
    shown = refused(published, env={"KATSUDO_LANG": "ja"})
    assert shown.split("\n")[:2] == [
        "site.yaml:1: error: a full-width space (全角スペース) follows the ':' after 'title'",
        "    1行目: 「title:」のあとのスペースが全角です。「:」のあとの全角スペースを半角スペースに直してください（下の hint の行のように）。",
    ], shown
    assert "\n      title: テスト地域福祉委員会" in shown


def test_english_terminal_on_an_english_site_gets_the_english_hint_only(published: SiteDir):
    (published.root / "site.yaml").write_text(SITE_YAML + "language: en\n", encoding="utf-8")
    write_post(published, "title: 研修会: 報告\ndate: 2024-05-01\n")
    shown = refused(published)
    assert "行目" not in shown
    assert shown == (f"{POST}:2: error: front matter is not valid YAML: the value of 'title' has ': ' in it, "
                     "which YAML reads as another key\n"
                     "    hint: put the whole value in quotes; write the line as:\n"
                     '      title: "研修会: 報告"')


def test_full_width_space_inside_a_block_of_text_is_the_editors_text(site: SiteDir):
    # Guard for the check above, which reads every line: 'summary: |' starts text, not keys.
    write_post(site, "title: 研修会\ndate: 2024-05-01\nsummary: |\n  講師:\u3000山田さん\n")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert "講師:\u3000山田さん" in (site.public / "posts" / "gogatsu" / "index.html").read_text(encoding="utf-8")
