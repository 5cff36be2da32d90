"""PyYAML's syntax errors turned into what an editor can act on: the line to fix, what is wrong
in plain words, and the corrected line.

PyYAML describes the parser's state ("mapping values are not allowed here"), often on the line
*after* the slip: a key followed by a full-width space, or a line with no colon, is read as text
that runs on into the next line, and the parser only gives up at the next line's colon. So the
error's position is a starting point, and the lines around it are read again to find the slip.
Each English message here has a Japanese sentence in generator/messages_ja.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# 'key:　value': the first colon on the line is followed by a full-width space (an IME slip).
_WIDE_SPACE_AFTER_COLON = re.compile(r"^(?P<indent>[ ]*(?:-[ ]+)?)(?P<key>[^\s#'\"\[{:-][^:]*?):\u3000+(?P<value>.*)$")
# The same, for keys as front matter and site.yaml spell them: checked on every parse, because
# 'event:\n  place:　市民センター' is valid YAML that silently makes 'event' one line of text.
_FIELD_WIDE_SPACE_AFTER_COLON = re.compile(r"^[ ]*(?:-[ ]+)?[A-Za-z_][\w.-]*:\u3000")
# 'summary: |' or 'summary: >-': the indented lines after it are text.
_BLOCK_TEXT_START = re.compile(r"^[ ]*(?:-[ ]+)?[^#'\"]*:[ ]+[|>][-+0-9]*[ ]*(?:#.*)?$")
# 'key: value' with the key and value split at the first ': '.
_KEY_VALUE = re.compile(r"^(?P<indent>[ ]*)(?P<key>[^\s#'\"\[{-][^:]*?):[ ]+(?P<value>(?:.*\S)?)\s*$")
_LIST_ITEM = re.compile(r"^(?P<indent>[ ]*-[ ]+)(?P<value>(?:.*\S)?)\s*$")
_CLOSERS = {'"': '"', "'": "'", "[": "]", "{": "}"}
# Characters that YAML gives a meaning at the start of a value: tags, anchors, aliases, block
# text, reserved ones. Text starting with them must be quoted.
_SPECIAL_FIRST = "@`%!&*|>"
_SPACES = " \u3000"  # half- and full-width
_GENERIC_HINT = "each line should look like 'key: value'; put text containing ':' or '#' in quotes"


@dataclass(frozen=True)
class Slip:
    index: int  # 0-based line in the YAML text
    message: str
    hint: str


def quoted(value: str) -> str:
    """`value` as a YAML quoted scalar: double quotes unless it holds '"' or '\\'."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _as_value(value: str) -> str:
    """`value` as it can follow 'key: ' in a corrected line: quoted when YAML would misread it."""
    needs_quotes = value and (": " in value or " #" in value or value[0] in _SPECIAL_FIRST
                              or (value[0] in _CLOSERS and not value.endswith(_CLOSERS[value[0]])))
    return quoted(value) if needs_quotes else value


def _corrected(line: str) -> str:
    return f"write the line as:\n      {line}"


def wide_space_after_colon(lines: list[str], index: int, any_key: bool = True) -> Slip | None:
    line = lines[index]
    if not any_key and not _FIELD_WIDE_SPACE_AFTER_COLON.match(line):
        return None
    found = _WIDE_SPACE_AFTER_COLON.match(line)
    if not found:
        return None
    key = found["key"].strip()
    fixed = f"{found['indent']}{found['key']}: {_as_value(found['value'].strip(_SPACES))}".rstrip()
    return Slip(index, f"a full-width space (全角スペース) follows the ':' after '{key}'",
                "replace the full-width space after ':' with a half-width one; " + _corrected(fixed))


def field_with_wide_space(text: str) -> Slip | None:
    """The first 'title:　…' line of a text that may have parsed: see _FIELD_WIDE_SPACE_AFTER_COLON.
    Lines of a block of text ('summary: |' and the lines indented under it) are the editor's
    text, not keys, so they are never blamed."""
    lines = text.split("\n")
    block_indent = None  # the indentation of the 'key: |' line whose text we are in
    for index, line in enumerate(lines):
        if block_indent is not None and (not line.strip() or _indent(line) > block_indent):
            continue
        block_indent = _indent(line) if _BLOCK_TEXT_START.match(line) else None
        slip = wide_space_after_colon(lines, index, any_key=False)
        if slip:
            return slip
    return None


def _full_width_colon(lines: list[str], index: int) -> Slip | None:
    line = lines[index]
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", "-")):  # list items ('- 議題：予算') are text, not keys
        return None
    colon, wide_colon = line.find(":"), line.find("\uff1a")
    if wide_colon == -1 or (colon != -1 and colon < wide_colon):
        return None
    key, value = line[:wide_colon].strip(), line[wide_colon + 1:].strip(_SPACES)
    fixed = f"{line[:len(line) - len(line.lstrip())]}{key}: {_as_value(value)}".rstrip()
    return Slip(index, f"full-width colon '：' after '{key}'",
                f"replace '：' with a half-width colon and a space: '{key}: ...'; " + _corrected(fixed))


def nearest_full_width_colon(lines: list[str], last: int) -> Slip | None:
    """The line nearest before `last` (where PyYAML gave up) written 'key：value'."""
    for index in range(min(last, len(lines) - 1), -1, -1):
        slip = _full_width_colon(lines, index)
        if slip:
            return slip
    return None


def _no_colon(lines: list[str], index: int, what: str) -> Slip | None:
    """A key-position line with neither ':' nor '：' (e.g. 'title 研修会の報告')."""
    line = lines[index]
    stripped = line.strip()
    if not stripped or stripped.startswith(("#", "-")) or ":" in stripped or "\uff1a" in stripped:
        return None
    words = re.match(r"^([ ]*)([A-Za-z_][\w-]*)[ \u3000]+(.+)$", line)
    how = ("add a half-width ':' and a space after the key (or, if the line continues the text of the "
           "line above, indent it by two spaces)")
    if words:
        how += "; " + _corrected(f"{words[1]}{words[2]}: {_as_value(words[3].strip(_SPACES))}")
    else:
        how += ", like 'title: 定例会の報告'"
    return Slip(index, f"{what} is not valid YAML: this line has no ':' between a key and its value", how)


def _the_line_before(lines: list[str], index: int) -> int | None:
    for before in range(index - 1, -1, -1):
        stripped = lines[before].strip()
        if stripped and not stripped.startswith("#"):
            return before
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _colon_in_value(lines: list[str], index: int, column: int, what: str) -> Slip | None:
    """'title: 研修会: 報告': a second ': ' on the line, where PyYAML stopped."""
    line = lines[index]
    item = _LIST_ITEM.match(line)
    inner = _KEY_VALUE.match(item["value"]) if item else None
    if item and inner and re.fullmatch(r"[A-Za-z_][\w-]*", inner["key"]) and ": " in inner["value"]:
        # '- title: 報告: 2024' in a list of mappings (attachments): the value needs the quotes
        return _colon_slip(index, what, item["indent"], inner["key"], inner["value"])
    if item and ": " in item["value"] and line.find(": ") < column:
        return Slip(index, f"{what} is not valid YAML: the list item '{item['value']}' has ': ' in it, "
                    "which YAML reads as a key",
                    "put the item in quotes; " + _corrected(f"{item['indent']}{quoted(item['value'])}"))
    found = _KEY_VALUE.match(line)
    if not found or found.end("key") + 1 >= column:  # the colon PyYAML stopped at is the key's own
        return None
    return _colon_slip(index, what, found["indent"], found["key"].strip(), found["value"])


def _colon_slip(index: int, what: str, indent: str, key: str, value: str) -> Slip:
    return Slip(index, f"{what} is not valid YAML: the value of '{key}' has ': ' in it, which YAML reads as another key",
                "put the whole value in quotes; " + _corrected(f"{indent}{key}: {quoted(value)}"))


def _mapping_values(lines: list[str], index: int, column: int, what: str) -> Slip | None:
    """'mapping values are not allowed here': a colon in a value on this line, or a slip on the
    line above that made it run on into this one."""
    slip = _colon_in_value(lines, index, column, what)
    if slip:
        return slip
    before = _the_line_before(lines, index)
    if before is None:
        return None
    slip = wide_space_after_colon(lines, before) or _full_width_colon(lines, before) or _no_colon(lines, before, what)
    if slip:
        return slip
    if _indent(lines[index]) > _indent(lines[before]):
        return Slip(index, f"{what} is not valid YAML: this line is indented more than the line above",
                    "start it at the same column as the line above; "
                    + _corrected(" " * _indent(lines[before]) + lines[index].strip()))
    return None


def _unclosed(lines: list[str], index: int, opener: str, what: str) -> Slip:
    closer = _CLOSERS[opener]
    kind = "quote" if opener in "\"'" else "bracket"
    return Slip(index, f"{what} is not valid YAML: the {kind} {opener} opened on this line is never closed "
                f"with {closer}",
                f"add the closing {closer} at the end of the value; " + _corrected(lines[index].rstrip() + closer))


def _value_slip(lines: list[str], index: int, what: str) -> Slip | None:
    """A value that starts with a character YAML reads as syntax: '[速報] 研修会', '"研修会"の報告', '@事務局'."""
    found = _KEY_VALUE.match(lines[index]) if index < len(lines) else None
    if not found or not found["value"]:
        return None
    key, value = found["key"].strip(), found["value"]
    fixed = "put the whole value in quotes; " + _corrected(f"{found['indent']}{key}: {quoted(value)}")
    first, starts = value[0], f"{what} is not valid YAML: the value of '{key}' starts with '{value[0]}'"
    if first in _SPECIAL_FIRST:
        return Slip(index, f"{starts}, which has a special meaning in YAML", fixed)
    if first in _CLOSERS and not value.endswith(_CLOSERS[first]):
        return Slip(index, f"{starts} and goes on after the closing '{_CLOSERS[first]}'", fixed)
    return None


def explain(exc: yaml.YAMLError, text: str, what: str) -> Slip | None:
    """The slip behind PyYAML's `exc`, or None when no plainer explanation is known."""
    lines = text.split("\n")
    problem, context = getattr(exc, "problem", None) or "", getattr(exc, "context", None) or ""
    problem_mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    at = min(problem_mark.line, len(lines) - 1) if problem_mark else None
    opened = min(context_mark.line, len(lines) - 1) if context_mark else None
    at_column = problem_mark.column if problem_mark else 0  # (read only with `at`...)
    opened_column = context_mark.column if context_mark else 0  # (...and with `opened`)
    if problem == "mapping values are not allowed here" and at is not None:
        return _mapping_values(lines, at, at_column, what)
    if context == "while scanning a simple key" and opened is not None:  # a key-position line with no ': '
        return wide_space_after_colon(lines, opened) or _full_width_colon(lines, opened) or _no_colon(lines, opened, what)
    if context.startswith("while scanning a") and "quoted scalar" in context and opened is not None:
        if "unknown escape character" in problem:
            return Slip(opened if at is None else at, f"{what} is not valid YAML: a '\\' inside double quotes starts an unknown escape",
                        "use single quotes around text containing '\\', like 'C:\\data'")
        opener = lines[opened][opened_column:opened_column + 1]
        if opener in ("'", '"') and "end of stream" in problem:
            return _unclosed(lines, opened, opener, what)
    if context in ("while parsing a flow sequence", "while parsing a flow mapping") and opened is not None:
        opener = lines[opened][opened_column:opened_column + 1]
        if opener in _CLOSERS and _CLOSERS[opener] not in lines[opened][opened_column:]:
            return _unclosed(lines, opened, opener, what)
    if at is not None:
        slip = _value_slip(lines, at, what) or (_value_slip(lines, opened, what) if opened is not None else None)
        if slip:
            return slip
    if context == "while parsing a block collection" and opened is not None and lines[opened].lstrip().startswith("-"):
        at = opened  # the text starts with a list: that first item is the slip, not the key after it
    if context.startswith("while parsing a block") and "expected <block end>" in problem and at is not None:
        if problem.endswith("found '-'") or lines[at].lstrip().startswith("-"):
            return Slip(at, f"{what} is not valid YAML: a list item ('- …') is where a 'key: value' line should be",
                        "put list items under their key, indented, e.g.:\n      tags:\n        - 防災")
        if "block mapping start" in problem or "block sequence start" in problem or problem.endswith("found '?'"):
            return Slip(at, f"{what} is not valid YAML: the indentation of this line does not match the lines above",
                        "start the line at the same column as the other lines of its group (half-width spaces)")
    return None


def generic(exc: yaml.YAMLError, first_line: int, what: str) -> tuple[int, str, str]:
    """No plainer explanation: PyYAML's words at its line (where an unclosed thing was opened)."""
    context = getattr(exc, "context", None) or ""
    # An unclosed bracket or quote is noticed at the end of the text; where it was opened (the
    # context mark) is the line to fix. A block mapping's context is only where the mapping began.
    opened = context.startswith(("while scanning", "while parsing a flow"))
    mark = (getattr(exc, "context_mark", None) if opened else None) or getattr(exc, "problem_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    problem = getattr(exc, "problem", None) or str(exc)
    return line, f"{what} is not valid YAML: {problem}", _GENERIC_HINT
