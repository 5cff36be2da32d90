"""`katsudo serve` through a day of saves, in the default configuration (search on).

The real `katsudo` process on a fresh `katsudo init` site: many saves at varied intervals, some
while Pagefind is still indexing the previous one. Each save gets one `rebuilt` line and never
a traceback; the terminal says when the search index falls behind and when it has caught up;
the preview's search then holds the latest save's words (read from Pagefind's files as the
browser fetches them, and in Chromium on /search/). SIGTERM and SIGHUP stop it like Ctrl-C: the
temporary folders go, the last line is `stopped`, the exit status is 0. A bug in a rebuild, or
a Pagefind that fails, is one line naming a log that holds the details, and the preview goes on.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from browsing import chromium, needs_chromium
from conftest import NOW
from waiting import atomic_save, katsudo, wait_until

TIMEOUT = 30.0
POST = "content/posts/2026-04-01-hajimemashite.md"
POST_URL = "/posts/hajimemashite/"
# Pauses after each save's `rebuilt` line: Pagefind takes about a second here, so the short ones
# land inside the indexing of the save before, the long ones after it.
PAUSES = (0.0, 0.25, 1.1, 0.0, 0.6, 1.8, 0.1, 0.9, 0.35, 1.4, 0.05)
BURST_AT = 3  # this save is two saves in a row (an editor's save, then its auto-format): one rebuild


def word(number: int) -> str:
    """A word found nowhere else on the site (Pagefind splits at digits: letters only)."""
    return "mikan" + chr(ord("a") + number) * 4


class Preview:
    """A running `katsudo serve` and everything it has printed (both streams, as they came)."""

    def __init__(self, site: Path, tmp: Path, *args: str, env: dict[str, str] | None = None,
                 command: list[str] | None = None):
        self.site, self.tmp = site, tmp
        environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG")}
        environment.update({"LANG": "C.UTF-8", "KATSUDO_NOW": NOW, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)})
        self.process = subprocess.Popen((command or katsudo()) + ["serve", "--port", "0", *args], cwd=site,
                                        env={**environment, **(env or {})}, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.lines: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._pumps = [threading.Thread(target=self._pump, args=(stream, name), daemon=True)
                       for stream, name in ((self.process.stdout, "out"), (self.process.stderr, "err"))]
        for pump in self._pumps:
            pump.start()
        try:
            line = wait_until(lambda: self.find("previewing at ") or self.find("プレビュー中: ")
                              or self.process.poll() is not None, "the preview to start", timeout=60)
            assert self.process.poll() is None, "serve exited:\n" + self.text()
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise
        self.url = next(part for part in line.split() if part.startswith("http://")).rstrip("/")

    def _pump(self, stream, name: str) -> None:
        for line in stream:
            with self._lock:
                self.lines.append((name, line.rstrip("\n")))

    def text(self) -> str:
        with self._lock:
            return "\n".join(line for _, line in self.lines)

    def find(self, start: str) -> str | None:
        with self._lock:
            return next((line for _, line in self.lines if line.startswith(start)), None)

    def count(self, start: str) -> int:
        with self._lock:
            return sum(line.startswith(start) for _, line in self.lines)

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=TIMEOUT) as response:
            return response.read()

    def stop(self, number: int) -> int:
        self.process.send_signal(number)
        try:
            code = self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"serve did not stop on signal {number}:\n{self.text()}")
        for pump in self._pumps:
            pump.join(TIMEOUT)
        return code


def indexed_pages(preview: Preview) -> dict[str, str]:
    """URL -> text of every page in the preview's search index, read from Pagefind's files over
    HTTP as the search page reads them."""
    from generator.search import _SIGNATURE, _cbor_decode

    def pagefind_file(name: str) -> bytes:
        data = gzip.decompress(preview.get(f"/pagefind/{name}"))
        assert data.startswith(_SIGNATURE), name
        return data[len(_SIGNATURE):]

    entry = json.loads(preview.get("/pagefind/pagefind-entry.json"))
    meta, _ = _cbor_decode(_SIGNATURE + pagefind_file(f"pagefind.{entry['languages']['ja']['hash']}.pf_meta"),
                           len(_SIGNATURE))
    pages = {}
    for page_hash, _words in meta[1]:
        fragment = json.loads(pagefind_file(f"fragment/{page_hash}.pf_fragment"))
        pages[fragment["url"]] = fragment["content"]
    return pages


def index_holds(preview: Preview, latest: str, gone: tuple[str, ...] = ()) -> bool:
    try:
        text = indexed_pages(preview).get(POST_URL, "")
    except (urllib.error.URLError, OSError, ValueError, KeyError):
        return False  # (no index yet, or one replaced while it was read: asked again)
    return latest in text and not any(old in text for old in gone)


def new_site(tmp_path: Path) -> tuple[Path, Path]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    made = subprocess.run(katsudo() + ["init", "site"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "KATSUDO_NOW": NOW}, timeout=60)
    assert made.returncode == 0, made.stderr
    return tmp_path / "site", temp


def assert_stopped_cleanly(preview: Preview, code: int) -> None:
    shown = preview.text()
    assert code == 0, shown
    assert "Traceback" not in shown, shown
    assert preview.lines[-1][1] in ("stopped", "停止しました"), shown
    leftovers = [p.name for p in preview.tmp.iterdir()] + [p.name for p in preview.site.parent.glob(".*katsudo-index*")]
    assert leftovers == [], f"the preview left folders behind: {leftovers}"


def test_many_saves_each_get_one_line_and_the_search_index_catches_up(tmp_path):
    site, temp = new_site(tmp_path)
    post = site / POST
    original = post.read_text(encoding="utf-8")
    preview = Preview(site, temp)
    try:
        assert [p.name[:16] for p in temp.iterdir()] == ["katsudo-preview-"]
        saves = bursts = 0
        for number, pause in enumerate(PAUSES):
            before = preview.count("rebuilt ")
            text = original + f"\n追記： {word(number)} のお知らせです。\n"
            if number == BURST_AT:
                atomic_save(post, text + "\n")
                saves += 1
            atomic_save(post, text)
            saves += 1
            bursts += 1
            wait_until(lambda: preview.count("rebuilt ") > before or preview.count("Traceback"),
                       f"the line for save {number}; the terminal said:\n{preview.text()}")
            assert "Traceback" not in preview.text(), preview.text()
            time.sleep(pause)
        latest = word(len(PAUSES) - 1)
        gone = tuple(word(number) for number in range(len(PAUSES) - 1))
        wait_until(lambda: index_holds(preview, latest, gone),
                   f"{latest} (and none of the earlier words) in the preview's search index:\n{preview.text()}")
        wait_until(lambda: preview.lines[-1][1] == "search index is up to date" or None,
                   f"the index's last word; the terminal said:\n{preview.text()}")
        assert latest in preview.get(POST_URL).decode("utf-8")
    finally:
        code = preview.stop(signal.SIGTERM)
    assert_stopped_cleanly(preview, code)
    shown = preview.text()
    assert saves > bursts >= 10
    # One line per save burst (and the first build's), each naming the saved file.
    rebuilt = [line for _, line in preview.lines if line.startswith("rebuilt ")]
    assert len(rebuilt) == bursts + 1, shown
    assert all(line.endswith(f"({POST})") for line in rebuilt[1:]), shown
    # Behind and caught up are said, but not once per save: the quick saves share them.
    behind, caught_up = preview.count("search index is being updated"), preview.count("search index is up to date")
    assert 1 <= behind <= bursts and caught_up == behind, shown
    assert behind < bursts, "one 'updating' line per save is noise when saves come fast:\n" + shown
    assert not [line for stream, line in preview.lines if stream == "err"], shown


@pytest.mark.parametrize("number", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_while_pagefind_runs_stops_like_ctrl_c(tmp_path, number):
    """Stopping while an index run is under way (a window closed just after a save): Pagefind is
    ended too, and nothing appears in the temporary folder afterwards."""
    site, temp = new_site(tmp_path)
    post = site / POST
    preview = Preview(site, temp, env={"KATSUDO_LANG": "ja"})
    try:
        wait_until(lambda: preview.count("検索の索引が最新になりました"), "the first index")
        before = preview.count("作り直しました")
        atomic_save(post, post.read_text(encoding="utf-8") + "\n追記： mikanzzzz\n")
        wait_until(lambda: preview.count("作り直しました") > before, "the rebuild")
        wait_until(lambda: preview.count("検索の索引を作り直しています…") == 2, "the second index run")
    finally:
        code = preview.stop(number)
    assert_stopped_cleanly(preview, code)
    time.sleep(1.5)  # (a Pagefind left running would write its index into the removed folder by now)
    assert list(temp.iterdir()) == []
    assert all(line.startswith("作り直しました：") for line in preview.text().splitlines() if "ms（" in line)


def test_a_kept_preview_folder_keeps_its_search_index_and_loses_the_work_folders(tmp_path):
    site, temp = new_site(tmp_path)
    kept = tmp_path / "kept"
    preview = Preview(site, temp, "-o", str(kept))
    try:
        wait_until(lambda: preview.count("search index is up to date"), "the first index")
    finally:
        code = preview.stop(signal.SIGHUP)
    assert_stopped_cleanly(preview, code)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "site", "tmp"]
    assert (kept / "pagefind" / "pagefind.js").is_file() and (kept / "index.html").is_file()


def test_a_bug_in_a_rebuild_is_one_line_and_a_log_and_the_preview_goes_on(tmp_path):
    """A bug (not an editor's mistake) while rebuilding: one readable line naming the log that
    holds the traceback; the last good page stays; the next save rebuilds as usual."""
    site, temp = new_site(tmp_path)
    post = site / POST
    original = post.read_text(encoding="utf-8")
    # The real command, with a bug planted in the Markdown renderer for one word.
    bug = tmp_path / "plant_bug.py"
    bug.write_text(
        "import sys\n"
        "from generator import markdown\n"
        "real = markdown.MarkdownRenderer.render\n"
        "def render(self, source, body, *args, **kwargs):\n"
        "    if 'plantedbug' in body:\n"
        "        raise RuntimeError('a planted bug')\n"
        "    return real(self, source, body, *args, **kwargs)\n"
        "markdown.MarkdownRenderer.render = render\n"
        "from generator.cli import run\n"
        "sys.argv[0] = 'katsudo'\n"
        "run()\n", encoding="utf-8")
    preview = Preview(site, temp, command=[sys.executable, str(bug)])
    try:
        atomic_save(post, original + "\n追記： plantedbug mikanbugs\n")
        line = wait_until(lambda: preview.find("katsudo had an unexpected problem"), "the line for the bug")
        assert "RuntimeError: a planted bug" in line and "not a mistake in your files" in line
        log = site / ".katsudo-cache" / "logs" / "serve.log"
        assert line.endswith(f"Details for a bug report: {log.relative_to(site)}"), line
        assert "Traceback" in log.read_text(encoding="utf-8") and "a planted bug" in log.read_text(encoding="utf-8")
        assert "mikanbugs" not in preview.get(POST_URL).decode("utf-8")  # the last good page is served
        before = preview.count("rebuilt ")
        atomic_save(post, original + "\n追記： mikanfixed\n")
        wait_until(lambda: preview.count("rebuilt ") > before, "the rebuild after the bug")
        assert "mikanfixed" in preview.get(POST_URL).decode("utf-8")
        wait_until(lambda: index_holds(preview, "mikanfixed"), "the fixed save in the search index")
    finally:
        code = preview.stop(signal.SIGTERM)
    assert_stopped_cleanly(preview, code)
    assert preview.count("katsudo had an unexpected problem") == 1


def test_a_failing_pagefind_is_one_line_and_the_next_save_indexes_again(tmp_path):
    site, temp = new_site(tmp_path)
    post = site / POST
    original = post.read_text(encoding="utf-8")
    broken = tmp_path / "pagefind-is-broken"
    broken.touch()
    # The real command, with Pagefind failing while `broken` exists (a damaged install, a full disk).
    wrapper = tmp_path / "failing_pagefind.py"
    wrapper.write_text(
        "import pathlib, sys\n"
        "from generator import preview_index\n"
        "real = preview_index.pagefind_command\n"
        f"broken = pathlib.Path({str(broken)!r})\n"
        "def command(folder, language):\n"
        "    if broken.exists():\n"
        "        return [sys.executable, '-c', 'import sys; print(\"Error: out of disk space\"); sys.exit(3)']\n"
        "    return real(folder, language)\n"
        "preview_index.pagefind_command = command\n"
        "from generator.cli import run\n"
        "sys.argv[0] = 'katsudo'\n"
        "run()\n", encoding="utf-8")
    preview = Preview(site, temp, command=[sys.executable, str(wrapper)])
    try:
        line = wait_until(lambda: preview.find("katsudo had an unexpected problem while updating the search index"),
                          "the line for the failed index")
        assert "out of disk space" in line and "Search keeps the previous index" in line, line
        before = preview.count("rebuilt ")
        atomic_save(post, original + "\n追記： mikanfails\n")
        wait_until(lambda: preview.count("rebuilt ") > before, "the rebuild")
        time.sleep(1.5)  # (the same failure again is not said again)
        assert preview.count("katsudo had an unexpected problem") == 1, preview.text()
        broken.unlink()
        atomic_save(post, original + "\n追記： mikanworks\n")
        wait_until(lambda: index_holds(preview, "mikanworks"), "the index after Pagefind works again")
        wait_until(lambda: preview.count("search index is up to date"), "the index's last word")
    finally:
        code = preview.stop(signal.SIGTERM)
    assert_stopped_cleanly(preview, code)
    assert preview.count("search index is being updated") == 1, preview.text()


@pytest.mark.browser
@needs_chromium
def test_the_search_page_finds_the_latest_save_by_itself(tmp_path):
    """In Chromium: a search page left open on a word finds it once the save that adds it has
    been indexed, without the editor reloading it; a word removed by that save is no longer found."""
    site, temp = new_site(tmp_path)
    post = site / POST
    original = post.read_text(encoding="utf-8")
    from playwright.sync_api import Error as PlaywrightError

    preview = Preview(site, temp)
    try:
        with chromium() as browser:
            page = browser.new_page()

            def results(query: str) -> list[str] | None:
                try:
                    page.goto(f"{preview.url}/search/?q={quote(query)}")
                except PlaywrightError:
                    return None  # (a reload for a newer index came in between: asked again)
                return shown_results()

            def shown_results() -> list[str] | None:
                try:
                    # Asked of the document each time, not of an element handle: a newer index
                    # reloads the page, and a handle from before the reload would wait forever.
                    page.wait_for_function("() => { const s = document.querySelector('[data-search-status]');"
                                           " return s && s.textContent && !s.textContent.includes('…'); }",
                                           timeout=5000)
                    return page.locator("[data-search-results] a").evaluate_all(
                        "as => as.map(a => a.getAttribute('href'))")
                except PlaywrightError:
                    return None  # (the page reloaded itself meanwhile: asked again)

            atomic_save(post, original + "\n追記： mikanfirst\n")
            wait_until(lambda: POST_URL in (results("mikanfirst") or []), "the first word in the search page")
            assert wait_until(lambda: results("mikanlater") == [] or None, "no result for a word not yet saved")
            before = preview.count("rebuilt ")
            atomic_save(post, original + "\n追記： mikanlater\n")
            wait_until(lambda: preview.count("rebuilt ") > before, "the rebuild")
            # Left open on the search for the new word: it shows the post once the index has it.
            wait_until(lambda: POST_URL in (shown_results() or []), "the new word's result on the open search page")
            wait_until(lambda: preview.lines[-1][1] == "search index is up to date" or None, "the index's last word")
            assert wait_until(lambda: results("mikanfirst") == [] or None, "the removed word gone from the search")
    finally:
        code = preview.stop(signal.SIGTERM)
    assert_stopped_cleanly(preview, code)
