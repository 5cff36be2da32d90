"""The command line as an editor uses it: help, init, new, build, clean, exit codes and output."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest

from conftest import NOW, REPO, SiteDir, run_cli

COMMANDS = ("build", "clean", "init", "new", "serve", "check")


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- help and usage errors

def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", result.stdout, re.M), command
    assert run_cli("-h").stdout == result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Usage: ") and f" {command} " in result.stdout.splitlines()[0]
    assert "--help" in result.stdout


def test_build_help_names_its_options():
    text = run_cli("build", "--help").stdout
    for option in ("--site", "--output", "--drafts", "--future", "--base-url", "--quiet", "--verbose"):
        assert option in text, option


def test_version():
    result = run_cli("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"katsudo, version \d+\.\d+\.\d+\n", result.stdout)


@pytest.mark.parametrize("args", [("build", "--bogus"), ("frobnicate",), ("new",), ("init",),
                                  ("new", "x", "--date", "2024/06/17"), ("serve", "--port", "eighty")])
def test_usage_errors_exit_2(args, site: SiteDir):
    result = run_cli(*args, *(("-s", str(site.root)) if args[0] == "new" and len(args) > 1 else ()))
    assert result.exit_code == 2
    assert "Error: " in result.stderr and result.stdout == ""
    assert not site.public.exists()


def test_build_of_a_folder_without_site_yaml(tmp_path: Path):
    result = run_cli("build", "-s", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'site.yaml'}: error: site.yaml not found" in result.stderr
    assert f"katsudo init {tmp_path}" in result.stderr
    assert result.stderr.rstrip("\n").endswith("1 error; nothing was written")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- init

def test_init_creates_a_site_that_builds(tmp_path: Path):
    target = tmp_path / "mysite"
    result = run_cli("init", str(target))
    assert result.exit_code == 0, result.stderr
    assert (target / "site.yaml").is_file()
    posts = sorted((target / "content/posts").glob("*.md"))
    assert posts, "a sample post"
    assert (target / "content/pages/about.md").is_file()
    created = [line.removeprefix("created ") for line in result.stdout.splitlines() if line.startswith("created ")]
    on_disk = sorted(str(p) for p in target.rglob("*") if p.is_file())
    assert sorted(created) == on_disk
    assert f"katsudo build -s {target}" in result.stdout

    build = run_cli("build", "-s", str(target))
    assert build.exit_code == 0, build.stderr
    public = target / "public"
    assert (public / "index.html").is_file()
    assert (public / "about/index.html").is_file()
    for post in posts:
        meta = frontmatter.load(post).metadata
        slug = meta.get("slug") or re.sub(r"^\d{4}-\d{2}-\d{2}-", "", post.stem)
        assert (public / "posts" / slug / "index.html").is_file(), post.name
        assert str(meta["title"]) in (public / "index.html").read_text(encoding="utf-8")


def test_init_into_an_existing_empty_folder(tmp_path: Path):
    result = run_cli("init", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "site.yaml").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("メモ", encoding="utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/keep.md").write_text("残す", encoding="utf-8")
    before = digest(tmp_path)
    result = run_cli("init", str(tmp_path))
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert result.stdout == ""
    assert digest(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "notes.txt"]


def test_init_refuses_a_file(tmp_path: Path):
    target = tmp_path / "site.txt"
    target.write_text("x")
    assert run_cli("init", str(target)).exit_code == 2
    assert target.read_text() == "x"


# --------------------------------------------------------------------------- new

MEETING_HEADINGS = ["## 日時", "## 場所", "## 出席者", "## 議題", "## 報告事項", "## 決定事項", "## 次回予定"]


def new(site: SiteDir, *args: str):
    return run_cli("new", *args, "-s", str(site.root))


def test_new_meeting_report(site: SiteDir):
    result = new(site, "June Meeting", "--category", "meeting", "--date", "2024-06-17")
    assert result.exit_code == 0, result.stderr
    path = site.root / "content/posts/2024-06-17-june-meeting.md"
    assert result.stdout == f"{path}\n"
    post = frontmatter.load(path)
    assert post.metadata["title"] == "June Meeting"
    assert str(post.metadata["date"]) == "2024-06-17"
    assert post.metadata["category"] == "meeting"
    assert post.metadata.get("tags") == []
    assert post.metadata.get("author") == "事務局"
    assert post.metadata["draft"] is True  # the skeleton is not published until the editor says so
    archetype = (REPO / "templates/archetypes/meeting.md").read_text(encoding="utf-8")
    headings = [line for line in archetype.splitlines() if line.startswith("## ")]
    assert headings == MEETING_HEADINGS
    text = path.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert body == archetype
    positions = [body.index(h + "\n") for h in MEETING_HEADINGS]
    assert positions == sorted(positions)


def test_new_without_category_uses_the_default_archetype(site: SiteDir):
    result = new(site, "お知らせ", "--date", "2024-06-20")
    assert result.exit_code == 0, result.stderr
    text = (site.root / "content/posts/2024-06-20-お知らせ.md").read_text(encoding="utf-8")
    assert text.split("\n---\n", 1)[1] == (REPO / "templates/archetypes/default.md").read_text(encoding="utf-8")
    assert "category" not in frontmatter.loads(text).metadata


@pytest.mark.parametrize("category", ["workshop", "event"])
def test_new_uses_the_category_archetype(site: SiteDir, category: str):
    result = new(site, "報告", "--category", category, "--date", "2024-06-20")
    assert result.exit_code == 0, result.stderr
    archetype = REPO / f"templates/archetypes/{category}.md"
    expected = archetype if archetype.is_file() else REPO / "templates/archetypes/default.md"
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert text.split("\n---\n", 1)[1] == expected.read_text(encoding="utf-8")


def test_new_japanese_title_keeps_a_japanese_slug(site: SiteDir):
    result = new(site, "6月定例会の報告", "--category", "meeting", "--date", "2024-06-17")
    assert result.exit_code == 0, result.stderr
    path = site.root / "content/posts/2024-06-17-6月定例会の報告.md"
    assert result.stdout == f"{path}\n"
    assert frontmatter.load(path).metadata["title"] == "6月定例会の報告"


@pytest.mark.parametrize("title, slug", [
    ("ＳＤＧｓ 勉強会", "sdgs-勉強会"),
    ("防災/減災 講座", "防災減災-講座"),
    ("会議: 予算について", "会議-予算について"),
])
def test_new_slug_from_awkward_titles(site: SiteDir, title: str, slug: str):
    result = new(site, title, "--date", "2024-06-17")
    assert result.exit_code == 0, result.stderr
    path = site.root / f"content/posts/2024-06-17-{slug}.md"
    assert result.stdout == f"{path}\n"
    assert frontmatter.load(path).metadata["title"] == title


def test_new_slug_option_wins(site: SiteDir):
    result = new(site, "6月定例会の報告", "--slug", "teireikai-2024-06", "--date", "2024-06-17")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{site.root / 'content/posts/2024-06-17-teireikai-2024-06.md'}\n"
    assert (site.root / "content/posts/2024-06-17-teireikai-2024-06.md").is_file()
    assert not (site.root / "content/posts/2024-06-17-6月定例会の報告.md").exists()


def test_new_refuses_a_bad_slug(site: SiteDir):
    before = digest(site.root)
    result = new(site, "x", "--slug", "../../etc")
    assert result.exit_code == 2
    assert "../../etc" in result.stderr
    assert digest(site.root) == before


def test_new_never_overwrites(site: SiteDir):
    first = new(site, "6月定例会", "--category", "meeting", "--date", "2024-06-17", "--slug", "rei")
    assert first.exit_code == 0
    path = Path(first.stdout.strip())
    path.write_text(path.read_text(encoding="utf-8") + "\n編集した本文\n", encoding="utf-8")
    edited = path.read_bytes()
    again = new(site, "6月定例会", "--category", "meeting", "--date", "2024-06-17", "--slug", "rei")
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "nothing was overwritten" in again.stderr
    assert again.stdout == ""
    assert path.read_bytes() == edited


def test_new_unknown_category(site: SiteDir):
    before = digest(site.root)
    result = new(site, "x", "--category", "meetng", "--date", "2024-06-17")
    assert result.exit_code == 2
    assert "unknown category 'meetng'; known: meeting, workshop, event" in result.stderr
    assert digest(site.root) == before


def test_new_without_date_uses_today_in_the_site_zone(site: SiteDir):
    result = new(site, "today")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{site.root / ('content/posts/' + NOW[:10] + '-today.md')}\n"
    # Just after midnight in Tokyo is still the previous day in UTC: the site's zone decides.
    late = run_cli("new", "late", "-s", str(site.root), env={"KATSUDO_NOW": "2026-11-23T00:10:00+09:00"})
    assert late.stdout.strip().endswith("2026-11-23-late.md")
    early = run_cli("new", "early", "-s", str(site.root), env={"KATSUDO_NOW": "2026-11-22T16:10:00+00:00"})
    assert early.stdout.strip().endswith("2026-11-23-early.md")


def test_new_posts_build(site: SiteDir):
    made = [new(site, "6月定例会の報告", "--category", "meeting", "--date", "2024-06-17"),
            new(site, "Workshop", "--category", "workshop", "--date", "2024-06-18"),
            new(site, "会議: 予算について", "--date", "2024-06-19")]
    assert all(r.exit_code == 0 for r in made)
    result = site.build("--drafts")  # (new posts are drafts)
    assert result.exit_code == 0, result.stderr
    html = (site.public / "posts/6月定例会の報告/index.html").read_text(encoding="utf-8")
    assert "6月定例会の報告" in html
    assert 'id="日時"' in html and 'id="次回予定"' in html
    assert "会議: 予算について" in (site.public / "posts/会議-予算について/index.html").read_text(encoding="utf-8")
    assert (site.public / "categories/meeting/index.html").is_file()


def test_new_in_a_folder_without_site_yaml(tmp_path: Path):
    result = run_cli("new", "x", "-s", str(tmp_path))
    assert result.exit_code == 1
    assert "site.yaml not found" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- build, clean

def test_build_prints_a_summary(site: SiteDir):
    result = site.build()
    assert result.exit_code == 0
    assert re.fullmatch(rf"built 1 posts, \d+ pages into {re.escape(str(site.public))} \(\d+ files changed\) in \d+ ms\n",
                        result.stdout)
    assert result.stderr == ""


def test_build_quiet_prints_nothing(site: SiteDir):
    result = site.build("-q")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    assert (site.public / "index.html").is_file()


def test_build_quiet_still_prints_errors(site: SiteDir):
    site.post("2024-05-01-bad.md", "title：x\ndate: 2024-05-01")
    result = site.build("-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "full-width colon" in result.stderr and "1 error; nothing was written" in result.stderr


def test_build_verbose_prints_stage_times(site: SiteDir):
    result = site.build("-v")
    assert result.exit_code == 0
    for stage in ("config", "content", "markdown", "plan", "render", "write"):
        assert re.search(rf"^\s+{stage}\s+\d+\.\d ms$", result.stdout, re.M), stage


def test_build_default_output_is_public_and_marked(site: SiteDir):
    assert site.build().exit_code == 0
    assert (site.root / "public/index.html").is_file()
    assert (site.root / "public/.katsudo-output").is_file()


def test_clean_removes_only_the_output_folder(built_site: SiteDir):
    site_files = {k: v for k, v in digest(built_site.root).items() if not k.startswith("public/")}
    result = run_cli("clean", "-s", str(built_site.root))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"removed {built_site.public}\n"
    assert not built_site.public.exists()
    assert digest(built_site.root) == site_files
    again = run_cli("clean", "-s", str(built_site.root))
    assert again.exit_code == 0
    assert "does not exist; nothing to remove" in again.stdout


def test_clean_of_a_custom_output(site: SiteDir, tmp_path: Path):
    out = tmp_path / "preview"
    assert site.build("-o", str(out)).exit_code == 0
    result = run_cli("clean", "-s", str(site.root), "-o", str(out))
    assert result.exit_code == 0
    assert not out.exists() and (site.root / "site.yaml").is_file()


@pytest.mark.parametrize("out", [".", "content", "{parent}"])
def test_clean_refuses_a_folder_it_must_not_remove(built_site: SiteDir, out: str, monkeypatch):
    monkeypatch.chdir(built_site.root)
    before = digest(built_site.root.parent)
    result = run_cli("clean", "-s", ".", "-o", out.format(parent=built_site.root.parent))
    assert result.exit_code == 1
    assert "error: the output folder" in result.stderr
    assert result.stderr.rstrip("\n").endswith("1 error; nothing was removed")
    assert digest(built_site.root.parent) == before


def test_clean_refuses_a_folder_katsudo_did_not_write(site: SiteDir, tmp_path: Path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("大事", encoding="utf-8")
    result = run_cli("clean", "-s", str(site.root), "-o", str(mine))
    assert result.exit_code == 1
    assert "already holds files that katsudo did not write" in result.stderr
    assert (mine / "keep.txt").read_text(encoding="utf-8") == "大事"


def test_python_dash_m_generator():
    python = REPO / ".venv/bin/python"
    if not python.exists():
        python = Path(sys.executable)
    result = subprocess.run([str(python), "-m", "generator", "--help"], capture_output=True, text=True,
                            cwd="/", env={**os.environ, "KATSUDO_NOW": NOW}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "katsudo" in result.stdout
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\b", result.stdout, re.M), command


def test_the_console_entry_exits_with_the_commands_status_and_all_its_output(site: SiteDir):
    """`python -m generator` leaves through cli.run, without the interpreter's teardown: its
    exit status, and every line written to the pipes before it, must still arrive."""
    python = REPO / ".venv/bin/python"
    if not python.exists():
        python = Path(sys.executable)
    env = {**os.environ, "KATSUDO_NOW": NOW}
    built = subprocess.run([str(python), "-m", "generator", "build", "-s", str(site.root), "-v"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert built.returncode == 0, built.stderr
    assert "built 1 posts" in built.stdout and "HTML pages rendered" in built.stdout
    assert (site.public / "index.html").is_file()
    bad = site.post("2024-07-01-bad.md", """
        title: 7月定例会
        date: 2024-07-32
        category: meeting
    """)
    failed = subprocess.run([str(python), "-m", "generator", "build", "-s", str(site.root)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert failed.returncode == 1
    assert bad.name in failed.stderr and "nothing was written" in failed.stderr
    usage = subprocess.run([str(python), "-m", "generator", "build", "--jobs", "0"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert usage.returncode == 2 and "--jobs" in usage.stderr


# --------------------------------------------------------------------------- reproducible output, base_url

@pytest.fixture
def richer(site: SiteDir) -> SiteDir:
    """The small site plus enough to exercise pagination, tags, a folder post, a page and a static file."""
    for day, slug, tags in [("2024-04-10", "a", "[防災, ＳＤＧｓ]"), ("2024-05-12", "b", "[SDGs]"),
                            ("2024-07-01", "c", "[地域 福祉]"), ("2025-03-31", "d", "[防災]")]:
        site.post(f"{day}-{slug}.md", f"""
            title: 報告 {slug}
            date: {day} 10:00
            category: workshop
            tags: {tags}
        """, f"## 議題\n\n本文 {slug}。[前回](2024-06-17-teireikai.md)\n\n## 議題\n\n脚注[^1]\n\n[^1]: 注\n")
    site.write("content/posts/2024-08-01-photo/index.md", "---\ntitle: 写真\ndate: 2024-08-01\n---\n![写真](p.png)\n")
    from PIL import Image  # a real picture: photos are re-encoded (generator/images.py)

    Image.new("RGB", (8, 6), (30, 120, 200)).save(site.root / "content/posts/2024-08-01-photo/p.png")
    site.write("content/pages/about.md", "---\ntitle: 私たちについて\n---\n[トップ](/) [記事](/posts/a/)\n")
    site.write("content/files/kiyaku.txt", "規約\n")
    return site


def test_two_builds_into_two_folders_are_byte_identical(richer: SiteDir, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert richer.build("-o", str(one)).exit_code == 0
    assert richer.build("-o", str(two)).exit_code == 0
    first, second = digest(one), digest(two)
    assert len(first) > 20
    assert first == second
    assert "posts/photo/p.png" in first and "files/kiyaku.txt" in first
    assert "page/2/index.html" in first


def test_base_url_option_moves_every_link(richer: SiteDir, tmp_path: Path):
    out = tmp_path / "preview"
    result = richer.build("-o", str(out), "--base-url", "https://preview.example.net/pr-7/")
    assert result.exit_code == 0, result.stderr
    pages = list(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages + [out / "feed.xml", out / "sitemap.xml", out / "robots.txt"]:
        text = page.read_text(encoding="utf-8")
        assert "/minato/" not in text, page
        assert "example.org" not in text, page
    post = (out / "posts/a/index.html").read_text(encoding="utf-8")
    assert 'href="/pr-7/posts/teireikai/"' in post
    assert re.search(r'href="/pr-7/tags/%E9%98%B2%E7%81%BD/"', post)
    about = (out / "about/index.html").read_text(encoding="utf-8")
    assert 'href="/pr-7/"' in about and 'href="/pr-7/posts/a/"' in about
    photo = (out / "posts/photo/index.html").read_text(encoding="utf-8")
    assert re.search(r'src="/pr-7/posts/photo/p-[0-9a-f]{8}-8\.png"', photo)
    assert "https://preview.example.net/pr-7/posts/a/" in (out / "feed.xml").read_text(encoding="utf-8")
    assert "<loc>https://preview.example.net/pr-7/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "Sitemap: https://preview.example.net/pr-7/sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")
    # Every root-relative href/src in the HTML stays under the new base path.
    for page in pages:
        for url in re.findall(r'(?:href|src)="(/[^"]*)"', page.read_text(encoding="utf-8")):
            assert url.startswith("/pr-7/"), (page, url)


def test_base_url_option_without_trailing_slash(site: SiteDir):
    result = site.build("--base-url", "https://preview.example.net/pr-7")
    assert result.exit_code == 0, result.stderr
    post = (site.public / "posts/teireikai/index.html").read_text(encoding="utf-8")
    assert 'href="/pr-7/tags/' in post and "/pr-7tags" not in post
    assert 'href="https://preview.example.net/pr-7/posts/teireikai/"' in post


def test_plan_archetype_has_its_headings(site: SiteDir):
    site.write("site.yaml", site.root.joinpath("site.yaml").read_text(encoding="utf-8").replace(
        "categories:\n", "categories:\n  plan: 計画・報告\n"))
    result = new(site, "計画の進み具合", "--category", "plan", "--date", "2024-06-20")
    assert result.exit_code == 0, result.stderr
    body = Path(result.stdout.strip()).read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert [line for line in body.splitlines() if line.startswith("## ")] == ["## 概要", "## 経緯", "## 内容", "## 今後"]


def test_a_site_archetype_overrides_the_theme(site: SiteDir):
    site.write("templates/archetypes/meeting.md", "\n## 当会独自の見出し\n")
    result = new(site, "定例会", "--category", "meeting", "--date", "2024-06-21")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()).read_text(encoding="utf-8").endswith("---\n## 当会独自の見出し\n")
