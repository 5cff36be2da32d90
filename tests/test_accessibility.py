"""Accessibility in real headless Chromium: axe-core finds no WCAG 2.2 A/AA violation on any kind of
page, in light and dark mode, at both text sizes, on a phone and a desktop; and the site works from
the keyboard alone (skip link first, a visible focus ring everywhere, the whole header reachable)."""

from __future__ import annotations

import pytest

from browsing import needs_chromium, serving

pytestmark = [pytest.mark.browser, needs_chromium]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PAGES = {
    "home": "",
    "post-with-table": "posts/teireikai-2024-06/",
    "post-with-event": "posts/forum-2026/",
    "tag": "tags/地域福祉/",
    "archive": "archive/",
    "404": "posts/no-such-report/",
    "events": "events/",
    "fiscal": "fiscal/",
    "annual-report": "fiscal/2024/report/",
    "series": "series/",
}
# (colour scheme, viewport width, text size): every page in the two extremes, plus the mixed
# combinations on the pages with the most going on (tables, event details, the header).
EXTREMES = [("light", 375, "standard"), ("dark", 1280, "large")]
MIXED = [("dark", 375, "large"), ("light", 1280, "large")]
CASES = [(name, *combo) for name in PAGES for combo in EXTREMES]
CASES += [(name, *combo) for name in ("home", "post-with-table") for combo in MIXED]


@pytest.fixture(scope="module")
def served(example_site):
    """The example site built and served under its /minato/ sub-path on a free loopback port."""
    with serving(example_site) as url:
        yield url


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _context(browser, scheme: str, width: int, size: str):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", color_scheme=scheme)
    if size == "large":
        # what the 大 button stores; the inline script in <head> applies it before the first paint
        context.add_init_script("try{localStorage.setItem('katsudo-text-size','large')}catch(e){}")
    return context


@pytest.mark.parametrize("name,scheme,width,size", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_no_wcag_violations(served, browser, axe, name, scheme, width, size):
    context = _context(browser, scheme, width, size)
    page = context.new_page()
    try:
        response = page.goto(served + PAGES[name])
        assert response.status == (404 if name == "404" else 200)
        page.wait_for_load_state("load")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        if size == "large" and page.locator("[data-text-size-switch]").count():
            assert page.evaluate("document.documentElement.getAttribute('data-text-size')") == "large"
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                         "resultTypes": ["violations"]})
        violations = results.response["violations"]
        assert not violations, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {n['target']}: {n['failureSummary']}" for n in v["nodes"][:5])
            for v in violations)
    finally:
        context.close()


def test_axe_does_find_violations(browser, axe):
    """Guards the guard: a page with known faults must come back with them."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html><body><img src="x.png"><p style="color:#ccc;background:#fff">薄い文字</p></body></html>')
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    ids = {v["id"] for v in results.response["violations"]}
    context.close()
    assert {"image-alt", "html-has-lang", "color-contrast"} <= ids, ids


# --- the keyboard alone ---------------------------------------------------------------------------

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {tag: el.tagName, key: el.getAttribute('href') || el.getAttribute('name') || el.innerText.trim(), text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          href: el.getAttribute('href'), id: el.id, inHeader: !!el.closest('header'),
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow,
          visible: r.width > 0 && r.height > 0};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(served, browser, scheme):
    context = _context(browser, scheme, 375, "standard")
    page = context.new_page()
    page.goto(served)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first and first["tag"] == "A" and first["href"] == "#k-main", first
    assert first["visible"], "the skip link shows itself when it has focus"
    page.keyboard.press("Enter")
    target = page.evaluate("() => { const el = document.activeElement; return el.closest('main') ? el.closest('main').id || el.id : el.id }")
    assert page.evaluate("document.activeElement.closest('main') !== null || document.activeElement.tagName === 'MAIN'"), \
        "Enter on the skip link must move keyboard focus into <main>"
    assert target == "k-main" or page.evaluate("document.activeElement.id") == "k-main"
    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after is None or not after["inHeader"], "the next Tab continues inside the content, not back in the header"
    context.close()


@pytest.mark.parametrize("scheme,width", [("light", 1280), ("dark", 375)])
def test_every_focus_stop_is_visible_and_the_header_is_reachable(served, browser, scheme, width):
    context = _context(browser, scheme, width, "standard")
    page = context.new_page()
    page.goto(served)
    header_controls = page.evaluate("""() => Array.from(document.querySelectorAll('header a[href], header button, header input, nav.site-nav a[href]'))
        .filter(el => el.getClientRects().length > 0 && !el.closest('[hidden]'))
        .map(el => el.getAttribute('href') || el.innerText.trim() || el.getAttribute('name'))""")
    assert len(header_controls) >= 5, header_controls
    seen, stops = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break  # focus left the document: one full round
        key = (focused["tag"], focused["id"], focused["key"])
        if key in seen and stops and key == stops[0]:
            break
        seen.add(key)
        stops.append(key)
        ring = (focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0) or focused["boxShadow"] not in ("none", "")
        assert ring, f"no visible focus indicator on {focused}"
        assert focused["visible"], f"focus went to something invisible: {focused}"
    reached = {k[-1] for k in stops}
    missing = [c for c in header_controls if c not in reached]
    assert not missing, f"header controls the keyboard never reaches: {missing}"
    context.close()
