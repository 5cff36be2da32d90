"""`markdown.safe_html: true`: clean a post's HTML for content that came from elsewhere.

By default an editor's raw HTML is published as written (editors are trusted). With safe_html,
the HTML that Markdown produced is passed through nh3 (the Rust sanitiser ammonia) with an
allow-list: what Markdown and katsudo itself emit is kept (pictures and their srcset, figures,
heading ids, footnotes, the table's scroll region, katsudo's classes, the file-meta span), and
anything that could run script is removed: <script>, <style>, <iframe>, <svg>, <form>, on*
handlers, and URLs whose scheme is not http, https, mailto or tel (javascript:, data:, however
they are spelled or entity-encoded: ammonia decides on the parsed URL, not on the text).

Sanitising the whole output, not only the raw HTML parts, also catches a Markdown link such as
[x](javascript:alert(1)), and an inline tag can't escape by being split across Markdown spans.
"""

from __future__ import annotations

from functools import lru_cache

import nh3

# Tags: ammonia's default allow-list (text-level and structural HTML with no behaviour) plus
# what katsudo's photos use. Nothing that embeds, submits or runs anything.
TAGS = frozenset(nh3.ALLOWED_TAGS) | {"picture", "source", "figure", "figcaption", "tfoot", "main", "section"}
# Attributes: ammonia's defaults, and those katsudo writes itself.
_GLOBAL = {"id", "class", "title", "lang", "dir"}
_KATSUDO = {
    "a": {"href", "hreflang", "title"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding", "fetchpriority", "title"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"},
    "div": {"role", "tabindex", "aria-label"},  # the table's focusable, labelled scroll region
    "th": {"style"},  # Python-Markdown aligns table columns with style="text-align: …"
    "td": {"style"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_ALLOWED_STYLE = frozenset({"text-align"})


def _srcset_filter(tag: str, attribute: str, value: str) -> str | None:
    """ammonia checks the schemes of href and src, not of srcset's candidates: keep a srcset only
    when every candidate is a relative URL or an http(s) one."""
    if attribute != "srcset":
        return value
    for candidate in value.split(","):
        url = candidate.strip().split(" ")[0]
        scheme = url.partition(":")[0].lower() if ":" in url.split("/")[0] else ""
        if scheme not in ("", "http", "https"):
            return None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    attributes: dict[str, set[str]] = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in _KATSUDO.items():
        attributes.setdefault(tag, set()).update(names)
    attributes["*"] = set(_GLOBAL)
    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags={"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math",
                            "form", "textarea", "select", "title"},
        attributes=attributes,
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(_ALLOWED_STYLE),
        attribute_filter=_srcset_filter,
        link_rel=None,  # katsudo's own links must stay as they are; target= is not allowed anyway
        strip_comments=True,
    )


def sanitise(html: str) -> str:
    """The HTML with everything outside the allow-list removed."""
    return _cleaner().clean(html)
