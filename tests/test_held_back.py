"""Nothing vanishes or appears silently (issue 15, item 2): every `katsudo build` ends with the
drafts and future posts it did not publish, with their paths and, for a future post, the moment
it appears; `-q` keeps that to one line. An event notice dated in the future is a warning."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from conftest import NOW, SiteDir, run_cli
from waiting import preview

REMINDER = ("  future posts appear at the first build after that moment: schedule a rebuild "
            "(cron or a CI schedule; see 'Publishing' in the README)")


def _held_back_site(site: SiteDir) -> SiteDir:
    """The small site, plus two drafts (a post and a page) and a post dated after NOW."""
    site.post("2024-07-01-memo.md", """
        title: 書きかけのメモ
        date: 2024-07-01
        draft: true
    """)
    site.write("content/pages/plan.md", "---\ntitle: 来年度の計画\ndraft: true\n---\n検討中です。\n")
    site.post("2026-12-10-nenmatsu.md", """
        title: 年末のごあいさつ
        date: 2026-12-10 09:00
    """)
    return site


def _summary(stdout: str) -> list[str]:
    """The lines after the `built …` line (with -v, the stage times come before it)."""
    lines = stdout.splitlines()
    built = [number for number, line in enumerate(lines) if line.startswith(("built ", "記事 "))]
    assert len(built) == 1, stdout
    return lines[built[0] + 1:]


def _age_inputs(site: SiteDir, seconds: int = 60) -> None:
    """Date every input back: only then does the next build trust the stamps (cache.RACY_NS)."""
    past = time.time() - seconds
    for path in [site.root / "site.yaml", *site.root.joinpath("content").rglob("*")]:
        if path.is_file():
            os.utime(path, (past, past))


def _stages(stdout: str) -> set[str]:
    """The stages `-v` timed: a whole build has 'content', a text patch 'patch', the nothing-changed shortcut neither."""
    return set(re.findall(r"^  (\w+) +[\d.]+ ms$", stdout, re.M))


def test_a_build_lists_drafts_and_future_posts_with_paths_and_when_each_appears(site: SiteDir):
    _held_back_site(site)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert _summary(result.stdout) == [
        "held back (not published):",
        "  2 drafts ('draft: true'; delete that line to publish):",
        f"    {site.root / 'content/pages/plan.md'}",
        f"    {site.root / 'content/posts/2024-07-01-memo.md'}",
        "  1 future post (dated after now):",
        f"    {site.root / 'content/posts/2026-12-10-nenmatsu.md'} appears at 2026-12-10 09:00 Asia/Tokyo "
        "(令和8年12月10日(木) 9:00)",
        REMINDER,
    ]
    assert not (site.public / "posts/nenmatsu").exists() and not (site.public / "posts/memo").exists()


def test_quiet_says_it_in_one_line(site: SiteDir):
    _held_back_site(site)
    result = site.build("-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "held back: 2 drafts, 1 future post (katsudo build without -q lists them)\n"
    assert result.stderr == ""


def test_drafts_and_future_change_what_is_held_back_and_nothing_held_back_says_nothing(site: SiteDir):
    _held_back_site(site)
    drafts = site.build("--drafts")
    assert [line.strip() for line in _summary(drafts.stdout)[:2]] == ["held back (not published):",
                                                                      "1 future post (dated after now):"]
    future = site.build("-q", "--future")
    assert future.stdout == "held back: 2 drafts (katsudo build without -q lists them)\n"
    both = site.build("--drafts", "--future")
    assert _summary(both.stdout) == []
    assert site.build("-q", "--drafts", "--future").stdout == ""


def test_the_moment_follows_the_site_time_zone_and_date_style(tmp_path: Path):
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", "title: Test\nbase_url: https://example.org/\nlanguage: en\ntimezone: Europe/Berlin\n")
    # In the site's zone: 2026-12-10 09:00 in Tokyo is 01:00 in Berlin.
    site.post("2026-12-10-later.md", "title: Later\ndate: 2026-12-10T09:00:00+09:00")
    result = site.build()
    assert f"    {site.root / 'content/posts/2026-12-10-later.md'} appears at 2026-12-10 01:00 Europe/Berlin" \
        in result.stdout.splitlines()  # (an English site: no 和暦 beside it)
    site.write("site.yaml", "title: テスト\nbase_url: https://example.org/\ndate_style: both\n")
    japanese = run_cli("build", "-s", str(site.root), env={"KATSUDO_LANG": "ja"})
    assert f"    {site.root / 'content/posts/2026-12-10-later.md'} は 令和8年(2026年)12月10日(木) 9:00 に公開されます" \
        "（そのあとのビルドで）" in japanese.stdout.splitlines()


@pytest.mark.parametrize("env", [{"KATSUDO_LANG": "ja"}, {"LC_ALL": None, "LANG": "ja_JP.UTF-8"}])
def test_a_japanese_terminal_reads_it_in_japanese(site: SiteDir, env):
    _held_back_site(site)
    result = run_cli("build", "-s", str(site.root), env=env)
    assert result.exit_code == 0, result.stderr
    assert _summary(result.stdout) == [
        "公開していない記事：",
        "  下書き 2 件（draft: true の行を消すと公開されます）：",
        f"    {site.root / 'content/pages/plan.md'}",
        f"    {site.root / 'content/posts/2024-07-01-memo.md'}",
        "  予約投稿 1 件（日付が未来の記事）：",
        f"    {site.root / 'content/posts/2026-12-10-nenmatsu.md'} は 令和8年12月10日(木) 9:00 に公開されます（そのあとのビルドで）",
        "  予約投稿は、その日時を過ぎてから最初のビルドで公開されます。定期的にビルドする設定（cron や CI のスケジュール）を"
        "してください（README の「Publishing」を参照）。",
    ]
    quiet = run_cli("build", "-s", str(site.root), "-q", env=env)
    assert quiet.stdout == "公開していない記事：下書き 2 件、予約投稿 1 件（-q を付けずに katsudo build を実行すると一覧が出ます）\n"


def test_the_same_summary_from_the_cached_build_and_after_a_text_edit(site: SiteDir):
    # search off: a text edit is then patched from the model store (patch.apply_stored).
    site.write("site.yaml", (site.root / "site.yaml").read_text(encoding="utf-8") + "search: false\n")
    _held_back_site(site)
    _age_inputs(site)
    first = site.build("-v")
    assert "content" in _stages(first.stdout)
    expected = _summary(first.stdout)
    assert len(expected) == 7 and expected[0] == "held back (not published):"

    again = site.build("-v")  # nothing changed: the shortcut answers from the cache's record
    assert again.exit_code == 0, again.stderr
    assert not _stages(again.stdout) & {"content", "patch"}, again.stdout
    assert _summary(again.stdout) == expected
    assert site.build("-q").stdout == "held back: 2 drafts, 1 future post (katsudo build without -q lists them)\n"

    published = site.root / "content/posts/2024-06-17-teireikai.md"
    published.write_text(published.read_text(encoding="utf-8") + "\n追記しました。\n", encoding="utf-8")
    patched = site.build("-v")
    assert patched.exit_code == 0, patched.stderr
    assert "patch" in _stages(patched.stdout) and "content" not in _stages(patched.stdout), patched.stdout
    assert "追記しました" in (site.public / "posts/teireikai/index.html").read_text(encoding="utf-8")
    assert _summary(patched.stdout) == expected


EVENT_NOTICE = """
    title: 歳末バザーのお知らせ
    date: {date}
    category: event
    event:
      start: 2026-12-10 10:00
      place: みなと市民センター
"""


def test_an_event_notice_dated_in_the_future_is_a_warning_with_a_hint(site: SiteDir):
    site.post("2026-12-10-bazaar.md", EVENT_NOTICE.format(date="2026-12-10"))
    result = site.build()
    assert result.exit_code == 0, result.stderr
    warning = (f"{site.root / 'content/posts/2026-12-10-bazaar.md'}:3: warning: this event notice is dated 2026-12-10, "
               "in the future, so it is not published yet (not on the site, in the events list or in the upcoming events)\n"
               "    hint: 'date' is the day the notice appears on the site; 'event: start:' is the day of the event "
               "(2026-12-10 10:00). Set 'date' to today to publish the notice now (left as it is, it appears at the "
               "first build after 2026-12-10)\n")
    assert result.stderr == warning
    assert f"    {site.root / 'content/posts/2026-12-10-bazaar.md'} appears at 2026-12-10 00:00 Asia/Tokyo " \
        "(令和8年12月10日(木) 0:00)" in result.stdout.splitlines()
    assert not (site.public / "posts/bazaar").exists()
    # The build served from the cache says it again.
    _age_inputs(site)
    site.build()
    assert site.build().stderr == warning


def test_under_strict_the_future_event_notice_is_an_error_and_nothing_is_written(built_site: SiteDir):
    before = built_site.snapshot()
    built_site.post("2026-12-10-bazaar.md", EVENT_NOTICE.format(date="2026-12-10 09:00"))
    result = built_site.build("--strict")
    assert result.exit_code == 1
    assert (f"{built_site.root / 'content/posts/2026-12-10-bazaar.md'}:3: error: this event notice is dated "
            "2026-12-10 09:00, in the future") in result.stderr
    # A Japanese site: the sentence in Japanese under it.
    assert ("    3行目: このお知らせは date が 2026-12-10 09:00 で未来の日付なので、まだ公開されていません"
            "（サイトにも、行事予定や今後の予定にも出ません）。date はお知らせを載せる日、event の start は行事の日です。"
            "すぐに載せるには、date を今日の日付にしてください。") in result.stderr
    assert "1 error; nothing was written" in result.stderr
    assert built_site.snapshot() == before


def test_check_reports_the_future_event_notice(site: SiteDir):
    site.post("2026-12-10-bazaar.md", EVENT_NOTICE.format(date="2026-12-10"))
    result = run_cli("check", "-s", str(site.root))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (f"{site.root / 'content/posts/2026-12-10-bazaar.md'}:3: warning: this event notice is dated 2026-12-10, "
            "in the future") in result.stdout
    assert "3行目: このお知らせは date が 2026-12-10 で未来の日付なので" in result.stdout
    assert run_cli("check", "-s", str(site.root), "--strict").exit_code == 1


def test_following_the_hint_publishes_the_notice_today_without_a_warning(site: SiteDir):
    notice = site.post("2026-12-10-bazaar.md", EVENT_NOTICE.format(date="2026-12-10"))
    assert "warning: this event notice is dated 2026-12-10" in site.build().stderr
    # The hint's fix: 'date' is today (the notice), 'event: start:' stays the event day.
    notice.write_text(notice.read_text(encoding="utf-8").replace("date: 2026-12-10", f"date: {NOW[:10]}"),
                      encoding="utf-8")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert _summary(result.stdout) == []
    assert "歳末バザーのお知らせ" in (site.public / "posts/bazaar/index.html").read_text(encoding="utf-8")
    assert "歳末バザーのお知らせ" in (site.public / "events/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, expected", [
    ("C.UTF-8", "not in the preview: 1 draft (content/posts/2024-07-01-memo.md; katsudo serve --drafts shows them)"),
    ("ja_JP.UTF-8", "プレビューに出ていない記事：下書き 1 件（content/posts/2024-07-01-memo.md。"
                    "katsudo serve --drafts で表示されます）"),
])
def test_the_preview_says_which_posts_it_leaves_out_when_that_changes(site: SiteDir, lang: str, expected: str):
    """An editor who ran `katsudo new` and opens the preview is looking for a draft: the preview
    says it is left out and how to show it, once, and again only when what is left out changes."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG")}
    with preview(site.root, env={**environment, "LANG": lang, "KATSUDO_NOW": NOW}) as terminal:
        said = terminal.said

        def rebuilds() -> int:
            return sum(line.startswith(("rebuilt ", "作り直しました")) for line in list(said))

        terminal.wait_for(lambda: rebuilds() == 1, "the first build")
        assert not any(line.startswith(("not in the preview", "プレビューに出ていない")) for line in said), said
        memo = site.post("2024-07-01-memo.md", "title: 書きかけのメモ\ndate: 2024-07-01\ndraft: true\n")
        terminal.wait_for(lambda: expected in said, "the line about the draft")
        memo.write_text(memo.read_text(encoding="utf-8") + "\n追記です。\n", encoding="utf-8")
        terminal.wait_for(lambda: rebuilds() >= 3, "the rebuild after the draft's edit")
        assert said.count(expected) == 1, said  # (not said again while nothing changed in what is left out)
