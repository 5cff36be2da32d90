"""Find the site's content files, in a stable order, and read them as text strictly.

Sorting makes builds deterministic; strict UTF-8 means a file saved in Shift_JIS is reported
with a way to fix it instead of being published as mojibake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SourceError

# Files editors' tools leave beside the real ones: never content.
_IGNORED_SUFFIXES = (".swp", ".swo", ".swx", ".tmp", ".bak", "~")
_IGNORED_NAMES = ("4913", "Thumbs.db", "desktop.ini")


def is_ignored(path: Path) -> bool:
    name = path.name
    return (
        name.startswith(".")
        or name.startswith("#")
        or name.endswith(_IGNORED_SUFFIXES)
        or name in _IGNORED_NAMES
    )


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute path on disk
    kind: str  # 'post' or 'page'
    bundle: Path | None  # folder of a folder post (its own photos and files), else None


@dataclass(frozen=True)
class StaticFile:
    path: Path  # absolute path on disk
    rel: str  # output path relative to the site root, '/'-separated


@dataclass(frozen=True)
class ContentTree:
    sources: tuple[SourceFile, ...]
    static: tuple[StaticFile, ...]  # bundle files and content/ files outside posts/ and pages/


def _files_under(folder: Path, skip: frozenset[str] = frozenset()) -> list[Path]:
    """The files under `folder` in the order of their paths' parts (folders' contents in place),
    without ignored files and folders, nor the top-level entries named in `skip`. Symlinked
    folders are not entered (as rglob does not)."""
    found: list[Path] = []

    def walk(directory: str, top: bool) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            if (top and entry.name in skip) or is_ignored(Path(entry.name)):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, False)
            elif entry.is_file():
                found.append(Path(entry.path))

    if folder.is_dir():
        walk(str(folder), True)
    return found


def discover(content_dir: Path) -> ContentTree:
    sources: list[SourceFile] = []
    static: list[StaticFile] = []
    posts_dir, pages_dir = content_dir / "posts", content_dir / "pages"
    for path in _files_under(posts_dir):
        rel = path.relative_to(posts_dir)
        if len(rel.parts) == 1:
            if path.suffix == ".md":
                sources.append(SourceFile(path, "post", None))
        elif (posts_dir / rel.parts[0] / "index.md").is_file():
            if len(rel.parts) == 2 and path.name == "index.md":
                sources.append(SourceFile(path, "post", path.parent))
            # Other bundle files are published by the model, beside the post's own URL.
    for path in _files_under(pages_dir):
        if path.suffix == ".md" and path.parent == pages_dir:
            sources.append(SourceFile(path, "page", None))
    for path in _files_under(content_dir, skip=frozenset({"posts", "pages"})):
        static.append(StaticFile(path, path.relative_to(content_dir).as_posix()))
    return ContentTree(tuple(sources), tuple(static))


def bundle_files(bundle: Path) -> list[Path]:
    return [p for p in _files_under(bundle) if p.name != "index.md"]


def decode_source(path: Path) -> tuple[str, SourceError | None]:
    """Read `path` as UTF-8 (a BOM and CRLF line ends are fine) or say why not."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        try:
            data.decode("cp932")
            looks_like = True
        except UnicodeDecodeError:
            looks_like = False
        if looks_like:
            return "", SourceError(path, line, "this file is saved in Shift_JIS (CP932), not UTF-8",
                                   "open it in your editor and save it again with the encoding 'UTF-8' "
                                   "(メモ帳: 名前を付けて保存 → 文字コード UTF-8)")
        return "", SourceError(path, line, "this file is not UTF-8 text",
                               "save it again with the encoding 'UTF-8'")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None
