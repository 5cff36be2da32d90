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
    """A request `init` or `new` cannot carry out without destroying something (or at all).
    Worded in English and in Japanese side by side; the command line shows the terminal's."""

    def __init__(self, english: str, japanese: str):
        super().__init__(english)
        self.japanese = japanese

    def said(self, language: str) -> str:
        return self.japanese if language == "ja" else str(self)


def _unwritable(path: Path, error: OSError) -> ScaffoldError:
    reason = error.strerror or str(error)
    shown = error.filename or path
    return ScaffoldError(f"cannot write {shown}: {reason} (choose a folder you may write to)",
                         f"{shown} に書き込めません（{reason}）。書き込めるフォルダーを選んでください。")


def init_site(target: Path) -> list[Path]:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} is not empty; choose a new or empty folder so nothing in it is overwritten",
                            f"{target} は空のフォルダーではありません。中のファイルを上書きしないよう、"
                            "新しいフォルダーか空のフォルダーを指定してください。")
    created = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(STARTER.rglob("*")):
            if path.is_file():
                destination = target / path.relative_to(STARTER)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
                created.append(destination)
    except OSError as error:  # (a read-only disk, a folder of someone else's: a sentence, not a traceback)
        raise _unwritable(target, error) from error
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
        raise ScaffoldError(f"the slug '{slug}' {problem}",
                            f"slug「{slug}」はアドレスに使えません（{_SLUG_PROBLEMS_JA.get(problem, _SLUG_RULE_JA)}）。"
                            "--slug で別の slug を指定してください（例：--slug teireikai-2024-06）。")
    path = config.content_dir / "posts" / f"{day.isoformat()}-{slug}.md"
    if path.exists():
        raise _exists(path)
    def field(key: str, value: str) -> str:  # quoted by YAML's rules only where the text needs it
        return yaml.safe_dump({key: value}, allow_unicode=True, width=1000).strip()

    lines = ["---", field("title", title), f"date: {day.isoformat()}"] + ([f"category: {category}"] if category else []) + [
             "tags: []", field("author", config.author) if config.author else "# author: 事務局",
             # A draft: the next build must not publish the empty skeleton (nor its 例：… notes).
             "draft: true   # 公開するときは、この行を消すか false にします (to publish, delete this line or write false)",
             "---", ""]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # 'x': never overwrite, even in a race
            handle.write("\n".join(lines) + archetype(config, category))
    except FileExistsError:
        raise _exists(path) from None
    except OSError as error:
        raise _unwritable(path, error) from error
    return path


def _exists(path: Path) -> ScaffoldError:
    return ScaffoldError(f"{path} already exists; choose another --slug or --date (nothing was overwritten)",
                         f"{path} はすでにあります（何も上書きしていません）。"
                         "--slug か --date で、別の名前か日付を指定してください。")


# Japanese for generator/urls.py's slug_problem answers (an answer not here gets the rule itself).
_SLUG_RULE_JA = "使えないのは、空や「.」だけのもの、「/」「\\」「..」、先頭の「.」、制御文字、スペースや ? # % & などです"
_SLUG_PROBLEMS_JA = {
    "is empty or only dots": "空か、「.」だけです",
    "contains '/', '\\' or '..', which would put the page outside its folder": "「/」「\\」「..」があると、ページがフォルダーの外に出てしまいます",
    "starts with '.', which makes a hidden folder": "「.」で始まると、隠しフォルダーになってしまいます",
    "contains control characters": "制御文字が入っています",
    "contains spaces or characters such as ? # % & that have a meaning in addresses":
        "スペースや、アドレスの中で特別な意味を持つ ? # % & などの文字が入っています",
}
