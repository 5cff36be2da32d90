"""The parts of a rendered post that Python-Markdown leaves plain: photos become figures and
galleries, tables get a scroll region, headings a table of contents (目次). Used by
generator/markdown.py, which does the rest (links, photos, warnings)."""

from __future__ import annotations

import html
from xml.etree import ElementTree

from markdown.treeprocessors import Treeprocessor

GALLERY_SIZES = "(min-width: 42em) 14em, 50vw"  # .gallery: columns of at least 10rem


def figure_or_gallery(p, full_size: dict, figures: set) -> None:
    """A paragraph of photos marked {.gallery} becomes a grid of links to each photo full size
    (`full_size`: <picture> -> URL); a photo alone with an italic line under it, or asked for
    with {.figure} (`figures`), becomes a <figure> with its caption."""
    children = list(p)
    classes = (p.get("class") or "").split()
    blank = lambda text: not (text or "").strip()  # noqa: E731
    if "gallery" in classes and children and all(c.tag == "picture" for c in children) \
            and blank(p.text) and all(blank(c.tail) for c in children):
        p.tag = "div"
        p.set("class", " ".join(["gallery"] + [c for c in classes if c != "gallery"]))
        p.text = None
        for index, picture in enumerate(children):
            for element in picture:  # a grid cell, not the column: smaller files suffice
                element.set("sizes", GALLERY_SIZES)
            link = ElementTree.Element("a", {"class": "gallery-item", "href": full_size.get(picture, "")})
            picture.tail = None
            link.append(picture)
            p[index] = link
        return
    if not children or children[0].tag != "picture" or not blank(p.text):
        return
    picture = children[0]
    italic = len(children) == 2 and children[1].tag == "em" and blank(picture.tail) and blank(children[1].tail)
    wanted = picture in figures or "figure" in classes
    if not (italic or (wanted and len(children) == 1 and blank(picture.tail))):
        return
    p.tag = "figure"
    rest = [c for c in classes if c != "figure"]
    if rest:
        p.set("class", " ".join(rest))
    elif "class" in p.attrib:
        del p.attrib["class"]
    picture.tail = None
    if italic:
        caption = children[1]
        caption.tag, caption.tail = "figcaption", None
    else:
        img = picture.find("img")
        text = img.get("title") or img.get("alt")
        if text:
            ElementTree.SubElement(p, "figcaption").text = text


class TableWrapper(Treeprocessor):
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


def deepest_line(body: str) -> int:
    """Offset (0-based) of the most indented or most quoted line: where the nesting goes too deep."""
    def depth(line: str) -> int:
        stripped = line.lstrip(" \t>")
        return len(line) - len(stripped)

    lines = body.split("\n")
    return max(range(len(lines)), key=lambda i: depth(lines[i])) if lines else 0


def _flatten(tokens: list[dict]) -> list[dict]:
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token["children"]))
    return flat


def toc_html(tokens: list[dict]) -> str:
    if len(_flatten(tokens)) < 2:
        return ""

    def items(level_tokens: list[dict]) -> str:
        parts = []
        for token in level_tokens:
            child = f"<ul>{items(token['children'])}</ul>" if token["children"] else ""
            parts.append(f'<li><a href="#{html.escape(token["id"])}">{token["name"]}</a>{child}</li>')
        return "".join(parts)

    return f"<ul>{items(tokens)}</ul>"
