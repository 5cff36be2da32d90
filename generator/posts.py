"""Source files -> `Post`s: front matter validated, slug decided, drafts and future posts set aside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import SourceError
from generator.frontmatter import PostMeta, split, validate
from generator.sources import SourceFile, decode_source
from generator.urls import slug_from_name, slug_problem


@dataclass(frozen=True)
class Post:
    """A post or a page: what its source says, before any Markdown is rendered."""

    source: Path
    kind: str  # 'post' or 'page'
    meta: PostMeta
    body: str
    body_line: int
    slug: str
    bundle: Path | None  # a folder post's folder, whose other files are published beside it

    @property
    def date(self) -> datetime:
        """A post's date: validation requires one of every post (only a page may have none)."""
        if self.meta.date is None:
            raise ValueError(f"{self.source}: a page without a date, where only posts belong")
        return self.meta.date


def load_post(config: SiteConfig, source: SourceFile) -> tuple[Post | None, list[SourceError]]:
    text, decode_error = decode_source(source.path)
    if decode_error:
        return None, [decode_error]
    parts, errors = split(source.path, text)
    if parts is None:
        return None, errors
    meta, errors = validate(source.path, parts, config, is_post=source.kind == "post")
    if meta is None:
        return None, errors
    name = source.bundle.name if source.bundle else source.path.stem
    slug = meta.slug or slug_from_name(name)
    if meta.slug is None and slug_problem(slug):
        return None, [SourceError(source.path, 1, f"the file name gives the address '{slug}', which {slug_problem(slug)}",
                                  "rename the file, or add a line 'slug: …' with letters, digits and '-'")]
    return Post(source.path, source.kind, meta, parts.body, parts.body_line, slug, source.bundle), []


def load_posts(config: SiteConfig, sources: tuple[SourceFile, ...], cache=None) -> tuple[list[Post], list[SourceError]]:
    """Every source as a Post; with a BuildCache, files whose stamp did not change are not re-read."""
    posts, errors = [], []
    for source in sources:
        if cache is None:
            post, found = load_post(config, source)
        else:
            post, found = cache.load(source.path, lambda source=source: load_post(config, source))
        errors.extend(found)
        if post is not None:
            posts.append(post)
    return posts, errors


def is_published(post: Post, now: datetime, include_drafts: bool, include_future: bool) -> bool:
    if post.meta.draft and not include_drafts:
        return False
    if post.kind == "post" and post.date > now and not include_future:
        return False
    return True
