"""HTML comments are notes to the editor: they are left out of what is published.

The archetypes that `katsudo new` writes from are full of `<!-- 例：… -->` guidance, and editors
keep notes to each other the same way. Python-Markdown passes them through as raw HTML, so they
would reach the page's source, the Atom feed (full content) and, through the page, the search
index. `remove_comments` takes them out of the rendered HTML of a post, before its summary and
reading time are measured from it.

Only real comments are removed: a comment shown in a code block or in inline code is text
(`&lt;!--` in the HTML) and stays; so does the content of <script>, <style>, <textarea> and
<title>, where `<!--` is not a comment. A paragraph or list item that held nothing but comments
(the archetypes' `- <!-- 例：… -->`) goes with them, and so does a list left with no items, so a
skeleton that was published unfilled shows no empty bullets.

site.yaml `markdown: {keep_comments: true}` keeps every comment as written (generator/config.py);
`safe_html: true` removes them in any case.
"""

from __future__ import annotations

import re

_COMMENT = r"<!--.*?-->"
_ONLY_COMMENTS_ITEM = re.compile(rf"<li>(?:\s*(?:{_COMMENT}|<p>(?:\s*{_COMMENT})+\s*</p>))+\s*</li>\n?", re.S)
_ONLY_COMMENTS_PARAGRAPH = re.compile(rf"<p>(?:\s*{_COMMENT})+\s*</p>\n?", re.S)
_EMPTY_LIST = re.compile(r"<(ul|ol)>\s*</\1>\n?")
# Raw-text elements first, so that their `<!--` is kept; then a comment alone on its lines (with
# its line break), then any other.
_TOKEN = re.compile(rf"(<(script|style|textarea|title)\b.*?</\2\s*>)|^[ \t]*{_COMMENT}[ \t]*(?:\n|\Z)|{_COMMENT}",
                    re.S | re.I | re.M)


def remove_comments(html: str) -> str:
    """`html` without its comments (and without the elements that held only comments)."""
    if "<!--" not in html:
        return html
    html, items = _ONLY_COMMENTS_ITEM.subn("", html)
    html = _ONLY_COMMENTS_PARAGRAPH.sub("", html)
    if items:
        html = _EMPTY_LIST.sub("", html)
    return _TOKEN.sub(lambda match: match.group(1) or "", html)
