"""Shared fixtures: tiny sites written into tmp_path, and the CLI run the way editors run it."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

# The terminal's language (generator/i18n.py) follows the locale: pin it, as Pelican's tests pin
# LC_ALL=C, so that English assertions hold on any machine. Tests of the Japanese terminal set
# KATSUDO_LANG or LANG themselves.
for _name in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

REPO = Path(__file__).resolve().parent.parent
# A fixed build moment: which posts are "future" must not depend on the day the tests run.
NOW = "2026-11-22 12:00"

SITE_YAML = """\
title: テスト地域福祉委員会
base_url: https://example.org/minato/
per_page: 2
author: 事務局
categories:
  meeting: 会議・定例会
  workshop: 研修・ワークショップ
  event: お知らせ・イベント
"""


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class SiteDir:
    root: Path

    def write(self, rel: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return path

    def post(self, name: str, front: str, body: str = "本文です。\n") -> Path:
        """Write content/posts/NAME with the front matter lines `front` (dedented)."""
        return self.write(f"content/posts/{name}", "---\n" + textwrap.dedent(front).strip("\n") + "\n---\n" + textwrap.dedent(body))

    @property
    def public(self) -> Path:
        return self.root / "public"

    def build(self, *args: str) -> Run:
        return run_cli("build", "-s", str(self.root), *args)

    def snapshot(self) -> dict[str, str]:
        """Hash of every file under public/: to assert a failed build left it untouched."""
        return {str(p.relative_to(self.public)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.public.rglob("*")) if p.is_file()}


def run_cli(*args: str, env: dict[str, str] | None = None) -> Run:
    runner = CliRunner()
    result = runner.invoke(main, list(args), env={"KATSUDO_NOW": NOW, **(env or {})}, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def site(tmp_path: Path) -> SiteDir:
    """A valid small site: site.yaml and one post; add or break files in the test."""
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML)
    site.post("2024-06-17-teireikai.md", """
        title: 6月定例会
        date: 2024-06-17 19:00
        category: meeting
        tags: [地域福祉, 防災]
    """, "## 議題\n\n- 防災訓練について\n")
    return site


@pytest.fixture
def built_site(site: SiteDir) -> SiteDir:
    """The small site, built once successfully: a later failing build must leave this output as it is."""
    result = site.build()
    assert result.exit_code == 0, result.stderr
    return site


@pytest.fixture(autouse=True)
def _pinned_locale(monkeypatch):
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("KATSUDO_NOW", NOW)
    yield


# Pagefind indexes every built site (search is on by default) and costs about a second a build.
# Tests that are not about search get this stand-in, which writes an empty bundle of the same
# shape; tests marked `search` (and every test that runs `katsudo` as a separate process) get
# the real binary. Marked where a test reads the index or searches in a browser.
_PAGEFIND_STAND_IN = """#!/bin/sh
site=""; sub="pagefind"
while [ $# -gt 0 ]; do
  case "$1" in --site) site="$2"; shift ;; --output-subdir) sub="$2"; shift ;; esac
  shift
done
mkdir -p "$site/$sub"
printf '{"version":"stand-in","languages":{}}' > "$site/$sub/pagefind-entry.json"
: > "$site/$sub/pagefind.js"
"""


@pytest.fixture(scope="session")
def _pagefind_stand_in(tmp_path_factory) -> Path:
    script = tmp_path_factory.mktemp("pagefind") / "pagefind"
    script.write_text(_PAGEFIND_STAND_IN, encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture(autouse=True)
def _pagefind_only_for_search(request, monkeypatch):
    if request.node.get_closest_marker("search") is None:
        import generator.search

        stand_in = request.getfixturevalue("_pagefind_stand_in")
        monkeypatch.setattr(generator.search, "_executable", lambda: stand_in)
    yield


def build_example(out: Path, *args: str) -> Run:
    """The bundled example site built into `out`, without a build cache: the suite never writes
    into the repository (its .katsudo-cache is the developer's own)."""
    return run_cli("build", "-s", str(REPO), "-o", str(out), "-q", "--no-cache", *args)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example site built once for every test that only reads it (with the search index)."""
    out = tmp_path_factory.mktemp("example") / "public"
    result = build_example(out)  # (a session fixture is made before any test's stand-in is in place)
    assert result.exit_code == 0, result.stderr
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"], "the example site was indexed by the stand-in, not by Pagefind"
    return out


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (tests/browsing.py), one per test module."""
    from browsing import chromium

    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    """A phone-sized page (375 px, ja-JP); `page.requests` lists every URL it asked for."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="ja-JP")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.requests = requests
    yield page
    context.close()
