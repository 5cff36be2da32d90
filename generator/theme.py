"""Where the theme lives: the site's own templates/ and assets/ first, then the default theme.

The default theme is the repository's top-level templates/ and assets/; in an installed wheel
they are packaged as generator/theme/ (see pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.config import SiteConfig
from generator.errors import KatsudoError, SourceError
from generator.sources import StaticFile, is_ignored

_PACKAGE = Path(__file__).resolve().parent


def default_theme_dir() -> Path:
    installed = _PACKAGE / "theme"
    return installed if (installed / "templates").is_dir() else _PACKAGE.parent


@dataclass(frozen=True)
class Theme:
    template_dirs: tuple[Path, ...]  # searched in order: the first that has a file wins
    asset_dirs: tuple[Path, ...]

    def find(self, name: str) -> Path | None:
        for folder in self.template_dirs:
            if (folder / name).is_file():
                return folder / name
        return None

    def assets(self) -> tuple[StaticFile, ...]:
        chosen: dict[str, Path] = {}
        for folder in reversed(self.asset_dirs):
            if folder.is_dir():
                for path in sorted(folder.rglob("*")):
                    rel = path.relative_to(folder)
                    if path.is_file() and not any(is_ignored(Path(p)) for p in rel.parts):
                        chosen[rel.as_posix()] = path
        return tuple(StaticFile(chosen[rel], "assets/" + rel) for rel in sorted(chosen))


def resolve_theme(config: SiteConfig) -> Theme:
    default = default_theme_dir()
    template_dirs: list[Path] = []
    asset_dirs: list[Path] = []
    for root in (config.root.resolve(), default):
        for folder, bucket in ((root / "templates", template_dirs), (root / "assets", asset_dirs)):
            if folder.is_dir() and folder not in bucket:
                bucket.append(folder)
    return Theme(tuple(template_dirs), tuple(asset_dirs))


def load_strings(theme: Theme, language: str) -> dict[str, str]:
    """UI strings: the default theme's, with the site's own file overriding key by key."""
    strings: dict[str, str] = {}
    name = f"strings/{language}.yaml"
    for folder in reversed(theme.template_dirs):
        path = folder / name
        if path.is_file():
            try:
                loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                raise KatsudoError([SourceError(path, mark.line + 1 if mark else None,
                                                f"the UI strings file is not valid YAML: {getattr(exc, 'problem', exc)}")])
            if not isinstance(loaded, dict):
                raise KatsudoError([SourceError(path, 1, "the UI strings file must be 'key: text' lines")])
            strings.update({str(k): str(v) for k, v in loaded.items()})
    if not strings:
        raise KatsudoError([SourceError(None, None, f"the theme has no {name}",
                                        "copy templates/strings/ from the default theme")])
    return strings
