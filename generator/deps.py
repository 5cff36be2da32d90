"""What a page's HTML depends on, beyond its own template context: for the build cache.

Two things every page reads are too coarse to key pages on whole:

* the templates: a change to post.html cannot change a tag page. Each template is keyed on the
  bytes of the templates it extends, includes and imports (found in its syntax tree, resolved
  through the theme's search path as Jinja resolves them); a template whose references are
  computed at render time is keyed on every template.
* the `site` global: it holds, say, each category's post count, which the default theme never
  shows but which changes with every post added. The templates see `site` through `track()`,
  which records every key path they read (`("categories", "*", "url")`); pages are keyed on the
  values at the paths read by the templates, not on the whole `site`. Rendering is a function of
  the values it reads: while those are equal, the same branches are taken, the same paths are
  read and the output is the same, so the key is exact. The set only grows between builds with
  the same templates (a page rendered under a new branch adds its paths) and starts afresh when
  a template changes.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta

from generator.cache import content_digest, fingerprint

WHOLE = "#"  # the whole value was read (printed, iterated as a mapping)
ITEMS = "*"  # every item of a list (as a step in a path), or its length (as the last step)
_MISSING = "<missing>"


def template_digests(env: jinja2.Environment, names, everything: str) -> dict[str, str]:
    """For each template name: a digest of the bytes of it and every template it uses."""
    sources: dict[str, tuple[str, str] | None] = {}
    references: dict[str, set[str] | None] = {}
    loader = env.loader
    assert loader is not None  # (make_environment gives it the theme's search path)

    def load(name: str) -> None:
        if name in sources:
            return
        try:
            source, filename, _ = loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            sources[name], references[name] = None, set()
            return
        sources[name] = (filename or name, content_digest(source.encode("utf-8", "surrogatepass")))
        try:
            found = set(meta.find_referenced_templates(env.parse(source, name, filename)))
        except jinja2.TemplateSyntaxError:
            found = set()  # the page fails with the syntax error; nothing is cached for it
        named = {other for other in found if other is not None}
        references[name] = None if None in found else named
        for other in named:
            load(other)

    digests = {}
    for name in sorted(n for n in names if n):
        load(name)
        closure, todo, dynamic = set(), [name], False
        while todo:
            current = todo.pop()
            if current in closure:
                continue
            closure.add(current)
            referenced = references.get(current)
            if referenced is None:
                dynamic = True
                break
            todo.extend(referenced)
        digests[name] = everything if dynamic else fingerprint(sorted((n, sources[n]) for n in closure))
    return digests


class _TrackedDict(dict):
    __slots__ = ("_path", "_log")
    _path: tuple  # where this value is in `site`
    _log: set  # the paths read (track's `log`)

    def __getitem__(self, key):
        self._log.add((*self._path, key))
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        self._log.add((*self._path, key))
        return dict.get(self, key, default)

    def __contains__(self, key):
        self._log.add((*self._path, key))
        return dict.__contains__(self, key)

    def _whole(self):
        self._log.add((*self._path, WHOLE))

    def __iter__(self):
        self._whole()
        return dict.__iter__(self)

    def __len__(self):
        self._whole()
        return dict.__len__(self)

    def keys(self):
        self._whole()
        return dict.keys(self)

    def values(self):
        self._whole()
        return dict.values(self)

    def items(self):
        self._whole()
        return dict.items(self)

    def __repr__(self):
        self._whole()
        return dict.__repr__(self)

    __str__ = __repr__

    def __reduce__(self):  # pickled (never by katsudo itself) as what it stands for
        return dict, (dict(dict.items(self)),)


class _TrackedList(list):
    __slots__ = ("_path", "_log")
    _path: tuple
    _log: set

    def _items(self):
        self._log.add((*self._path, ITEMS))

    def __iter__(self):
        self._items()
        return list.__iter__(self)

    def __len__(self):
        self._items()
        return list.__len__(self)

    def __getitem__(self, index):
        self._items()
        return list.__getitem__(self, index)

    def __contains__(self, item):
        self._items()
        return list.__contains__(self, item)

    def __reversed__(self):
        self._items()
        return list.__reversed__(self)

    def __repr__(self):
        self._log.add((*self._path, WHOLE))
        return list.__repr__(self)

    __str__ = __repr__

    def __reduce__(self):
        return list, (list(list.__iter__(self)),)


def track(value, log: set, path: tuple = ()):
    """`value` (plain dicts and lists) as an equal structure that records in `log` what is read."""
    if type(value) is dict:
        tracked = _TrackedDict((key, track(item, log, (*path, key))) for key, item in value.items())
        tracked._path, tracked._log = path, log
        return tracked
    if type(value) is list:
        tracked_list = _TrackedList(track(item, log, (*path, ITEMS)) for item in value)
        tracked_list._path, tracked_list._log = path, log
        return tracked_list
    return value


def values_at(value, paths) -> list:
    """What was read at each of `paths` of the plain `value` (containers stand for their kind:
    what they hold is covered by the longer paths that read it)."""
    return [_resolve(value, path) for path in paths]


def _resolve(value, path: tuple):
    if not path:
        return f"<{type(value).__name__}>" if isinstance(value, (dict, list, tuple)) else value
    head, rest = path[0], path[1:]
    if head == WHOLE:
        return value
    if head == ITEMS:
        if not isinstance(value, (list, tuple)):
            return _MISSING
        return len(value) if not rest else [_resolve(item, rest) for item in value]
    if not isinstance(value, dict) or head not in value:
        return _MISSING
    return _resolve(value[head], rest)


def globals_key(site_view: dict, strings: dict, paths) -> str:
    ordered = sorted(paths, key=repr)
    return fingerprint(strings, ordered, values_at(site_view, ordered))


__all__ = ["globals_key", "template_digests", "track", "values_at", "Path"]
