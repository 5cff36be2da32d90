"""katsudo serve's fast path (generator/patch.py): an edit to the text of posts is patched into
the last build's model. Every patched site must be byte-identical to a clean build, and every
edit that is more than text must take the whole build (and still be identical)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.cache import BuildCache
from generator.errors import KatsudoError
from generator.report import Reporter
from test_serve import BUILD_MOMENT, TEIREIKAI, copy_example_site, edit, tree

FORUM = "content/posts/2026-10-20-forum-2026.md"  # the newest post: in the feeds, an event (the .ics)
IBASHO = "content/posts/2024-09-12-ibasho-1.md"  # part 1 of a series
PHOTO_POST = "content/posts/2025-11-08-shashin-houkoku/index.md"


def _build(site: Path, out: Path, cache: BuildCache | None, changed: set[Path] | None = None):
    return build(BuildOptions(site, out, BUILD_MOMENT, search_index=False), Reporter(quiet=True), cache,
                 changed=changed)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _first_paragraph(path: Path) -> None:
    """Insert a paragraph right after the front matter: the summary changes."""
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    path.write_text(f"{head}\n---\n\n冒頭に書き加えた段落です。会場が変わりました。\n{body}", encoding="utf-8")


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_example_site(tmp_path / "site")


def assert_same_as_clean(site: Path, out: Path, tmp_path: Path) -> None:
    clean = tmp_path / f"clean-{time.monotonic_ns()}"
    _build(site, clean, None)
    got, want = tree(out), tree(clean)
    assert sorted(got) == sorted(want), "the patched site has other files than a clean build"
    differing = [name for name in want if got[name] != want[name]]
    assert differing == [], f"the patched site differs from a clean build in {differing[:5]}"


TEXT_EDITS = {
    "a paragraph at the end": (TEIREIKAI, lambda p: _append(p, "\n## 追記\n\n次回は7月15日です。\n")),
    "the newest post (feeds, calendar, home page)": (FORUM, lambda p: _append(p, "\n当日の資料を掲載しました。\n")),
    "the summary (no 'summary:' in the front matter)": (TEIREIKAI, _first_paragraph),
    "a series part": (IBASHO, lambda p: _append(p, "\n次回は第2回です。\n")),
    "a link to another post": (IBASHO, lambda p: _append(p, "\n[6月の定例会](2024-06-17-teireikai-2024-06.md)も参照。\n")),
    "a post in a folder with photos": (PHOTO_POST, lambda p: _append(p, "\n写真の追記です。\n")),
}


@pytest.mark.parametrize("name", list(TEXT_EDITS))
def test_a_text_edit_is_patched_and_the_site_equals_a_clean_build(site, tmp_path, name):
    rel, change = TEXT_EDITS[name]
    cache, out = BuildCache(), tmp_path / "out"
    first = _build(site, out, cache)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    time.sleep(0.01)
    change(site / rel)
    result = _build(site, out, cache, changed={site / rel})
    assert "patch" in result.timings, "the text edit took the whole build"
    assert 0 < result.rendered < first.pages / 4
    assert result.markdown == 1
    assert_same_as_clean(site, out, tmp_path)
    rewritten = [p for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp]
    assert 0 < len(rewritten) <= result.rendered + 6  # pages, and at most the feeds and the calendar


def test_the_feed_entry_and_the_calendar_description_follow_the_text(site, tmp_path):
    event = site / "content/posts/2026-11-10-salon.md"  # an event without a 'summary:' of its own
    event.write_text("---\ntitle: ふれあいサロン\ndate: 2026-11-10 10:00\ncategory: event\n"
                     "event:\n  start: 2026-12-20 10:00\n  place: 集会所\n---\n\nお茶を飲みながら話しましょう。\n",
                     encoding="utf-8")
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    feed, calendar = (out / "feed.xml").read_bytes(), (out / "events.ics").read_bytes()
    _first_paragraph(event)
    result = _build(site, out, cache, changed={event})
    assert "patch" in result.timings
    assert "冒頭に書き加えた段落です".encode() in (out / "feed.xml").read_bytes() != feed
    assert "冒頭に書き加えた段落です".encode() in (out / "events.ics").read_bytes() != calendar
    assert_same_as_clean(site, out, tmp_path)


def test_patches_in_a_row_and_a_whole_build_after_them_stay_exact(site, tmp_path):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    for number in range(3):
        _append(site / TEIREIKAI, f"\n追記{number}です。\n")
        assert "patch" in _build(site, out, cache, changed={site / TEIREIKAI}).timings
    _append(site / FORUM, "\n別の投稿も直しました。\n")
    _append(site / TEIREIKAI, "\nさらに追記。\n")
    assert "patch" in _build(site, out, cache, changed={site / FORUM, site / TEIREIKAI}).timings
    assert_same_as_clean(site, out, tmp_path)
    edit(site / "templates/post.html", "</article>", "<p>テンプレートを変えました</p></article>")
    result = _build(site, out, cache, changed={site / "templates/post.html"})
    assert "patch" not in result.timings
    assert_same_as_clean(site, out, tmp_path)
    _append(site / TEIREIKAI, "\n最後の追記。\n")
    assert "patch" in _build(site, out, cache, changed={site / TEIREIKAI}).timings
    assert_same_as_clean(site, out, tmp_path)


def test_a_save_without_changes_and_an_editors_temporary_file_render_nothing(site, tmp_path):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    path = site / TEIREIKAI
    path.write_bytes(path.read_bytes())  # saved again, same bytes
    gone = site / "content/posts/4913"  # vim's probe file, created and deleted before the build
    result = _build(site, out, cache, changed={path, gone})
    assert "patch" in result.timings or result.rendered == 0
    assert result.rendered == 0 and result.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


MORE_THAN_TEXT = {
    "the title": lambda site: edit(site / TEIREIKAI, "title: 令和6年度 第2回定例会 会議録", "title: 6月定例会の会議録（改訂）"),
    "a tag": lambda site: edit(site / TEIREIKAI, "  - 民生委員\n", "  - 民生委員\n  - 見守り活動\n"),
    "a photo shown in the text": lambda site: _append(site / PHOTO_POST, "\n![公園の様子](kouen.jpg)\n"),
    "a new post": lambda site: (site / "content/posts/2026-11-01-shinki.md").write_text(
        "---\ntitle: 新しい報告\ndate: 2026-11-01 10:00\ncategory: event\n---\n\n本文です。\n", encoding="utf-8"),
    "a page": lambda site: _append(site / "content/pages/about.md", "\n追記の段落です。\n"),
}
CHANGED = {"the title": TEIREIKAI, "a tag": TEIREIKAI, "a photo shown in the text": PHOTO_POST,
           "a new post": "content/posts/2026-11-01-shinki.md", "a page": "content/pages/about.md"}


@pytest.mark.parametrize("name", list(MORE_THAN_TEXT))
def test_an_edit_that_is_more_than_text_takes_the_whole_build(site, tmp_path, name):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    time.sleep(0.01)
    MORE_THAN_TEXT[name](site)
    result = _build(site, out, cache, changed={site / CHANGED[name]})
    assert "patch" not in result.timings
    assert_same_as_clean(site, out, tmp_path)


def test_a_mistake_in_the_edited_text_is_reported_and_nothing_is_published(site, tmp_path):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    before = tree(out)
    _append(site / TEIREIKAI, "\n[前回](2024-01-01-no-such-post.md)\n")
    with pytest.raises(KatsudoError) as caught:
        _build(site, out, cache, changed={site / TEIREIKAI})
    error = caught.value.errors[0]
    assert error.path.name == Path(TEIREIKAI).name and error.line is not None
    assert tree(out) == before
    # Fixed: patched again (the failed build left no half-patched model behind).
    path = site / TEIREIKAI
    path.write_text(path.read_text(encoding="utf-8").replace("[前回](2024-01-01-no-such-post.md)", "前回の記録"),
                    encoding="utf-8")
    _build(site, out, cache, changed={path})
    assert_same_as_clean(site, out, tmp_path)
    _append(path, "\nもう一度。\n")
    assert "patch" in _build(site, out, cache, changed={path}).timings
    assert_same_as_clean(site, out, tmp_path)


def test_without_the_watchers_paths_the_build_is_whole(site, tmp_path):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    _append(site / TEIREIKAI, "\n追記です。\n")
    result = _build(site, out, cache)
    assert "patch" not in result.timings
    assert_same_as_clean(site, out, tmp_path)
    assert "追記です".encode() in (out / "posts/teireikai-2024-06/index.html").read_bytes()
