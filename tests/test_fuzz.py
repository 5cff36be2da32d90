"""Property-based tests: whatever an editor (or a pasted file) puts in front matter, a body or a
file name, the build either succeeds or reports `PATH:LINE` errors — never a traceback, never a
file outside the output folder, never two posts silently on one address, never a feed that is
not XML. Slugs and tag keys from any text are safe relative paths; tag keys are idempotent.

Builds go through the library (generator.build.build) without the search index, for speed;
`max_examples` keeps the whole file well under a minute on a slow CI machine.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import textwrap
import unicodedata
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.build import BuildOptions, build
from generator.errors import KatsudoError
from generator.frontmatter import EVENT_FIELDS, KNOWN_FIELDS
from generator.report import Reporter
from generator.urls import is_inside, output_file, post_route, slug_problem, tag_key, tag_route

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
SITE_YAML = textwrap.dedent("""\
    title: テスト地域福祉委員会
    base_url: https://example.org/minato/
    categories:
      meeting: 会議・定例会
""")
# KATSUDO_FUZZ_EXAMPLES=1000 for a longer hunt on a fast machine.
BUILDS = settings(max_examples=int(os.environ.get("KATSUDO_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as editors paste it: any Unicode (emoji, combining marks, RTL, full-width, controls, NUL).
any_text = st.text(st.characters(codec="utf-8"), max_size=40)
words = st.sampled_from(["定例会", "2024-06-17", "2024-06-17 19:00", "meeting", "true", "yes", "-1", "0",
                         "0001-01-01", "0001-01-01 00:00", "9999-12-31 23:59", "9999-12-31T23:00:00-12:00",
                         "１２", "令和6年", "http://x", "../x", "a/b", "", " ", "\u202e", "🎉", "e\u0301"])
scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | any_text | words \
    | st.dates(min_value=datetime(1, 1, 1).date())
yaml_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(EVENT_FIELDS + ("title", "x")) | any_text, inner,
                                             max_size=4), max_leaves=10)


class Site:
    """One site folder reused across examples (hypothesis runs many in one test)."""

    def __init__(self, root: Path):
        self.root = root
        self.out = root / "public"
        self.posts = root / "content" / "posts"

    def reset(self) -> None:
        shutil.rmtree(self.root / "content", ignore_errors=True)
        self.posts.mkdir(parents=True)
        (self.root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")

    def build(self) -> list | None:
        """None on success, else the errors (each must name a file and line)."""
        try:
            build(BuildOptions(site_root=self.root, out=self.out, now=NOW, search_index=False),
                  Reporter(quiet=True, err=io.StringIO()))
        except KatsudoError as error:
            return error.errors
        return None


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory) -> Site:
    return Site(tmp_path_factory.mktemp("fuzz") / "site")


def everything_under(folder: Path) -> set[Path]:
    return {Path(dirpath) / name for dirpath, dirnames, filenames in os.walk(folder)
            for name in dirnames + filenames}


def assert_build_is_clean_or_reported(site: Site, sources: list[Path]) -> list | None:
    """The one property every build must have."""
    outside_before = everything_under(site.root.parent) - everything_under(site.out)
    errors = site.build()
    outside_after = everything_under(site.root.parent) - everything_under(site.out)
    new_outside = {p for p in outside_after - outside_before if ".katsudo-cache" not in p.parts and p != site.out}
    assert new_outside == set(), new_outside  # nothing written outside the output folder
    event("reported errors" if errors is not None else "built")  # --hypothesis-show-statistics
    if errors is not None:
        assert errors, "KatsudoError without errors"
        for error in errors:
            assert error.path in sources, error.format()
            error.format(site.root, "ja")  # a Japanese site adds a sentence: formatting it must not fail
            if error.line is None and error.message.endswith("is missing"):
                continue  # a setting that is not in the file has no line to point at
            assert isinstance(error.line, int) and error.line >= 1, error.format()
            assert error.message and error.format().startswith(f"{error.path}:{error.line}: error: ")
        return errors
    for path in everything_under(site.out):
        assert path.resolve().is_relative_to(site.out.resolve()), path
    for xml in ("feed.xml", "sitemap.xml"):
        etree.fromstring((site.out / xml).read_bytes())  # well-formed, whatever the titles hold
    return None


def write_post(site: Site, name: str, front: str, body: str = "本文です。\n") -> Path:
    path = site.posts / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def front_matter(fields: dict) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) if fields else ""


# --------------------------------------------------------------------------- whole builds

@BUILDS
@given(st.dictionaries(st.sampled_from(KNOWN_FIELDS), yaml_values, max_size=6))
@example({"title": "a", "date": "9999-12-31T23:00:00-12:00"})
@example({"title": "a", "date": "0001-01-01T00:00:00+14:00"})
@example({"title": "a\x00b", "date": "2024-01-01"})
@example({"title": "a", "date": "2024-01-01", "tags": ["a\x00b"]})
@example({"title": "a", "date": "2024-01-01", "series": "\x07連続講座"})
@example({"title": "a", "date": "2024-01-01", "event": {"start": "2024-01-02", "place": "会場\x0b"}})
def test_any_front_matter_values(fuzz_site: Site, fields: dict):
    fuzz_site.reset()
    # A valid title and date unless the example replaces them: the other fields get validated too.
    post = write_post(fuzz_site, "2024-06-17-teireikai.md",
                      front_matter({"title": "定例会", "date": "2024-06-17", **fields}))
    assert_build_is_clean_or_reported(fuzz_site, [post])


@BUILDS
@given(st.lists(st.tuples(st.sampled_from(KNOWN_FIELDS + ("extra",)), any_text), max_size=5))
def test_any_front_matter_text(fuzz_site: Site, lines: list[tuple[str, str]]):
    """Lines typed by hand: 'key: whatever' is not always YAML."""
    fuzz_site.reset()
    front = "".join(f"{key}: {value}\n".replace("\r", "") for key, value in lines)
    post = write_post(fuzz_site, "2024-06-17-teireikai.md", "title: 定例会\ndate: 2024-06-17\n" + front)
    assert_build_is_clean_or_reported(fuzz_site, [post])


YAML_PIECES = ["title: 定例会", "date: 2024-06-17", "[", "]", "{", "}", "? ", ": ", "- ", "&a ", "*a", "<<: *a",
               "!!binary aGk=", "!!set ", "!!python/object:os.system ", "9" * 5000, "\n", "  ", "'", '"', ",", "#",
               "tags", "event", "start", "~", "0001-01-01", "\t", "\u3000", "：", "[" * 2000]


@BUILDS
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=25).map("".join))
@example("title: a\ndate: 2024-01-01\n? [a, b]\n: c\n")
@example("title: a\ndate: 2024-01-01\n[a]: b\n")
@example("title: a\ndate: 2024-01-01\nx: " + "[" * 3000 + "]" * 3000 + "\n")
@example("title: a\ndate: 2024-01-01\nweight: " + "9" * 5000 + "\n")
@example("title: a\ndate: 0001-01-01\n")
@example("title: a\ndate: 2024-01-01\nevent:\n  start: 9999-12-31 23:59\n")
def test_any_yaml_document(fuzz_site: Site, front: str):
    """YAML's own syntax: complex keys, anchors, tags, deep nesting, huge numbers."""
    fuzz_site.reset()
    post = write_post(fuzz_site, "2024-06-17-teireikai.md", front + "\n")
    assert_build_is_clean_or_reported(fuzz_site, [post])


@BUILDS
@given(st.text(st.characters(codec="utf-8"), max_size=300)
       | st.lists(st.sampled_from(["# ", "## 見出し", "- ", "1. ", "> ", "|a|b|\n|-|-|\n|1|2|", "[^1]", "[^1]: 注",
                                   "![](x.png)", "[x](#)", "[x](a.md)", "<div>", "</div>", "`", "```", "\n",
                                   "{: #id }", "<!--", "&#0;", "\x00", "🎉", "\u202e", "e\u0301"]),
                  max_size=30).map("".join))
def test_any_body(fuzz_site: Site, body: str):
    fuzz_site.reset()
    post = write_post(fuzz_site, "2024-06-17-teireikai.md", "title: 定例会\ndate: 2024-06-17\n", body)
    assert_build_is_clean_or_reported(fuzz_site, [post])


def _file_name(name: str) -> bytes | None:
    """`name` as the bytes of a file name the file system accepts (lone surrogates as the
    undecodable bytes they stand for, the way os.fsencode writes them), or None."""
    try:
        encoded = os.fsencode(name)
    except UnicodeEncodeError:
        return None
    if not encoded or b"/" in encoded or b"\x00" in encoded or encoded in (b".", b"..") or len(encoded) > 200:
        return None
    return encoded


@BUILDS
@given(st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"]), min_size=1, max_size=30))
@example("2024-06-17-\udcff.md")
@example("2024-06-17-a\u0301\u202e🎉.md")
@example("2024-06-17-.md")
@example("2024-06-17-..md")
def test_any_file_name(fuzz_site: Site, stem: str):
    name = stem if stem.endswith(".md") else stem + ".md"
    encoded = _file_name(name)
    assume(encoded is not None)
    fuzz_site.reset()
    path = Path(os.fsdecode(os.path.join(os.fsencode(fuzz_site.posts), encoded)))
    try:
        path.write_bytes(b"---\ntitle: t\ndate: 2024-06-17\n---\nbody\n")
    except OSError:
        assume(False)  # this file system refuses the name
    errors = assert_build_is_clean_or_reported(fuzz_site, [path])
    if errors is None and not path.name.startswith((".", "#")) and not path.name.endswith("~"):
        assert len(list((fuzz_site.out / "posts").iterdir())) == 1


slugs = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12) | st.sampled_from(
    ["teireikai", "Teireikai", "TEIREIKAI", "ｔｅｉｒｅｉｋａｉ", "が", "か\u3099", "a", "a.", "a-", "index.html"])


@BUILDS
@given(slugs, slugs)
@example("teireikai", "Teireikai")
@example("が", "か\u3099")
@example("index.html", "index.html")
def test_two_posts_never_silently_share_an_address(fuzz_site: Site, first: str, second: str):
    fuzz_site.reset()
    a = write_post(fuzz_site, "2024-06-17-a.md", front_matter({"title": "一つ目", "date": "2024-06-17", "slug": first}))
    b = write_post(fuzz_site, "2024-06-18-b.md", front_matter({"title": "二つ目", "date": "2024-06-18", "slug": second}))
    errors = assert_build_is_clean_or_reported(fuzz_site, [a, b])
    if errors is not None:
        return
    pages = {}
    # An empty slug (only spaces) is no slug: the file name gives the address.
    for slug, title in ((first.strip() or "a", "一つ目"), (second.strip() or "b", "二つ目")):
        page = fuzz_site.out / output_file(post_route(slug))
        text = page.read_text(encoding="utf-8")
        assert f"<h1>{title}</h1>" in text or f">{title}</h1>" in text, (slug, title)
        pages[title] = page.resolve()
    assert pages["一つ目"] != pages["二つ目"]


@BUILDS
@given(st.sampled_from(["tags", "archive", "feed.xml", "search", "404.html", "posts", "assets", "page", "sitemap.xml",
                        "robots.txt", "categories", "fiscal", "events", "events.ics", "series", "pagefind", "index.html"])
       | slugs)
def test_a_page_never_silently_takes_a_generated_address(fuzz_site: Site, slug: str):
    """content/pages/SLUG.md against the pages katsudo makes itself (tags, feeds, archives…)."""
    fuzz_site.reset()
    post = write_post(fuzz_site, "2024-06-17-teireikai.md", "title: 定例会\ndate: 2024-06-17\ntags: [防災]\n"
                      "event:\n  start: 2024-06-20\nseries: 講座\n")
    pages = fuzz_site.root / "content" / "pages"
    pages.mkdir()
    page = pages / "about.md"
    page.write_text("---\n" + front_matter({"title": "固定ページ", "slug": slug}) + "---\n本文\n", encoding="utf-8")
    errors = assert_build_is_clean_or_reported(fuzz_site, [post, page])
    if errors is None:
        built = fuzz_site.out / output_file(f"{slug.strip() or 'about'}/")
        assert "固定ページ" in built.read_text(encoding="utf-8")
        assert "定例会" in (fuzz_site.out / "posts/teireikai/index.html").read_text(encoding="utf-8")
        etree.fromstring((fuzz_site.out / "feed.xml").read_bytes())


SITE_FIELDS = ("title", "base_url", "description", "language", "timezone", "fiscal_year_start", "per_page", "author",
               "organisation", "categories", "date_style", "summary_length", "related_posts", "reading_speed_ja",
               "reading_speed_en", "images", "search", "markdown")


@BUILDS
@given(st.dictionaries(st.sampled_from(SITE_FIELDS), yaml_values
                       | st.dictionaries(st.sampled_from(["safe_html", "widths", "keep_metadata", "default_image",
                                                          "meeting", "Meeting", "a b"]), yaml_values, max_size=3),
                       max_size=5))
@example({"timezone": "../../etc/passwd"})
@example({"timezone": "\x00"})
@example({"base_url": "https://example.org:99999/"})
@example({"images": {"default_image": "../../site.yaml"}})
def test_any_site_yaml_values(fuzz_site: Site, fields: dict):
    fuzz_site.reset()
    settings_file = fuzz_site.root / "site.yaml"
    settings_file.write_text(front_matter({"title": "テスト", "base_url": "https://example.org/minato/", **fields}),
                             encoding="utf-8")
    post = write_post(fuzz_site, "2024-06-17-teireikai.md", "title: 定例会\ndate: 2024-06-17\n")
    assert_build_is_clean_or_reported(fuzz_site, [settings_file, post])


# --------------------------------------------------------------------------- pure functions

@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"]), max_size=40))
def test_a_slug_that_passes_is_a_safe_relative_path(text: str):
    if slug_problem(text) is not None:
        return
    route = post_route(text)
    path = PurePosixPath(output_file(route))
    assert not path.is_absolute()
    assert path.parts == ("posts", text, "index.html")
    assert ".." not in path.parts and "." not in path.parts
    assert is_inside(Path(tempfile.gettempdir()) / "out", str(path))
    text.encode("utf-8")  # a real file name and URL: no lone surrogates


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"]), max_size=40))
@example("a\x00b")
@example("\u202e")
@example("ﾃｽﾄ")
@example("Ⅻ")
@example("ﬁ")
def test_tag_keys_are_idempotent_and_safe(name: str):
    key = tag_key(name)
    assert tag_key(key) == key
    if key:
        # One folder under tags/, with a name a file system and a URL can hold.
        assert PurePosixPath(output_file(tag_route(key))).parts == ("tags", key, "index.html")
        assert key not in (".", "..") and "/" not in key and "\\" not in key
        assert not any(unicodedata.category(ch).startswith("C") for ch in key), (name, key)
        assert is_inside(Path(tempfile.gettempdir()) / "out", output_file(tag_route(key)))
