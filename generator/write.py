"""The only writer: assemble the new site beside the output folder, then swap it in.

A reader or a web server never sees a half-built site, and a failed build leaves the
published one untouched. Files whose bytes did not change are hard-linked from the previous
build, so they keep their modification time and a sync to hosting uploads only what changed.
A rebuild through the build cache into a folder that is exactly the last build's may instead
replace only the changed files, each by rename (`update_in_place`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import KatsudoError, SourceError
from generator.plan import PlannedPage
from generator.urls import is_inside

MARKER = ".katsudo-output"
_MARKER_TEXT = "This folder is written by 'katsudo build' and replaced on every build.\n"


@dataclass(frozen=True)
class WriteResult:
    written: int  # files whose bytes changed or are new
    unchanged: int
    touched: frozenset[str] = frozenset()  # by update_in_place: the files it replaced or removed


def check_output_folder(site_root: Path, out: Path) -> None:
    """Refuse an output folder whose replacement would destroy an editor's work."""
    site, target = site_root.resolve(), out.resolve()
    problems = []
    if target == site or site.is_relative_to(target):
        problems.append(f"the output folder {out} is the site folder or contains it")
    for name in ("content", "templates", "assets"):
        if target.is_relative_to(site / name):
            problems.append(f"the output folder {out} is inside the site's {name}/ folder")
    if not problems and target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        problems.append(f"the output folder {out} already holds files that katsudo did not write")
    if problems:
        raise KatsudoError([SourceError(None, None, problem,
                                        "choose another folder with -o, for example -o public") for problem in problems])


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def same_file(old: Path, new: Path) -> bool:
    try:
        a, b = old.stat(), new.stat()
        if a.st_size != b.st_size:
            return False
        return old.read_bytes() == new.read_bytes()
    except OSError:
        return False


def staging_folder(out: Path) -> Path:
    """A new, empty folder beside `out` where the next site is assembled."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.katsudo-new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def place(staging: Path, out: Path, file: str, data: bytes) -> bool:
    """Put one rendered page into the staging folder: hard-linked from the published site when its
    bytes are the same, else written. Returns whether it was written. (Runs in the render workers,
    so pages go to disk as they are made and the build never holds every page in memory.)"""
    target, previous = staging / file, out / file
    os.makedirs(target.parent, exist_ok=True)
    if same_bytes(previous, data):
        os.link(previous, target)
        return False
    target.write_bytes(data)
    return True


def place_changed(staging: Path, out: Path, file: str, data: bytes) -> bool:
    """For `update_in_place`: stage the page only when its bytes differ from the published file."""
    if same_bytes(out / file, data):
        return False
    target = staging / file
    os.makedirs(target.parent, exist_ok=True)
    target.write_bytes(data)
    return True


def update_in_place(out: Path, planned: list[PlannedPage], staging: Path, placed: dict[str, bool],
                    previous: set[str]) -> WriteResult:
    """Bring the published folder `out`, known to be exactly the last build's (`previous`: its
    files), to this build: every page whose bytes change is replaced by rename (so no file is
    ever half-written), files no longer planned are removed, and the others are not touched.
    The pages in `placed` were rendered: True ones are in `staging`; templated pages not in
    `placed` were vouched for by the build cache. Used for rebuilds without a search index;
    the pages are all rendered before the first file is replaced, so a build that fails changes
    nothing, but a reader may see new and old pages side by side for the moment of the update."""
    out = out.resolve()
    written = unchanged = 0
    touched: set[str] = set()
    try:
        planned_files = {page.file for page in planned}
        for file in sorted(previous - planned_files - {MARKER}, reverse=True):
            path = out / file
            path.unlink(missing_ok=True)
            touched.add(file)
            folder = path.parent
            while folder != out:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                folder = folder.parent
        def check(page: PlannedPage) -> None:  # (only for the files written: resolving every path costs)
            if not is_inside(out, page.file):
                raise KatsudoError([SourceError(page.source, None, f"'{page.file}' would be written outside the output folder")])

        for page in planned:
            target = out / page.file
            if page.file in placed:
                if placed[page.file]:
                    check(page)
                    os.makedirs(target.parent, exist_ok=True)
                    os.replace(staging / page.file, target)
                    touched.add(page.file)
                    written += 1
                else:
                    unchanged += 1
                continue
            if page.template is not None:
                unchanged += 1
                continue
            if page.copy_from is not None:
                if same_file(target, page.copy_from):
                    unchanged += 1
                    continue
                temporary = staging / page.file
                os.makedirs(temporary.parent, exist_ok=True)
                shutil.copyfile(page.copy_from, temporary)
            else:
                assert page.data is not None  # (a page is rendered, copied or these bytes)
                if same_bytes(target, page.data):
                    unchanged += 1
                    continue
                temporary = staging / page.file
                os.makedirs(temporary.parent, exist_ok=True)
                temporary.write_bytes(page.data)
            check(page)
            os.makedirs(target.parent, exist_ok=True)
            os.replace(temporary, target)
            touched.add(page.file)
            written += 1
        if not (out / MARKER).is_file():
            (out / MARKER).write_bytes(_MARKER_TEXT.encode("utf-8"))
            touched.add(MARKER)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(written, unchanged, frozenset(touched))


def write_site(out: Path, planned: list[PlannedPage], rendered: dict[str, bytes],
               before_swap: Callable[[Path, Path], None] | None = None,
               reused: set[str] | frozenset[str] = frozenset(), staging: Path | None = None,
               placed: dict[str, bool] | None = None) -> WriteResult:
    """`before_swap(staging, out)` runs on the complete new site before it is swapped in
    (the search index); if it raises, nothing is published. Pages in `reused` were not rendered:
    the build cache vouches that the published file is already this build's, so it is linked.
    Pages in `placed` are in `staging` already (by `place`; the value says whether written)."""
    out = out.resolve()
    if staging is None:
        staging = staging_folder(out)
    retired = out.parent / f".{out.name}.katsudo-old-{os.getpid()}"
    placed = placed or {}
    written = unchanged = 0
    try:
        for page in planned:
            if page.file in placed:
                if placed[page.file]:
                    written += 1
                else:
                    unchanged += 1
                continue
            if not is_inside(staging, page.file):
                raise KatsudoError([SourceError(page.source, None, f"'{page.file}' would be written outside the output folder")])
            target = staging / page.file
            previous = out / page.file
            target.parent.mkdir(parents=True, exist_ok=True)
            if page.copy_from is not None:
                if same_file(previous, page.copy_from):
                    os.link(previous, target)
                    unchanged += 1
                else:
                    shutil.copyfile(page.copy_from, target)
                    written += 1
                continue
            if page.file in reused:
                os.link(previous, target)
                unchanged += 1
                continue
            data = page.data if page.data is not None else rendered[page.file]
            if same_bytes(previous, data):
                os.link(previous, target)
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
        marker = _MARKER_TEXT.encode("utf-8")
        if same_bytes(out / MARKER, marker):
            os.link(out / MARKER, staging / MARKER)
        else:
            (staging / MARKER).write_bytes(marker)
        if before_swap is not None:
            before_swap(staging, out)
        if out.exists():
            os.replace(out, retired)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            os.replace(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return WriteResult(written, unchanged)


def clean_output(site_root: Path, out: Path) -> bool:
    """Remove the output folder; returns whether there was one."""
    check_output_folder(site_root, out)
    if not out.exists():
        return False
    shutil.rmtree(out)
    return True
