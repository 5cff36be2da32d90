"""Split a source file into front matter and body, and validate the fields into `PostMeta`.

The fences are found with python-frontmatter's YAML handler (the same rule editors' other
tools use); the YAML itself goes through `yamltext` so every field keeps its file line.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import frontmatter as python_frontmatter

from generator.config import SiteConfig
from generator.dates import parse_datetime
from generator.errors import SourceError
from generator.urls import slug_problem, tag_key
from generator.yamltext import YamlMapping, parse_mapping

_FENCE = python_frontmatter.YAMLHandler().FM_BOUNDARY
_DATE_HINT = "write it like 2024-06-17 or 2024-06-17 19:00"
MAX_TAGS = 100
# An IME types '、' or '，' between words. YAML only splits '[a, b]' on ',' (so '[a、b]' is one
# item) and a plain 'a、b' not at all, so every item is split again here, the same way whatever
# brackets or quotes were used. Full-width brackets ('［防災、地域福祉］') are plain text to YAML.
_LIST_SEPARATORS = str.maketrans({"、": ",", "，": ",", "､": ","})
_FULL_WIDTH_BRACKETS = ("［", "］")


@dataclass(frozen=True)
class Event:
    start: datetime
    end: datetime | None
    has_time: bool  # whether 'start' gave a time of day (False: an all-day event)
    place: str | None
    online: bool | str | None = None  # True, or text such as 'Zoom（申込者にURLをお送りします）'
    url: str | None = None  # http(s) address: the event's page, a form or the meeting link
    capacity: int | None = None
    contact: str | None = None
    end_has_time: bool = False  # whether 'end' gave a time of day (False: it ends with that day)


@dataclass(frozen=True)
class Attachment:
    file: str  # relative to the post, like a link
    title: str | None
    line: int  # the front matter line, for errors


@dataclass(frozen=True)
class PostMeta:
    title: str
    date: datetime | None  # None only for pages without a date
    has_time: bool = False
    category: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None
    summary: str | None = None
    slug: str | None = None
    draft: bool = False
    series: str | None = None
    series_order: int | None = None  # place in its series; None: by date
    event: Event | None = None
    weight: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    cover: str | None = None  # the post's social-card photo (og:image), relative to the post
    cover_line: int | None = None
    attachments: tuple[Attachment, ...] = ()  # files offered in a download box on the post


@dataclass(frozen=True)
class SplitSource:
    mapping: YamlMapping
    body: str
    body_line: int  # file line where the body starts


KNOWN_FIELDS = ("title", "date", "category", "tags", "author", "summary", "slug", "draft",
                "series", "series_order", "event", "weight", "cover", "attachments")


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def split(path: Path, text: str) -> tuple[SplitSource | None, list[SourceError]]:
    fences = list(_FENCE.finditer(text))
    if not fences or fences[0].start() != 0:
        return None, [SourceError(path, 1, "this file has no front matter",
                                  "start the file with a line '---', then lines like 'title: …' and "
                                  "'date: 2024-06-17', then another '---' line; the text follows")]
    if len(fences) < 2:
        return None, [SourceError(path, 1, "the front matter is not closed",
                                  "add a line '---' after the last 'key: value' line, before the text")]
    opening, closing = fences[0], fences[1]
    first_line = _line_at(text, opening.end())
    mapping, errors = parse_mapping(text[opening.end():closing.start()], path, first_line, "front matter")
    if mapping is None:
        return None, errors
    body_start = closing.end() + 1 if text[closing.end():closing.end() + 1] == "\n" else closing.end()
    return SplitSource(mapping, text[body_start:], _line_at(text, body_start)), []


def validate(path: Path, source: SplitSource, config: SiteConfig, is_post: bool) -> tuple[PostMeta | None, list[SourceError]]:
    values, errors = source.mapping.values, []
    zone = config.zone
    top = source.mapping.first_line

    def error(key: str | None, message: str, hint: str | None = None) -> None:
        line = source.mapping.line_of(key) if key else top
        errors.append(SourceError(path, line, message, hint))

    def text(key: str) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            error(key, f"'{key}' must be a single line of text")
            return None
        return str(value).strip() or None

    title = text("title")
    if title is None and "title" not in values:
        error(None, "'title' is missing", "add a line like 'title: 6月定例会の報告' to the front matter")
    elif title is None:
        error("title", "'title' is empty", "write the post's title after 'title: '")

    moment, has_time = None, False
    if "date" in values and values["date"] is not None:
        parsed = parse_datetime(values["date"], zone)
        if parsed is None:
            error("date", f"'date' is not a date: '{values['date']}'", _DATE_HINT)
        else:
            moment, has_time = parsed
    elif is_post:
        error(None if "date" not in values else "date", "'date' is missing",
              "add a line like 'date: 2024-06-17' (the day of the activity or of publication)")

    category = text("category")
    if category is not None and config.category(category) is None:
        known = [c.key for c in config.categories]
        if not known:
            error("category", f"unknown category '{category}': site.yaml defines no categories",
                  "add a 'categories:' section to site.yaml, or delete this line")
        else:
            close = difflib.get_close_matches(category, known, n=1)
            hint = (f"did you mean '{close[0]}'? " if close else "") + "known categories: " + ", ".join(
                f"{c.key} ({c.label})" for c in config.categories)
            error("category", f"unknown category '{category}'", hint)

    tags: list[str] = []
    raw_tags = values.get("tags")
    if raw_tags is None:
        raw_tags = []
    if isinstance(raw_tags, (str, int, float)) and not isinstance(raw_tags, bool):
        raw_tags = [raw_tags]
    if not isinstance(raw_tags, list):
        error("tags", "'tags' must be a list or comma-separated text", "for example: tags: [防災, 地域福祉]")
        raw_tags = []
    for item in split_list_items(raw_tags):
        if isinstance(item, (dict, list)) or item is None:
            error("tags", "each tag must be a word or short phrase", "for example: tags: [防災, 地域福祉]")
            continue
        name = str(item).strip()
        if not name:
            continue
        if not tag_key(name):
            error("tags", f"tag '{name}' has no letters or digits", "use words, not only symbols")
            continue
        if name not in tags:
            tags.append(name)
    if len(tags) > MAX_TAGS:
        # Every tag page lists the post with all its tags: 10,000 tags would be 10,000 pages of
        # 10,000 links each, gigabytes of output. No reader browses more than a handful.
        error("tags", f"'tags' has {len(tags)} tags; a post can have at most {MAX_TAGS}",
              "keep the few words readers would look for, e.g. tags: [防災, 地域福祉]")

    draft = values.get("draft", False)
    if draft is None:
        draft = False
    if not isinstance(draft, bool):
        error("draft", f"'draft' must be true or false, not '{draft}'", "write 'draft: true' or delete the line")
        draft = False

    slug = text("slug")
    if slug is not None:
        problem = slug_problem(slug)
        if problem:
            error("slug", f"slug '{slug}' {problem}", "use letters, digits and '-' only, e.g. slug: teireikai-2024-06")

    weight = values.get("weight", 0)
    if not isinstance(weight, int) or isinstance(weight, bool):
        error("weight", f"'weight' must be a whole number, not '{weight}'")
        weight = 0

    series, series_order = text("series"), _series_order(values.get("series_order"))
    if series is not None and not tag_key(series):
        error("series", f"series name '{series}' has no letters or digits",
              "name the series with words, e.g. series: 居場所づくり講座")
    if series_order is False:
        error("series_order", f"'series_order' must be a whole number from 1, not '{values['series_order']}'",
              "write the part's number in its series, e.g. 'series_order: 2', or delete the line to order by date")
    elif series_order is not None and series is None:
        error("series_order", "'series_order' is set but the post has no 'series'",
              "add a line like 'series: 居場所づくり講座', or delete the 'series_order' line")

    def event_error(message: str, hint: str | None = None, field: str | None = None) -> None:
        key = f"event.{field}" if field and f"event.{field}" in source.mapping.lines else "event"
        error(key, message, hint)

    event = _event(values.get("event"), zone, event_error) if "event" in values else None

    cover = text("cover")
    attachments: list[Attachment] = []
    raw_attachments = values.get("attachments")
    if raw_attachments is not None:
        line = source.mapping.line_of("attachments")
        if not isinstance(raw_attachments, list):
            raw_attachments = [raw_attachments]
        for item in raw_attachments:
            if isinstance(item, str) and item.strip():
                attachments.append(Attachment(item.strip(), None, line))
            elif isinstance(item, dict) and isinstance(item.get("file"), str) and item["file"].strip() \
                    and all(k in ("file", "title") for k in item):
                label = item.get("title")
                attachments.append(Attachment(item["file"].strip(), str(label).strip() if label is not None else None, line))
            else:
                error("attachments", "each item of 'attachments' needs a 'file:' (and optionally a 'title:')",
                      "for example:\n      attachments:\n        - file: houkokusho.pdf\n          title: 活動報告書")
                break

    if errors or title is None:  # (a missing title is one of the errors)
        return None, errors
    extra = {k: v for k, v in values.items() if k not in KNOWN_FIELDS}
    return PostMeta(title=title, date=moment, has_time=has_time, category=category, tags=tuple(tags),
                    author=text("author"), summary=text("summary"), slug=slug, draft=draft,
                    series=series, series_order=series_order, event=event, weight=weight, extra=extra,
                    cover=cover, cover_line=source.mapping.line_of("cover") if cover else None,
                    attachments=tuple(attachments)), []


def split_list_items(items: list) -> list:
    """The items of a front matter list, each text item split on ',', '、', '，' and '､' and
    trimmed of half- and full-width spaces; empty pieces dropped. Other items are kept as they are."""
    pieces: list = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            pieces.append(item)
            continue
        text = str(item).strip()
        if text.startswith(_FULL_WIDTH_BRACKETS[0]) and text.endswith(_FULL_WIDTH_BRACKETS[1]):
            text = text[1:-1]
        pieces.extend(piece.strip() for piece in text.translate(_LIST_SEPARATORS).split(",") if piece.strip())
    return pieces


def _series_order(raw: object) -> int | None | bool:
    """The number in `series_order:` (full-width digits too); None when absent, False when invalid."""
    if raw is None:
        return None
    if isinstance(raw, str) and unicodedata.normalize("NFKC", raw).strip().isdecimal():
        raw = int(unicodedata.normalize("NFKC", raw).strip())
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        return False
    return raw


EVENT_FIELDS = ("start", "end", "place", "online", "url", "capacity", "contact")
_EVENT_EXAMPLE = ("for example:\n      event:\n        start: 2024-12-05 13:30\n        end: 2024-12-05 16:00\n"
                  "        place: 市民センター\n        capacity: 100\n        contact: 事務局 0000-00-0000")


def _event(raw: object, zone, error) -> Event | None:
    """The `event:` mapping; `error(message, hint, field)` reports on the field's own line."""
    if not isinstance(raw, dict):
        error("'event' must have indented lines 'start:', and optionally 'end:', 'place:', 'online:', "
              "'url:', 'capacity:' and 'contact:'", _EVENT_EXAMPLE)
        return None
    ok = True
    for key in raw:
        if key not in EVENT_FIELDS:
            close = difflib.get_close_matches(str(key), EVENT_FIELDS, n=1)
            error(f"unknown event field '{key}'", (f"did you mean '{close[0]}'? " if close else "")
                  + "event fields: " + ", ".join(EVENT_FIELDS), str(key))
            ok = False
    if raw.get("start") is None:
        error("'event' needs a 'start' date", "add '  start: 2024-12-05 13:30' under 'event:'")
        return None
    start = parse_datetime(raw["start"], zone)
    if start is None:
        error(f"event 'start' is not a date: '{raw['start']}'", _DATE_HINT, "start")
        return None
    end, end_has_time = None, False
    if raw.get("end") is not None:
        parsed_end = parse_datetime(raw["end"], zone)
        if parsed_end is None:
            error(f"event 'end' is not a date: '{raw['end']}'", _DATE_HINT, "end")
            return None
        end, end_has_time = parsed_end
        if end < start[0]:
            error("event 'end' is before its 'start'", "check the day and time of both", "end")
            return None

    def text(key: str) -> str | None:
        nonlocal ok
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            error(f"event '{key}' must be a single line of text", None, key)
            ok = False
            return None
        return str(value).strip() or None

    place, contact = text("place"), text("contact")

    online = raw.get("online")
    if isinstance(online, bool) or online is None:
        online = online or None  # 'online: false' is the same as no line
    elif isinstance(online, str):
        online = online.strip() or None
    else:
        error(f"event 'online' must be true, false or a line of text, not '{online}'",
              "write 'online: true', or how to join, e.g. 'online: Zoom（申込者にURLをお送りします）'", "online")
        online, ok = None, False

    url = text("url")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in url):
            error(f"event 'url' is not a web address: '{url}'",
                  "write the full address starting with https://, e.g. 'url: https://example.org/moshikomi'", "url")
            url, ok = None, False

    capacity = raw.get("capacity")
    if isinstance(capacity, str) and unicodedata.normalize("NFKC", capacity).strip().isdecimal():
        capacity = int(unicodedata.normalize("NFKC", capacity).strip())  # full-width digits: ３００
    if capacity is not None and (not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1):
        error(f"event 'capacity' must be a whole number of people, not '{capacity}'",
              "write digits only, e.g. 'capacity: 300' (the word 名 or 人 is added on the page)", "capacity")
        capacity, ok = None, False

    if not ok:
        return None
    return Event(start[0], end, start[1], place, online=online, url=url, capacity=capacity, contact=contact,
                 end_has_time=end_has_time)
