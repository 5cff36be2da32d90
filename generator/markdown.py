"""Markdown -> `Rendered(html, toc, summary)`, with links resolved the way editors write them.

Editors link to another report by its file name (`[前回](2024-04-20-teireikai.md)`), to a file
beside the post (`[資料](shiryou.pdf)`), or to a site page from the root (`/about/`). One
treeprocessor turns each into the published URL, so a site moved under a sub-path keeps
working, and reports a link that points nowhere with its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree
from pathlib import Path
from urllib.parse import quote, unquote

import markdown as python_markdown
from markupsafe import Markup
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from generator import text as plain
from generator.errors import SourceError
from generator.html_comments import remove_comments
from generator.ime_markdown import typing_slips
from generator.images import SIZES, ImageCatalog
from generator.markdown_blocks import TableWrapper, deepest_line, figure_or_gallery, toc_html

# Links to these files get their type and size after the link text: 報告書 (PDF・1.2MB).
FILE_TYPES = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".xls": "Excel", ".xlsx": "Excel",
              ".ppt": "PowerPoint", ".pptx": "PowerPoint", ".odt": "ODT", ".ods": "ODS", ".odp": "ODP",
              ".csv": "CSV", ".zip": "ZIP"}


def file_size_text(size: int) -> str:
    """1.2MB, 350KB (at least 1KB): what an editor's file manager shows."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}MB"
    return f"{max(1, round(size / 1024))}KB"

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")
SUMMARY_LENGTH = 120


@dataclass(frozen=True)
class Rendered:
    html: str  # Markup (safe to print unescaped), but for the empty results of a failed render
    toc: str
    summary: str
    errors: tuple[SourceError, ...] = ()
    cjk_chars: int = 0  # what reading time is measured in: characters of Japanese text...
    words: int = 0  # ...and words of the rest (generator/text.py)
    warnings: tuple[SourceError, ...] = ()  # missing alt text, oversized photos, IME slips (errors with --strict)
    og_image: str | None = None  # route of the 1200×630 social card (cover, else the first photo)
    attachments: tuple[dict, ...] = ()  # front matter 'attachments': {title, url, type, size}
    images: tuple = ()  # the image variants (generator/images.Variant) this document shows


@dataclass(frozen=True)
class LinkTargets:
    """What a relative link can point at, decided by the model before rendering."""

    base_path: str
    content_dir: Path
    source_urls: dict[Path, str]  # published source file -> its root-relative URL
    unpublished: frozenset[Path] = frozenset()  # drafts and future posts
    invalid: frozenset[Path] = frozenset()  # sources with errors of their own, already reported
    images: ImageCatalog | None = None  # photos become <picture> with variants (generator/images.py)


@dataclass
class _Document:
    source: Path
    body: str
    body_line: int
    own_url: str
    bundle: Path | None
    errors: list[SourceError] = field(default_factory=list)
    search_from: int = 0
    warnings: list[SourceError] = field(default_factory=list)
    images_seen: int = 0
    first_photo: Path | None = None
    full_size: dict = field(default_factory=dict)  # <picture> element -> URL of the photo full size
    figures: set = field(default_factory=set)  # <picture> elements asked to be a figure ({.figure})
    local: bool = False  # a link, image, cover or attachment named a file of the site


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: python_markdown.Markdown, targets: LinkTargets):
        super().__init__(md)
        self.targets = targets
        self.document: _Document | None = None

    @property
    def doc(self) -> _Document:
        """The document being converted: MarkdownRenderer.render sets it before each conversion."""
        if self.document is None:
            raise RuntimeError("_LinkRewriter used outside MarkdownRenderer.render")
        return self.document

    def run(self, root):
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in list(root.iter()):
            if element.tag == "img" and element.get("src") is not None:
                self._image(element, parents)
                continue
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    url, path = self.resolve_file(value)
                    element.set(attribute, url)
                    if attribute == "href" and path is not None and path.suffix.lower() in FILE_TYPES:
                        meta = ElementTree.SubElement(element, "span", {"class": "file-meta"})
                        meta.text = self.file_meta.format(type=FILE_TYPES[path.suffix.lower()],
                                                          size=file_size_text(path.stat().st_size))
        for paragraph in list(root.iter("p")):
            figure_or_gallery(paragraph, self.doc.full_size, self.doc.figures)

    file_meta = " ({type}・{size})"

    def _image(self, img, parents) -> None:
        doc, catalog = self.doc, self.targets.images
        src = img.get("src")
        line = None if _EXTERNAL.match(src) else self._line_of(src)
        url, path = self.resolve_file(src, line)
        img.set("src", url)
        if path is None and src.startswith("/"):
            doc.errors.append(SourceError(doc.source, line, f"the image '{src}' points at a file that does not exist",
                                          "a path starting with '/' is under content/, e.g. /images/map.png is "
                                          "content/images/map.png"))
        if line is not None and not (img.get("alt") or "").strip():
            doc.warnings.append(SourceError(doc.source, line, f"the image '{src}' has no alt text",
                                            "describe the photo in the brackets: ![参加者がグループで話し合う様子](" + src + ")",
                                            severity="warning"))
        first = doc.images_seen == 0
        doc.images_seen += 1
        loading = {"loading": "eager", "fetchpriority": "high"} if first else {"loading": "lazy"}
        if path is None or catalog is None or not catalog.is_image(path):
            for key, value in {**loading, "decoding": "async"}.items():
                img.set(key, value)
            return
        try:
            info = catalog.info(path)
        except ValueError:
            doc.errors.append(SourceError(doc.source, line, f"the image '{src}' cannot be read as a picture",
                                          "open it in an image viewer and save it again as JPEG or PNG"))
            return
        doc.warnings.extend(catalog.warnings_for(info, doc.source, line))
        if info.width:
            img.set("width", str(info.width))
            img.set("height", str(info.height))
        if not catalog.is_raster(path):  # GIF and SVG: published as they are
            for key, value in {**loading, "decoding": "async"}.items():
                img.set(key, value)
            return
        if doc.first_photo is None:
            doc.first_photo = path
        base = self.targets.base_path
        variants = catalog.responsive(info)
        fallback = variants["fallback"] or variants["webp"]
        shown = [v for v in fallback if v.width <= 960] or fallback[:1]
        largest = fallback[-1]
        classes = (img.get("class") or "").split()
        picture = ElementTree.Element("picture")
        if variants["fallback"]:
            ElementTree.SubElement(picture, "source", {
                "type": "image/webp", "srcset": ", ".join(f"{base}{quote(v.route)} {v.width}w" for v in variants["webp"]),
                "sizes": SIZES})
        attributes = {"src": base + quote(shown[-1].route),
                      "srcset": ", ".join(f"{base}{quote(v.route)} {v.width}w" for v in fallback),
                      "sizes": SIZES, "width": str(largest.width), "height": str(largest.height),
                      **loading, "decoding": "async", "alt": img.get("alt") or ""}
        if img.get("title"):
            attributes["title"] = img.get("title")
        if [c for c in classes if c != "figure"]:
            attributes["class"] = " ".join(c for c in classes if c != "figure")
        ElementTree.SubElement(picture, "img", attributes)
        picture.tail = img.tail
        parent = parents[img]
        parent[list(parent).index(img)] = picture
        parents[picture] = parent
        doc.full_size[picture] = base + quote(catalog.routes[path.resolve()])
        if "figure" in classes:
            doc.figures.add(picture)

    def _line_of(self, target: str) -> int:
        """Line of the link's own `](target` (the same target twice: the next one each time)."""
        doc = self.doc
        index = doc.body.find("](" + target, doc.search_from)
        if index < 0:
            index = doc.body.find(target, doc.search_from)
        if index < 0:
            index = doc.body.find(target)
        else:
            doc.search_from = index + 1
        return doc.body_line + (doc.body.count("\n", 0, index) if index >= 0 else 0)

    def resolve(self, target: str) -> str:
        return self.resolve_file(target)[0]

    def resolve_file(self, target: str, line: int | None = None) -> tuple[str, Path | None]:
        """The published URL of a link target, and the file behind it when it is one of the site's files."""
        if not target or _EXTERNAL.match(target):
            return target, None
        self.doc.local = True
        if target.startswith("/"):
            url = self.targets.base_path + quote(target[1:], safe="/#?=&%:@!$'()*+,;~")
            candidate = (self.targets.content_dir / unquote(target[1:].partition("#")[0].split("?", 1)[0])).resolve()
            if candidate.is_file() and candidate.is_relative_to(self.targets.content_dir.resolve()):
                return url, candidate
            return url, None
        url = self._resolve_relative(target, line)
        if url is target:
            return url, None
        resolved = (self.doc.source.parent / unquote(target.partition("#")[0].split("?", 1)[0])).resolve()
        return url, resolved if resolved.is_file() else None

    def _resolve_relative(self, target: str, line: int | None = None) -> str:
        doc = self.doc
        line_of = (lambda _: line) if line is not None else self._line_of
        path_part, hash_mark, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        suffix = hash_mark + fragment
        resolved = (doc.source.parent / unquote(path_part)).resolve()
        if resolved in self.targets.source_urls:
            return self.targets.source_urls[resolved] + suffix
        if resolved in self.targets.invalid:
            return target
        if resolved in self.targets.unpublished:
            doc.errors.append(SourceError(doc.source, line_of(target),
                                          f"the link '{target}' points at a draft or a post dated in the future",
                                          "it would be a broken link once published: remove the link or publish that post"))
            return target
        if path_part.endswith(".md"):
            doc.errors.append(SourceError(doc.source, line_of(target),
                                          f"the link '{target}' points at no post or page",
                                          "check the file name; links to other reports use their file name, "
                                          "e.g. [前回](2024-04-20-teireikai.md)"))
            return target
        if resolved.is_file():
            if doc.bundle is not None and resolved.is_relative_to(doc.bundle.resolve()):
                rel = resolved.relative_to(doc.bundle.resolve()).as_posix()
                return doc.own_url + quote(rel) + suffix
            content = self.targets.content_dir.resolve()
            if resolved.is_relative_to(content):
                under_content = resolved.relative_to(content)
                if under_content.parts[0] not in ("posts", "pages"):
                    return self.targets.base_path + quote(under_content.as_posix()) + suffix
        doc.errors.append(SourceError(doc.source, line_of(target),
                                      f"the link or image '{target}' points at a file that does not exist",
                                      "put the file in the post's own folder (content/posts/NAME/) or in content/, "
                                      "and check the spelling"))
        return target


class _LinkExtension(Extension):
    def __init__(self, rewriter_factory, table_label: str):
        super().__init__()
        self.rewriter_factory = rewriter_factory
        self.table_label = table_label

    def extendMarkdown(self, md):
        md.treeprocessors.register(self.rewriter_factory(md), "katsudo_links", 1)
        md.treeprocessors.register(TableWrapper(md, self.table_label), "katsudo_tables", 0)


class MarkdownRenderer:
    """One reusable Python-Markdown instance per build (creating one costs more than a post)."""

    def __init__(self, targets: LinkTargets, footnote_backlink_title: str = "Back to the text",
                 table_label: str = "Table", file_meta: str | None = None, safe_html: bool = False,
                 keep_comments: bool = False):
        self.targets = targets
        self.safe_html = safe_html  # site.yaml markdown.safe_html: clean the HTML (generator/safehtml.py)
        self.keep_comments = keep_comments  # site.yaml markdown.keep_comments (generator/html_comments.py)
        # Whether the last render looked anything up in the site (links to posts and files,
        # photos): if not, its HTML depends on its own text alone (generator/build.py caches it so).
        self.last_local = False

        made: list[_LinkRewriter] = []

        def factory(md):
            rewriter = _LinkRewriter(md, targets)
            if file_meta:
                rewriter.file_meta = file_meta
            made.append(rewriter)
            return rewriter

        self._md = python_markdown.Markdown(
            extensions=["tables", "fenced_code", "footnotes", "attr_list", "sane_lists", "toc",
                        _LinkExtension(factory, table_label)],
            extension_configs={"toc": {"slugify": slugify_unicode, "permalink": False},
                               "footnotes": {"BACKLINK_TITLE": footnote_backlink_title}},
            output_format="html",
        )
        self._rewriter = made[-1]  # Python-Markdown called the factory while it was constructed

    def render(self, source: Path, body: str, body_line: int, own_url: str, bundle: Path | None,
               summary: str | None = None, summary_length: int = SUMMARY_LENGTH,
               cover: str | None = None, cover_line: int | None = None, attachments: tuple = ()) -> Rendered:
        document = _Document(source, body, body_line, own_url, bundle, local=bool(cover or attachments))
        self._rewriter.document = document
        if self.targets.images is not None:
            self.targets.images.take()
        self._md.reset()
        # IME slips are warned about; empty headings come back as blank lines (generator/ime_markdown.py).
        text, slips = typing_slips(source, body, body_line)
        document.warnings.extend(slips)
        try:
            html_text = self._md.convert(text)
        except RecursionError:
            # Python-Markdown parses nested lists and quotes recursively: hundreds of levels
            # exhaust Python's stack. Nobody reads a list 500 levels deep; say where it is.
            self._md.reset()
            return Rendered("", "", "", (SourceError(source, body_line + deepest_line(body),
                                                     "the text is nested too deeply to read (lists or quotes "
                                                     "inside each other, hundreds of levels)",
                                                     "indent list items at most a few levels; start a new list "
                                                     "or a new paragraph instead"),))
        toc = toc_html(self._md.toc_tokens)  # type: ignore[attr-defined]  # set by the toc extension, not in the stubs
        if not self.keep_comments:
            html_text = remove_comments(html_text)  # (before the summary and reading time are measured)
        if self.safe_html:
            from generator.safehtml import sanitise

            # Before the summary and reading time are taken from it: what is removed is not shown anywhere.
            html_text, toc = sanitise(html_text), sanitise(toc)
        automatic_summary, cjk_chars, words = plain.measure(html_text, summary_length)
        og_image = self._social_image(document, cover, cover_line)
        files = []
        for item in attachments:
            url, path = self._rewriter.resolve_file(item.file, item.line)
            if path is None:
                if url is not item.file or item.file.startswith("/") or _EXTERNAL.match(item.file):
                    document.errors.append(SourceError(source, item.line, f"the attachment '{item.file}' points at a file that does not exist",
                                                       "put the file in the post's own folder (content/posts/NAME/)"))
                continue
            files.append({"title": item.title or path.name, "url": url, "name": path.name,
                          "type": FILE_TYPES.get(path.suffix.lower(), path.suffix.lstrip(".").upper()),
                          "size": file_size_text(path.stat().st_size)})
        self.last_local = document.local
        # Markup now, not in the views: Markup(str) copies the text, and a site's HTML is the
        # largest thing a build holds (10,000 posts: about 100 MB a copy).
        return Rendered(Markup(html_text), Markup(toc), summary or automatic_summary, tuple(document.errors),
                        cjk_chars, words, tuple(document.warnings), og_image, tuple(files),
                        self.targets.images.take() if self.targets.images is not None else ())

    def _social_image(self, document: _Document, cover: str | None, cover_line: int | None) -> str | None:
        catalog = self.targets.images
        if catalog is None:
            return None
        photo = document.first_photo
        if cover:
            _, path = self._rewriter.resolve_file(cover, cover_line)
            if path is None or not catalog.is_raster(path):
                if path is not None or cover.startswith("/"):
                    document.errors.append(SourceError(document.source, cover_line,
                                                       f"'cover' must be a JPEG, PNG or WebP photo of the site, not '{cover}'",
                                                       "write the photo's file name, e.g. cover: photo.jpg"))
                return None
            photo = path
        if photo is None:
            return None
        try:
            return catalog.social(catalog.info(photo)).route
        except ValueError:
            return None
