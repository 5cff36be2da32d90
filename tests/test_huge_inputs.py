"""Huge inputs finish or fail clearly: a 5 MB post and 10,000 categories build; 10,000 tags on a
post and a list nested 500 levels deep are refused with `PATH:LINE: error: …` (no RecursionError
or MemoryError traceback) and the site published before is left as it was.

Each build runs in its own process, as `katsudo build` does, with its address space limited to
1.5 GB (RLIMIT_AS): a build that needs more fails instead of swapping the CI machine. Time is
only bounded generously (a slow shared machine must not fail these), by polling the process.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from conftest import NOW, SITE_YAML, SiteDir

MEMORY_LIMIT = 1536 * 1024 * 1024
TIME_LIMIT = 600  # seconds; a normal run takes a few


@dataclass
class Finished:
    exit_code: int
    stderr: str
    peak_mb: float  # the build process's own peak resident memory


def build_limited(site: SiteDir) -> Finished:
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    env = {**os.environ, "KATSUDO_NOW": NOW}
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "-s", str(site.root), "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               preexec_fn=limit_memory, cwd=site.root)
    deadline = time.monotonic() + TIME_LIMIT
    stderr_chunks: list[bytes] = []
    descriptor = process.stderr.fileno()

    def drain() -> None:
        # os.read on the descriptor, not the buffered file: a buffered read that meets EAGAIN
        # half-way can drop what it had read (seen as a message cut off mid-word).
        while True:
            try:
                chunk = os.read(descriptor, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            stderr_chunks.append(chunk)

    # Poll rather than wait with a timeout: wait4 gives this process's own peak memory.
    os.set_blocking(descriptor, False)
    while True:
        drain()
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(f"the build did not finish in {TIME_LIMIT} s")
        time.sleep(0.2)
    process.returncode = os.waitstatus_to_exitcode(status)
    os.set_blocking(descriptor, True)
    drain()
    process.stderr.close()
    return Finished(process.returncode, b"".join(stderr_chunks).decode("utf-8", "replace"), usage.ru_maxrss / 1024)


def assert_clear_failure(result: Finished) -> None:
    assert result.exit_code == 1, result.stderr
    for crash in ("Traceback", "RecursionError", "MemoryError"):
        assert crash not in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith("1 error; nothing was written"), result.stderr


@pytest.fixture
def published(built_site: SiteDir) -> tuple[SiteDir, dict[str, str]]:
    return built_site, built_site.snapshot()


def test_a_5_mb_post_builds(site: SiteDir):
    paragraph = "地域の見守り活動について、参加者から多くの意見が出されました。" * 10 + "\n\n"
    count = 5_000_000 // len(paragraph.encode("utf-8"))
    site.post("2024-05-01-ookii.md", "title: とても長い報告\ndate: 2024-05-01\n",
              "## はじめに\n\n" + paragraph * count + "最後の段落です。\n")
    assert (site.root / "content/posts/2024-05-01-ookii.md").stat().st_size > 4_900_000
    result = build_limited(site)
    assert result.exit_code == 0, result.stderr
    page = (site.public / "posts/ookii/index.html").read_text(encoding="utf-8")
    assert "最後の段落です。" in page
    assert page.count("参加者から多くの意見が出されました。") >= count * 10
    assert result.peak_mb < MEMORY_LIMIT / 1024 / 1024


def test_10000_categories_in_site_yaml_build(site: SiteDir):
    site.write("site.yaml", SITE_YAML + "".join(f"  c{i}: 分類{i}\n" for i in range(10_000)))
    site.post("2024-05-01-bunrui.md", "title: 分類の多いサイト\ndate: 2024-05-01\ncategory: c9999\n")
    result = build_limited(site)
    assert result.exit_code == 0, result.stderr
    assert "分類9999" in (site.public / "categories/c9999/index.html").read_text(encoding="utf-8")
    assert not (site.public / "categories/c0").exists()  # empty categories get no page


def test_10000_tags_on_a_post_are_refused(published):
    site, before = published
    tags = ", ".join(f"タグ{i}" for i in range(10_000))
    site.post("2024-05-01-tags.md", f"title: タグの多い記事\ndate: 2024-05-01\ntags: [{tags}]\n")
    result = build_limited(site)
    assert_clear_failure(result)
    assert "content/posts/2024-05-01-tags.md:4: error: 'tags' has 10000 tags; a post can have at most 100" \
        in result.stderr
    assert "hint: keep the few words readers would look for" in result.stderr
    assert site.snapshot() == before


def test_a_list_nested_500_levels_is_refused(published):
    site, before = published
    site.post("2024-05-01-nested.md", "title: 入れ子\ndate: 2024-05-01\n",
              "".join("    " * level + "- 項目\n" for level in range(500)))
    result = build_limited(site)
    assert_clear_failure(result)
    # Front matter is lines 1–4; the list's items are lines 5–504, the deepest last.
    assert "content/posts/2024-05-01-nested.md:504: error: the text is nested too deeply to read" in result.stderr
    assert "hint: indent list items at most a few levels" in result.stderr
    assert site.snapshot() == before


def test_quotes_nested_500_levels_build(site: SiteDir):
    site.post("2024-05-01-quote.md", "title: 引用\ndate: 2024-05-01\n", ">" * 500 + " 深い引用\n")
    result = build_limited(site)
    assert result.exit_code == 0, result.stderr
    assert "深い引用" in (site.public / "posts/quote/index.html").read_text(encoding="utf-8")
