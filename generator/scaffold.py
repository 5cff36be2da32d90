"""`katsudo init` and `katsudo new`: files an editor starts from."""

from __future__ import annotations

import shutil
import unicodedata
from datetime import date
from pathlib import Path

import yaml

from generator.config import SiteConfig
from generator.theme import resolve_theme
from generator.urls import slug_problem, tag_key

STARTER = Path(__file__).resolve().parent / "starter"


class ScaffoldError(Exception):
    """A request `init` or `new` cannot carry out without destroying something."""


def init_site(target: Path) -> list[Path]:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} is not empty; choose a new or empty folder so nothing in it is overwritten")
    target.mkdir(parents=True, exist_ok=True)
    created = []
    for path in sorted(STARTER.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(STARTER)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            created.append(destination)
    return created


def slug_for_title(title: str) -> str:
    """A slug an editor would accept: ASCII titles become 'my-title', Japanese ones stay Japanese."""
    slug = tag_key(unicodedata.normalize("NFKC", title))
    slug = "".join(ch for ch in slug if ch.isalnum() or ch in "-_").strip("-_")
    return slug or "post"


def archetype(config: SiteConfig, category: str | None) -> str:
    theme = resolve_theme(config)
    for name in ([f"archetypes/{category}.md"] if category else []) + ["archetypes/default.md"]:
        path = theme.find(name)
        if path is not None:
            return path.read_text(encoding="utf-8")
    return "\n"


def new_post(config: SiteConfig, title: str, day: date, category: str | None, slug: str | None) -> Path:
    slug = slug or slug_for_title(title)
    problem = slug_problem(slug)
    if problem:
        raise ScaffoldError(f"the slug '{slug}' {problem}")
    path = config.content_dir / "posts" / f"{day.isoformat()}-{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another --slug or --date (nothing was overwritten)")
    def field(key: str, value: str) -> str:  # quoted by YAML's rules only where the text needs it
        return yaml.safe_dump({key: value}, allow_unicode=True, width=1000).strip()

    lines = ["---", field("title", title), f"date: {day.isoformat()}"] + ([f"category: {category}"] if category else []) + [
             "tags: []", field("author", config.author) if config.author else "# author: 事務局",
             # A draft: the next build must not publish the empty skeleton (nor its 例：… notes).
             "draft: true   # 公開するときは、この行を消すか false にします (to publish, delete this line or write false)",
             "---", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # 'x': never overwrite, even in a race
        handle.write("\n".join(lines) + archetype(config, category))
    return path
