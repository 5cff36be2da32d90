"""External links for `katsudo check --external`: each address asked once (HEAD, then GET
where HEAD is refused), at most a few at a time, and the answers kept for a day in a small JSON
file so that a second check does not ask every site again."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from generator import __version__

EXTERNAL_CACHE_SECONDS = 24 * 60 * 60
EXTERNAL_WORKERS = 8


@dataclass(frozen=True)
class LinkStatus:
    status: int | None  # the HTTP status, or None when the site could not be reached
    reason: str = ""

    @property
    def cacheable(self) -> bool:
        # A site that did not answer may answer in a minute: only answers are kept.
        return self.status is not None


def request_url(url: str) -> str:
    """The URL as HTTP sends it: editors link to https://ja.wikipedia.org/wiki/社会福祉協議会 and
    to 日本語ドメイン, which http.client refuses until percent-encoded and IDNA-encoded."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # left as it is: the request fails and says why
    netloc = host + (f":{parts.port}" if parts.port else "")
    if parts.username:
        netloc = parts.username + (":" + parts.password if parts.password else "") + "@" + netloc
    keep = "/%:@!$&'()*+,;=~-._"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=keep), quote(parts.query, safe=keep + "?"), ""))


def fetch_status(url: str, timeout: float) -> LinkStatus:
    """HEAD the URL (redirects followed); GET when the server does not support HEAD."""
    headers = {"User-Agent": f"katsudo-check/{__version__} (link checker)"}
    try:
        address = request_url(url)
    except ValueError as error:  # a port that is not a number, brackets that do not close
        return LinkStatus(None, f"not a web address: {error}")
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(address, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
                return LinkStatus(response.status)
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in (405, 501):
                continue
            return LinkStatus(error.code, str(error.reason))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            return LinkStatus(None, "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason)
                              else str(reason))
    return LinkStatus(None, "no answer")


class ExternalCache:
    """Answers from the last day, in a JSON file, so checking again does not ask every site again."""

    def __init__(self, file: Path | None, now: Callable[[], float] = time.time, max_age: float = EXTERNAL_CACHE_SECONDS):
        self.file, self.now, self.max_age = file, now, max_age
        self.entries: dict[str, dict] = {}
        if file is not None and file.is_file():
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                self.entries = {url: entry for url, entry in data.get("links", {}).items()
                                if isinstance(entry, dict) and isinstance(entry.get("status"), int)
                                and self.now() - float(entry.get("checked", 0)) < self.max_age}
            except (ValueError, OSError, AttributeError, TypeError):
                self.entries = {}  # a damaged cache is only a slower check

    def get(self, url: str) -> LinkStatus | None:
        entry = self.entries.get(url)
        return LinkStatus(entry["status"], entry.get("reason", "")) if entry else None

    def put(self, url: str, status: LinkStatus) -> None:
        if status.cacheable:
            self.entries[url] = {"status": status.status, "reason": status.reason, "checked": self.now()}

    def save(self) -> None:
        if self.file is None:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_name(self.file.name + ".tmp")
        temporary.write_text(json.dumps({"links": self.entries}, ensure_ascii=False, indent=1, sort_keys=True),
                             encoding="utf-8")
        temporary.replace(self.file)


def fetch_statuses(urls, cache: ExternalCache, timeout: float = 10.0,
                   workers: int = EXTERNAL_WORKERS) -> dict[str, LinkStatus]:
    """The status of each of `urls`: from the cache, else asked (at most `workers` at a time)."""
    statuses = {url: cache.get(url) for url in urls}
    to_fetch = [url for url, status in statuses.items() if status is None]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(to_fetch) or 1))) as pool:
        for url, fetched in zip(to_fetch, pool.map(lambda u: fetch_status(u, timeout), to_fetch)):
            statuses[url] = fetched
            cache.put(url, fetched)
    cache.save()
    return {url: status for url, status in statuses.items() if status is not None}
