"""Which language the terminal speaks, and one way to say a line in it.

Editors' own messages (`SourceError`) carry their Japanese sentence through `messages_ja`; this
module is for everything else a person reads in the terminal: help, summaries, the preview's
lines. Each call site writes both sentences side by side (`say(lang, en, ja)`), so a reader of
the code sees what an editor will see, and no table drifts away from its caller.

The rule (what `ui_language` answers):
1. `KATSUDO_LANG=ja|en` decides, for tests and for people who want one language everywhere.
2. The locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`, the first one set): `ja…` gives
   Japanese; `C` and `POSIX` (also `C.UTF-8`) give English, as every Unix tool does.
3. Otherwise (no locale, or another language's locale) the site's `language` decides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("ja", "en")


def ui_language(site_language: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    decided = locale_language(environ)
    if decided is not None:
        return decided
    if site_language in LANGUAGES:
        return site_language
    return "en"


def locale_language(environ: Mapping[str, str] | None = None) -> str | None:
    """Steps 1 and 2 of the rule alone: 'ja' or 'en' when KATSUDO_LANG or the locale decides,
    None when they say nothing (then the site's `language` would decide, if a site is known)."""
    env = os.environ if environ is None else environ
    forced = env.get("KATSUDO_LANG", "").strip().lower()
    if forced in LANGUAGES:
        return forced
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if not value:
            continue
        base = value.split(".", 1)[0].split("@", 1)[0].lower()
        if base.startswith("ja"):
            return "ja"
        if base in ("c", "posix"):
            return "en"
        break
    return None


def say(language: str, english: str, japanese: str) -> str:
    """The sentence for `language`: Japanese for 'ja', English otherwise."""
    return japanese if language == "ja" else english
