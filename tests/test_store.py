"""`katsudo build` patches a text edit from the model store (generator/store.py,
generator/patch.apply_stored). As for katsudo serve's patch, every patched site must be
byte-identical to a clean build, anything more than text must take the whole build, and a
damaged or outdated store must never give a wrong site."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.cache import CACHE_FOLDER, BuildCache
from generator.errors import KatsudoError
from generator.report import Reporter
from generator.store import STORE_FILE
from test_patch import CHANGED, FORUM, MORE_THAN_TEXT, TEIREIKAI, TEXT_EDITS, _append, assert_same_as_clean
from test_serve import BUILD_MOMENT, copy_example_site, edit, tree


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_example_site(tmp_path / "site")


def _cli_build(site: Path, out: Path, search_index: bool = False, now=BUILD_MOMENT):
    """As `katsudo build` runs: the cache opened from disk, lazily, and saved after the build
    (two jobs: the store is written by a forked process beside the saving of the cache)."""
    cache = BuildCache.open(site, lazy=True)
    result = build(BuildOptions(site, out, now, search_index=search_index, jobs=2), Reporter(quiet=True), cache)
    cache.save()
    return result


def _stamps(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def _store(site: Path) -> Path:
    return site / CACHE_FOLDER / "build" / STORE_FILE


@pytest.mark.parametrize("name", list(TEXT_EDITS))
def test_a_text_edit_is_patched_by_the_cli_and_the_site_equals_a_clean_build(site, tmp_path, name):
    rel, change = TEXT_EDITS[name]
    out = tmp_path / "out"
    first = _cli_build(site, out)
    assert _store(site).is_file()
    stamps = _stamps(out)
    time.sleep(0.01)
    change(site / rel)
    result = _cli_build(site, out)
    assert "patch" in result.timings, "the text edit took the whole build"
    assert 0 < result.rendered < first.pages / 4
    assert result.markdown == 1 and result.pages == first.pages
    assert_same_as_clean(site, out, tmp_path)
    rewritten = [p for p, stamp in _stamps(out).items() if stamp != stamps[p]]
    assert 0 < len(rewritten) <= result.rendered + 6  # pages, and at most the feeds and the calendar
    # The next run, with nothing changed, renders nothing and writes nothing.
    stamps = _stamps(out)
    again = _cli_build(site, out)
    assert again.rendered == 0 and again.written == 0 and _stamps(out) == stamps


def test_cli_patches_in_a_row_then_whole_builds_then_patches_again_stay_exact(site, tmp_path):
    out = tmp_path / "out"
    _cli_build(site, out)
    for number in range(3):
        _append(site / TEIREIKAI, f"\n追記{number}です。\n")
        assert "patch" in _cli_build(site, out).timings
    _append(site / FORUM, "\n別の投稿も直しました。\n")
    _append(site / TEIREIKAI, "\nさらに追記。\n")
    assert "patch" in _cli_build(site, out).timings
    assert_same_as_clean(site, out, tmp_path)
    edit(site / "templates/post.html", "</article>", "<p>テンプレートを変えました</p></article>")
    # (A file changed in the 2 s before a build began is not trusted by its stamp in the next one,
    # which then builds whole if it is not a post: this test is not about that.)
    os.utime(site / "templates/post.html", (time.time() - 10, time.time() - 10))
    assert "patch" not in _cli_build(site, out).timings
    assert_same_as_clean(site, out, tmp_path)
    # The whole build wrote the store again: the next text edit is patched from it.
    _append(site / TEIREIKAI, "\n最後の追記。\n")
    assert "patch" in _cli_build(site, out).timings
    assert_same_as_clean(site, out, tmp_path)


@pytest.mark.parametrize("name", list(MORE_THAN_TEXT) + ["a deleted post", "the site's settings", "a template"])
def test_an_edit_that_is_more_than_text_takes_the_whole_cli_build(site, tmp_path, name):
    out = tmp_path / "out"
    _cli_build(site, out)
    time.sleep(0.01)
    if name == "a deleted post":
        (site / TEIREIKAI).unlink()
    elif name == "the site's settings":
        text = (site / "site.yaml").read_text(encoding="utf-8")
        (site / "site.yaml").write_text(text.replace("per_page: ", "per_page: 1", 1), encoding="utf-8")
    elif name == "a template":
        edit(site / "templates/post.html", "</article>", "<p>テンプレートを変えました</p></article>")
    else:
        MORE_THAN_TEXT[name](site)
        assert CHANGED[name]
    result = _cli_build(site, out)
    assert "patch" not in result.timings
    assert_same_as_clean(site, out, tmp_path)


def test_a_mistake_in_the_edited_text_is_reported_by_the_cli_and_nothing_is_published(site, tmp_path):
    out = tmp_path / "out"
    _cli_build(site, out)
    before, store = tree(out), _store(site).read_bytes()
    _append(site / TEIREIKAI, "\n[前回](2024-01-01-no-such-post.md)\n")
    with pytest.raises(KatsudoError) as caught:
        _cli_build(site, out)
    error = caught.value.errors[0]
    assert error.path.name == Path(TEIREIKAI).name and error.line is not None
    assert tree(out) == before
    assert _store(site).read_bytes() == store
    path = site / TEIREIKAI
    path.write_text(path.read_text(encoding="utf-8").replace("[前回](2024-01-01-no-such-post.md)", "前回の記録"),
                    encoding="utf-8")
    _cli_build(site, out)
    assert_same_as_clean(site, out, tmp_path)


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a database at all" * 100)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:4096])


def _other_generation(path: Path) -> None:
    """The store of another build (as if a later build had not written it)."""
    db = sqlite3.connect(path)
    db.execute("DELETE FROM build WHERE name = 'generation'")
    db.commit()
    db.close()


def _damaged_rows(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("UPDATE views SET value = x'00112233'")
    db.execute("UPDATE pages SET value = x'00112233'")
    db.commit()
    db.close()


@pytest.mark.parametrize("damage", [_garbage, _truncated, _other_generation, _damaged_rows, Path.unlink])
def test_a_damaged_or_outdated_store_means_the_whole_build_never_a_wrong_site(site, tmp_path, damage):
    out = tmp_path / "out"
    _cli_build(site, out)
    for suffix in ("-wal", "-shm"):
        Path(str(_store(site)) + suffix).unlink(missing_ok=True)
    damage(_store(site))
    _append(site / TEIREIKAI, "\n追記です。\n")
    result = _cli_build(site, out)
    assert "patch" not in result.timings
    assert_same_as_clean(site, out, tmp_path)
    # The whole build wrote a good store again.
    _append(site / TEIREIKAI, "\nもう一度。\n")
    assert "patch" in _cli_build(site, out).timings
    assert_same_as_clean(site, out, tmp_path)


def test_with_the_search_index_the_cli_builds_whole(site, tmp_path):
    out = tmp_path / "out"
    _cli_build(site, out, search_index=True)
    assert not _store(site).exists()  # (the patch would leave the index behind the pages)
    _append(site / TEIREIKAI, "\n追記です。\n")
    result = _cli_build(site, out, search_index=True)
    assert "patch" not in result.timings
    assert "追記です".encode() in (out / "posts/teireikai-2024-06/index.html").read_bytes()


def test_a_hand_edited_output_file_means_the_whole_build(site, tmp_path):
    out = tmp_path / "out"
    _cli_build(site, out)
    (out / "tags/index.html").write_text("edited by hand", encoding="utf-8")
    _append(site / TEIREIKAI, "\n追記です。\n")
    assert "patch" not in _cli_build(site, out).timings
    assert_same_as_clean(site, out, tmp_path)


def test_a_stray_file_in_the_output_means_the_whole_build_which_removes_it(site, tmp_path):
    out = tmp_path / "out"
    _cli_build(site, out)
    for stray in (out / "posts/teireikai-2024-06/stray.html", out / "assets/stray.html"):
        stray.write_text("not katsudo's", encoding="utf-8")
        _append(site / TEIREIKAI, "\n追記です。\n")
        assert "patch" not in _cli_build(site, out).timings
        assert not stray.exists()
        assert_same_as_clean(site, out, tmp_path)
