"""Plain text from rendered HTML, and what is measured on it: summaries and reading time.

Pure functions, aware of Japanese: a summary is cut by characters at a sentence end
(。！？, or `.!?` followed by a space in English) and never inside a tag or an entity, because
it is cut from text already taken out of the HTML and unescaped. Reading time counts Japanese
by characters and other languages by words.
"""

from __future__ import annotations

import html
import math
import re
from html.parser import HTMLParser

ELLIPSIS = "…"
# A sentence ends after 。！？ (and full-width ．), or after .!? followed by a space; closing
# quotes and brackets right after the mark belong to the sentence: 「…です。」
_SENTENCE_END = re.compile(r"(?:[。！？．]+|[.!?]+(?=\s))[」』）)\]】〉》\"'”’]*")
_SPACES = re.compile(r"\s+")
# Characters read one by one: kana, kanji, CJK punctuation, full-width forms, hangul.
_CJK = re.compile("[\u3001-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  "\uff01-\uffef\uac00-\ud7af\U00020000-\U0003ffff]")
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote",
                     "pre", "div", "section", "figcaption", "br", "tr", "ul", "ol", "table"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


class _TextParser(HTMLParser):
    """Collects the text of the document and, separately, of the opening paragraphs: the first
    run of `<p>` at the top level, ended by anything else there (a heading, a list, a table).
    Footnotes (the reference numbers and the list at the end) are left out: they are not prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.all: list[str] = []
        self.paragraphs: list[str] = []
        self._paragraph: list[str] | None = None
        self._stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self._run_over = False  # a top-level block other than <p> came after the opening paragraphs

    def _skipping(self) -> bool:
        return any(skipped for _, skipped in self._stack)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in _BLOCKS:
            self.all.append("\n")
        if not self._stack and tag != "p" and self.paragraphs:
            self._run_over = True
        if tag in _VOID:
            return
        skipped = "footnote" in classes or "footnote-ref" in classes
        self._stack.append((tag, skipped))
        if tag == "p" and self._paragraph is None and not self._run_over and not self._skipping():
            self._paragraph = []

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.all.append("\n")
        if tag in _VOID:
            return
        # Close up to the matching start tag (browsers' forgiving rule, enough for Markdown output).
        for position in range(len(self._stack) - 1, -1, -1):
            if self._stack[position][0] == tag:
                del self._stack[position:]
                break
        if tag == "p" and self._paragraph is not None and "p" not in (t for t, _ in self._stack):
            self.paragraphs.append("".join(self._paragraph))
            self._paragraph = None

    def handle_data(self, data):
        if self._skipping():
            return
        self.all.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)


# The tokens of the HTML that Python-Markdown writes (and of the raw HTML editors put in it):
# comments, declarations and processing instructions (skipped), start and end tags. html.parser
# handled them char by char in Python: a tenth of the Markdown stage; these regexes do it in C.
_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<![^>]*>?|<\?[^>]*>?"
    r"|<([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|</([a-zA-Z][^\s>]*)[^>]*>", re.S)
_CLASS = re.compile(r"""(?:^|\s)class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
_RAW_TEXT = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}


def _parse(html_text: str) -> _TextParser:
    """The text of `html_text`, through _TextParser's handlers (the content of <script> and
    <style> is no prose and is left out)."""
    parser = _TextParser()
    position, end = 0, len(html_text)
    while position < end:
        found = _TOKEN.search(html_text, position)
        stop = found.start() if found else end
        if stop > position:
            parser.handle_data(html.unescape(html_text[position:stop]))
        if found is None:
            break
        position = found.end()
        start, attributes, closing = found.group(1), found.group(2), found.group(3)
        if start is not None:
            tag = start.lower()
            attrs = []
            if attributes and "class" in attributes.lower():
                value = _CLASS.search(attributes)
                if value is not None:
                    attrs = [("class", html.unescape(next(v for v in value.groups() if v is not None)))]
            parser.handle_starttag(tag, attrs)
            if attributes.endswith("/"):
                parser.handle_endtag(tag)
            elif tag in _RAW_TEXT:
                closed = _RAW_TEXT[tag].search(html_text, position)
                position = closed.end() if closed else end
                parser.handle_endtag(tag)
        elif closing is not None:
            parser.handle_endtag(closing.lower())
    return parser


def squeeze(text: str) -> str:
    """Runs of white space (new lines, indentation) become one space."""
    return _SPACES.sub(" ", text).strip()


def plain_text(html_text: str) -> str:
    """All the text of an HTML fragment, unescaped, without footnotes."""
    return squeeze("".join(_parse(html_text).all))


def paragraphs_text(html_text: str, enough: int | None = None) -> str:
    """The plain text of the opening paragraphs (`<p>`), joined, until there are `enough` characters
    (None: the whole run). Headings before the first paragraph are skipped; a heading, list or
    table after it ends the run, so a summary never runs on into the minutes' details."""
    return _join_paragraphs(_parse(html_text).paragraphs, enough)


def _join_paragraphs(paragraphs: list[str], enough: int | None) -> str:
    text = ""
    for paragraph in paragraphs:
        paragraph = squeeze(paragraph)
        if not paragraph:
            continue
        if text:
            # Japanese runs on; a paragraph ending in a Latin letter or mark needs a space.
            text += "" if _CJK.match(text[-1]) or _CJK.match(paragraph[0]) else " "
        text += paragraph
        if enough is not None and len(text) > enough:
            break
    return text


def cut_summary(text: str, limit: int) -> str:
    """`text` (plain) cut to about `limit` characters: at the last sentence end within the limit
    when that keeps at least half of it, else exactly at the limit; `…` marks a cut."""
    text = squeeze(text)
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= limit]
    if ends and ends[-1] >= limit / 2:
        return text[:ends[-1]].rstrip() + ELLIPSIS
    return text[:limit].rstrip() + ELLIPSIS


def summarise(html_text: str, limit: int) -> str:
    """The automatic summary of a rendered body: its first paragraphs, cut near `limit`."""
    return cut_summary(paragraphs_text(html_text, limit), limit)


def measure(html_text: str, summary_limit: int) -> tuple[str, int, int]:
    """(automatic summary, CJK characters, words) of a rendered body, from one parse of its HTML:
    `summarise` and `count_reading(plain_text(...))` each parse it, a tenth of the Markdown stage."""
    parsed = _parse(html_text)
    summary = cut_summary(_join_paragraphs(parsed.paragraphs, summary_limit), summary_limit)
    return (summary, *count_reading(squeeze("".join(parsed.all))))


def count_reading(text: str) -> tuple[int, int]:
    """(CJK characters, words in the rest) of plain text: what reading time is measured in."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return cjk, words


def reading_minutes(cjk_chars: int, words: int, chars_per_minute: int, words_per_minute: int) -> int:
    """Minutes to read: Japanese by characters, other text by words, mixed text both; at least 1."""
    minutes = cjk_chars / chars_per_minute + words / words_per_minute
    return max(1, math.ceil(round(minutes, 6)))
