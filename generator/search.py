"""Site search: the `/search/` page, and a static Pagefind index of the built site.

The index is written by Pagefind's *extended* binary (PyPI `pagefind[extended]`), the build
that segments Japanese text into words, so 地域福祉 finds 「地域福祉計画」 without spaces.
It runs on the staging folder after every page is written and before the swap: a failed index
means nothing is published. Only elements marked `data-pagefind-body` (the theme puts it on
post and page articles) are indexed; lists, tags, archives and reports are not.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
from pathlib import Path

from generator.errors import KatsudoError, SourceError

BUNDLE = "pagefind"  # the index's folder under the output folder: /BASE_PATH/pagefind/


def search_route() -> str:
    return "search/"


def plan_search(planner) -> None:
    """The search page: a form that works as a plain GET link, enhanced by assets/js/search.js."""
    planner.html(search_route(), "search.html", "search", planner.title("title_search"), {}, "the search page",
                 index_it=False)


def _executable() -> Path:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as error:  # pragma: no cover - a dependency of katsudo
        raise KatsudoError([SourceError(None, None, "Pagefind is not installed",
                                        "install katsudo's dependencies: pip install 'pagefind[extended]'")]) from error
    return get_executable()


def pagefind_command(folder: Path, language: str) -> list[str]:
    """Pagefind on the HTML files in FOLDER, writing FOLDER/pagefind/: one command line for the
    published site and the preview's background index, so the preview finds what the site will."""
    return [str(_executable()), "--site", str(folder), "--output-subdir", BUNDLE,
            "--force-language", language, "--silent"]


def index_folder(folder: Path, language: str, previous: Path | None = None) -> None:
    """Write the Pagefind bundle into FOLDER/pagefind/ for the HTML files in FOLDER.

    Files whose bytes equal the previous build's are hard-linked from it (as write_site does),
    so they keep their modification time. Pagefind's output is deterministic for the same input.
    """
    try:
        result = subprocess.run(pagefind_command(folder, language), capture_output=True, text=True, timeout=600,
                                env={**os.environ, "NO_COLOR": "1"})
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KatsudoError([SourceError(None, None, f"the search index could not be built: {error}")]) from error
    if result.returncode != 0 or not (folder / BUNDLE / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise KatsudoError([SourceError(None, None, "the search index could not be built: " + " / ".join(detail),
                                        "nothing was published; run again with -v, or report this")])
    canonical_filters(folder / BUNDLE)
    if previous is not None:
        _link_unchanged(folder / BUNDLE, previous / BUNDLE)


def _link_unchanged(new: Path, old: Path) -> None:
    if not old.is_dir():
        return
    for path in new.rglob("*"):
        before = old / path.relative_to(new)
        try:
            if (path.is_file() and before.is_file() and before.stat().st_size == path.stat().st_size
                    and before.read_bytes() == path.read_bytes()):
                path.unlink()
                os.link(before, path)
        except OSError:
            continue


# --- Byte-identical rebuilds -------------------------------------------------------------
# Pagefind 1.5.2 writes everything deterministically except the filters: the order of the
# filter names in the language's .pf_meta and of the values in each .pf_filter follows a Rust
# HashMap, which is seeded at random on every run. The content is the same, so we re-write
# those files in sorted order (their names are content hashes, so the names follow, and the
# .pf_meta name in pagefind-entry.json with them). Pagefind files are gzip'd CBOR after a
# 12-byte 'pagefind_dcd' signature; only the CBOR types Pagefind writes are handled.

_SIGNATURE = b"pagefind_dcd"


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise ValueError("integer too large")


def _cbor_encode(item) -> bytes:
    if isinstance(item, bool) or item is None:
        return bytes([0xF5 if item is True else 0xF4 if item is False else 0xF6])
    if isinstance(item, int):
        return _cbor_head(0, item) if item >= 0 else _cbor_head(1, -1 - item)
    if isinstance(item, bytes):
        return _cbor_head(2, len(item)) + item
    if isinstance(item, str):
        data = item.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    if isinstance(item, list):
        return _cbor_head(4, len(item)) + b"".join(_cbor_encode(x) for x in item)
    if isinstance(item, dict):
        return _cbor_head(5, len(item)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in item.items())
    raise TypeError(f"cannot encode {type(item).__name__}")


def _cbor_decode(data: bytes, at: int = 0):
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if major == 7:
        return {20: False, 21: True, 22: None}[info], at
    if info < 24:
        value = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value, at = int.from_bytes(data[at:at + size], "big"), at + size
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at:at + value]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = _cbor_decode(data, at)
            mapping[key], at = _cbor_decode(data, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR type {major}")


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    item, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data) or _SIGNATURE + _cbor_encode(item) != data:
        raise ValueError(f"{path.name} does not round-trip")  # a Pagefind format we do not know
    return item


def _write(folder: Path, stem: str, suffix: str, language: str, digits: int, item) -> str:
    data = _SIGNATURE + _cbor_encode(item)
    name = f"{language}_{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{stem}{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def canonical_filters(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for name, old in meta[3]:
            old_path = bundle / "filter" / f"{old}.pf_filter"
            key, values = _read(old_path)
            old_path.unlink()
            filters.append([name, _write(bundle / "filter", "", ".pf_filter", language, 7,
                                         [key, sorted(values, key=lambda value: value[0])])])
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = _write(bundle, "pagefind.", ".pf_meta", language, 10, meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
