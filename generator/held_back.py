"""What a build held back, said at its end: nothing vanishes or appears silently.

A draft (`draft: true`) and a post dated after the build moment are not published. An editor
who does not know that sees a post "vanish" (an event notice whose `date` was set to the event
day) or appear weeks later with nobody having built. So every build records what it held back
(`held_back`, kept in the BuildResult and in the cache records the quick rebuilds reuse, so
that every path says the same), and `summary_lines` turns that into the lines `katsudo build`
prints: one line with `-q`, a short list otherwise, nothing when nothing was held back.

`future_event_warnings` is the one mistake among them that is almost never meant: an event
notice dated in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.dates import datetime_text
from generator.errors import SourceError
from generator.i18n import say

MAX_LISTED = 20  # paths listed per kind; the rest are counted


@dataclass(frozen=True)
class HeldBack:
    path: Path  # the source file
    reason: str  # 'draft' or 'future'
    moment: datetime | None = None  # a future post: its date, in the site's time zone


def _reason(post, include_drafts: bool) -> str:
    # A draft stays unpublished whatever its date: being a draft is the reason to name.
    return "draft" if post.meta.draft and not include_drafts else "future"


def held_back(unpublished, include_drafts: bool) -> tuple[HeldBack, ...]:
    """The build's unpublished posts and pages, drafts first (by path), then future posts (soonest first)."""
    drafts, future = [], []
    for post in unpublished:
        if _reason(post, include_drafts) == "draft":
            drafts.append(HeldBack(post.source, "draft"))
        else:
            future.append(HeldBack(post.source, "future", post.date))
    drafts.sort(key=lambda item: str(item.path))
    future.sort(key=lambda item: (item.moment, str(item.path)))
    return (*drafts, *future)


def future_event_warnings(unpublished, include_drafts: bool) -> list[SourceError]:
    """A warning for each event notice held back because its `date` is in the future."""
    warnings = []
    for post in unpublished:
        if post.meta.event is None or post.kind != "post" or _reason(post, include_drafts) != "future":
            continue
        meta = post.meta
        dated = f"{meta.date:%Y-%m-%d %H:%M}" if meta.has_time else f"{meta.date:%Y-%m-%d}"
        start = f"{meta.event.start:%Y-%m-%d %H:%M}" if meta.event.has_time else f"{meta.event.start:%Y-%m-%d}"
        warnings.append(SourceError(
            post.source, _date_line(post.source),
            f"this event notice is dated {dated}, in the future, so it is not published yet "
            "(not on the site, in the events list or in the upcoming events)",
            f"'date' is the day the notice appears on the site; 'event: start:' is the day of the event ({start}). "
            f"Set 'date' to today to publish the notice now (left as it is, it appears at the first build after {dated})",
            severity="warning"))
    return warnings


def _date_line(path: Path) -> int | None:
    """The line of `date:` in the file's front matter (the file was read without error just before)."""
    from generator.frontmatter import split
    from generator.sources import decode_source

    try:
        text, problem = decode_source(path)
    except OSError:
        return None
    parts, _ = split(path, text) if problem is None else (None, None)
    return parts.mapping.line_of("date") if parts is not None else None


def summary_lines(held: tuple[HeldBack, ...], config, language: str, quiet: bool, root: Path) -> list[str]:
    """What `katsudo build` says about `held`: one line when `quiet`, a short block otherwise,
    nothing when nothing was held back. Paths are shown relative to `root` (the working folder),
    as errors are."""
    drafts = [item for item in held if item.reason == "draft"]
    future = [item for item in held if item.reason == "future"]
    if not held:
        return []
    if quiet:
        counts = []
        if drafts:
            counts.append(say(language, f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''}",
                              f"下書き {len(drafts)} 件"))
        if future:
            counts.append(say(language, f"{len(future)} future post{'s' if len(future) != 1 else ''}",
                              f"予約投稿 {len(future)} 件"))
        return [say(language, f"held back: {', '.join(counts)} (katsudo build without -q lists them)",
                    f"公開していない記事：{'、'.join(counts)}（-q を付けずに katsudo build を実行すると一覧が出ます）")]

    lines = [say(language, "held back (not published):", "公開していない記事：")]
    if drafts:
        lines.append(say(language,
                         f"  {len(drafts)} draft{'s' if len(drafts) != 1 else ''} "
                         "('draft: true'; delete that line to publish):",
                         f"  下書き {len(drafts)} 件（draft: true の行を消すと公開されます）："))
        lines += [f"    {_shown(item.path, root)}" for item in drafts[:MAX_LISTED]]
        lines += _more(drafts, language)
    if future:
        lines.append(say(language, f"  {len(future)} future post{'s' if len(future) != 1 else ''} (dated after now):",
                         f"  予約投稿 {len(future)} 件（日付が未来の記事）："))
        for item in future[:MAX_LISTED]:
            path, moment = _shown(item.path, root), item.moment
            assert moment is not None  # (held_back gives every future post its date)
            lines.append(say(language, f"    {path} appears at {_moment_en(moment, config)}",
                             f"    {path} は {_moment_ja(moment, config)} に公開されます（そのあとのビルドで）"))
        lines += _more(future, language)
        lines.append(say(language,
                         "  future posts appear at the first build after that moment: schedule a rebuild "
                         "(cron or a CI schedule; see 'Publishing' in the README)",
                         "  予約投稿は、その日時を過ぎてから最初のビルドで公開されます。定期的にビルドする設定"
                         "（cron や CI のスケジュール）をしてください（README の「Publishing」を参照）。"))
    return lines


def _more(items: list[HeldBack], language: str) -> list[str]:
    rest = len(items) - MAX_LISTED
    return [say(language, f"    … and {rest} more", f"    …ほか {rest} 件")] if rest > 0 else []


def _moment_en(moment: datetime, config) -> str:
    text = f"{moment:%Y-%m-%d %H:%M} {config.timezone}"
    if config.language == "ja":  # also as the site shows it (in 和暦, as configured)
        text += f" ({datetime_text(moment, 'ja', config.date_style)})"
    return text


def _moment_ja(moment: datetime, config) -> str:
    text = datetime_text(moment, "ja", config.date_style)
    return text if config.timezone == "Asia/Tokyo" else f"{text}（{config.timezone}）"


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def preview_line(held: tuple[HeldBack, ...], language: str, root: Path) -> str | None:
    """What `katsudo serve` says when the posts it leaves out change: one line, with the option
    that shows them (an editor who just ran `katsudo new` is looking at a draft)."""
    if not held:
        return None
    drafts = [item for item in held if item.reason == "draft"]
    future = [item for item in held if item.reason == "future"]
    parts_en, parts_ja = [], []
    for items, name_en, name_ja, option in ((drafts, "draft", "下書き", "--drafts"),
                                              (future, "future post", "予約投稿", "--future")):
        if not items:
            continue
        listed = [_shown(item.path, root) for item in items[:3]] + (["…"] if len(items) > 3 else [])
        parts_en.append(f"{len(items)} {name_en}{'s' if len(items) != 1 else ''} ({', '.join(listed)}; "
                        f"katsudo serve {option} shows them)")
        parts_ja.append(f"{name_ja} {len(items)} 件（{'、'.join(listed)}。katsudo serve {option} で表示されます）")
    return say(language, "not in the preview: " + "; ".join(parts_en), "プレビューに出ていない記事：" + "、".join(parts_ja))
