"""The example site in real headless Chromium: a reader's walk through it, and the text-size switch."""

from __future__ import annotations

import pytest

from browsing import needs_chromium, serving


pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def served(example_site):
    """The example site built and served under its /minato/ sub-path on a free loopback port."""
    with serving(example_site) as url:
        yield url


def test_reader_walks_from_home_to_post_tag_and_archive(served, page):
    page.goto(served)
    assert page.locator("h1").count() == 1
    first_post = page.locator("main article h2 a").first
    title = first_post.inner_text().strip()
    first_post.click()
    page.wait_for_load_state()
    assert "/minato/posts/" in page.url
    assert page.locator("h1").inner_text().strip() == title
    assert page.locator("main time[datetime]").count() >= 1

    tag_link = page.locator("main a[href*='/minato/tags/']").first
    tag_name = tag_link.inner_text().strip().lstrip("#")
    tag_link.click()
    page.wait_for_load_state()
    assert "/minato/tags/" in page.url
    assert tag_name in page.locator("h1").inner_text()
    assert page.locator(f"main article h2 a:text-is('{title}')").count() == 1

    page.locator("a[href$='/minato/archive/']").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/minato/archive/")
    month = page.locator("main a[href*='/minato/archive/20']").last
    month.click()
    page.wait_for_load_state()
    assert page.locator("main article").count() >= 1
    assert all(url.startswith("http://127.0.0.1:") for url in page.requests), page.requests


def test_text_size_switch_enlarges_text_without_breaking_layout(served, page):
    page.goto(served)

    def body_font_size() -> float:
        return page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p, main li, main a')).fontSize)")

    standard = body_font_size()
    large_button = page.locator("button[aria-pressed]").filter(has_text="大")
    large_button.click()
    assert large_button.get_attribute("aria-pressed") == "true"
    enlarged = body_font_size()
    assert enlarged >= standard * 1.15
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the large text size scrolls sideways on a 375 px phone"
    page.reload()
    assert body_font_size() == enlarged, "the chosen size is remembered on the next page"


def test_site_works_with_javascript_off(served, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(served)
    assert page.locator("button[aria-pressed]:visible").count() == 0, "a switch that cannot work is hidden"
    page.locator("main article h2 a").first.click()
    page.wait_for_load_state()
    assert "/minato/posts/" in page.url
    context.close()


def test_unknown_address_shows_the_site_404_page(served, page):
    response = page.goto(served + "posts/no-such-report/")
    assert response.status == 404
    assert page.locator("a[href='/minato/']").count() >= 1
