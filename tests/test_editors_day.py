"""An editor's day, end to end, through the installed `katsudo` process (not the in-process runner):
init -> new -> edit -> serve with many saves (a broken one and its fix, a new post, a deleted
post) -> build -> check, in the default configuration (search on) and a Japanese terminal.

It asserts only what the editor sees: the terminal's lines, the pages in Chromium, the preview's
search, and that no traceback is ever printed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from browsing import chromium, needs_chromium
from waiting import atomic_save, katsudo, wait_until

pytestmark = [pytest.mark.browser, needs_chromium]

TIMEOUT = 30.0
NOW = "2026-07-01 09:00"  # the editor's morning, pinned so that "future" does not move under the test


def editor_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG")}
    # A Japanese desktop's terminal; TMPDIR inside the test so that leftovers can be seen.
    return {**env, "LANG": "ja_JP.UTF-8", "KATSUDO_NOW": NOW, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp)}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(katsudo() + args, cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


class Terminal:
    """The preview process and what it has printed so far (both streams, in order of arrival)."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._pumps = [threading.Thread(target=self._pump, args=(stream,), daemon=True)
                       for stream in (process.stdout, process.stderr)]
        for pump in self._pumps:
            pump.start()

    def finish(self) -> None:
        """Wait for the last lines of a process that has exited."""
        for pump in self._pumps:
            pump.join(TIMEOUT)

    def _pump(self, stream) -> None:
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def count(self, needle: str) -> int:
        with self._lock:
            return sum(needle in line for line in self.lines)


def main_text(page, url: str) -> str:
    """The page's main text as a reader sees it; "" when a live reload cut the visit short."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(url)
        return page.locator("main").inner_text()
    except PlaywrightError:
        return ""


def search_results(page, url: str, query: str) -> list[str]:
    """The result links the preview's search page shows for `query` ([] when a reload came between)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(f"{url}search/?q={quote(query)}")
        # Asked of the document each time: a newer index reloads the page (a handle would go stale).
        page.wait_for_function("() => { const s = document.querySelector('[data-search-status]');"
                               " return s && s.textContent && !s.textContent.includes('…'); }", timeout=5000)
        return page.locator("[data-search-results] a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    except PlaywrightError:
        return []


def test_an_editors_day_from_init_to_a_checked_build(tmp_path):
    env = editor_env(tmp_path)
    run(["init", "site"], tmp_path, env)
    site = tmp_path / "site"

    made = run(["new", "7月定例会の報告", "--category", "meeting", "--slug", "teireikai-2026-07"], site, env)
    assert made.returncode == 0, made.stderr
    post = site / made.stdout.strip().splitlines()[-1]
    assert post.is_file()

    # The skeleton is a draft: building now publishes nothing of it.
    first = run(["build"], site, env)
    assert first.returncode == 0, first.stderr
    assert not (site / "public" / "posts" / "teireikai-2026-07").exists()

    skeleton = post.read_text(encoding="utf-8")
    front, body = skeleton.split("\n---\n", 1)
    front = "\n".join(line for line in front.splitlines() if not line.startswith("draft:"))
    report = (front + "\n---\n\n7月の定例会では、夏の見守り訪問の分担を確認しました。\n\n"
              "## 決定事項\n\n- 見守り訪問は8月から月2回とする。\n")
    atomic_save(post, report)

    process = subprocess.Popen(katsudo() + ["serve", "--port", "0"], cwd=site, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, encoding="utf-8")
    terminal = Terminal(process)
    try:
        address = wait_until(lambda: next((word for line in list(terminal.lines) for word in line.split()
                                           if word.startswith("http://127.0.0.1:")), None), "the preview's address")
        url = address if address.endswith("/") else address + "/"
        page_url = url + "posts/teireikai-2026-07/"
        with chromium() as browser:
            page = browser.new_page()
            wait_until(lambda: "夏の見守り訪問" in main_text(page, page_url), "the report in the preview")

            def save_and_see(text: str, marker: str, pause: float) -> None:
                rebuilt = terminal.count("rebuilt") + terminal.count("作り直しました")
                atomic_save(post, text)
                wait_until(lambda: terminal.count("rebuilt") + terminal.count("作り直しました") > rebuilt,
                           f"a rebuilt line for {marker}; the terminal said:\n{terminal.text()}")
                wait_until(lambda: marker in main_text(page, page_url),
                           f"{marker} in the page")
                time.sleep(pause)

            # Saves in a row at varied intervals, some inside the search indexing that follows each.
            text = report
            for number, pause in enumerate((0.0, 0.2, 1.0, 0.05, 2.5, 0.4), start=1):
                text += f"\n追記{number}：ひまわり{number}号の報告。\n"
                save_and_see(text, f"ひまわり{number}号", pause)

            # A broken save (an IME full-width colon) is reported with file and line; the last good
            # page stays; the fix brings the page back.
            errors_before = terminal.count("error")
            atomic_save(post, text.replace("title: ", "title：", 1))
            wait_until(lambda: terminal.count("error") > errors_before, "the error for the broken save")
            shown = terminal.text()
            assert "teireikai-2026-07.md:2" in shown
            assert "ひまわり6号" in main_text(page, page_url)
            text += "\n追記：朝顔当番を決めました。\n"
            save_and_see(text, "朝顔当番", 0.3)

            # A new post appears on the home page; a deleted post leaves it.
            extra = site / "content" / "posts" / "2026-06-30-natsu-matsuri.md"
            rebuilt = terminal.count("rebuilt") + terminal.count("作り直しました")
            atomic_save(extra, "---\ntitle: 夏まつりのお知らせ\ndate: 2026-06-30\ncategory: event\n---\n\n"
                               "夏まつりでは、風鈴工作のコーナーを開きます。\n")
            wait_until(lambda: terminal.count("rebuilt") + terminal.count("作り直しました") > rebuilt, "the new post")
            wait_until(lambda: "夏まつりのお知らせ" in main_text(page, url),
                       "the new post on the home page")
            starter = next((site / "content" / "posts").glob("2026-04-01-*.md"))
            rebuilt = terminal.count("rebuilt") + terminal.count("作り直しました")
            starter.unlink()
            wait_until(lambda: terminal.count("rebuilt") + terminal.count("作り直しました") > rebuilt,
                       "the deleted post")
            wait_until(lambda: "はじめまして" not in main_text(page, url),
                       "the deleted post gone from the home page")

            # The preview's search catches up with the latest saves.
            wait_until(lambda: "/posts/teireikai-2026-07/" in " ".join(search_results(page, url, "朝顔当番")),
                       "the latest word in the preview's search")
            wait_until(lambda: any("natsu-matsuri" in href for href in search_results(page, url, "風鈴工作")),
                       "the new post in the preview's search")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    terminal.finish()
    shown = terminal.text()
    assert "Traceback" not in shown, shown
    assert not list(tmp_path.glob("katsudo-preview-*")), "the preview left its temporary folder"
    assert not list(site.glob(".*katsudo-index*")), "the preview left index folders"

    # Publish: a build and a check, both clean, the report and the new post in the built site.
    built = run(["build"], site, env)
    assert built.returncode == 0, built.stderr
    page_html = (site / "public" / "posts" / "teireikai-2026-07" / "index.html").read_text(encoding="utf-8")
    assert "朝顔当番" in page_html and "<!--" not in page_html
    checked = run(["check"], site, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    shutil.rmtree(site / "public")
