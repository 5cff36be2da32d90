"""YAML text -> a mapping with the file line of every key, and errors an editor can act on.

Front matter and site.yaml are typed by people using Japanese input methods, which slip in
full-width colons and spaces and tabs. PyYAML reports those far from the culprit (a full-width
colon shows up as "mapping values are not allowed here" on the *next* line), so before trusting
PyYAML's position we look for the character that really broke the line (generator/yaml_errors.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator import yaml_errors
from generator.errors import SourceError


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates and times as text: we parse them ourselves, in the site's
    time zone, and PyYAML would silently turn `2021-06-17 19:00` into a string but
    `2021-06-17` into a date."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_LONG_NUMBER = re.compile(r"\d{1000,}")
_DEEP_BRACKETS = re.compile(r"[\[{](?:\s*[\[{]){50,}")

_FastLoader: type[yaml.CSafeLoader | yaml.SafeLoader]
if getattr(yaml, "__with_libyaml__", False):
    class _LibyamlLoader(yaml.CSafeLoader):
        """The same rules on libyaml (several times faster): used first; text it rejects is parsed
        again by _PlainLoader, whose error positions the messages below are written for."""

    _LibyamlLoader.yaml_implicit_resolvers = _PlainLoader.yaml_implicit_resolvers
    _FastLoader = _LibyamlLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = _PlainLoader


@dataclass(frozen=True)
class YamlMapping:
    values: dict[str, Any]
    lines: dict[str, int]  # key -> line in the file (1-based)
    first_line: int

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.first_line)


def _indentation_problem(text: str, first_line: int) -> tuple[int, str, str] | None:
    """A tab or a full-width space where indentation goes. PyYAML accepts a leading full-width
    space as part of a key ('\u3000tags'), which would silently lose the field, so this is
    checked on every parse, not only on failure."""
    for offset, line in enumerate(text.split("\n")):
        number = first_line + offset
        indent = line[: len(line) - len(line.lstrip(" \t\u3000"))]
        if "\t" in indent:
            return number, "a tab is used for indentation", \
                "YAML needs normal half-width spaces for indentation; replace the tab with two spaces"
        if "\u3000" in indent:
            return number, "a full-width space (全角スペース) is at the start of the line", \
                "replace the full-width space '\u3000' with half-width spaces, or delete it"
    return None


def parse_mapping(text: str, path: Path, first_line: int, what: str) -> tuple[YamlMapping | None, list[SourceError]]:
    """Parse YAML `text` that starts at `first_line` of `path` into a string-keyed mapping."""
    indentation = _indentation_problem(text, first_line)
    if indentation:
        line, message, hint = indentation
        return None, [SourceError(path, line, message, hint)]
    wide_space = yaml_errors.field_with_wide_space(text)
    if wide_space:
        return None, [_error(path, first_line, wide_space)]
    if _FastLoader is not _PlainLoader:
        try:
            parsed = _parse(text, path, first_line, what, _FastLoader)
            if parsed[0] is not None:
                return parsed
        except (yaml.YAMLError, RecursionError, ValueError):
            pass  # any problem is reported from the pure-Python parser below, with its positions
    try:
        return _parse(text, path, first_line, what, _PlainLoader)
    except RecursionError:
        # PyYAML composes nested lists recursively: '[[[[…' thousands deep exhausts the stack.
        found = _DEEP_BRACKETS.search(text)
        line = first_line + text.count("\n", 0, found.start()) if found else first_line
        return None, [SourceError(path, line, f"{what} is nested too deeply to read",
                                  "write one setting per line; lists like [防災, 地域福祉] need no brackets inside")]
    except ValueError:
        # A number with thousands of digits: Python refuses to convert it (int_max_str_digits).
        found = _LONG_NUMBER.search(text)
        line = first_line + text.count("\n", 0, found.start()) if found else first_line
        return None, [SourceError(path, line, f"{what} has a number too long to read",
                                  "put long numbers in quotes, or shorten them")]
    except yaml.YAMLError as exc:
        slip = yaml_errors.explain(exc, text, what)
        if slip is None:
            problem_mark = getattr(exc, "problem_mark", None)
            slip = yaml_errors.nearest_full_width_colon(text.split("\n"), problem_mark.line if problem_mark else 0)
        if slip:
            return None, [_error(path, first_line, slip)]
        line, message, hint = yaml_errors.generic(exc, first_line, what)
        return None, [SourceError(path, line, message, hint)]


def _error(path: Path, first_line: int, slip: yaml_errors.Slip) -> SourceError:
    return SourceError(path, first_line + slip.index, slip.message, slip.hint)


def _parse(text: str, path: Path, first_line: int, what: str, loader_class) -> tuple[YamlMapping | None, list[SourceError]]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping({}, {}, first_line), []
        if not isinstance(node, yaml.MappingNode):
            text_lines = text.split("\n")
            slip = yaml_errors.nearest_full_width_colon(text_lines, len(text_lines) - 1) or next(
                filter(None, (yaml_errors.wide_space_after_colon(text_lines, i) for i in range(len(text_lines)))), None)
            if slip:
                return None, [_error(path, first_line, slip)]
            return None, [SourceError(path, first_line, f"{what} must be a list of 'key: value' lines",
                                      "write one setting per line, like 'title: 定例会の報告'")]
        errors: list[SourceError] = []
        lines: dict[str, int] = {}
        nested: dict[str, int] = {}  # 'event.start' -> line: one level down, for nested fields
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode):  # '[a]: b' or '? [a, b]': a list as a key
                return None, [SourceError(path, line, f"{what} has a list or a mapping where a key should be",
                                          "a key is a word before ':', like 'title: 定例会の報告'; "
                                          "put text starting with '[' or '{' in quotes")]
            key = key_node.value
            if key in lines:
                errors.append(SourceError(path, line, f"'{key}' is given twice (first on line {lines[key]})",
                                          "keep one of the two lines and delete the other"))
            lines[key] = line
            if isinstance(value_node, yaml.MappingNode):
                for sub_node, _ in value_node.value:
                    nested.setdefault(f"{key}.{sub_node.value}", first_line + sub_node.start_mark.line)
        values = loader.construct_document(node)
    finally:
        loader.dispose()
    if errors:
        return None, errors
    return YamlMapping({str(k): v for k, v in values.items()}, {**nested, **lines}, first_line), []
