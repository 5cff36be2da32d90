"""`katsudo serve`: the live preview as editors use it.

- Incremental rebuilds through the in-process BuildCache are byte-identical to a clean build,
  for every kind of change an editor makes, and a post edit re-renders only the pages showing it.
- The file watcher: swap and backup files are ignored, a burst of saves is one rebuild.
- `python -m generator serve` in a subprocess on a free port: edits, atomic saves, renames and
  deletions show on the served pages; a broken save is reported as PATH:LINE and the last good
  build stays served; Ctrl-C stops cleanly and leaves no temporary folder.
- The server: MIME types and charset, index.html, Japanese paths, the site's 404 page, the
  base_url sub-path, path traversal refused, no directory listings.
- In real headless Chromium: the page reloads itself after a save, shows the error overlay on a
  broken save until it is fixed, and a CSS-only change swaps the stylesheet without a reload.

Everything that waits on the server polls with a deadline (a loaded 2-core CI machine can take
seconds to rebuild); no fixed sleep decides a result.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from browsing import needs_chromium
from conftest import NOW, REPO, build_example
from waiting import atomic_save, wait_until
from generator import watch
from generator.build import BuildOptions, build
from generator.cache import BuildCache
from generator.report import Reporter

TIMEOUT = 15.0  # seconds any single wait may take before the test fails

# Posts of the example site the tests change. TEIREIKAI is linked from no other post, so
# renaming or deleting OYAKO leaves no broken link behind.
TEIREIKAI = "content/posts/2024-06-17-teireikai-2024-06.md"
TEIREIKAI_URL = "/minato/posts/teireikai-2024-06/"
TEIREIKAI_TITLE = "令和6年度 第2回定例会 会議録"
OYAKO = "content/posts/2025-07-01-oyako-hiroba.md"
OYAKO_SLUG = "oyako-hiroba"
BROKEN_TITLE_LINE = "title：令和6年度 第2回定例会 会議録"  # a full-width colon: the commonest mistake


def copy_example_site(dest: Path) -> Path:
    """The repository's example site (content, theme, site.yaml) as a site an editor can change."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy2(REPO / "site.yaml", dest / "site.yaml")
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# =========================================================================== incremental == clean

BUILD_MOMENT = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # conftest.NOW


def _body(site: Path) -> None:
    path = site / TEIREIKAI
    path.write_text(path.read_text(encoding="utf-8") + "\n## 追記\n\n次回は7月15日です。\n", encoding="utf-8")


def _rename(site: Path) -> None:
    (site / OYAKO).rename(site / "content/posts/2025-07-02-natsu-hiroba.md")


def _add(site: Path) -> None:
    (site / "content/posts/2026-11-01-shinki-houkoku.md").write_text(
        "---\ntitle: 新しい報告\ndate: 2026-11-01 10:00\ncategory: event\ntags: [防災, 新しいタグ]\n---\n\n"
        "本文です。[6月の定例会](2024-06-17-teireikai-2024-06.md)を受けて開きました。\n", encoding="utf-8")


CHANGES = {
    "post body": _body,
    "title": lambda site: edit(site / TEIREIKAI, f"title: {TEIREIKAI_TITLE}", "title: 6月定例会の会議録（改訂）"),
    "tags": lambda site: edit(site / TEIREIKAI, "  - 民生委員\n", "  - 民生委員\n  - 見守り活動\n"),
    "category": lambda site: edit(site / TEIREIKAI, "category: meeting", "category: workshop"),
    "date": lambda site: edit(site / TEIREIKAI, "date: 2024-06-17 19:00", "date: 2025-01-20 19:00"),
    "add post": _add,
    "delete post": lambda site: (site / OYAKO).unlink(),
    "rename post": _rename,
    "page": lambda site: (site / "content/pages/about.md").open("a", encoding="utf-8").write("\n追記の段落です。\n"),
    "photo in a post folder": lambda site: shutil.copyfile(site / "content/posts/2025-11-08-shashin-houkoku/kouen.jpg",
                                                           site / "content/posts/2025-11-08-shashin-houkoku/workshop.jpg"),
    "template": lambda site: edit(site / "templates/post.html", "</article>", "<p>テンプレートを変えました</p></article>"),
    "partial template": lambda site: edit(site / "templates/partials/post_card.html", "</article>",
                                          "<p>カードを変えました</p></article>"),
    "asset css": lambda site: (site / "assets/css/style.css").open("a", encoding="utf-8").write(
        "\n.katsudo-test { color: rgb(1, 2, 3); }\n"),
    "ui strings": lambda site: edit(site / "templates/strings/ja.yaml", "title_tags: タグ一覧", "title_tags: タグの一覧"),
    "site.yaml": lambda site: edit(site / "site.yaml", "per_page: 5", "per_page: 3"),
}


def _build(site: Path, out: Path, cache: BuildCache | None):
    return build(BuildOptions(site, out, BUILD_MOMENT, search_index=False), Reporter(quiet=True), cache)


@pytest.fixture
def example_copy(tmp_path) -> Path:
    return copy_example_site(tmp_path / "site")


@pytest.mark.parametrize("change", list(CHANGES))
def test_incremental_rebuild_is_byte_identical_to_a_clean_build(example_copy, tmp_path, change):
    site, cache = example_copy, BuildCache()
    incremental = tmp_path / "incremental"
    _build(site, incremental, cache)
    before = tree(incremental)
    # The cache keys posts by file stamps: make sure the edit lands in a later clock tick.
    time.sleep(0.01)
    CHANGES[change](site)
    _build(site, incremental, cache)
    _build(site, tmp_path / "clean", None)
    after, clean = tree(incremental), tree(tmp_path / "clean")
    assert after != before, "the change did not show in the incremental build at all"
    assert sorted(after) == sorted(clean), "the incremental build has other files than a clean build"
    differing = [name for name in clean if after[name] != clean[name]]
    assert differing == [], f"incremental output differs from a clean build in {differing[:5]}"


def test_a_post_edit_rerenders_only_the_pages_that_show_the_post(example_copy, tmp_path):
    site, cache = example_copy, BuildCache()
    out = tmp_path / "out"
    first = _build(site, out, cache)
    keys = {file: key for file, (key, _) in cache.pages.items()}
    time.sleep(0.01)
    _body(site)
    _build(site, out, cache)
    rerendered = {file for file, (key, _) in cache.pages.items() if keys.get(file) != key}
    # A page shows the post when it links to it (lists) or carries its text (the annual report).
    showing = {name for name, data in tree(out).items()
               if name.endswith(".html") and (TEIREIKAI_URL.encode() in data or "次回は7月15日です".encode() in data)}
    assert "posts/teireikai-2024-06/index.html" in rerendered
    assert rerendered <= showing, f"re-rendered pages that do not show the post: {sorted(rerendered - showing)}"
    assert cache.stats.pages_rendered == len(rerendered) < first.pages / 2


def test_an_unchanged_rebuild_renders_nothing(example_copy, tmp_path):
    cache = BuildCache()
    _build(example_copy, tmp_path / "out", cache)
    _build(example_copy, tmp_path / "out", cache)
    assert (cache.stats.posts_loaded, cache.stats.markdown_rendered, cache.stats.pages_rendered) == (0, 0, 0)


def test_deleting_a_linked_post_is_an_error_in_the_post_linking_to_it_until_restored(example_copy, tmp_path):
    from generator.errors import KatsudoError

    site, cache, out = example_copy, BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    linked = site / "content/posts/2024-09-12-ibasho-1.md"
    text = linked.read_text(encoding="utf-8")
    linked.unlink()
    with pytest.raises(KatsudoError) as raised:
        _build(site, out, cache)
    assert [(e.path.name, e.line is not None) for e in raised.value.errors] == [("2024-10-10-ibasho-2.md", True)]
    assert (out / "posts/ibasho-1/index.html").is_file(), "the last good build stays"
    linked.write_text(text, encoding="utf-8")
    _build(site, out, cache)
    _build(site, tmp_path / "clean", None)
    assert tree(out) == tree(tmp_path / "clean")


# =========================================================================== which files count

@pytest.mark.parametrize("rel, counts", [
    ("content/posts/2024-06-17-teireikai.md", True),
    ("content/posts/2025-02-15-bousai/photo.jpg", True),
    ("templates/post.html", True),
    ("assets/css/style.css", True),
    ("site.yaml", True),
    ("content/posts/.2024-06-17-teireikai.md.swp", False),  # vim
    ("content/posts/2024-06-17-teireikai.md~", False),  # vim/emacs backup
    ("content/posts/.#2024-06-17-teireikai.md", False),  # emacs lock
    ("content/posts/#2024-06-17-teireikai.md#", False),  # emacs auto-save
    ("content/posts/4913", False),  # vim's "can I write here" probe
    ("content/posts/.goutputstream-ABC123", False),  # gedit's temporary file before the rename
    ("public/index.html", False),  # the preview's own output inside the site
    (".public.katsudo-new-123/index.html", False),
    ("README.md", False),
])
def test_only_source_files_trigger_a_rebuild(tmp_path, rel, counts):
    assert watch.is_source_path(tmp_path, tmp_path / rel) is counts


def test_a_burst_of_saves_is_one_rebuild_and_swap_files_are_ignored(tmp_path, monkeypatch):
    # A generous quiet period, so that a slow CI machine cannot split the burst by accident.
    monkeypatch.setattr(watch, "DEBOUNCE_SECONDS", 0.5)
    site = copy_example_site(tmp_path / "site")
    calls: queue.Queue[set[Path]] = queue.Queue()
    watcher = watch.Watcher(site, calls.put)
    watcher.start()
    try:
        post = site / TEIREIKAI
        posts = post.parent
        # vim: probe file, swap file, backup; then the real write. emacs: lock file. Others: temp + rename.
        (posts / "4913").write_text("")
        (posts / "4913").unlink()
        (posts / f".{post.name}.swp").write_bytes(b"b0VIM 9.0")
        shutil.copy(post, posts / f"{post.name}~")
        (posts / f".#{post.name}").write_text("editor@host.1234")
        atomic_save(post, post.read_text(encoding="utf-8") + "\n追記です。\n")
        edit(site / "templates/post.html", "</article>", "<!-- x --></article>")
        first = calls.get(timeout=TIMEOUT)
        # A sentinel save after the first rebuild: if the burst had been split, its leftovers
        # would come before (or with) the sentinel.
        sentinel = site / "assets/css/style.css"
        sentinel.write_text(sentinel.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        second = calls.get(timeout=TIMEOUT)
    finally:
        watcher.stop()
    assert {p.resolve() for p in first} == {post.resolve(), (site / "templates/post.html").resolve()}
    assert {p.resolve() for p in second} == {sentinel.resolve()}


def test_the_watcher_survives_a_failing_rebuild_and_watches_a_folder_made_later(tmp_path, capsys):
    site = copy_example_site(tmp_path / "site")
    shutil.rmtree(site / "assets")  # a site using the theme's assets, until it gets its own
    calls: queue.Queue[set[Path]] = queue.Queue()

    def on_change(paths: set[Path]) -> None:
        calls.put(paths)
        if calls.qsize() == 1:
            raise RuntimeError("a bug in one rebuild")

    watcher = watch.Watcher(site, on_change)
    watcher.start()
    try:
        edit(site / TEIREIKAI, "## 日時", "## 日時と場所")
        assert {p.resolve() for p in calls.get(timeout=TIMEOUT)} == {(site / TEIREIKAI).resolve()}
        css = site / "assets" / "css" / "style.css"
        css.parent.mkdir(parents=True)
        wait_until(lambda: calls.qsize() or None, "the new assets/ folder to be noticed")
        calls.get()
        # Files saved in the new folder from now on are seen too.
        css.write_text("body { color: black; }\n", encoding="utf-8")
        seen: set[Path] = set()
        wait_until(lambda: seen.update(p.resolve() for p in calls.get(timeout=TIMEOUT)) or css.resolve() in seen,
                   "the stylesheet in the new folder")
    finally:
        watcher.stop()
    assert "RuntimeError: a bug in one rebuild" in capsys.readouterr().err


def test_a_file_vanishing_during_a_rebuild_is_built_again(tmp_path, monkeypatch):
    import generator.build

    site = copy_example_site(tmp_path / "site")
    session = watch.PreviewSession(site, tmp_path / "preview" / "site", lambda: BUILD_MOMENT, Reporter(quiet=True))
    real_load_posts, attempts = generator.build.load_posts, []

    def load_posts_while_a_file_is_renamed(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise FileNotFoundError(2, "No such file or directory", str(site / OYAKO))
        return real_load_posts(*args, **kwargs)

    monkeypatch.setattr(generator.build, "load_posts", load_posts_while_a_file_is_renamed)
    result = session.rebuild()
    assert result.ok and len(attempts) == 2
    assert session.live.state() == {"build": 1, "errors": []}


def test_a_save_is_rebuilt_while_the_search_index_is_still_running(tmp_path, monkeypatch):
    """Pagefind takes seconds on a big site; a save made meanwhile must not wait for it, and the
    index that finally lands in the preview is the newest build's."""
    from browsing import serving
    from generator import preview_index

    release, runs = tmp_path / "release", tmp_path / "runs"
    # A slow Pagefind: notes the folder it was given, waits to be released, writes its "index".
    slow = tmp_path / "slow_pagefind.py"
    slow.write_text(
        "import pathlib, sys, time\n"
        f"runs, release = pathlib.Path({str(runs)!r}), pathlib.Path({str(release)!r})\n"
        "with runs.open('a') as log: log.write(sys.argv[1] + '\\n')\n"
        "while not release.exists(): time.sleep(0.01)\n"
        "(pathlib.Path(sys.argv[1]) / 'pagefind').mkdir()\n"
        "count = len(runs.read_text().splitlines())\n"
        "(pathlib.Path(sys.argv[1]) / 'pagefind' / 'pagefind.js').write_text(f'index run {count}')\n",
        encoding="utf-8")
    monkeypatch.setattr(preview_index, "pagefind_command", lambda folder, language: [sys.executable, str(slow),
                                                                                      str(folder)])
    site = copy_example_site(tmp_path / "site")
    out = tmp_path / "preview" / "site"
    session = watch.PreviewSession(site, out, lambda: BUILD_MOMENT, Reporter(quiet=True), language="ja", search=True)
    try:
        assert session.rebuild().ok
        wait_until(runs.is_file, "the first build's index run")
        _body(site)
        second = threading.Thread(target=session.rebuild, args=({site / TEIREIKAI},))
        second.start()
        second.join(TIMEOUT)
        assert not second.is_alive(), "the rebuild waited for the search index"
        assert "次回は7月15日です" in (out / "posts/teireikai-2024-06/index.html").read_text(encoding="utf-8")
        assert Path(runs.read_text().split()[0]) != out, "Pagefind must work on a snapshot, not on the served folder"
        release.touch()
        with serving(out, "/minato/", session.live) as url:
            def served() -> str | None:
                try:
                    with urllib.request.urlopen(url + "pagefind/pagefind.js", timeout=TIMEOUT) as response:
                        return response.read().decode("utf-8")
                except urllib.error.HTTPError:
                    return None
            wait_until(lambda: served() == "index run 2", "the newest build's index to be served")
    finally:
        release.touch()
        session.close()
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"], "index work folders are left behind"


# =========================================================================== the serve subprocess

@dataclass
class Preview:
    """`python -m generator serve` running in a subprocess, with what it printed so far."""

    process: subprocess.Popen
    site: Path
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    url: str = ""  # e.g. http://127.0.0.1:41234/minato/

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname

    @property
    def port(self) -> int:
        return urlsplit(self.url).port

    def rebuilds(self) -> list[str]:
        return [line for line in self.stdout if line.startswith("rebuilt ")]

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One request with the raw path (no client-side normalisation of '..' or '%2e')."""
        host = "127.0.0.1" if self.host == "0.0.0.0" else self.host
        connection = http.client.HTTPConnection(host, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, f"{path}: {status}"
        return body.decode("utf-8")

    def state(self) -> dict:
        return json.loads(self.get("/__katsudo/state")[2])

    def wait_for_rebuild(self, count_before: int, what: str) -> str:
        """The next 'rebuilt …' line after `count_before` of them, or the test fails."""
        wait_until(lambda: len(self.rebuilds()) > count_before or self.process.poll() is not None, what)
        assert self.process.poll() is None, "the server stopped:\n" + "\n".join(self.stderr)
        return self.rebuilds()[count_before]

    def stop(self) -> int:
        """Ctrl-C, as an editor stops it; killed only if it does not stop by itself."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _pump(stream, lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


def start_preview(site: Path, *args: str, env: dict[str, str] | None = None) -> Preview:
    """Start the preview in `site` (as `make serve` does, from the site folder) and wait for its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "-s", ".", "--port", "0", *args],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "KATSUDO_NOW": NOW, "PYTHONUNBUFFERED": "1", **(env or {})})
    preview = Preview(process, site)
    for stream, lines in ((process.stdout, preview.stdout), (process.stderr, preview.stderr)):
        threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
    try:
        line = wait_until(lambda: next((l for l in preview.stdout if l.startswith("previewing at ")), None)
                          or process.poll() is not None, "the server to start", timeout=60)
        assert process.poll() is None, "serve exited:\n" + "\n".join(preview.stdout + preview.stderr)
        preview.url = line.split()[2]
    except BaseException:
        preview.stop()
        raise
    return preview


@pytest.fixture
def preview(tmp_path):
    """The example site served from a preview folder (-o) the test can also look into."""
    site = copy_example_site(tmp_path / "site")
    running = start_preview(site, "-o", str(tmp_path / "preview" / "site"))
    yield running
    assert running.stop() == 0, "\n".join(running.stderr)
    leftovers = sorted(p.name for p in (tmp_path / "preview").iterdir())
    assert leftovers == ["site"], f"serve left work folders beside its preview: {leftovers}"


def page_links_to(preview: Preview, path: str, slug: str) -> bool:
    return f"/minato/posts/{slug}/" in preview.text(path)


def test_first_build_is_reported_and_the_site_is_served_under_its_base_path(preview):
    assert re.fullmatch(r"rebuilt \d+ pages in \d+ ms \(first build\)", preview.rebuilds()[0])
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/minato/", preview.url)
    assert TEIREIKAI_TITLE in preview.text(TEIREIKAI_URL)


def test_a_saved_post_is_rebuilt_and_served_with_one_line_in_the_terminal(preview):
    before = len(preview.rebuilds())
    post = preview.site / TEIREIKAI
    atomic_save(post, post.read_text(encoding="utf-8").replace(TEIREIKAI_TITLE, "6月定例会の会議録（改訂）"))
    line = preview.wait_for_rebuild(before, "the rebuild after saving the post")
    assert re.fullmatch(r"rebuilt \d+ pages in \d+ ms \(content/posts/2024-06-17-teireikai-2024-06\.md\)", line), line
    assert "6月定例会の会議録（改訂）" in preview.text(TEIREIKAI_URL)
    assert "6月定例会の会議録（改訂）" in preview.text("/minato/archive/2024/06/")
    # Search keeps working in the preview: the index comes back after the rebuild.
    wait_until(lambda: preview.get("/minato/pagefind/pagefind.js")[0] == 200, "the search index")
    assert preview.stderr == []


def test_swap_and_backup_files_never_trigger_a_rebuild(preview):
    posts = preview.site / "content/posts"
    before = len(preview.rebuilds())
    for name in (".2024-06-17-teireikai-2024-06.md.swp", "2024-06-17-teireikai-2024-06.md~", ".#2024-06-17-teireikai-2024-06.md",
                 "4913"):
        (posts / name).write_text("---\ntitle: 壊れた\n---\n", encoding="utf-8")
    (posts / "4913").unlink()
    # Then a real save: the rebuild it causes must name only the real file.
    edit(preview.site / TEIREIKAI, "## 日時", "## 日時と時間")
    line = preview.wait_for_rebuild(before, "the rebuild after the real save")
    assert line.endswith(f"({TEIREIKAI})"), line
    assert "日時と時間" in preview.text(TEIREIKAI_URL)
    assert preview.stderr == []


def test_a_renamed_post_moves_and_a_deleted_post_disappears_from_every_list(preview, tmp_path):
    out = tmp_path / "preview" / "site"
    lists = ["/minato/", "/minato/archive/2025/", "/minato/categories/event/", "/minato/events/",
             "/minato/tags/" + quote("子育て支援") + "/", "/minato/feed.xml", "/minato/sitemap.xml"]
    assert all(page_links_to(preview, path, OYAKO_SLUG) for path in lists)

    before = len(preview.rebuilds())
    (preview.site / OYAKO).rename(preview.site / "content/posts/2025-07-01-natsu-hiroba.md")
    preview.wait_for_rebuild(before, "the rebuild after the rename")
    assert preview.get(f"/minato/posts/{OYAKO_SLUG}/")[0] == 404
    assert "親子ふれあい広場" in preview.text("/minato/posts/natsu-hiroba/")
    for path in lists:
        assert page_links_to(preview, path, "natsu-hiroba") and not page_links_to(preview, path, OYAKO_SLUG), path

    before = len(preview.rebuilds())
    (preview.site / "content/posts/2025-07-01-natsu-hiroba.md").unlink()
    preview.wait_for_rebuild(before, "the rebuild after the deletion")
    assert preview.get("/minato/posts/natsu-hiroba/")[0] == 404
    still_there = [name for name, data in tree(out).items() if b"natsu-hiroba" in data]
    assert still_there == [], f"the deleted post is still shown in {still_there}"


def test_a_template_change_shows_on_every_page(preview):
    before = len(preview.rebuilds())
    edit(preview.site / "templates/base.html", "</footer>", "<p>テンプレートの変更</p></footer>")
    line = preview.wait_for_rebuild(before, "the rebuild after the template change")
    assert line.endswith("(templates/base.html)"), line
    for path in ("/minato/", TEIREIKAI_URL, "/minato/tags/", "/minato/no-such-page/"):
        assert "テンプレートの変更" in preview.get(path)[2].decode("utf-8"), path


def test_a_broken_save_keeps_the_last_good_build_until_it_is_fixed(preview):
    post = preview.site / TEIREIKAI
    good = post.read_text(encoding="utf-8")
    atomic_save(post, good.replace(f"title: {TEIREIKAI_TITLE}", BROKEN_TITLE_LINE))
    wait_until(lambda: preview.state()["errors"], "the error to reach the server's state")
    message = preview.state()["errors"][0]
    assert message.startswith(f"{TEIREIKAI}:2: error: full-width colon"), message
    assert "hint:" in message
    wait_until(lambda: any(line.startswith(f"{TEIREIKAI}:2: error: ") for line in preview.stderr), "the error in the terminal")
    wait_until(lambda: any("still serving the last good build" in line for line in preview.stderr), "the summary line")
    # The last good build is still what readers get.
    assert TEIREIKAI_TITLE in preview.text(TEIREIKAI_URL)

    before = len(preview.rebuilds())
    atomic_save(post, good.replace(TEIREIKAI_TITLE, "直した題名"))
    preview.wait_for_rebuild(before, "the rebuild after the fix")
    assert preview.state()["errors"] == []
    assert "直した題名" in preview.text(TEIREIKAI_URL)


def test_a_site_broken_at_start_shows_its_errors_until_fixed(tmp_path):
    site = copy_example_site(tmp_path / "site")
    post = site / TEIREIKAI
    good = post.read_text(encoding="utf-8")
    post.write_text(good.replace(f"title: {TEIREIKAI_TITLE}", BROKEN_TITLE_LINE), encoding="utf-8")
    running = start_preview(site)
    try:
        assert any(line.startswith(f"{TEIREIKAI}:2: error: ") for line in running.stderr)
        status, headers, body = running.get(TEIREIKAI_URL)
        assert status == 503 and b'<script src="/__katsudo/live.js"' in body, "a page that shows the overlay"
        assert running.state()["errors"][0].startswith(f"{TEIREIKAI}:2: error: ")
        before = len(running.rebuilds())
        atomic_save(post, good)
        running.wait_for_rebuild(before, "the first good build")
        assert TEIREIKAI_TITLE in running.text(TEIREIKAI_URL)
        assert running.state()["errors"] == []
    finally:
        running.stop()


def test_live_reload_events_tell_browsers_what_changed(preview):
    """The SSE stream: state on connect, css for a stylesheet, reload for content, failed with the message."""
    events: queue.Queue[tuple[str, dict]] = queue.Queue()
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT * 4)
    connection.request("GET", "/__katsudo/events")
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")

    def read() -> None:
        name = None
        try:
            for raw in response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    events.put((name, json.loads(line[len("data: "):])))
        except (OSError, ValueError):
            pass

    threading.Thread(target=read, daemon=True).start()
    try:
        name, state = events.get(timeout=TIMEOUT)
        assert name == "state" and state["errors"] == []
        css = preview.site / "assets/css/style.css"
        css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline: 1px solid red; }\n", encoding="utf-8")
        assert events.get(timeout=TIMEOUT)[0] == "css"
        post = preview.site / TEIREIKAI
        good = post.read_text(encoding="utf-8")
        post.write_text(good.replace(f"title: {TEIREIKAI_TITLE}", BROKEN_TITLE_LINE), encoding="utf-8")
        name, state = events.get(timeout=TIMEOUT)
        assert name == "failed" and state["errors"][0].startswith(f"{TEIREIKAI}:2: error: ")
        post.write_text(good, encoding="utf-8")
        assert events.get(timeout=TIMEOUT)[0] == "reload"
    finally:
        connection.close()


def test_ctrl_c_stops_cleanly_and_removes_the_temporary_preview(tmp_path):
    site = copy_example_site(tmp_path / "site")
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    running = start_preview(site, env={"TMPDIR": str(temp_root)})
    try:
        assert [p.name[:len("katsudo-preview-")] for p in temp_root.iterdir()] == ["katsudo-preview-"]
        assert not (site / "public").exists(), "the preview must not be built into the published folder"
        assert running.get("/minato/")[0] == 200
    finally:
        code = running.stop()
    assert code == 0
    assert running.stdout[-1] == "stopped"
    assert not any("Traceback" in line for line in running.stderr), "\n".join(running.stderr)
    assert list(temp_root.iterdir()) == []
    # Only the photo cache (kept on purpose, like a build's) is new in the site folder.
    assert sorted(p.name for p in site.iterdir()) == [".katsudo-cache", "assets", "content", "site.yaml", "templates"]


def test_drafts_and_future_posts_are_previewed_only_when_asked(tmp_path):
    site = copy_example_site(tmp_path / "site")
    (site / "content/posts/2027-04-01-mirai.md").write_text(
        "---\ntitle: 来年度の計画\ndate: 2027-04-01\n---\n\n本文です。\n", encoding="utf-8")
    plain = start_preview(site)
    try:
        assert plain.get("/minato/posts/rinji-iinkai/")[0] == 404
        assert plain.get("/minato/posts/mirai/")[0] == 404
    finally:
        plain.stop()
    asked = start_preview(site, "--drafts", "--future")
    try:
        assert asked.get("/minato/posts/rinji-iinkai/")[0] == 200
        assert "来年度の計画" in asked.text("/minato/posts/mirai/")
    finally:
        asked.stop()


def test_ctrl_c_with_a_browser_listening_stops_at_once(preview):
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=TIMEOUT)
    connection.request("GET", "/__katsudo/events")
    response = connection.getresponse()
    assert response.readline().startswith(b"event: state")
    started = time.monotonic()
    assert preview.stop() == 0
    assert time.monotonic() - started < TIMEOUT
    assert not any("Traceback" in line for line in preview.stderr), "\n".join(preview.stderr)
    connection.close()


def test_a_port_in_use_is_said_aloud_and_the_next_free_one_is_used(tmp_path):
    site = copy_example_site(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "-s", ".", "--port", str(port)],
                                   cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "KATSUDO_NOW": NOW, "PYTHONUNBUFFERED": "1"})
        running = Preview(process, site)
        for stream, lines in ((process.stdout, running.stdout), (process.stderr, running.stderr)):
            threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()
        try:
            notice = wait_until(lambda: next((l for l in running.stdout if l.startswith("port ")), None),
                                "the port notice", timeout=60)
            line = wait_until(lambda: next((l for l in running.stdout if l.startswith("previewing at ")), None),
                              "the server to start")
            running.url = line.split()[2]
            assert notice == f"port {port} is in use; using {running.port} instead"
            assert running.port != port and running.get("/minato/")[0] == 200
        finally:
            running.stop()


def test_listening_beyond_this_computer_prints_a_warning(tmp_path):
    running = start_preview(copy_example_site(tmp_path / "site"), "--host", "0.0.0.0")
    try:
        assert any(line.startswith("warning: listening on 0.0.0.0") for line in running.stderr)
        assert running.get("/minato/")[0] == 200
    finally:
        running.stop()


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_the_ipv6_loopback_address_is_served_without_a_warning(tmp_path):
    running = start_preview(copy_example_site(tmp_path / "site"), "--host", "::1")
    try:
        assert re.fullmatch(r"http://\[::1\]:\d+/minato/", running.url)
        assert not any(line.startswith("warning:") for line in running.stderr)
        assert TEIREIKAI_TITLE in running.text(TEIREIKAI_URL)
    finally:
        running.stop()


def test_open_starts_the_browser_at_the_preview(tmp_path):
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "fake-browser"
    fake_browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    fake_browser.chmod(0o755)
    running = start_preview(copy_example_site(tmp_path / "site"), "--open", env={"BROWSER": str(fake_browser)})
    try:
        wait_until(opened.exists, "the browser to be started")
        wait_until(lambda: opened.read_text().strip(), "the browser's address")
        assert opened.read_text().strip() == running.url
    finally:
        running.stop()


def test_built_output_never_contains_the_live_reload_script(example_site):
    out = example_site
    carrying = [name for name, data in tree(out).items() if b"__katsudo" in data]
    assert carrying == []


# =========================================================================== serving

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One unchanged preview for the read-only tests; a secret file sits right beside its folder."""
    root = tmp_path_factory.mktemp("served")
    site = copy_example_site(root / "site")
    (root / "preview").mkdir()
    (root / "preview" / "secret.txt").write_text("SECRET-DO-NOT-SERVE", encoding="utf-8")
    running = start_preview(site, "-o", str(root / "preview" / "site"))
    yield running
    running.stop()


@pytest.mark.parametrize("path, content_type", [
    ("/minato/", "text/html; charset=utf-8"),
    ("/minato/assets/css/style.css", "text/css; charset=utf-8"),
    ("/minato/assets/js/textsize.js", "text/javascript; charset=utf-8"),
    ("/minato/assets/favicon.svg", "image/svg+xml; charset=utf-8"),
    ("/minato/feed.xml", "application/xml; charset=utf-8"),
    ("/minato/sitemap.xml", "application/xml; charset=utf-8"),
    ("/minato/robots.txt", "text/plain; charset=utf-8"),
    ("/minato/events.ics", "text/calendar; charset=utf-8"),
    ("/minato/posts/bousai-kunren/checklist.txt", "text/plain; charset=utf-8"),
    ("/minato/posts/shashin-houkoku/houkokusho.pdf", "application/pdf"),
    ("/minato/404.html", "text/html; charset=utf-8"),
])
def test_files_are_served_with_their_type_and_charset(served, path, content_type):
    status, headers, body = served.get(path)
    assert (status, headers["content-type"]) == (200, content_type)
    assert int(headers["content-length"]) == len(body) > 0


def test_photos_are_served_as_images(served):
    page = served.text("/minato/posts/shashin-houkoku/")
    for ext, kind in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        src = re.search(rf'/minato/posts/shashin-houkoku/[^"\s]+\.{ext}', page).group(0)
        status, headers, body = served.get(src)
        assert (status, headers["content-type"]) == (200, kind), src
        assert body[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb", b"\xff\xd8\xff\xe1")


def test_folder_addresses_serve_their_index_and_redirect_without_slash(served):
    assert TEIREIKAI_TITLE in served.text(TEIREIKAI_URL)
    status, headers, _ = served.get(TEIREIKAI_URL.rstrip("/"))
    assert (status, headers["location"]) == (301, TEIREIKAI_URL)
    status, headers, _ = served.get("/")
    assert status in (301, 302) and headers["location"] == "/minato/"
    status, headers, _ = served.get("/minato")
    assert status in (301, 302) and headers["location"] == "/minato/"


def test_percent_encoded_japanese_paths(served):
    page = served.text("/minato/tags/%E5%9C%B0%E5%9F%9F%E7%A6%8F%E7%A5%89/")  # /tags/地域福祉/
    assert re.search(r"<h1[^>]*>[^<]*地域福祉", page)
    assert "居場所づくり講座" in served.text("/minato/series/%E5%B1%85%E5%A0%B4%E6%89%80%E3%81%A5%E3%81%8F%E3%82%8A%E8%AC%9B%E5%BA%A7/")


@pytest.mark.parametrize("path", ["/minato/no-such-report/", "/minato/posts/no-such-report/", "/elsewhere/",
                                  "/minato/%ff/", "/minato/%E5%9C/", "/minato/tags/%E5%9C%B0"])
def test_unknown_addresses_get_the_sites_404_page(served, path):
    status, headers, body = served.get(path)
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="/minato/"' in body.decode("utf-8"), "the site's own 404 page, with its links"


def test_head_requests_get_headers_only(served):
    status, headers, body = served.get("/minato/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize("path", [
    "/minato/../secret.txt", "/minato/../preview/secret.txt", "/minato/posts/../../secret.txt",
    "/minato/%2e%2e/secret.txt", "/minato/%2E%2E/secret.txt", "/minato/%2e%2e%2fsecret.txt", "/minato/..%2fsecret.txt",
    "/minato/.%2e/secret.txt", "/minato/..%2Fsecret.txt", "/minato/..%5csecret.txt", "/minato/..\\secret.txt",
    "/minato/posts\\..\\..\\secret.txt", "/minato/%252e%252e%252fsecret.txt", "/minato/%c0%ae%c0%ae/secret.txt",
    "/minato/..%00/secret.txt", "/minato//..//secret.txt", "/../secret.txt", "/minato/..;/secret.txt",
])
def test_path_traversal_is_refused(served, path):
    status, _, body = served.get(path)
    assert status in (400, 403, 404), status
    assert b"SECRET-DO-NOT-SERVE" not in body


def test_site_sources_are_not_reachable(served):
    for path in ("/minato/../site.yaml", "/site.yaml", "/minato/site.yaml", "/minato/content/posts/"):
        status, _, body = served.get(path)
        assert status == 404 and b"base_url" not in body, path


@pytest.mark.parametrize("path", ["/minato/assets/", "/minato/assets/css/", "/minato/posts/shashin-houkoku/images/"])
def test_no_directory_listings(served, path):
    status, _, body = served.get(path)
    assert status == 404
    assert body == served.get("/minato/no-such-page/")[2], "a folder without index.html is just not found"


def test_served_pages_carry_the_live_reload_script_once(served):
    for path in ("/minato/", TEIREIKAI_URL, "/minato/no-such-page/"):
        assert served.get(path)[2].count(b'<script src="/__katsudo/live.js"') == 1, path
    status, headers, body = served.get("/__katsudo/live.js")
    assert (status, headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert b"EventSource" in body
    assert b"__katsudo" not in served.get("/minato/feed.xml")[2]


def test_a_request_during_a_swap_waits_for_the_new_folder(tmp_path):
    """A rebuild swaps the output folder by two renames; a request between them gets the page."""
    from generator.serve import LiveReload, make_server

    built = tmp_path / "built"
    assert build_example(built).exit_code == 0
    live = LiveReload()
    live.succeeded(css_only=False)  # a good build exists: a missing folder means a swap in progress
    out = tmp_path / "out"
    server = make_server(out, "/minato/", "127.0.0.1", 0, live)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    swap = threading.Timer(0.3, lambda: os.replace(built, out))
    swap.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=TIMEOUT)
        connection.request("GET", TEIREIKAI_URL)
        response = connection.getresponse()
        assert response.status == 200 and TEIREIKAI_TITLE in response.read().decode("utf-8")
        connection.close()
    finally:
        swap.join()
        server.shutdown()
        server.server_close()


def test_a_site_at_the_root_of_its_domain_is_served_from_slash(tmp_path):
    from generator.serve import make_server

    out = tmp_path / "out"
    assert build_example(out, "--base-url", "https://example.org/").exit_code == 0
    server = make_server(out, "/", "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(path: str) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=TIMEOUT)
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()

        assert get("/")[0] == 200
        status, body = get("/posts/teireikai-2024-06/")
        assert status == 200 and TEIREIKAI_TITLE in body.decode("utf-8")
        assert get("/minato/")[0] == 404
        assert get("/../secret")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


# =========================================================================== in Chromium

@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="ja-JP")
    yield context.new_page()
    context.close()


def open_and_mark(tab, url: str) -> None:
    """Open `url` and wait until it listens for rebuilds; the marker variable dies with a reload."""
    tab.goto(url)
    tab.wait_for_function("window.katsudoLive && window.katsudoLive.connected", timeout=TIMEOUT * 1000)
    tab.evaluate("window.katsudoTestMarker = 'still the same page'")


def marker(tab) -> str | None:
    return tab.evaluate("window.katsudoTestMarker || null")


def wait_for_heading(tab, text: str) -> None:
    """Wait until the page's h1 reads `text`; during a reload there may be no h1 for a moment."""
    tab.wait_for_function("text => { const h1 = document.querySelector('h1'); return !!h1 && h1.textContent.trim() === text; }",
                          arg=text, timeout=TIMEOUT * 1000)


@pytest.mark.browser
@needs_chromium
def test_the_page_reloads_by_itself_after_a_save(preview, tab):
    open_and_mark(tab, preview.url.replace("/minato/", TEIREIKAI_URL))
    assert tab.locator("h1").inner_text().strip() == TEIREIKAI_TITLE
    edit(preview.site / TEIREIKAI, f"title: {TEIREIKAI_TITLE}", "title: 保存すると変わる題名")
    wait_for_heading(tab, "保存すると変わる題名")
    assert marker(tab) is None, "the new text must come from a reload"


@pytest.mark.browser
@needs_chromium
def test_a_broken_save_shows_an_overlay_on_every_open_page_until_fixed(preview, browser):
    context = browser.new_context(locale="ja-JP")
    try:
        post_tab, list_tab = context.new_page(), context.new_page()
        open_and_mark(post_tab, preview.url.replace("/minato/", TEIREIKAI_URL))
        open_and_mark(list_tab, preview.url + "archive/2024/06/")
        post = preview.site / TEIREIKAI
        good = post.read_text(encoding="utf-8")
        atomic_save(post, good.replace(f"title: {TEIREIKAI_TITLE}", BROKEN_TITLE_LINE))
        for tab in (post_tab, list_tab):
            overlay = tab.locator("#katsudo-error-overlay")
            overlay.wait_for(state="visible", timeout=TIMEOUT * 1000)
            text = overlay.inner_text()
            assert f"{TEIREIKAI}:2: error: full-width colon" in text
            assert "hint: replace" in text
            assert overlay.get_attribute("role") == "alert"
            assert marker(tab) == "still the same page", "the last good page stays, under the overlay"
        assert post_tab.locator("h1").inner_text().strip() == TEIREIKAI_TITLE

        atomic_save(post, good.replace(TEIREIKAI_TITLE, "直して保存した題名"))
        for tab in (post_tab, list_tab):
            tab.wait_for_function("!document.getElementById('katsudo-error-overlay') && window.katsudoTestMarker === undefined",
                                  timeout=TIMEOUT * 1000)
        wait_for_heading(post_tab, "直して保存した題名")
        list_tab.locator("main a", has_text="直して保存した題名").first.wait_for(timeout=TIMEOUT * 1000)
    finally:
        context.close()


@pytest.mark.browser
@needs_chromium
def test_a_css_change_swaps_the_stylesheet_without_a_reload(preview, tab):
    open_and_mark(tab, preview.url)
    sheets = "document.querySelectorAll('link[rel=stylesheet]').length"
    count = tab.evaluate(sheets)
    css = preview.site / "assets/css/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n", encoding="utf-8")
    tab.wait_for_function("!!document.body && getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'",
                          timeout=TIMEOUT * 1000)
    assert marker(tab) == "still the same page", "a stylesheet change must not reload the page"
    # Two saves in a row: the page still ends with one copy of each stylesheet, the newest.
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline-color: rgb(4, 5, 6); }\n", encoding="utf-8")
    tab.wait_for_function("getComputedStyle(document.body).outlineColor === 'rgb(4, 5, 6)'", timeout=TIMEOUT * 1000)
    tab.wait_for_function(f"{sheets} === {count}", timeout=TIMEOUT * 1000)
    assert marker(tab) == "still the same page"


@pytest.mark.browser
@needs_chromium
def test_many_open_pages_all_load_and_all_reload(preview, browser):
    """Browsers open at most six connections to one host: a live-reload stream per page would
    leave the seventh page loading forever."""
    context = browser.new_context(locale="ja-JP")
    try:
        tabs = [context.new_page() for _ in range(8)]
        for tab in tabs:
            tab.set_default_timeout(TIMEOUT * 1000)
            open_and_mark(tab, preview.url.replace("/minato/", TEIREIKAI_URL))
        edit(preview.site / TEIREIKAI, f"title: {TEIREIKAI_TITLE}", "title: 八つのページで変わる題名")
        for tab in tabs:
            wait_for_heading(tab, "八つのページで変わる題名")
            assert marker(tab) is None
    finally:
        context.close()
