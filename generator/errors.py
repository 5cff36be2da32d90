"""User-facing errors: one shape, one formatter.

Every mistake an editor can make becomes a `SourceError` naming the file and line, what is
wrong and how to fix it. Stages collect them in an `ErrorBag` instead of stopping at the first,
so one build run reports everything at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.messages_ja import japanese


@dataclass(frozen=True)
class SourceError:
    path: Path | None
    line: int | None
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self, root: Path | None = None, language: str = "en") -> str:
        where = ""
        if self.path is not None:
            shown = self.path
            if root is not None:
                try:
                    shown = self.path.relative_to(root)
                except ValueError:
                    pass
            where = f"{shown}:{self.line}: " if self.line else f"{shown}: "
        text = f"{where}{self.severity}: {self.message}"
        if language == "ja":
            sentence = japanese(self.message)
            if sentence:
                text += f"\n    {self.line}行目: {sentence}" if self.line else f"\n    {sentence}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path or ""), self.line or 0, self.message)


class KatsudoError(Exception):
    """Raised when a build cannot go on; carries every error found so far."""

    def __init__(self, errors: list[SourceError]):
        self.errors = sorted(errors, key=SourceError.sort_key)
        super().__init__("\n".join(e.format() for e in self.errors))


@dataclass
class ErrorBag:
    """Collects errors across files so that one run reports all of them."""

    errors: list[SourceError] = field(default_factory=list)

    def add(self, path: Path | None, line: int | None, message: str, hint: str | None = None) -> None:
        self.errors.append(SourceError(path, line, message, hint))

    def extend(self, errors: Iterable[SourceError]) -> None:
        self.errors.extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise KatsudoError(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)
