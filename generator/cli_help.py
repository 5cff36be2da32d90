"""The command line's help and click's own words, in the terminal's language.

Our help texts are written side by side at each command and option in cli.py: English in the
docstring or `help=`, Japanese in `ja=` (`@option(..., ja=...)`, `@main.command(..., ja=...)`).
A Japanese terminal gets the Japanese text alone (an 80-column help with both languages
wraps every line in two); the help of the group says where the English is (`LANG=C`).

click's own words ("Usage:", "Options:", "Error: No such option …") go through gettext's
`gettext`/`ngettext`, which find translations only in compiled .mo files. Rather than shipping
those, each click module's `_` and `ngettext` is pointed at `_gettext`/`_ngettext` below: the
Japanese from `CLICK_JA` while a Japanese command line runs, click's own answer otherwise (and
for any word not in the table, so a newer click that rewords a message falls back to English).

Which language: `generator.i18n`'s rule, decided once per run in `KatsudoGroup.main`: the locale
(or KATSUDO_LANG) first; when it says nothing, the `language` of site.yaml in the `-s` folder or
the current folder, read leniently, since nothing there may break `--help`.
"""

from __future__ import annotations

import gettext
import importlib
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from generator.i18n import locale_language, ui_language

# click 8.5's message ids, as its modules pass them to gettext.
CLICK_JA = {
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "Show this message and exit.": "この説明を表示して終わります。",
    "Show the version and exit.": "バージョンを表示して終わります。",
    "default: {default}": "既定: {default}",
    "required": "必須",
    "env var: {var}": "環境変数: {var}",
    "(dynamic)": "（実行のたびに決まります）",
    "deprecated": "廃止予定",
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "説明は '{command} {option}' で表示されます。",
    "Aborted!": "中断しました。",
    "No such option {name!r}.": "オプション {name!r} はありません。",
    "No such command {name!r}.": "コマンド {name!r} はありません。",
    "Missing command.": "コマンドを書いてください。",
    "Missing argument": "次の引数がありません:",
    "Missing option": "次のオプションがありません:",
    "Missing parameter": "次の値がありません:",
    "Missing parameter: {param_name}": "次の値がありません: {param_name}",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Option {name!r} does not take a value.": "オプション {name!r} には値を付けられません。",
    "{value!r} is not a valid {number_type}.": "{value!r} は数（{number_type}）として読めません。",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "file": "ファイル",
    "directory": "フォルダー",
    "path": "パス",
    "{name} {filename!r} does not exist.": "{name} {filename!r} がありません。",
    "{name} {filename!r} is a file.": "{name} {filename!r} はファイルです。フォルダーを指定してください。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} はフォルダーです。ファイルを指定してください。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} を読めません。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} に書き込めません。",
}
# ngettext's message ids (the singular form); Japanese says both numbers the same way.
CLICK_JA_PLURAL = {
    "Did you mean {possibility}?": ("{possibility} のことですか？", "（{possibilities} のどれかのことですか？）"),
    "Got unexpected extra argument ({args})": ("余分な引数があります（{args}）。",) * 2,
    "Option {name!r} requires an argument.": ("オプション {name!r} には値が必要です。",
                                              "オプション {name!r} には値が {nargs} 個必要です。"),
    "{value!r} is not {choice}.": ("{value!r} は使えません。{choice} にしてください。",
                                   "{value!r} は使えません。{choices} のどれかにしてください。"),
    "{value!r} does not match the format {format}.": ("{value!r} は {format} の形になっていません。",
                                                      "{value!r} は {formats} のどの形にもなっていません。"),
}

_language = "en"  # the language of the command line running now (set by KatsudoGroup.main)


def current_language() -> str:
    return _language


@contextmanager
def speaking(language: str) -> Iterator[None]:
    global _language
    previous, _language = _language, language
    try:
        yield
    finally:
        _language = previous


def _gettext(message: str) -> str:
    if _language == "ja" and message in CLICK_JA:
        return CLICK_JA[message]
    return gettext.gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    if _language == "ja" and singular in CLICK_JA_PLURAL:
        return CLICK_JA_PLURAL[singular][0 if count == 1 else 1]
    return gettext.ngettext(singular, plural, count)


def _translate_click() -> None:
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types"):
        module = importlib.import_module(f"click.{name}")
        if getattr(module, "_", None) is gettext.gettext:
            setattr(module, "_", _gettext)
        if getattr(module, "ngettext", None) is gettext.ngettext:
            setattr(module, "ngettext", _ngettext)


_translate_click()


# --------------------------------------------------------------------------- which language

def terminal_language(args: Sequence[str], cwd: Path | None = None) -> str:
    """The language of this run's help and messages: the locale's, else the site's."""
    decided = locale_language()
    if decided is not None:
        return decided
    folder = _site_argument(args)
    return ui_language(site_language_of((cwd or Path.cwd()) / folder if folder else (cwd or Path.cwd())))


def _site_argument(args: Sequence[str]) -> str | None:
    """The folder given with -s/--site, found without click (the language is needed to parse)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg in ("-s", "--site") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--site="):
            return arg[len("--site="):]
        if arg.startswith("-s") and len(arg) > 2 and not arg.startswith("--"):
            return arg[2:]
    return None


def site_language_of(folder: Path) -> str | None:
    """The `language` of folder/site.yaml ('ja' when the file leaves it out, as config does), or
    None when there is no readable site.yaml. Any failure is None: help must always work."""
    try:
        from generator.config import CONFIG_NAME, LANGUAGES, SiteConfig
        from generator.sources import decode_source
        from generator.yamltext import parse_mapping

        path = folder / CONFIG_NAME
        if not path.is_file():
            return None
        text, error = decode_source(path)
        mapping = None if error else parse_mapping(text, path, 1, CONFIG_NAME)[0]
        if mapping is None:
            return None
        language = mapping.values.get("language", SiteConfig.__dataclass_fields__["language"].default)
        return language if language in LANGUAGES else None
    except Exception:  # (an unreadable folder, a strange file: English help beats a traceback)
        return None


# --------------------------------------------------------------------------- Japanese line wrapping

_CLOSING = set("、。，．・：；？！」』）］｝〕〉》】ー～…々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ)]}.,:;!?")
_OPENING = set("「『（［｛〔〈《【([{")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Pieces a line may break between, each with whether a space came before it: a word of
    narrow characters stays whole; Japanese breaks between any two characters, except before a
    closing mark (、。」） …) or after an opening one (「（ …), as Japanese typesetting does."""
    tokens: list[list] = []  # [text, space before, last character is wide]
    space = False
    for char in text:
        if char.isspace():
            space = True
            continue
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        if tokens and not space and (char in _CLOSING or tokens[-1][0][-1] in _OPENING
                                     or (not wide and not tokens[-1][2])):
            tokens[-1][0] += char
            tokens[-1][2] = wide
        else:
            tokens.append([char, space, wide])
        space = False
    return [(token, before) for token, before, _ in tokens]


def wrap_display(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns (a Japanese character takes two)."""
    lines, line, used = [], "", 0
    for token, space_before in _tokens(text):
        separator = " " if space_before and line else ""
        size = display_width(token)
        if line and used + len(separator) + size > width:
            lines.append(line)
            line, used = token, size
        else:
            line, used = line + separator + token, used + len(separator) + size
    return [*lines, line] if line or not lines else lines


def _join_lines(lines: list[str]) -> str:
    """A paragraph's source lines as one: a space between two words, none inside Japanese."""
    text = ""
    for line in (line.strip() for line in lines):
        if text and not (display_width(text[-1]) == 2 and display_width(line[:1]) == 2):
            text += " "
        text += line
    return text


class JapaneseHelpFormatter(click.HelpFormatter):
    """click's formatter, wrapping by terminal columns instead of characters (click counts a
    Japanese character as one column, so its lines would come out up to twice too wide)."""

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
        for number, paragraph in enumerate(paragraphs):
            if number:
                self.write("\n")
            lines = paragraph.splitlines()
            if lines and lines[0].strip() == "\b":  # click's mark for "keep these lines as they are"
                for line in lines[1:]:
                    self.write(f"{indent}{line}\n")
                continue
            for line in wrap_display(_join_lines(lines), max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_column = min(max((display_width(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_column - self.current_indent, 20)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_column - col_spacing:
                self.write(" " * (first_column - display_width(first)))
            else:
                self.write("\n" + " " * (first_column + self.current_indent))
            lines = [line for paragraph in second.splitlines() for line in wrap_display(paragraph, text_width)]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_column + self.current_indent}}{line}\n")


# --------------------------------------------------------------------------- click classes

class KatsudoContext(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        if _language == "ja":
            return JapaneseHelpFormatter(width=self.terminal_width, max_width=self.max_content_width)
        return super().make_formatter()


class TranslatedOption(click.Option):
    """An option with its help in Japanese too (`help_ja`), shown in a Japanese terminal."""

    def __init__(self, *args, help_ja: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_ja = help_ja

    def get_help_record(self, ctx: click.Context):
        if _language != "ja" or not self.help_ja:
            return super().get_help_record(ctx)
        english, self.help = self.help, self.help_ja
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = english


def option(*declarations: str, ja: str, **attributes):
    """`click.option` with the Japanese help beside the English: option("--drafts", help=…, ja=…)."""
    return click.option(*declarations, cls=TranslatedOption, help_ja=ja, **attributes)


def version_option(version: str, prog_name: str):
    """click's --version, its help in the language of each run (click words it at import)."""
    return click.version_option(version, prog_name=prog_name, cls=TranslatedOption,
                                help="Show the version and exit.", help_ja=CLICK_JA["Show the version and exit."])


class _Translated(click.Command):
    """What commands and the group share: their help text in Japanese (`ja`), and click's help
    option, made once and kept by click, given its words in the language of each run. (A
    click.Command, so that KatsudoGroup's order is _Translated, click.Group, click.Command.)"""

    def __init__(self, *args, ja: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help_ja = ja

    @contextmanager
    def _japanese_help(self) -> Iterator[None]:
        if _language != "ja" or not self.help_ja:
            yield
            return
        english = self.help, self.short_help
        self.help, self.short_help = self.help_ja, self.help_ja.split("。", 1)[0].strip() + "。"
        try:
            yield
        finally:
            self.help, self.short_help = english

    def format_help_text(self, ctx, formatter) -> None:
        with self._japanese_help():
            super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with self._japanese_help():
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx):
        help_option = super().get_help_option(ctx)
        if help_option is not None:
            help_option.help = _gettext("Show this message and exit.")
        return help_option


class KatsudoCommand(_Translated, click.Command):
    context_class = KatsudoContext


class KatsudoGroup(_Translated, click.Group):
    context_class = KatsudoContext
    command_class = KatsudoCommand

    def main(self, args: Sequence[str] | None = None, *rest, **kwargs):
        language = terminal_language(list(sys.argv[1:] if args is None else args))
        with speaking(language):
            return super().main(args, *rest, **kwargs)
