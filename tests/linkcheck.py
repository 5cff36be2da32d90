"""Follow every internal link and asset of a built site on disk, as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "srcset" and value:
                self.links.extend(part.strip().split(" ")[0] for part in value.split(","))


def parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def target_file(out: Path, base_path: str, url_path: str) -> Path | None:
    """The file a root-relative URL path is served from, or None when outside the site."""
    if not url_path.startswith(base_path):
        return None
    rel = unquote(url_path[len(base_path):])
    path = out / rel
    if url_path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path


def broken_links(out: Path, base_url: str) -> list[str]:
    """Every internal link or asset reference (and #anchor) in every HTML page that does not resolve."""
    base_path = urlsplit(base_url).path
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    parsed: dict[Path, _Collector] = {}
    problems = []

    def page(path: Path) -> _Collector:
        if path not in parsed:
            parsed[path] = parse(path)
        return parsed[path]

    for html_file in sorted(out.rglob("*.html")):
        for link in page(html_file).links:
            if link.startswith(origin):
                link = link[len(origin):]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            if not parts.path:
                target = html_file
            elif parts.path.startswith("/"):
                target = target_file(out, base_path, parts.path)
            else:  # relative to the page's folder
                target = (html_file.parent / unquote(parts.path))
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
            where = html_file.relative_to(out)
            if target is None or not target.is_file():
                problems.append(f"{where}: {link} -> missing")
                continue
            if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in page(target).ids:
                problems.append(f"{where}: {link} -> no id '{unquote(parts.fragment)}'")
    return problems
