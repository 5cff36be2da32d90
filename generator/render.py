"""Planned pages -> bytes through Jinja, with template mistakes reported as file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import jinja2

from generator import __version__
from generator.cache import fingerprint
from generator.config import SiteConfig
from generator.dates import date_text, datetime_text, iso
from generator.errors import SourceError
from generator.parallel import run_indexed
from generator.plan import PlannedPage
from generator.theme import Theme
from generator.urls import link
from generator.views import View


def make_environment(config: SiteConfig, theme: Theme, site_view: dict, strings: dict[str, str],
                     compiled: Path | None = None) -> jinja2.Environment:
    """`compiled`: a folder where Jinja keeps the templates it compiled, by their source's checksum
    (a text patch renders a few pages: compiling their templates would be a third of its time)."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build makes its own environment; templates cannot change under it, so Jinja need
        # not stat every template file at each {% include %} (20 times a list page).
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
    )
    language = config.language
    env.filters["iso"] = iso
    style = config.date_style
    env.filters["date_text"] = lambda moment: date_text(moment, language, style)
    env.filters["datetime_text"] = lambda moment: datetime_text(moment, language, style)
    env.filters["wareki"] = lambda moment: date_text(moment, "ja", "wareki")
    env.filters["western"] = lambda moment: date_text(moment, "ja", "western")
    env.globals.update(
        site=site_view,
        t=strings,
        generator=f"katsudo {__version__}",
        asset=lambda path: link(config.base_path, "assets/" + path.lstrip("/")),
    )
    return env


def _template_position(theme: Theme, exc: BaseException) -> tuple[Path | None, int | None]:
    """The template file and line an exception was raised from (Jinja rewrites the traceback
    so that template frames carry the template's own file name and line)."""
    found: tuple[Path | None, int | None] = (None, None)
    tb = exc.__traceback__
    roots = [str(d) for d in theme.template_dirs]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(filename.startswith(root) for root in roots):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_page(env: jinja2.Environment, theme: Theme, page: PlannedPage) -> tuple[bytes | None, SourceError | None]:
    """The page's bytes, or None and what is wrong in its template."""
    assert page.template is not None  # (pages without a template are copied, not rendered)
    try:
        template = env.get_template(page.template)
        return template.render(page.context).encode("utf-8"), None
    except jinja2.TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else theme.find(page.template)
        return None, SourceError(path, exc.lineno, f"template error: {exc.message}",
                                 "check the {% %} and {{ }} tags on this line")
    except jinja2.TemplateNotFound as exc:
        return None, SourceError(None, None, f"template '{exc.name}' not found",
                                 "looked in: " + ", ".join(str(d) for d in theme.template_dirs))
    except jinja2.UndefinedError as exc:
        path, line = _template_position(theme, exc)
        return None, SourceError(path or theme.find(page.template), line, f"template error: {exc.message}",
                                 "check the spelling of the name; docs/themes.md lists what templates can use")
    except Exception as exc:  # a filter or an expression failed: still the template's line
        path, line = _template_position(theme, exc)
        if path is None:
            raise
        return None, SourceError(path, line, f"template error: {type(exc).__name__}: {exc}")


def precompile(env: jinja2.Environment, names) -> None:
    """Compile the templates before the workers are forked, so each gets them ready-made."""
    for name in sorted(n for n in names if n):
        try:
            env.get_template(name)
        except Exception:  # reported with its file and line when the page is rendered
            pass


_sent: set = set()  # paths of `site` this process has reported already (see generator/deps.py)


def render_pages(env: jinja2.Environment, theme: Theme, planned: list[PlannedPage], jobs: int = 1,
                 progress: Callable[[int], None] | None = None,
                 read: set | None = None, sink: Callable[[str, bytes], object] | None = None
                 ) -> tuple[dict[str, Any], list[SourceError]]:
    """Render every templated page in `planned`, on `jobs` processes; the same template mistake is
    reported once, not per page. `read`, the set the tracked `site` global records into, receives
    what the pages read in the worker processes too. With a `sink`, each page's bytes are handed
    to `sink(file, data)` where it was rendered, and the result maps each file to what `sink`
    returned (the pages' bytes never travel back to this process)."""
    pages = [page for page in planned if page.template is not None]
    _sent.clear()

    def task(index: int):
        data, error = render_page(env, theme, pages[index])
        result: object = data  # (the bytes, or what `sink` made of them)
        if sink is not None and data is not None:
            result = sink(pages[index].file, data)
        if read is None:
            return result, error, ()
        new = read - _sent
        _sent.update(new)
        return result, error, tuple(new)

    results = run_indexed(task, len(pages), jobs, progress)
    output: dict[str, Any] = {}  # file -> its bytes, or what `sink` returned
    errors: dict[tuple, SourceError] = {}
    for page, (data, error, new) in zip(pages, results):
        if read is not None:
            read.update(new)
        if error is not None:
            errors.setdefault((str(error.path), error.line, error.message), error)
        else:
            output[page.file] = data
    return output, list(errors.values())


class _Known:
    """Stands in a context for an object fingerprinted already; its repr cannot be a value's."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __repr__(self) -> str:
        return f"<{self.key}>"


def context_key(value: object, memo: dict[int, str], held: Callable[[int], None] | None = None) -> str:
    """Fingerprint of a template context (as `fingerprint` of its repr), where an object whose
    id is in `memo` (a post view, its rendered Markdown) stands for the key given there: a post
    shown on many list pages is fingerprinted once. Objects are looked up in `memo` down to the
    items of lists in the context's values (where post views are), and through objects that
    wrap views (`key_parts`); the rest is repr'd whole. `held`, when given, is called with the id
    of each object of `memo` found (the views a page shows: generator/store.py)."""
    # 7: from the (digest, template, context) the build keys down to the annual report's posts.
    return fingerprint(_substitute(value, memo, 7, held))


def _substitute(value: object, memo: dict[int, str], depth: int, held: Callable[[int], None] | None = None) -> object:
    known = memo.get(id(value))
    if known is not None:
        if held is not None:
            held(id(value))
        return _Known(known)
    if depth == 0:
        return value
    kind = type(value)
    if (kind is dict or kind is View) and isinstance(value, dict):
        return {key: _substitute(item, memo, depth - 1, held) for key, item in value.items()}
    if (kind is list or kind is tuple) and isinstance(value, (list, tuple)):
        return kind(_substitute(item, memo, depth - 1, held) for item in value)
    parts = getattr(kind, "key_parts", None)  # a wrapper of a view (the annual report's posts)
    if parts is not None:
        return (kind.__name__, *(_substitute(part, memo, depth - 1, held) for part in parts(value)))
    return value


def view_memo(planned: list[PlannedPage], markdown_keys: dict[Path, str]) -> dict[int, str]:
    """Memo for `context_key`: each post view (of a post page) and its content by their keys."""
    memo: dict[int, str] = {}
    for page in planned:
        view = page.context.get("post") if page.template is not None else None
        key = markdown_keys.get(page.source) if page.source is not None else None
        if not isinstance(view, dict) or key is None or "content" not in view:
            continue
        memo[id(view["content"])] = "#content:" + key
        if "toc" in view:
            memo[id(view["toc"])] = "#toc:" + key
        memo[id(view)] = "#view:" + context_key(view, memo)
    return memo
