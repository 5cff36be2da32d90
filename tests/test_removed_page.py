"""katsudo serve after a file is deleted: the deleted page, folder post or file must leave the
preview, as in a clean build.

The in-memory patch (generator/patch.py `apply`) takes a path that no longer exists for an
editor's temporary file that came and went, and renders nothing for it. A deleted file that the
last build read is not one: before the fix, deleting content/pages/about.md left /about/ served
and linked from every page's navigation (found by tests/test_incremental_property.py).
"""

from __future__ import annotations

import signal
import urllib.error
from pathlib import Path

import pytest

from generator.cache import BuildCache
from test_patch import _build, assert_same_as_clean
from test_preview_saves import Preview, assert_stopped_cleanly, new_site, wait_until
from test_serve import copy_example_site


@pytest.fixture
def site(tmp_path) -> Path:
    site = copy_example_site(tmp_path / "site")
    (site / "content/files").mkdir()
    (site / "content/files/chirashi.pdf").write_bytes(b"%PDF-1.4\n% a leaflet\n")
    (site / "content/posts/2025-11-08-shashin-houkoku/memo.txt").write_text("当日のメモ\n", encoding="utf-8")
    return site


DELETED = {
    "a page": "content/pages/about.md",
    "a file in a folder post, not shown in its text": "content/posts/2025-11-08-shashin-houkoku/memo.txt",
    "a file of content/": "content/files/chirashi.pdf",
}


@pytest.mark.parametrize("name", list(DELETED))
def test_a_deleted_file_leaves_the_preview_as_a_clean_build_would(site, tmp_path, name):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    path = site / DELETED[name]
    path.unlink()
    _build(site, out, cache, changed={path})
    assert_same_as_clean(site, out, tmp_path)


def test_a_deleted_folder_post_leaves_the_preview(site, tmp_path):
    cache, out = BuildCache(), tmp_path / "out"
    _build(site, out, cache)
    folder = site / "content/posts/2025-02-15-bousai-kunren"
    gone = {folder, *folder.iterdir()}
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    _build(site, out, cache, changed=gone)
    assert_same_as_clean(site, out, tmp_path)


def test_katsudo_serve_stops_serving_a_deleted_page(tmp_path):
    """The real process on a `katsudo init` site, as an editor sees it: after about.md is
    edited and then deleted, /about/ is gone and no page's navigation links it."""
    site, temp = new_site(tmp_path)
    about = site / "content/pages/about.md"
    preview = Preview(site, temp)
    try:
        assert "/about/" in preview.get("/").decode()
        about.write_text(about.read_text(encoding="utf-8") + "\n追記の段落です。\n", encoding="utf-8")
        wait_until(lambda: "追記の段落です" in preview.get("/about/").decode(), "the edit in the preview")
        about.unlink()
        wait_until(lambda: not served(preview, "/about/"), "/about/ to leave the preview")
        assert "/about/" not in preview.get("/").decode()
        assert_stopped_cleanly(preview, preview.stop(signal.SIGTERM))
    finally:
        if preview.process.poll() is None:
            preview.process.kill()
            preview.process.wait()


def served(preview: Preview, path: str) -> bool:
    try:
        preview.get(path)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True
