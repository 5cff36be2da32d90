"""Markdown typed with a Japanese IME: the slips that Markdown publishes as literal text.

With the IME on, `#` becomes `＃`, `(` becomes `（`, `-` becomes `－` or `ー` and the space after
a list marker becomes a full-width one (全角スペース). Markdown then quietly shows the characters
as they are: `＃＃ 決定事項` is a paragraph, `[前回の報告]（2024-05-20-teireikai.md）` is no link.
`typing_slips` finds those lines before rendering and says, for each, the line as it should be.

Only lines Markdown reads as text are looked at: never code blocks (fenced with ``` or ~~~, or
indented), inline `code`, or HTML comments. Each check matches only what would have become
Markdown had the characters been half-width, so ordinary prose (（注）, ［資料］, a ＃ in the middle
of a line, `[注]（後述）`) is left alone.

One slip is also fixed, because its intent is plain and the fix loses nothing: a heading with no
visible text (`## 　　`, only spaces) is left out of the page and its table of contents (目次),
and the warning says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import SourceError

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_QUOTE = re.compile(r"^(?: {0,3}>[ ]?)+")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
_COMMENT = re.compile(r"<!--.*?-->")
# A list item as Markdown reads it (half-width marker, half-width space), for telling list
# continuation lines from indented code.
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+\.)[ \t]")

_EMPTY_HEADING = re.compile(r"(#{1,6})[\s#]*")  # \s: also 全角スペース (U+3000) and no-break spaces
_WIDE_HEADING = re.compile(r"^ {0,3}([#＃]{1,6})(?![#＃])[ \t\u3000]*(.*)$")
_BULLET = re.compile(r"^([ \t]*)([-*+－＊＋ー−])([ \t\u3000]+)(\S.*)$")
_NUMBERED = re.compile(r"^([ \t]*)([0-9０-９]+)([.．)）])([ \t\u3000]+)(\S.*)$")
_LINK = re.compile(r"(!?)([\[［])([^\[\]［］]+)([\]］])([(（])([^()（）\s\u3000]+)([)）])")
_TARGET = re.compile(r"(?:https?://|mailto:|tel:|#|/|\.{1,2}/)\S*|\S+\.[A-Za-z][A-Za-z0-9]{0,4}(?:#\S*)?")
_CODE, _HIDDEN = "\x01", "\x00"  # masks: inline code (text, but not Markdown) and comments (nothing)
_HALF = str.maketrans("－＊＋ー−０１２３４５６７８９", "-*+--0123456789")
_WIDE = frozenset("＃［］（）－＊＋ー−．）\u3000０１２３４５６７８９")


def typing_slips(source: Path, body: str, body_line: int) -> tuple[str, list[SourceError]]:
    """(the body to render, a warning for each IME slip). The body differs from `body` only in
    the empty headings' lines, which are blank: every other line keeps its number."""
    lines = body.split("\n")
    warnings: list[SourceError] = []
    fence: str | None = None  # the opening fence of the code block the line is in
    in_comment = in_list = previous_code = False
    previous_blank = True
    for index, raw in enumerate(lines):
        if fence is not None:
            closing = raw.strip(" \t")
            if closing.startswith(fence) and not closing.strip(fence[0]):
                fence = None
            continue
        if in_comment:
            text, in_comment = _visible(raw, True)
            if in_comment:
                continue
        else:
            opened = _FENCE.match(raw)
            if opened:
                fence, previous_blank, previous_code = opened.group(1), False, False
                continue
            if not raw.strip(" \t"):
                previous_blank = True
                continue
            spaces = raw.expandtabs(4)
            indent = len(spaces) - len(spaces.lstrip(" "))
            if indent >= 4 and not in_list and (previous_blank or previous_code):
                previous_blank, previous_code = False, True  # an indented code block
                continue
            if _LIST_ITEM.match(raw):
                in_list = True
            elif indent == 0 and previous_blank:
                in_list = False
            text, in_comment = _visible(raw, False)
        previous_blank = previous_code = False
        line_no = body_line + index
        quote = _QUOTE.match(text)
        cut = quote.end() if quote else 0
        prefix, content, original = text[:cut], text[cut:], raw[cut:]
        empty = _EMPTY_HEADING.fullmatch(content.replace(_HIDDEN, ""))
        if empty is not None and content.startswith("#"):
            lines[index] = prefix.rstrip()
            level = empty.group(1)
            warnings.append(_warning(source, line_no, f"an empty heading ('{level}' with nothing but spaces after "
                                     "it) was left out of the page and its table of contents",
                                     f"write the heading's text after '{level} ', or delete the line"))
            continue
        found = _slip(content, original)
        if found is not None:
            warnings.append(_warning(source, line_no, *found))
        warnings.extend(_warning(source, line_no, *link) for link in _links(content, original))
    return "\n".join(lines), warnings


def _visible(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with inline code masked (so that nothing in it matches) and HTML comments hidden
    (masked with _HIDDEN, which an empty heading may consist of), and whether a comment is still
    open at its end."""
    line = _CODE_SPAN.sub(lambda m: _CODE * len(m.group(0)), line)
    if in_comment:
        end = line.find("-->")
        if end < 0:
            return "", True
        line = _HIDDEN * (end + 3) + line[end + 3:]
    line = _COMMENT.sub(lambda m: _HIDDEN * len(m.group(0)), line)
    start = line.find("<!--")
    if start >= 0:
        return line[:start] + _HIDDEN * (len(line) - start), True
    return line, False


def _slip(content: str, original: str) -> tuple[str, str] | None:
    """(message, hint) for a line that starts like a heading or a list item typed full-width.
    `content` is masked (`_visible`), `original` the same characters as written (for the hint)."""
    heading = _WIDE_HEADING.match(content)
    if heading and "＃" in heading.group(1) and "＃" not in heading.group(2):  # (several ＃: hashtags)
        level, text = "#" * len(heading.group(1)), original[heading.start(2):].strip()
        fixed = f"{level} {text}" if text else f"{level} 見出しの文字"
        return ("'＃' (full-width) at the start of the line is shown as it is, not as a heading",
                f"type a half-width '#' and a space: {fixed}")
    bullet = _BULLET.match(content)
    if bullet:
        indent, marker, space = bullet.group(1, 2, 3)
        text, half = original[bullet.start(4):], marker.translate(_HALF)
        if marker != half:
            return (f"the list marker '{marker}' is full-width, so the line is not a list item",
                    f"type a half-width '{half}' and a space: {indent}{half} {text}")
        if "\u3000" in space:
            return (f"a full-width space (全角スペース) follows the list marker '{marker}', so the line is not a list item",
                    f"type a half-width space after it: {indent}{marker} {text}")
    numbered = _NUMBERED.match(content)
    if numbered:
        indent, digits, mark, space = numbered.group(1, 2, 3, 4)
        text, fixed = original[numbered.start(5):], digits.translate(_HALF)
        hint = f"type half-width digits, a '.' and a space: {indent}{fixed}. {text}"
        # (Python-Markdown's `\d` takes full-width digits: only a full-width mark or space breaks the item)
        if mark == "." and "\u3000" not in space:
            return None
        if any(ch in _WIDE for ch in digits + mark):
            return (f"the number '{digits}{mark}' at the start of the line has full-width characters, so the line "
                    "is not a numbered list item", hint)
        if "\u3000" in space:
            return (f"a full-width space (全角スペース) follows the number '{digits}{mark}', so the line is not a "
                    "numbered list item", hint)
    return None


def _links(content: str, original: str) -> list[tuple[str, str]]:
    """(message, hint) for each `[text]（target）` whose brackets or parentheses are full-width
    where the target reads as a link: a file name, a path, an address or a #heading."""
    found = []
    for match in _LINK.finditer(content):
        bang, opening, _, closing, left, target, right = match.groups()
        if not any(ch in _WIDE for ch in opening + closing + left + right) or not _TARGET.fullmatch(target):
            continue
        text = original[match.start(3):match.end(3)]
        what = "image" if bang else "link"
        found.append((f"the {what} [{text}] has full-width brackets or parentheses, so it is shown as plain text",
                      f"type them half-width: {bang}[{text}]({original[match.start(6):match.end(6)]})"))
    return found


def _warning(source: Path, line: int, message: str, hint: str) -> SourceError:
    return SourceError(source, line, message, hint, severity="warning")
