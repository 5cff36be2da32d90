"""Planned pages -> bytes through Jinja, with template mistakes reported as file:line."""

from __future__ import annotations

from pathlib import Path

import jinja2

from generator import __version__
from generator.cache import BuildCache, fingerprint
from generator.config import SiteConfig
from generator.dates import date_text, datetime_text, iso
from generator.errors import SourceError
from generator.plan import PlannedPage
from generator.theme import Theme
from generator.urls import link


def make_environment(config: SiteConfig, theme: Theme, site_view: dict, strings: dict[str, str]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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
                                 "check the spelling of the name; the README lists what templates can use")
    except Exception as exc:  # a filter or an expression failed: still the template's line
        path, line = _template_position(theme, exc)
        if path is None:
            raise
        return None, SourceError(path, line, f"template error: {type(exc).__name__}: {exc}")


def render_pages(env: jinja2.Environment, theme: Theme, planned: list[PlannedPage],
                 cache: BuildCache | None = None, global_key: str = "") -> tuple[dict[str, bytes], list[SourceError]]:
    """Render every templated page; the same template mistake is reported once, not per page.

    With a BuildCache, a page whose template, context and globals (`global_key`) are unchanged
    is not rendered again."""
    output: dict[str, bytes] = {}
    errors: dict[tuple, SourceError] = {}
    for page in planned:
        if page.template is None:
            continue
        if cache is None:
            data, error = render_page(env, theme, page)
        else:
            data, error = cache.render_page(page.file, fingerprint(global_key, page.template, page.context),
                                            lambda page=page: render_page(env, theme, page))
        if error is not None:
            errors.setdefault((str(error.path), error.line, error.message), error)
        else:
            output[page.file] = data
    return output, list(errors.values())
