"""site.yaml -> SiteConfig: a typed schema, validated once, every error reported at once."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import KatsudoError, SourceError
from generator.images import ImageSettings
from generator.sources import decode_source
from generator.yamltext import parse_mapping

CONFIG_NAME = "site.yaml"
CATEGORY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class Category:
    key: str
    label: str


@dataclass(frozen=True)
class MarkdownSettings:
    safe_html: bool = False  # true: clean posts' HTML with an allow-list (for text that came from elsewhere)
    # true: publish HTML comments (<!-- … -->) as written. By default they are notes to the editor
    # (the archetypes' <!-- 例：… -->) and are left out of pages, feeds and the search index
    # (generator/html_comments.py); safe_html removes them in any case.
    keep_comments: bool = False


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml can say, with its defaults. Field comments are the reference."""

    root: Path  # the site folder (holds site.yaml, content/, optional templates/ and assets/)
    title: str  # the site's name, shown in the header and in every <title>
    base_url: str  # absolute URL the site is published at, ends with '/'; may have a sub-path
    description: str = ""  # one sentence for search engines and the feed
    language: str = "ja"  # 'ja' or 'en': UI strings, date format, <html lang>
    timezone: str = "Asia/Tokyo"  # naive dates in front matter are in this zone
    fiscal_year_start: int = 4  # first month of the fiscal year (年度)
    per_page: int = 10  # posts per list page
    author: str = ""  # default author of posts
    organisation: str = ""  # the organisation's name; defaults to the title
    categories: tuple[Category, ...] = field(default_factory=tuple)  # key -> label, in order
    date_style: str = "wareki"  # ja dates: 'wareki' (令和3年6月17日), 'western' (2021年6月17日) or 'both'
    summary_length: int = 120  # characters of an automatic summary (cut at a sentence end near it)
    related_posts: int = 3  # related posts shown on a post page (0: none)
    reading_speed_ja: int = 500  # characters a minute, for reading time of Japanese text
    reading_speed_en: int = 200  # words a minute, for reading time of English text
    search: bool = True  # build the full-text search index and the /search/ page
    images: ImageSettings = field(default_factory=ImageSettings)  # keep_metadata, widths, default_image
    markdown: MarkdownSettings = field(default_factory=MarkdownSettings)  # safe_html, keep_comments

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"


_FIELDS = ("title", "base_url", "description", "language", "timezone", "fiscal_year_start",
           "per_page", "author", "organisation", "categories", "date_style", "summary_length",
           "related_posts", "reading_speed_ja", "reading_speed_en", "images", "search", "markdown")
DATE_STYLES = ("wareki", "western", "both")


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "known settings: " + ", ".join(choices)


def normalise_base_url(value: str) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def load_config(root: Path, base_url_override: str | None = None) -> SiteConfig:
    path = root / CONFIG_NAME
    if not path.is_file():
        raise KatsudoError([SourceError(path, None, "site.yaml not found",
                                        f"run katsudo in a site folder, pass -s SITE, or create one with 'katsudo init {root}'")])
    text, decode_error = decode_source(path)
    if decode_error:
        raise KatsudoError([decode_error])
    mapping, errors = parse_mapping(text, path, 1, "site.yaml")
    if mapping is None:
        raise KatsudoError(errors)
    values, errors = dict(mapping.values), []

    def error(key: str, message: str, hint: str | None = None) -> None:
        errors.append(SourceError(path, mapping.line_of(key), message, hint))

    for key in values:
        if key not in _FIELDS:
            error(key, f"unknown setting '{key}'", _did_you_mean(key, _FIELDS))
    checked: dict[str, Any] = {}

    def text_field(key: str, required: bool = False) -> None:
        if key not in values or values[key] is None:
            if required and key in values:  # 'title:' with nothing after it: that line is the one to fix
                error(key, f"'{key}' is empty", f"write it after '{key}: ' on this line")
            elif required:  # no line to point at: the key is not in the file
                errors.append(SourceError(path, None, f"'{key}' is missing", f"add a line '{key}: ...' to site.yaml"))
            return
        if not isinstance(values[key], (str, int, float)) or isinstance(values[key], bool):
            error(key, f"'{key}' must be text")
            return
        checked[key] = str(values[key]).strip()

    def int_field(key: str, low: int, high: int) -> None:
        if key not in values:
            return
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            error(key, f"'{key}' must be a whole number from {low} to {high}, not {value!r}")
            return
        checked[key] = value

    for key in ("title", "base_url"):
        text_field(key, required=True)
    for key in ("description", "author", "organisation", "language", "timezone", "date_style"):
        text_field(key)
    int_field("fiscal_year_start", 1, 12)
    int_field("per_page", 1, 1000)
    if "search" in values:
        if isinstance(values["search"], bool):
            checked["search"] = values["search"]
        else:
            error("search", f"'search' must be true or false, not '{values['search']}'")
    int_field("summary_length", 20, 1000)
    int_field("related_posts", 0, 20)
    int_field("reading_speed_ja", 50, 5000)
    int_field("reading_speed_en", 20, 2000)
    if "date_style" in checked and checked["date_style"] not in DATE_STYLES:
        error("date_style", f"'date_style' must be one of {', '.join(DATE_STYLES)}, not '{checked['date_style']}'")

    if base_url_override is not None:
        checked["base_url"] = base_url_override
    if "base_url" in checked:
        normal = normalise_base_url(checked["base_url"])
        if normal is None:
            error("base_url", f"'base_url' must be a full address starting with https:// or http://, not '{checked['base_url']}'",
                  "for example: base_url: https://example.org/minato/")
        else:
            checked["base_url"] = normal
    if "language" in checked and checked["language"] not in LANGUAGES:
        error("language", f"'language' must be one of {', '.join(LANGUAGES)}, not '{checked['language']}'")
    if "timezone" in checked:
        try:
            ZoneInfo(checked["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            error("timezone", f"unknown time zone '{checked['timezone']}'", "use a name like Asia/Tokyo")

    if "categories" in values:
        raw = values["categories"]
        if not isinstance(raw, dict):
            error("categories", "'categories' must be a list of 'key: label' lines",
                  "for example:\n      categories:\n        meeting: 会議・定例会")
        else:
            categories = []
            for key, label in raw.items():
                key = str(key)
                if not CATEGORY_KEY.match(key):
                    error("categories", f"category key '{key}' must use lower-case letters, digits, '-' or '_'",
                          "the key becomes part of the address, e.g. meeting: 会議・定例会")
                elif not isinstance(label, str) or not label.strip():
                    error("categories", f"category '{key}' needs a label", f"for example: {key}: 会議・定例会")
                else:
                    categories.append(Category(key, label.strip()))
            checked["categories"] = tuple(categories)

    if "images" in values:
        images = _images(values["images"], root, error)
        if images is not None:
            checked["images"] = images

    if "markdown" in values:
        markdown = _markdown(values["markdown"], error)
        if markdown is not None:
            checked["markdown"] = markdown

    if errors:
        raise KatsudoError(errors)
    if not checked.get("organisation"):
        checked["organisation"] = checked["title"]
    return SiteConfig(root=root, **checked)




IMAGE_FIELDS = ("keep_metadata", "widths", "default_image")


def _known_keys(raw: Any, name: str, fields: tuple[str, ...], not_a_mapping: str, example: str, error) -> bool | None:
    """For a nested setting (`images:`, `markdown:`): None when it is not a mapping, else whether
    all its keys are known (each unknown one reported, with a "did you mean")."""
    if not isinstance(raw, dict):
        error(name, not_a_mapping, example)
        return None
    ok = True
    for key in raw:
        if key not in fields:
            error(name, f"unknown {name} setting '{key}'", _did_you_mean(str(key), fields))
            ok = False
    return ok


def _images(raw: Any, root: Path, error) -> ImageSettings | None:
    """The `images:` mapping: keep_metadata (true/false), widths (a list of pixels), default_image (a file under content/)."""
    example = "for example:\n      images:\n        widths: [480, 960, 1600]\n        default_image: images/ogp.jpg"
    ok = _known_keys(raw, "images", IMAGE_FIELDS, "'images' must have indented lines 'keep_metadata:', "
                     "'widths:' or 'default_image:'", example, error)
    if ok is None:
        return None
    keep = _boolean(raw, "images", "keep_metadata", error)
    widths = raw.get("widths", [480, 960, 1600])
    if (not isinstance(widths, list) or not widths
            or any(not isinstance(w, int) or isinstance(w, bool) or not 16 <= w <= 8000 for w in widths)):
        error("images", f"'images.widths' must be a list of widths in pixels (16 to 8000), not {widths!r}", example)
        ok = False
    default = raw.get("default_image")
    if default is not None:
        default = str(default).strip().lstrip("/")
        if not (root / "content" / default).is_file():
            error("images", f"'images.default_image' points at no file: content/{default}",
                  "put the picture under content/, e.g. content/images/ogp.jpg, and write default_image: images/ogp.jpg")
            ok = False
    if not ok or keep is None:
        return None
    return ImageSettings(keep_metadata=keep, widths=tuple(sorted(set(widths))), default_image=default)


MARKDOWN_FIELDS = ("safe_html", "keep_comments")


def _markdown(raw: Any, error) -> MarkdownSettings | None:
    """The `markdown:` mapping: safe_html and keep_comments (true/false)."""
    example = "for example:\n      markdown:\n        safe_html: true"
    ok = _known_keys(raw, "markdown", MARKDOWN_FIELDS, "'markdown' must have indented lines such as "
                     "'safe_html: true'", example, error)
    if ok is None:
        return None
    safe = _boolean(raw, "markdown", "safe_html", error, example)
    keep = _boolean(raw, "markdown", "keep_comments", error, "for example:\n      markdown:\n        keep_comments: true")
    if not ok or safe is None or keep is None:
        return None
    return MarkdownSettings(safe_html=safe, keep_comments=keep)


def _boolean(raw: dict, section: str, key: str, error, *hint: str) -> bool | None:
    """`section.key` of site.yaml, false when missing; None (reported) when not true or false."""
    value = raw.get(key, False)
    if not isinstance(value, bool):
        error(section, f"'{section}.{key}' must be true or false, not {value!r}", *hint)
        return None
    return value
