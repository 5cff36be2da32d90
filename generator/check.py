"""katsudo check: read a built site the way a visitor and a search engine do, before it is published.

Pure functions over the built HTML files, plus the site model for one thing the HTML cannot say:
which source file made which page. A finding is a `SourceError` (the build's own shape), placed
at the source Markdown line when the offending text is found there, else at the output file's
line, so an editor is sent to the file they can change.

What is checked: internal links and #anchors (under a sub-path base_url too), links to drafts and
future posts, missing images and files, images without alt text or width/height, pages without
a title or a description, duplicate titles; with `external=True` also external links, by status.
"""

from __future__ import annotations

import html
import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build import BuildOptions, build
from generator.check_external import EXTERNAL_WORKERS, ExternalCache, fetch_statuses
from generator.check_html import ParsedPage, classify, parse_page, served_file
from generator.config import SiteConfig, load_config
from generator.errors import KatsudoError, SourceError
from generator.model import route_of
from generator.posts import is_published, load_posts
from generator.report import Reporter
from generator.sources import discover
from generator.urls import output_file
from generator.write import MARKER

# Folders of the output that are not pages an editor wrote or a theme shows as such.
_SKIPPED = ("pagefind/",)
BUILT = Path("(build)")  # how files of a temporary build are named in findings


@dataclass(frozen=True)
class SourceMap:
    """Which source file made which output file; and where drafts and future posts would be."""

    by_output: dict[str, Path]  # output file ('posts/x/index.html') -> the Markdown source
    unpublished: dict[str, Path]  # output file a draft or future post would have -> its source

    @staticmethod
    def of_site(config: SiteConfig, now: datetime, drafts: bool = False, future: bool = False) -> SourceMap:
        posts, _ = load_posts(config, discover(config.content_dir).sources)
        by_output: dict[str, Path] = {}
        unpublished: dict[str, Path] = {}
        for post in posts:
            target = by_output if is_published(post, now, drafts, future) else unpublished
            target[output_file(route_of(post))] = post.source
        return SourceMap(by_output, unpublished)


@dataclass(frozen=True)
class Place:
    path: Path
    line: int
    in_source: bool  # False: the output file (a theme's template or a page made of many posts)
    shown_on: str | None = None  # set when the source's text breaks on another page than its own


@dataclass(frozen=True)
class _Found:
    error: SourceError
    in_source: bool
    subject: str = ""  # what is broken (a URL or an #anchor), to know the same problem on another page
    shown_on: str | None = None  # traced to its source from another page (Place.shown_on)


class _Locator:
    """Where in its source a finding about an output page belongs."""

    def __init__(self, out: Path, sources: SourceMap, base_path: str):
        self.out, self.sources, self.base_path = out, sources, base_path
        self._texts: dict[Path, str] = {}
        self._traced: dict[tuple[str, ...], list[tuple[Path, int]]] = {}

    def _text(self, source: Path) -> str:
        if source not in self._texts:
            try:
                self._texts[source] = source.read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._texts[source] = ""
        return self._texts[source]

    def _find(self, source: Path, needles: list[str]) -> int | None:
        text = self._text(source)
        for needle in needles:
            if needle:
                index = text.find(needle)
                if index >= 0:
                    index += needle.startswith("\n")  # '\ntitle:' is found at the line before
                    return text.count("\n", 0, index) + 1
        return None

    def place(self, page_rel: str, output_line: int, needles: list[str]) -> Place:
        """The first needle found in the page's own source; on a page made of several posts (lists,
        the annual report) the one source that has it; else the output file and line."""
        source = self.sources.by_output.get(page_rel)
        if source is not None:
            line = self._find(source, needles)
            if line is not None:
                return Place(source, line, True)
        else:
            key = tuple(needles)
            if key not in self._traced:  # the same post's link is on many list pages
                self._traced[key] = [(other, line) for other in self.sources.by_output.values()
                                     if (line := self._find(other, needles)) is not None]
            found = self._traced[key]
            if len(found) == 1:
                return Place(found[0][0], found[0][1], True, "/" + page_rel.removesuffix("index.html"))
        return Place(self.out / page_rel, output_line, False)

    def needles(self, url: str) -> list[str]:
        """How a URL in the output may be written in the Markdown: as it is, escaped, decoded,
        without the base path (Markdown links from the root get it added), or only its #anchor."""
        found = [url, html.escape(url), unquote(url)]
        path, _, fragment = url.partition("#")
        if self.base_path != "/" and path.startswith(self.base_path):
            found.append("/" + path[len(self.base_path):])
        if fragment:
            found += ["#" + fragment, "#" + unquote(fragment)]
        return found

    def title_line(self, page_rel: str, output_line: int) -> Place:
        source = self.sources.by_output.get(page_rel)
        line = self._find(source, ["\ntitle:", "title:"]) if source is not None else None
        if source is not None and line is not None:
            return Place(source, line, True)
        return Place(self.out / page_rel, output_line, False)


@dataclass
class CheckReport:
    findings: list[SourceError]
    pages: int  # HTML pages checked
    external: int = 0  # external links checked

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))


def _finding(where: Place | Callable[[], Place], message: str, hint: str, severity: str = "error",
             subject: str = "") -> _Found:
    if callable(where):
        where = where()
    if where.shown_on:
        message += f" (on {where.shown_on})"
    return _Found(SourceError(where.path, where.line, message, hint, severity), where.in_source, subject,
                  where.shown_on)


def check_pages(out: Path, base_url: str, sources: SourceMap) -> tuple[list[SourceError], dict[str, list], int]:
    """Every internal check over the built files in `out`. Returns the findings, the external
    URLs found (url -> [(file, line)]), and how many pages were read."""
    base_path = urlsplit(base_url).path or "/"
    files = [p for p in sorted(out.rglob("*.html"))
             if not p.relative_to(out).as_posix().startswith(_SKIPPED)]
    pages = {p.relative_to(out).as_posix(): parse_page(out, p) for p in files}
    locate = _Locator(out, sources, base_path)
    found: list[_Found] = []
    external: dict[str, list] = {}

    def ids_of(rel: str) -> set[str] | None:
        if rel not in pages:
            target = out / rel
            if not target.suffix == ".html" or not target.is_file():
                return None
            pages[rel] = parse_page(out, target)
        return pages[rel].ids

    for rel, page in list(pages.items()):
        for ref in page.references:
            target = classify(ref.url, rel, base_url)
            is_image = ref.tag in ("img", "source", "meta") or ref.attribute == "srcset"
            if target.kind == "skip" or not ref.url:
                continue
            if target.kind == "external":
                if ref.tag == "a" or is_image:
                    external.setdefault(ref.url, []).append(partial(locate.place, rel, ref.line, locate.needles(ref.url)))
                continue
            # Placed only when there is a finding: searching sources for every link is the slow part.
            where = partial(locate.place, rel, ref.line, locate.needles(ref.url))
            what = "image" if is_image else "link"
            if target.kind == "outside":
                found.append(_finding(where, f"the {what} '{ref.url}' points outside the site ({base_url})",
                                      f"the site is published at {base_path}: write the address from the site's "
                                      f"root in a Markdown link, e.g. [会の紹介](/about/), and katsudo adds {base_path}", subject=ref.url))
                continue
            served = served_file(out, target.file) if target.file is not None else None
            if served is None:
                draft = sources.unpublished.get(output_file(target.file or "x"))
                if draft is None and target.file is not None and not target.file.endswith("/"):
                    draft = sources.unpublished.get(target.file.rstrip("/") + "/index.html")
                if draft is not None:
                    found.append(_finding(where, f"the link '{ref.url}' points at a draft or a post dated in the "
                                                 f"future ({draft.name})",
                                          "it would be a broken link once published: remove the link or publish that post",
                                          subject=ref.url))
                elif is_image:
                    found.append(_finding(where, f"the image '{ref.url}' points at a file that does not exist",
                                          "put the picture in the post's own folder (content/posts/NAME/) or under "
                                          "content/, and check the spelling", subject=ref.url))
                else:
                    found.append(_finding(where, f"the link '{ref.url}' points at a page or file that does not exist",
                                          "check the spelling; link to another report by its file name, "
                                          "e.g. [前回](2024-04-20-teireikai.md)", subject=ref.url))
                continue
            if target.fragment:
                served_rel = served.relative_to(out).as_posix()
                ids = ids_of(served_rel)
                if ids is not None and target.fragment not in ids:
                    found.append(_finding(where, f"the link '{ref.url}' points at '#{target.fragment}', which is not "
                                                 f"on {'this page' if served_rel == rel else '/' + served_rel}",
                                          "an anchor is a heading's id: '## 議題' gets #議題; check the heading's spelling",
                                          subject="#" + target.fragment))
        for attributes, line in page.images:
            src = attributes.get("src") or ""
            where = partial(locate.place, rel, line, locate.needles(src) if src else [])
            if attributes.get("alt") is None and attributes.get("role") != "presentation" \
                    and attributes.get("aria-hidden") != "true":
                found.append(_finding(where, f"the image '{src}' has no alt text",
                                      "describe the picture: ![参加者がグループで話し合う様子](photo.jpg), or "
                                      "alt=\"…\" in HTML (alt=\"\" only for a decoration)", "warning", subject=src))
            if not attributes.get("width") or not attributes.get("height"):
                found.append(_finding(where, f"the image '{src}' has no width and height",
                                      "without them the page jumps while it loads: add width=\"…\" height=\"…\" "
                                      "in pixels, or use a Markdown image ![…](photo.jpg), which gets them", "warning",
                                      subject=src))

    found += _titles_and_descriptions(pages, locate, out)
    return _merge(found), external, len(files)


def _titles_and_descriptions(pages: dict[str, ParsedPage], locate: _Locator, out: Path) -> list[_Found]:
    found = []
    by_title: dict[str, list[str]] = {}
    for rel, page in pages.items():
        if rel.startswith(_SKIPPED):
            continue
        if not page.title:
            found.append(_finding(locate.title_line(rel, page.title_line), "this page has no title",
                                  "add a line 'title: …' to the front matter"))
        else:
            by_title.setdefault(page.title, []).append(rel)
        if (page.description is None or not page.description.strip()) and rel != "404.html":
            source = locate.sources.by_output.get(rel)
            where = Place(source, 1, True) if source else Place(out / rel, 1, False)
            found.append(_finding(where, "this page has no description for search engines",
                                  "add a line 'summary: …' (one sentence) to the front matter, or write some text "
                                  "in the page; site.yaml's 'description:' is used for the other pages", "warning"))
    for title, rels in by_title.items():
        if len(rels) < 2:
            continue
        for rel in rels:
            others = ", ".join("/" + r.removesuffix("index.html") for r in rels if r != rel)
            found.append(_finding(locate.title_line(rel, pages[rel].title_line),
                                  f"the title '{title}' is also the title of {others}",
                                  "give each page its own title, so search results and browser tabs tell them apart",
                                  "warning"))
    return found


def _merge(found: list[_Found]) -> list[SourceError]:
    """One finding per problem. A problem on pages that have no source of their own (a theme's
    template, lists, the annual report) is reported once for all of them, and not at all when a
    source already has it on its own page (the report shows a post's broken #giji as #r1-giji)."""
    own = [f for f in found if f.in_source and not f.shown_on]
    own_subjects = {f.subject for f in own if f.subject}
    own_places = {(f.error.path, f.error.line, f.subject) for f in own}

    def echoed(item: _Found) -> bool:
        if item.in_source:
            return bool(item.shown_on) and (item.error.path, item.error.line, item.subject) in own_places
        if not item.subject:
            return False
        if item.subject in own_subjects:
            return True
        return item.subject.startswith("#") and any(
            s.startswith("#") and item.subject.endswith("-" + s[1:]) for s in own_subjects)

    merged: list[SourceError] = []
    seen: set[tuple] = set()
    first_of: dict[str, int] = {}  # message of an output-file finding -> its index in `merged`
    more: dict[int, int] = {}  # that index -> how many more pages have the same problem
    for item in found:
        if echoed(item):
            continue
        if not item.in_source:
            if item.error.message in first_of:
                index = first_of[item.error.message]
                more[index] = more.get(index, 0) + 1
                continue
            first_of[item.error.message] = len(merged)
        key = (item.error.path, item.error.line, item.error.message)
        if key not in seen:
            seen.add(key)
            merged.append(item.error)
    for index, count in more.items():
        error = merged[index]
        merged[index] = replace(error, message=f"{error.message} (and on {count} more page{'s' if count != 1 else ''})")
    return merged


# --------------------------------------------------------------------------- external links


def check_external(urls: dict[str, list], cache: ExternalCache, timeout: float = 10.0,
                   workers: int = EXTERNAL_WORKERS) -> list[SourceError]:
    """Ask each external URL once (generator/check_external.py); a finding at each place it is used."""
    statuses = fetch_statuses(urls, cache, timeout, workers)
    findings: list[_Found] = []
    for url in sorted(urls):
        status = statuses[url]
        if status.status is not None and status.status < 400:
            continue
        if status.status in (404, 410):
            message, severity = f"the external link '{url}' is broken ({status.status} {status.reason})".rstrip(), "error"
            hint = "the page was removed or moved: find its new address, or remove the link"
        elif status.status is not None:
            message, severity = f"the external link '{url}' answered {status.status} {status.reason}".rstrip(), "warning"
            hint = "open it in a browser; if it works there, the site only refuses link checkers"
        else:
            message, severity = f"the external link '{url}' could not be reached ({status.reason})", "warning"
            hint = "the site may be down for now: try again later, and check the address"
        for place in urls[url]:  # a Place, or a function that finds it
            findings.append(_finding(place, message, hint, severity))
    return _merge(findings)


def check_site(site_root: Path, now: datetime, out: Path | None = None, external: bool = False,
               timeout: float = 10.0, base_url: str | None = None) -> CheckReport:
    """Build the site into a temporary folder (or read the build already in `out`) and check it.
    Content errors that stop the build are raised as the build raises them (KatsudoError)."""
    config = load_config(site_root, base_url)
    build_warnings: list[SourceError] = []
    temporary = None
    try:
        if out is None:
            temporary = Path(tempfile.mkdtemp(prefix="katsudo-check-"))
            out = temporary / "site"
            reporter = Reporter(quiet=True, err=io.StringIO())
            build(BuildOptions(site_root=site_root, out=out, now=now, base_url=base_url), reporter)
            build_warnings = reporter.warnings
        elif not (out / MARKER).is_file():
            raise KatsudoError([SourceError(None, None, f"{out} is not a folder that 'katsudo build' wrote",
                                            "build the site first (katsudo build -o DIR), or leave out --output "
                                            "to check a fresh build")])
        sources = SourceMap.of_site(config, now)
        findings, urls, pages = check_pages(out, config.base_url, sources)
        if external:
            cache = ExternalCache(site_root / ".katsudo-cache" / "external-links.json")
            findings += check_external(urls, cache, timeout)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    # The build's own warnings (alt text of Markdown images, oversized photos) come first: they
    # name the exact source line. check's finding about the same image on the same line is one too many.
    known = {(w.path, w.line) for w in build_warnings if "alt text" in w.message}
    findings = [f for f in findings if not ("alt text" in f.message and (f.path, f.line) in known)]
    if temporary is not None:
        # The temporary build is gone when this returns: name its files as '(build)/…'.
        findings = [replace(f, path=BUILT / f.path.relative_to(out))
                    if f.path is not None and f.path.is_relative_to(out) else f for f in findings]
    everything = sorted(build_warnings + findings, key=SourceError.sort_key)
    return CheckReport(everything, pages, len(urls) if external else 0)


__all__ = ["check_site", "CheckReport", "SourceMap", "check_external", "check_pages"]
