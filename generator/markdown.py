"""Markdown -> `Rendered(html, toc, summary)`, with links resolved the way editors write them.

Editors link to another report by its file name (`[前回](2024-04-20-teireikai.md)`), to a file
beside the post (`[資料](shiryou.pdf)`), or to a site page from the root (`/about/`). One
treeprocessor turns each into the published URL, so a site moved under a sub-path keeps
working, and reports a link that points nowhere with its file and line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree
from pathlib import Path
from urllib.parse import quote, unquote

import markdown as python_markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from generator import text as plain
from generator.errors import SourceError

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")
SUMMARY_LENGTH = 120


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: str
    summary: str
    errors: tuple[SourceError, ...] = ()
    cjk_chars: int = 0  # what reading time is measured in: characters of Japanese text...
    words: int = 0  # ...and words of the rest (generator/text.py)


@dataclass(frozen=True)
class LinkTargets:
    """What a relative link can point at, decided by the model before rendering."""

    base_path: str
    content_dir: Path
    source_urls: dict[Path, str]  # published source file -> its root-relative URL
    unpublished: frozenset[Path] = frozenset()  # drafts and future posts
    invalid: frozenset[Path] = frozenset()  # sources with errors of their own, already reported


@dataclass
class _Document:
    source: Path
    body: str
    body_line: int
    own_url: str
    bundle: Path | None
    errors: list[SourceError] = field(default_factory=list)
    search_from: int = 0


class _LinkRewriter(Treeprocessor):
    def __init__(self, md: python_markdown.Markdown, targets: LinkTargets):
        super().__init__(md)
        self.targets = targets
        self.document: _Document | None = None

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    element.set(attribute, self.resolve(value))

    def _line_of(self, target: str) -> int:
        """Line of the link's own `](target` (the same target twice: the next one each time)."""
        doc = self.document
        index = doc.body.find("](" + target, doc.search_from)
        if index < 0:
            index = doc.body.find(target, doc.search_from)
        if index < 0:
            index = doc.body.find(target)
        else:
            doc.search_from = index + 1
        return doc.body_line + (doc.body.count("\n", 0, index) if index >= 0 else 0)

    def resolve(self, target: str) -> str:
        if not target or _EXTERNAL.match(target):
            return target
        if target.startswith("/"):
            return self.targets.base_path + quote(target[1:], safe="/#?=&%:@!$'()*+,;~")
        doc = self.document
        path_part, hash_mark, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        suffix = hash_mark + fragment
        resolved = (doc.source.parent / unquote(path_part)).resolve()
        if resolved in self.targets.source_urls:
            return self.targets.source_urls[resolved] + suffix
        if resolved in self.targets.invalid:
            return target
        if resolved in self.targets.unpublished:
            doc.errors.append(SourceError(doc.source, self._line_of(target),
                                          f"the link '{target}' points at a draft or a post dated in the future",
                                          "it would be a broken link once published: remove the link or publish that post"))
            return target
        if path_part.endswith(".md"):
            doc.errors.append(SourceError(doc.source, self._line_of(target),
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
                rel = resolved.relative_to(content)
                if rel.parts[0] not in ("posts", "pages"):
                    return self.targets.base_path + quote(rel.as_posix()) + suffix
        doc.errors.append(SourceError(doc.source, self._line_of(target),
                                      f"the link or image '{target}' points at a file that does not exist",
                                      "put the file in the post's own folder (content/posts/NAME/) or in content/, "
                                      "and check the spelling"))
        return target


class _TableWrapper(Treeprocessor):
    """Put each table in a focusable, labelled region: a table wider than a phone scrolls
    sideways, and keyboard users must be able to reach that scroll area (WCAG 2.1.1)."""

    def __init__(self, md, label: str):
        super().__init__(md)
        self.label = label

    def run(self, root):
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    wrapper = ElementTree.Element("div", {"class": "table-wrap", "role": "region",
                                                          "tabindex": "0", "aria-label": self.label})
                    wrapper.tail, child.tail = child.tail, None
                    parent.remove(child)
                    wrapper.append(child)
                    parent.insert(index, wrapper)


class _LinkExtension(Extension):
    def __init__(self, rewriter_factory, table_label: str):
        super().__init__()
        self.rewriter_factory = rewriter_factory
        self.table_label = table_label

    def extendMarkdown(self, md):
        md.treeprocessors.register(self.rewriter_factory(md), "katsudo_links", 1)
        md.treeprocessors.register(_TableWrapper(md, self.table_label), "katsudo_tables", 0)


class MarkdownRenderer:
    """One reusable Python-Markdown instance per build (creating one costs more than a post)."""

    def __init__(self, targets: LinkTargets, footnote_backlink_title: str = "Back to the text",
                 table_label: str = "Table"):
        self._rewriter: _LinkRewriter | None = None

        def factory(md):
            self._rewriter = _LinkRewriter(md, targets)
            return self._rewriter

        self._md = python_markdown.Markdown(
            extensions=["tables", "fenced_code", "footnotes", "attr_list", "sane_lists", "toc",
                        _LinkExtension(factory, table_label)],
            extension_configs={"toc": {"slugify": slugify_unicode, "permalink": False},
                               "footnotes": {"BACKLINK_TITLE": footnote_backlink_title}},
            output_format="html",
        )

    def render(self, source: Path, body: str, body_line: int, own_url: str, bundle: Path | None,
               summary: str | None = None, summary_length: int = SUMMARY_LENGTH) -> Rendered:
        document = _Document(source, body, body_line, own_url, bundle)
        self._rewriter.document = document
        self._md.reset()
        html_text = self._md.convert(body)
        toc = _toc_html(self._md.toc_tokens)
        cjk_chars, words = plain.count_reading(plain.plain_text(html_text))
        return Rendered(html_text, toc, summary or plain.summarise(html_text, summary_length), tuple(document.errors),
                        cjk_chars, words)


def _flatten(tokens: list[dict]) -> list[dict]:
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token["children"]))
    return flat


def _toc_html(tokens: list[dict]) -> str:
    if len(_flatten(tokens)) < 2:
        return ""

    def items(level_tokens: list[dict]) -> str:
        parts = []
        for token in level_tokens:
            child = f"<ul>{items(token['children'])}</ul>" if token["children"] else ""
            parts.append(f'<li><a href="#{html.escape(token["id"])}">{token["name"]}</a>{child}</li>')
        return "".join(parts)

    return f"<ul>{items(tokens)}</ul>"
