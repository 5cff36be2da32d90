"""The local preview server: the built site under its base_url path, the site's own 404 page,
nothing outside the output folder, and (for `katsudo serve`) live reload.

Live reload is a Server-Sent Events stream at /__katsudo/events and a small script that the
server injects into HTML as it serves it — never into what `katsudo build` writes. The
scripts are generator/preview_js/*.js.

The preview's search index is not in the output folder: it is made in the background after a
rebuild (generator/preview_index.py) and served from its own folder at BASE/pagefind/, so that
the rebuilds and the index never write into each other's files.
"""

from __future__ import annotations

import functools
import http.server
import json
import mimetypes
import queue
import socket
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from generator.search import BUNDLE

LIVE_PREFIX = "/__katsudo/"
_TEXT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".xml": "application/xml",
               ".txt": "text/plain", ".json": "application/json", ".ics": "text/calendar", ".svg": "image/svg+xml",
               ".webp": "image/webp", ".md": "text/markdown"}
_KEEPALIVE_SECONDS = 15
_SWAP_WAIT_SECONDS = 2.0

# The preview's scripts, by the name they are served under at /__katsudo/: real files in
# generator/preview_js/ (shipped in the wheel), read once per process when first asked for.
# Only these names are served from there, never another file of that folder.
_PREVIEW_SCRIPTS = {"live.js": "live-reload.js", "worker.js": "worker.js"}


@functools.cache
def _preview_script(name: str) -> bytes:
    return resources.files("generator").joinpath("preview_js").joinpath(_PREVIEW_SCRIPTS[name]).read_bytes()


class LiveReload:
    """The preview's build state, shared by the rebuilding thread and the request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: list[queue.Queue] = []
        self.build = 0
        self.errors: list[str] = []
        # The served search index folders, newest first: a file asked for by a page that loaded
        # the index before the newest came is still found in the one before.
        self.search_bundles: tuple[Path, ...] = ()

    def subscribe(self) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.append(client)
        return client

    def unsubscribe(self, client: queue.Queue) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def state(self) -> dict:
        with self._lock:
            return {"build": self.build, "errors": list(self.errors)}

    def _broadcast(self, event: str) -> None:
        payload = json.dumps({"build": self.build, "errors": self.errors}, ensure_ascii=False)
        for client in self._clients:
            client.put((event, payload))

    def succeeded(self, css_only: bool) -> None:
        with self._lock:
            self.build += 1
            self.errors = []
            self._broadcast("css" if css_only else "reload")

    def failed(self, errors: list[str]) -> None:
        with self._lock:
            self.errors = list(errors)
            self._broadcast("failed")

    def search_updated(self, bundles: tuple[Path, ...]) -> None:
        """Serve the search index from `bundles` (newest first) and tell the open search pages."""
        with self._lock:
            self.search_bundles = tuple(bundles)
            self._broadcast("search")


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    kind = _TEXT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/xml", "application/json", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    root: Path = Path(".")
    base_path = "/"
    live: LiveReload | None = None
    server_version = "katsudo"

    def log_message(self, format, *args):  # one line per request is noise for editors
        pass

    # -- routing ------------------------------------------------------------------------------
    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        path = urlsplit(self.path).path
        if self.live is not None and path.startswith(LIVE_PREFIX):
            return self._live(self.live, path[len(LIVE_PREFIX):], head)
        if path in ("", "/", self.base_path.rstrip("/")) and self.base_path != "/":
            return self._redirect(self.base_path)
        # The build number is taken before the file is read: a page read during a swap then
        # carries the older number, and the browser reloads once more instead of keeping stale text.
        build = self.live.build if self.live is not None else 0
        if self.live is not None and build > 0:
            self._wait_for_swap()
        target = self._search_file(path) or self._resolve(path)
        if target is None:
            return self._not_found(head, build)
        if target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(head, build)
        self._send_file(target, 200, head, build)

    def _wait_for_swap(self) -> None:
        """A rebuild replaces the output folder by two renames; between them it does not exist.
        A request arriving then waits (briefly) for the new folder instead of getting an error page."""
        deadline = time.monotonic() + _SWAP_WAIT_SECONDS
        while not self.root.exists() and time.monotonic() < deadline:
            time.sleep(0.005)

    def _search_file(self, url_path: str) -> Path | None:
        """The preview's search index file that a URL path under BASE/pagefind/ names, if any."""
        bundles = self.live.search_bundles if self.live is not None else ()
        prefix = f"{self.base_path}{BUNDLE}/"
        if not bundles or not url_path.startswith(prefix):
            return None
        rel = self._parts(url_path[len(prefix):])
        if not rel:
            return None
        for bundle in bundles:
            target = bundle.joinpath(*rel)
            if target.is_file():
                return target
        return None

    @staticmethod
    def _parts(rel_path: str) -> list[str] | None:
        """The names in a URL path below the base path; None for one naming no file katsudo writes."""
        try:
            rel = unquote(rel_path, errors="strict")
        except UnicodeDecodeError:  # %ff and the like name no file katsudo writes
            return None
        parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
        if any(p == ".." or "\0" in p for p in parts):
            return None
        return parts

    def _resolve(self, url_path: str) -> Path | None:
        """The file a URL path names, or None when it is outside the base path or the site."""
        if not url_path.startswith(self.base_path):
            return None
        parts = self._parts(url_path[len(self.base_path):])
        if parts is None:
            return None
        root = self.root.resolve()
        target = root.joinpath(*parts) if parts else root
        try:
            if not target.resolve().is_relative_to(root):
                return None
        except (OSError, ValueError):
            return None
        return target

    # -- responses ----------------------------------------------------------------------------
    def _send(self, status: int, content_type: str, body: bytes, head: bool, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_file(self, target: Path, status: int, head: bool, build: int = 0) -> None:
        try:
            body = target.read_bytes()
        except OSError:  # removed by a rebuild between the check and the read
            return self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", head)
        content_type = _content_type(target)
        if self.live is not None and target.suffix == ".html":
            body = self._inject(body, build)
        self._send(status, content_type, body, head)

    def _inject(self, body: bytes, build: int) -> bytes:
        # The build number travels as an attribute, the script's one input, not as code.
        tag = f'<script src="{LIVE_PREFIX}live.js" data-build="{build}" defer></script>'.encode()
        index = body.rfind(b"</body>")
        return body[:index] + tag + body[index:] if index != -1 else body + tag

    def _redirect(self, location: str) -> None:
        self.send_response(301 if location.endswith("/") and location != self.base_path else 302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, head: bool, build: int = 0) -> None:
        page = self.root / "404.html"
        if page.is_file():
            return self._send_file(page, 404, head, build)
        if self.live is not None and not self.root.exists():  # no good build yet: show the errors
            body = self._inject(b"<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>katsudo</title>"
                                b"</head><body><p>Building...</p></body></html>", build)
            return self._send(503, "text/html; charset=utf-8", body, head)
        self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", head)

    def _live(self, live: LiveReload, name: str, head: bool) -> None:
        if name in _PREVIEW_SCRIPTS:
            return self._send(200, "text/javascript; charset=utf-8", _preview_script(name), head)
        if name == "state":
            body = json.dumps(live.state(), ensure_ascii=False).encode()
            return self._send(200, "application/json; charset=utf-8", body, head)
        if name == "events" and not head:
            return self._events(live)
        self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", head)

    def _events(self, live: LiveReload) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        client = live.subscribe()
        try:
            self._event("state", json.dumps(live.state(), ensure_ascii=False))
            while True:
                try:
                    event, payload = client.get(timeout=_KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                self._event(event, payload)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            live.unsubscribe(client)

    def _event(self, event: str, payload: str) -> None:
        self.wfile.write(f"event: {event}\ndata: {payload}\n\n".encode("utf-8"))
        self.wfile.flush()


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream must not keep Ctrl-C waiting
    # Called (in the request's thread, with the exception being handled) for an exception that
    # is not a browser going away; `katsudo serve` prints one line and logs the traceback.
    on_unexpected: Callable[[], None] | None = None

    def handle_error(self, request, client_address) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a browser that left mid-answer (a reload, a closed tab): nothing went wrong
        if self.on_unexpected is not None:
            self.on_unexpected()
        else:
            super().handle_error(request, client_address)


def make_server(folder: Path, base_path: str, host: str, port: int, live: LiveReload | None = None) -> PreviewServer:
    """An HTTP server for `folder` published under `base_path` (port 0: any free port)."""
    handler = type("Handler", (_SiteHandler,), {"root": folder, "base_path": base_path, "live": live})
    if ":" in host:  # an IPv6 address such as ::1
        return type("PreviewServer6", (PreviewServer,), {"address_family": socket.AF_INET6})((host, port), handler)
    return PreviewServer((host, port), handler)

