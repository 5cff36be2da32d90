"""Reporter: the one place that talks to the terminal during a build.

Passed into stages rather than imported as a global, so tests can record what a build said
and `--quiet` is honoured everywhere.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from generator.errors import SourceError


@dataclass
class Reporter:
    quiet: bool = False
    verbose: bool = False
    root: Path | None = None
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    warnings: list[SourceError] = field(default_factory=list)

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.out)

    def debug(self, message: str) -> None:
        if self.verbose and not self.quiet:
            print(message, file=self.out)

    def warn(self, warning: SourceError) -> None:
        self.warnings.append(warning)
        print(warning.format(self.root), file=self.err)

    def error(self, error: SourceError) -> None:
        print(error.format(self.root), file=self.err)
