"""Reporter: the one place that talks to the terminal during a build.

Passed into stages rather than imported as a global, so tests can record what a build said
and `--quiet` is honoured everywhere. Warnings carry their Japanese sentence (generator/
messages_ja.py) in a Japanese terminal, as errors do: `language` is the terminal's.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from generator.errors import SourceError
from generator.i18n import locale_language


@dataclass
class Reporter:
    quiet: bool = False
    verbose: bool = False
    root: Path | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    warnings: list[SourceError] = field(default_factory=list)
    # 'ja' adds the Japanese sentence under each warning. None: the locale decides (KATSUDO_LANG,
    # LC_ALL, LANG), for the callers that do not know the site's language (the preview's builds).
    language: str | None = None

    def speaks(self) -> str:
        return self.language if self.language is not None else (locale_language() or "en")

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.out)

    def debug(self, message: str) -> None:
        if self.verbose and not self.quiet:
            print(message, file=self.out)

    def warn(self, warning: SourceError) -> None:
        self.warnings.append(warning)
        print(warning.format(self.root, self.speaks()), file=self.err)

    def error(self, error: SourceError) -> None:
        print(error.format(self.root, self.speaks()), file=self.err)
