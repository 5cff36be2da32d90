"""A local preview server for a built site: the base_url's path is honoured, 404s use the
site's own page, and nothing outside the output folder can be read."""

from __future__ import annotations

import functools
import http.server
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.report import Reporter


_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".xml": "application/xml; charset=utf-8",
          ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml"}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    base_path = "/"

    def log_message(self, format, *args):  # quiet: one line per request is noise for editors
        pass

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / "__katsudo_not_found__")
        rel = posixpath.normpath(path[len(self.base_path):] or ".")
        if rel.startswith("..") or rel.startswith("/"):
            return str(Path(self.directory) / "__katsudo_not_found__")
        target = Path(self.directory) / rel
        return str(target) + ("/" if path.endswith("/") else "")

    def do_GET(self):
        if self.path in ("/", "") and self.base_path != "/":
            self.send_response(302)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return
        super().do_GET()

    def list_directory(self, path):
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def make_server(folder: Path, base_path: str, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `folder` published under `base_path` (port 0: any free port)."""
    handler_class = type("Handler", (_SiteHandler,), {
        "base_path": base_path,
        "extensions_map": {**_SiteHandler.extensions_map, **_TYPES},
    })
    return http.server.ThreadingHTTPServer((host, port), functools.partial(handler_class, directory=str(folder.resolve())))


def serve_folder(folder: Path, base_path: str, host: str, port: int, reporter: Reporter) -> None:
    try:
        server = make_server(folder, base_path, host, port)
    except OSError as exc:
        raise SystemExit(f"cannot listen on {host}:{port}: {exc.strerror}; try another --port")
    reporter.info(f"previewing at http://{host}:{server.server_address[1]}{base_path}  (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        reporter.info("stopped")
    finally:
        server.server_close()
