"""Site search (Pagefind extended) in real headless Chromium: Japanese words, katakana, ASCII,
a category filter, the /minato/ sub-path, the header form, no JavaScript, and no drafts."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from browsing import needs_chromium, serving

pytestmark = pytest.mark.search  # the real Pagefind, for the builds made here

DRAFT_MARKER = "DRAFT-MARKER-下書き"
PLAN_POST = "/minato/posts/dai3ki-keikaku-shinchoku-r5/"


@pytest.fixture(scope="module")
def built(example_site) -> Path:
    """The example site, built (and indexed) once for the whole session."""
    return example_site


@pytest.fixture(scope="module")
def served(built):
    with serving(built) as url:
        yield url


def search(page, served: str, query: str, category: str = "") -> list[str]:
    """Open /search/?q=QUERY and return the result links' paths, in order."""
    url = f"{served}search/?q={quote(query)}" + (f"&category={quote(category)}" if category else "")
    page.goto(url)
    status = page.locator("[data-search-status]")
    page.wait_for_function("s => s.textContent && !s.textContent.includes('…')", arg=status.element_handle())
    return [urlsplit(href).path for href in page.locator("[data-search-results] a").evaluate_all("as => as.map(a => a.href)")]


def _decoded_bundle(out: Path) -> list[bytes]:
    """Every file of the bundle as stored, plus the gunzipped contents of the index files."""
    blobs = []
    for path in sorted((out / "pagefind").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            blobs.append(data)
            try:
                blobs.append(gzip.decompress(data))
            except OSError:
                pass
    return blobs


# ---- without a browser ----

def test_index_is_written_and_only_posts_and_pages_are_indexed(built: Path):
    assert (built / "pagefind" / "pagefind.js").is_file()
    assert any((built / "pagefind" / "fragment").iterdir())
    assert (built / "search" / "index.html").is_file()
    bodies = sorted(str(p.relative_to(built).parent) for p in built.rglob("*.html")
                    if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    assert bodies and all(b.startswith("posts/") or b in ("about", "contact") for b in bodies), bodies
    fragments = b"".join(gzip.decompress(p.read_bytes()) for p in (built / "pagefind" / "fragment").iterdir())
    assert "/tags/".encode() not in fragments and b"/archive/" not in fragments
    # Navigation and footers are not indexed: the footer's text appears in no fragment.
    assert "このサイトは".encode() not in fragments


def test_drafts_are_not_in_the_index(built: Path):
    blobs = _decoded_bundle(built)
    assert len(blobs) > 10
    for blob in blobs:
        assert DRAFT_MARKER.encode() not in blob
        assert "臨時委員会".encode() not in blob  # the draft's title


def test_search_page_works_without_javascript_as_a_list_of_links(built: Path):
    html = (built / "search" / "index.html").read_text(encoding="utf-8")
    assert 'action="/minato/search/"' in html and 'name="q"' in html
    for href in ("/minato/tags/", "/minato/archive/", "/minato/fiscal/", "/minato/categories/meeting/"):
        assert f'href="{href}"' in html
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'role="search"' in home and 'action="/minato/search/"' in home


# ---- in Chromium ----

@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("query", ["地域福祉計画", "地域福祉"])
def test_japanese_words_find_the_plan_post(served, page, query):
    results = search(page, served, query)
    assert PLAN_POST in results
    assert all(r.startswith("/minato/posts/") or r in ("/minato/about/", "/minato/contact/") for r in results)
    assert page.locator("[data-search-results] mark").count() >= 1
    status = page.locator("[data-search-status]")
    assert status.get_attribute("aria-live") == "polite"
    assert f"{len(results)}件" in status.inner_text()
    assert all(urlsplit(url).netloc == urlsplit(served).netloc for url in page.requests)


@pytest.mark.browser
@needs_chromium
def test_a_word_in_one_post_finds_only_that_post(served, page):
    assert search(page, served, "オレンジリング") == ["/minato/posts/ninchisho-supporter/"]


@pytest.mark.browser
@needs_chromium
def test_katakana_and_ascii_words(served, page):
    assert "/minato/posts/bousai-kunren/" in search(page, served, "ワークショップ")
    # SDGs is in two posts' text (and, as ＳＤＧｓ, in no other): ASCII words are found too.
    assert set(search(page, served, "SDGs")) == {"/minato/posts/fukushi-matsuri/", "/minato/posts/r6-jigyo-keikaku/"}


@pytest.mark.browser
@needs_chromium
def test_nothing_for_the_draft_marker(served, page):
    assert search(page, served, DRAFT_MARKER) == []
    assert "見つかりませんでした" in page.locator("[data-search-status]").inner_text()


@pytest.mark.browser
@needs_chromium
def test_category_filter_narrows_results(served, page):
    everything = search(page, served, "ボランティア")
    workshops = search(page, served, "ボランティア", "研修・ワークショップ")
    assert workshops and set(workshops) < set(everything)
    assert {"/minato/posts/ibasho-1/", "/minato/posts/ibasho-2/"} <= set(workshops)
    assert page.locator("#k-search-category").input_value() == "研修・ワークショップ"
    page.select_option("#k-search-category", "")
    page.wait_for_function("n => document.querySelectorAll('[data-search-results] a').length === n", arg=len(everything))


@pytest.mark.browser
@needs_chromium
def test_header_form_submits_to_the_search_page_by_keyboard(served, page):
    page.goto(served + "posts/bousai-kunren/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "k-site-search"
    assert page.locator("label[for='k-site-search']").inner_text().strip()
    page.keyboard.type("地域福祉計画")
    page.keyboard.press("Enter")
    page.wait_for_url("**/minato/search/?q=*")
    assert urlsplit(page.url).path == "/minato/search/"
    page.wait_for_selector(f"[data-search-results] a[href='{PLAN_POST}']")
    assert page.locator("#k-search-q").input_value() == "地域福祉計画"
    # The results are reachable by keyboard from the search field.
    page.focus("#k-search-q")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('[data-search-results]') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('[data-search-results]') !== null")


@pytest.mark.browser
@needs_chromium
def test_without_javascript_the_search_page_lists_archives(browser, served):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(served + "search/?q=%E5%9C%B0%E5%9F%9F")
    assert page.locator(".search-noscript").is_visible()
    for href in ("/minato/tags/", "/minato/archive/", "/minato/fiscal/"):
        assert page.locator(f"main a[href='{href}']").is_visible()
    context.close()


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_passes_axe(browser, served, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme, locale="ja-JP")
    page = context.new_page()
    search(page, served, "地域福祉")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.goto(served)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    context.close()


