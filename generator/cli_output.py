"""What the commands print about their outcome: the errors and the count line of a run that
failed, `check`'s findings and summary, each in the terminal's language (generator/i18n.py).

Error lines keep their English first line (`path:line: error: message`, the compiler-like form
editor plugins and CI annotations match) and add the Japanese sentence below it; the lines
katsudo itself words (the counts, what was not done) are in the terminal's language alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from generator.cli_help import current_language
from generator.errors import KatsudoError
from generator.i18n import say, ui_language

NOTHING_WRITTEN = ("nothing was written", "何も書き込んでいません。")
NOTHING_CHECKED = ("nothing was checked", "何も調べていません。")


def terminal(site_language: str | None) -> str:
    """The terminal's language once the site's is known (None: site.yaml was not read; then the
    language this run's help spoke, from the locale or site.yaml in -s or the current folder)."""
    return ui_language(site_language) if site_language else current_language()


def sentences(site_language: str | None) -> str:
    """The language for `SourceError.format`, which adds the Japanese sentence for 'ja': on a
    Japanese site (whatever the terminal, as it always has) and in a Japanese terminal."""
    return "ja" if "ja" in (site_language, terminal(site_language)) else "en"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def error_count(count: int, what: tuple[str, str], language: str) -> str:
    """'2 errors; nothing was written' / 'エラー 2 件。何も書き込んでいません。'"""
    return say(language, f"{plural(count, 'error')}; {what[0]}", f"エラー {count} 件。{what[1]}")


def fail(error: KatsudoError, what: tuple[str, str], language: str | None = None) -> NoReturn:
    """Print every error, then their count and what did not happen (English, Japanese), then
    exit 1. `language` is the site's (None when site.yaml could not be read)."""
    root = Path.cwd()
    for item in error.errors:
        click.echo(item.format(root, sentences(language)), err=True)
    click.echo(error_count(len(error.errors), what, terminal(language)), err=True)
    sys.exit(1)


def finding_json(item, root: Path) -> str:
    """One finding as a JSON object on one line (JSON Lines): what CI annotations need."""
    import json

    path = None
    if item.path is not None:
        try:
            path = str(item.path.resolve().relative_to(root.resolve()))
        except ValueError:
            path = str(item.path)
    return json.dumps({"path": path, "line": item.line, "severity": item.severity, "message": item.message,
                       "hint": item.hint}, ensure_ascii=False)


def check_summary(report, external: bool, failed: bool, language: str) -> str:
    english = f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')} in {plural(report.pages, 'page')}"
    japanese = f"エラー {report.errors} 件、警告 {report.warnings} 件（{report.pages} ページ"
    if external:
        english += f" and {plural(report.external, 'external link')}"
        japanese += f"、外部リンク {report.external} 件"
    japanese += "を調べました）"
    if failed and not report.errors:
        english += " (--strict: warnings fail the check)"
        japanese += "。--strict のため、警告でも失敗です"
    return say(language, english, japanese)
