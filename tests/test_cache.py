"""The build cache (SITE/.katsudo-cache/build/) and parallel rendering: a build that reuses the
cache is byte-for-byte the build from scratch, for every kind of edit; a damaged cache is
ignored; --no-cache neither reads nor writes it; an unchanged rebuild writes nothing; and the
number of jobs never changes the output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import generator.cache
import generator.render
from generator.cache import CACHE_FOLDER, MAGIC, BuildCache

from conftest import SiteDir

SITE_YAML = """\
title: キャッシュ試験の会
base_url: https://example.org/minato/
per_page: 2
author: 事務局
search: false
categories:
  meeting: 会議・定例会
  workshop: 研修・ワークショップ
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def cached_site(tmp_path: Path) -> SiteDir:
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML)
    site.post("2024-04-20-teireikai.md", """
        title: 4月定例会
        date: 2024-04-20 19:00
        category: meeting
        tags: [地域福祉, 防災]
    """, "## 議題\n\n- 防災訓練について\n\n資料は[こちら](/files/shiryou.pdf)。\n")
    site.post("2024-05-18-kenshu.md", """
        title: 傾聴研修
        date: 2024-05-18 13:00
        category: workshop
        tags: [研修, 地域福祉]
    """, "傾聴の基本を学びました。前回は[4月定例会](2024-04-20-teireikai.md)です。\n")
    site.post("2024-06-17-rokugatsu.md", """
        title: 6月定例会
        date: 2024-06-17 19:00
        category: meeting
        tags: [防災]
    """, "見守り活動について話し合いました。\n\n| 議題 | 結論 |\n|---|---|\n| 見守り | 継続 |\n")
    site.post("2024-07-01-oshirase.md", """
        title: 夏のお知らせ
        date: 2024-07-01 10:00
        tags: [お知らせ]
    """, "夏休みの窓口について。外部の[案内](https://example.com/info)。\n")
    site.write("content/pages/about.md", "---\ntitle: 私たちについて\n---\n地域の会です。\n")
    site.write("content/files/shiryou.pdf", "%PDF-1.4 test\n")
    return site


def build(site: SiteDir, *args: str, out: Path | None = None):
    result = site.build("-o", str(out or site.public), *args)
    assert result.exit_code == 0, result.stderr
    return result


def assert_same_as_clean(site: SiteDir, tmp_path: Path) -> None:
    """The cached build's output equals a build from scratch, file by file and byte for byte."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(site, "--no-cache", out=clean)
    cached, fresh = snapshot(site.public), snapshot(clean)
    assert sorted(cached) == sorted(fresh)
    assert [name for name in fresh if cached[name] != fresh[name]] == []


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_body(site):
    _edit(site.root / "content/posts/2024-06-17-rokugatsu.md", "見守り活動", "地域の見守り活動")


def edit_title(site):
    _edit(site.root / "content/posts/2024-05-18-kenshu.md", "title: 傾聴研修", "title: 傾聴ボランティア研修")


def edit_date(site):
    _edit(site.root / "content/posts/2024-04-20-teireikai.md", "date: 2024-04-20", "date: 2024-08-20")


def add_tag(site):
    _edit(site.root / "content/posts/2024-07-01-oshirase.md", "tags: [お知らせ]", "tags: [お知らせ, 防災]")


def remove_tag(site):
    _edit(site.root / "content/posts/2024-04-20-teireikai.md", "tags: [地域福祉, 防災]", "tags: [地域福祉]")


def change_category(site):
    _edit(site.root / "content/posts/2024-06-17-rokugatsu.md", "category: meeting", "category: workshop")


def change_linked_slug(site):
    # Another post links to this one by file name: its link must follow the new address.
    _edit(site.root / "content/posts/2024-04-20-teireikai.md", "title: 4月定例会", "title: 4月定例会\nslug: april")


def add_post(site):
    site.post("2024-08-01-matsuri.md", """
        title: 福祉まつり
        date: 2024-08-01 10:00
        category: workshop
        tags: [地域福祉]
    """, "まつりを開きました。[4月の会](2024-04-20-teireikai.md)\n")


def delete_post(site):
    (site.root / "content/posts/2024-06-17-rokugatsu.md").unlink()


def make_draft(site):
    _edit(site.root / "content/posts/2024-07-01-oshirase.md", "title: 夏のお知らせ", "title: 夏のお知らせ\ndraft: true")


def change_linked_file(site):
    # The post links to this file: the size shown beside the link changes.
    (site.root / "content/files/shiryou.pdf").write_text("%PDF-1.4 a longer test file\n" * 40, encoding="utf-8")


def edit_page(site):
    _edit(site.root / "content/pages/about.md", "地域の会です。", "みなと地区の会です。")


def change_template(site):
    default = Path(generator.render.__file__).resolve().parent.parent / "templates" / "post.html"
    text = default.read_text(encoding="utf-8")
    site.write("templates/post.html", text.replace("</article>", "<p>テンプレート変更</p>\n</article>", 1)
               if "</article>" in text else text + "\n<!-- changed -->\n")


def change_strings(site):
    site.write("templates/strings/ja.yaml", "title_tags: タグの一覧\n")


def change_asset(site):
    site.write("assets/css/extra.css", "body { color: #222; }\n")


def change_config(site):
    _edit(site.root / "site.yaml", "title: キャッシュ試験の会", "title: キャッシュ試験の会（改）")


def change_per_page(site):
    _edit(site.root / "site.yaml", "per_page: 2", "per_page: 3")


EDITS = [edit_body, edit_title, edit_date, add_tag, remove_tag, change_category, change_linked_slug, add_post,
         delete_post, make_draft, change_linked_file, edit_page, change_template, change_strings, change_asset,
         change_config, change_per_page]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_a_cached_rebuild_after_an_edit_is_the_clean_build(cached_site, tmp_path, edit):
    build(cached_site)
    assert (cached_site.root / CACHE_FOLDER / "build" / "main.cache").is_file()
    edit(cached_site)
    build(cached_site)
    assert_same_as_clean(cached_site, tmp_path)


def test_several_edits_in_a_row_stay_exact(cached_site, tmp_path):
    build(cached_site)
    for edit in (edit_body, add_tag, add_post, change_template, remove_tag, delete_post, change_config):
        edit(cached_site)
        build(cached_site)
        assert_same_as_clean(cached_site, tmp_path)


def test_a_new_katsudo_version_invalidates_the_cache(cached_site, tmp_path, monkeypatch):
    build(cached_site)
    monkeypatch.setattr(generator.cache, "__version__", "99.0.0")
    monkeypatch.setattr(generator.render, "__version__", "99.0.0")
    result = build(cached_site, "-v")
    assert "Markdown of 5 posts and pages rendered" in result.stdout
    assert_same_as_clean(cached_site, tmp_path)
    assert b"katsudo 99.0.0" in (cached_site.public / "index.html").read_bytes()


def test_an_unchanged_rebuild_writes_nothing_and_keeps_every_file(cached_site):
    build(cached_site)
    before = stamps(cached_site.public)
    result = build(cached_site, "-v")
    assert "(0 files changed)" in result.stdout
    assert "Markdown of 0 posts and pages rendered, 0 HTML pages rendered" in result.stdout
    assert stamps(cached_site.public) == before


def test_an_edit_rewrites_only_the_files_it_changes(cached_site):
    build(cached_site)
    before = stamps(cached_site.public)
    edit_body(cached_site)
    build(cached_site)
    after = stamps(cached_site.public)
    changed = {name for name in after if after[name] != before.get(name)}
    assert "posts/rokugatsu/index.html" in changed
    assert "posts/kenshu/index.html" not in changed  # another post, untouched
    assert "about/index.html" not in changed and "assets/css/style.css" not in changed
    assert len(changed) < len(after) / 2


def test_deleting_the_cache_means_a_cold_build_with_the_same_site(cached_site, tmp_path):
    build(cached_site)
    first = snapshot(cached_site.public)
    shutil.rmtree(cached_site.root / CACHE_FOLDER)
    result = build(cached_site, "-v")
    assert "Markdown of 5 posts and pages rendered" in result.stdout
    assert snapshot(cached_site.public) == first


def _cache_files(site: SiteDir) -> list[Path]:
    return sorted((site.root / CACHE_FOLDER / "build").glob("*.cache"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage" * 100)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _bad_pickle_good_checksum(path: Path) -> None:
    # A well-formed header whose checksum matches a payload that is not a pickle at all.
    import hashlib

    payload = b"not a pickle"
    digest = hashlib.blake2b(payload, digest_size=32).hexdigest()
    path.write_bytes(MAGIC + f"{generator.cache.FORMAT} {generator.cache.__version__} {len(payload)} {digest}\n".encode()
                     + payload)


DAMAGE = [_truncate, _flip_a_byte, _garbage, _empty, _bad_pickle_good_checksum]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__.strip("_") for d in DAMAGE])
def test_a_damaged_cache_is_ignored_never_a_crash_or_a_wrong_site(cached_site, tmp_path, damage):
    build(cached_site)
    edit_title(cached_site)  # the damaged cache holds the old title: it must not come back
    for path in _cache_files(cached_site):
        damage(path)
    result = build(cached_site, "-v")
    assert "damaged or outdated cache files ignored" in result.stdout
    assert_same_as_clean(cached_site, tmp_path)
    # ...and the next build has a sound cache again.
    assert BuildCache.open(cached_site.root).stats.cache_files_ignored == 0


def test_one_damaged_shard_is_ignored_alone(cached_site, tmp_path):
    build(cached_site)
    shards = [p for p in _cache_files(cached_site) if p.name.startswith("posts-")]
    assert shards
    _flip_a_byte(shards[0])
    assert BuildCache.open(cached_site.root).stats.cache_files_ignored == 1
    edit_body(cached_site)
    build(cached_site)
    assert_same_as_clean(cached_site, tmp_path)


def test_no_cache_neither_reads_nor_writes_it(cached_site, tmp_path):
    import dataclasses

    build(cached_site, "--no-cache")
    assert not (cached_site.root / CACHE_FOLDER / "build").exists()
    build(cached_site)
    # Poison the cache: a build that read it would publish the poisoned Markdown.
    cache = BuildCache.open(cached_site.root)
    cache.extra.pop("fast")  # (else the unchanged rebuild would not even look at the Markdown)
    cache._pages_dirty = True
    for path, (key, rendered) in list(cache.markdown.items()):
        cache.store_markdown(path, key, dataclasses.replace(rendered, html="<p>POISON</p>"))
    cache.save()
    saved = {p.name: p.read_bytes() for p in _cache_files(cached_site)}
    shutil.rmtree(cached_site.public)
    result = build(cached_site, "--no-cache", "-v")
    assert "Markdown of 5 posts and pages rendered" in result.stdout
    assert not any(b"POISON" in data for data in snapshot(cached_site.public).values())
    edit_body(cached_site)
    build(cached_site, "--no-cache")
    assert {p.name: p.read_bytes() for p in _cache_files(cached_site)} == saved
    assert_same_as_clean(cached_site, tmp_path)
    # (The poison was real: a build that reads the cache shows it for the unchanged posts.)
    build(cached_site)
    assert any(b"POISON" in data for data in snapshot(cached_site.public).values())


def test_a_hand_edited_output_file_is_rendered_again(cached_site, tmp_path):
    build(cached_site)
    page = cached_site.public / "posts/kenshu/index.html"
    page.write_bytes(b"edited by hand")
    build(cached_site)
    assert page.read_bytes() != b"edited by hand"
    assert_same_as_clean(cached_site, tmp_path)


def test_a_build_into_another_folder_renders_what_is_not_there(cached_site, tmp_path):
    build(cached_site)
    other = tmp_path / "other"
    build(cached_site, out=other)
    assert snapshot(other) == snapshot(cached_site.public)


def test_the_in_memory_cache_of_katsudo_serve_still_works(cached_site, tmp_path):
    from datetime import datetime, timezone

    from generator.build import BuildOptions, build as build_site
    from generator.report import Reporter

    cache = BuildCache()
    options = BuildOptions(cached_site.root, cached_site.public, datetime(2026, 11, 22, tzinfo=timezone.utc))
    build_site(options, Reporter(quiet=True), cache)
    edit_body(cached_site)
    build_site(options, Reporter(quiet=True), cache)
    assert cache.stats.markdown_rendered == 1
    assert 0 < cache.stats.pages_rendered < 10
    assert not (cached_site.root / CACHE_FOLDER / "build").exists()  # in memory only
    assert_same_as_clean(cached_site, tmp_path)


def test_jobs_1_and_jobs_2_write_the_same_site(tmp_path):
    site = SiteDir(tmp_path / "many")
    site.write("site.yaml", SITE_YAML)
    for i in range(160):  # enough posts and pages that two workers really run
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        site.post(f"{day}-post-{i:03d}.md", f"""
            title: 第{i}回の報告
            date: {day} {10 + i % 9}:00
            category: {"meeting" if i % 2 else "workshop"}
            tags: [タグ{i % 7}, 地域福祉]
        """, f"## 報告{i}\n\n本文 {i} です。\n\n- 項目\n- 項目 {i}\n")
    one, two = tmp_path / "one", tmp_path / "two"
    build(site, "--no-cache", "--jobs", "1", out=one)
    result = build(site, "--no-cache", "--jobs", "2", "-v", out=two)
    assert "2 jobs" in result.stdout
    assert snapshot(one) == snapshot(two)
    # ...and a cached rebuild on two jobs after an edit is still the clean build.
    build(site, "--jobs", "2")
    _edit(site.root / "content/posts/2024-03-03-post-002.md", "本文 2 です。", "本文 2 を直しました。")
    build(site, "--jobs", "2")
    assert_same_as_clean(site, tmp_path)


def test_the_search_index_is_kept_on_an_unchanged_rebuild(cached_site):
    _edit(cached_site.root / "site.yaml", "search: false", "search: true")
    build(cached_site)
    index = cached_site.public / "pagefind" / "pagefind.js"
    assert index.is_file()
    before = stamps(cached_site.public)
    result = build(cached_site, "-v")
    assert "(0 files changed)" in result.stdout
    assert stamps(cached_site.public) == before


def test_a_cache_file_is_written_atomically(cached_site):
    build(cached_site)
    leftovers = [p for p in (cached_site.root / CACHE_FOLDER / "build").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert all(p.read_bytes().startswith(MAGIC) for p in _cache_files(cached_site))
    assert os.access(cached_site.root / CACHE_FOLDER / "build" / "main.cache", os.R_OK)


def _rendered(result) -> int:
    import re

    return int(re.search(r"(\d+) HTML pages rendered", result.stdout).group(1))


def test_adding_a_post_renders_only_the_pages_that_show_it(cached_site, tmp_path):
    # The post counts of the categories are in `site`, but the default theme never shows them:
    # pages are keyed on what the templates read, so pages that do not list posts are kept.
    import re

    build(cached_site)
    before = stamps(cached_site.public)
    add_post(cached_site)
    result = build(cached_site, "-v")
    total = int(re.search(r"built \d+ posts, (\d+) pages", result.stdout).group(1))
    assert 0 < _rendered(result) < total
    after = stamps(cached_site.public)
    for kept in ("about/index.html", "404.html", "search/index.html", "posts/rokugatsu/index.html"):
        assert after[kept] == before[kept], kept
    assert_same_as_clean(cached_site, tmp_path)


def test_a_template_that_reads_more_of_site_is_rendered_again_when_that_changes(cached_site, tmp_path):
    default = Path(generator.render.__file__).resolve().parent.parent / "templates" / "404.html"
    cached_site.write("templates/404.html", default.read_text(encoding="utf-8").replace(
        "{% block content %}", "{% block content %}<p>{% for c in site.categories %}{{ c.label }}={{ c.count }} {% endfor %}</p>", 1))
    build(cached_site)
    assert b"=2" in (cached_site.public / "404.html").read_bytes()
    add_post(cached_site)  # a workshop: that category's count changes
    build(cached_site)
    assert_same_as_clean(cached_site, tmp_path)
    assert "=3" in (cached_site.public / "404.html").read_text(encoding="utf-8") or \
        "=2" in (cached_site.public / "404.html").read_text(encoding="utf-8")


def test_a_change_to_one_template_renders_only_the_pages_that_use_it(cached_site, tmp_path):
    first = build(cached_site, "-v")
    change_template(cached_site)  # post.html: post pages only
    result = build(cached_site, "-v")
    assert _rendered(result) == 4  # the four posts
    assert _rendered(first) > 10
    assert_same_as_clean(cached_site, tmp_path)


def _related_reference(site, entry, limit):
    """The ranking as first written (every post of every shared tag): the specification."""
    from collections import Counter

    from generator.urls import tag_key

    keys = {tag_key(name) for name in entry.post.meta.tags}
    shared, others = Counter(), {}
    for group in site.tags:
        if group.key in keys:
            for other in group.entries:
                if other.route != entry.route:
                    shared[other.route] += 1
                    others[other.route] = other
    category = entry.post.meta.category

    def rank(route):
        other = others[route]
        same = category is not None and other.post.meta.category == category
        return (-shared[route], not same, -other.post.meta.date.timestamp(), other.post.slug)

    return tuple(others[route] for route in sorted(shared, key=rank)[:limit])


@pytest.mark.parametrize("subset_tags", [1, 2, 4])
def test_related_posts_without_quadratic_work_rank_as_the_reference(tmp_path, monkeypatch, subset_tags):
    import random

    import generator.model
    from generator.config import load_config
    from generator.markdown import Rendered
    from generator.model import build_site, related_entries
    from generator.posts import load_posts
    from generator.sources import discover

    monkeypatch.setattr(generator.model, "SUBSET_TAGS", subset_tags)  # 1, 2: the tag-pair path too
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML)
    rng = random.Random(7)
    for i in range(90):
        tags = rng.sample(["地域福祉", "防災", "研修", "見守り", "子ども", "高齢者", "広報", "ボランティア"], rng.randint(0, 6))
        category = rng.choice(["meeting", "workshop", None, None])
        day = f"2024-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}"
        site.post(f"{day}-p{i:02d}.md", f"title: 報告{i}\ndate: {day} {10 + i % 3}:00\n"
                  + (f"category: {category}\n" if category else "") + f"tags: [{', '.join(tags)}]\n")
    config = load_config(site.root)
    posts, errors = load_posts(config, discover(config.content_dir).sources)
    assert not errors
    built = build_site(config, posts, {p.source: Rendered("", "", "") for p in posts}, ())
    for entry in built.posts:
        for limit in (1, 3, 10):
            assert [e.route for e in related_entries(built, entry, limit)] == \
                [e.route for e in _related_reference(built, entry, limit)]


def _age_inputs(site: SiteDir, seconds: int = 60) -> None:
    """Date every input file back (as if edited a while ago): only then is a stamp trusted."""
    past = __import__("time").time() - seconds
    for path in [site.root / "site.yaml", *site.root.joinpath("content").rglob("*"),
                 *(site.root / "templates").rglob("*")]:
        if path.is_file():
            os.utime(path, (past, past))


def test_an_unchanged_rebuild_stops_before_parsing_anything(cached_site, tmp_path):
    _age_inputs(cached_site)
    build(cached_site)
    before = stamps(cached_site.public)
    result = build(cached_site, "-v")
    assert "content" not in result.stdout and "(0 files changed)" in result.stdout  # only 'config' ran
    assert stamps(cached_site.public) == before
    # Any change to an input, an option or the output folder means a real build again.
    edit_body(cached_site)
    _age_inputs(cached_site)
    assert "content" in build(cached_site, "-v").stdout
    assert_same_as_clean(cached_site, tmp_path)
    (cached_site.public / "posts/kenshu/index.html").unlink()
    assert "content" in build(cached_site, "-v").stdout
    assert_same_as_clean(cached_site, tmp_path)
    assert "content" in build(cached_site, "-v", "--drafts").stdout
    build(cached_site)
    assert "content" not in build(cached_site, "-v").stdout
    # A file someone added to the published folder, beside a page or in a folder of its own, is
    # seen (by its folder's stamp) and gone after the rebuild, as from a clean build.
    for stray in ("posts/kenshu/stray.html", "new-folder/deeper/stray.txt"):
        (cached_site.public / stray).parent.mkdir(parents=True, exist_ok=True)
        (cached_site.public / stray).write_text("not katsudo's")
        assert "content" in build(cached_site, "-v").stdout
        assert not (cached_site.public / stray).exists()
        assert_same_as_clean(cached_site, tmp_path)


def test_an_unchanged_rebuild_still_publishes_a_post_whose_time_has_come(cached_site, tmp_path):
    cached_site.post("2026-12-24-kurisumasu.md", """
        title: クリスマス会のお知らせ
        date: 2026-12-24 10:00
        tags: [お知らせ]
    """)
    _age_inputs(cached_site)
    build(cached_site)
    build(cached_site)
    assert not (cached_site.public / "posts/kurisumasu").exists()
    from conftest import run_cli

    later = run_cli("build", "-s", str(cached_site.root), "-v", env={"KATSUDO_NOW": "2026-12-25 09:00"})
    assert later.exit_code == 0, later.stderr
    assert "content" in later.stdout
    assert (cached_site.public / "posts/kurisumasu/index.html").is_file()


def test_a_build_prints_no_progress_bar_when_stderr_is_not_a_terminal(cached_site):
    result = build(cached_site)
    assert "[" not in result.stderr and "%" not in result.stderr
    assert result.stdout.startswith("built ")


def test_the_progress_bar_appears_on_a_terminal_once_a_build_runs_long(monkeypatch):
    import io

    import generator.progress
    from generator.progress import TerminalProgress, progress_for

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert type(progress_for(io.StringIO())).__name__ == "Progress"  # a pipe: nothing
    stream = Terminal()
    progress = progress_for(stream)
    assert isinstance(progress, TerminalProgress)
    progress.stage("pages", 100)
    progress.advance(10)
    assert stream.getvalue() == ""  # under a second in: nothing yet
    monkeypatch.setattr(generator.progress, "SHOW_AFTER", 0.0)
    progress.advance(40)
    progress.finish()
    assert "pages" in stream.getvalue() and "%" in stream.getvalue()


# --------------------------------------------------------------------------- stamps kept in their pickle

def test_stamps_read_from_their_pickle_with_changes_beside_it(tmp_path: Path, monkeypatch):
    import pickle

    from generator.cache import Stamps, output_stamps, restamped

    out = tmp_path / "out"
    for name in ("index.html", "a/index.html", "a/b/index.html", "gone.html"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(name, encoding="utf-8")
    taken = output_stamps(out)
    loaded = pickle.loads(pickle.dumps(Stamps.of(taken)))
    assert loaded._table is None  # (still pickled)
    assert loaded == taken and dict(loaded.items()) == taken

    os.utime(out / "a/b/index.html", ns=(1, 1))
    (out / "gone.html").unlink()
    (out / "a/new.html").write_text("new", encoding="utf-8")
    loaded = pickle.loads(pickle.dumps(Stamps.of(taken)))
    patched = restamped(loaded, out, ["a/b/index.html", "gone.html", "a/new.html"])
    assert patched._table is None and loaded._table is None  # neither read to be changed
    again = pickle.loads(pickle.dumps(patched))
    assert again._table is None
    assert again == output_stamps(out)  # the file's, its folders' and the removed file's stamps
    assert "gone.html" not in again and again["a/b/index.html"][1] == 1

    monkeypatch.setattr(Stamps, "FOLD", 1)  # many changes: folded into a new pickle when saved
    folded = pickle.loads(pickle.dumps(restamped(loaded, out, ["a/b/index.html", "gone.html", "a/new.html"])))
    assert folded._changes == {} and folded == output_stamps(out)


def test_a_forgotten_page_is_rendered_again_by_the_next_whole_build(site: SiteDir):
    import re

    def rendered_after_adding(name: str) -> int:
        site.write(f"content/files/{name}", "資料")  # (a new file: a whole build, the pages unchanged)
        result = site.build("-v")
        assert result.exit_code == 0, result.stderr
        return int(re.search(r"(\d+) HTML pages rendered", result.stdout).group(1))

    site.build()
    assert rendered_after_adding("a.txt") == 0
    cache = BuildCache.open(site.root, lazy=True)
    assert cache._pages_pickled is not None  # (not read: a text patch does not need the table)
    cache.forget_page("index.html")
    cache.forget_page("tags/index.html")
    cache.save()
    reopened = BuildCache.open(site.root)
    assert "index.html" not in reopened.pages and "tags/index.html" not in reopened.pages
    assert "archive/index.html" in reopened.pages
    assert rendered_after_adding("b.txt") == 2
    assert rendered_after_adding("c.txt") == 0
