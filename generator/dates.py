"""Dates as organisations read them: in the site's time zone, by 年度, in Japanese or English.

Pure functions: nothing here reads the clock; the build moment is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

_WEEKDAYS_JA = "月火水木金土日"
_DATE_SEPARATORS = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?")


# Years a date may have: one more day (an event's end, a time zone) must still be a date, and
# datetime stops at the years 1 and 9999.
FIRST_YEAR, LAST_YEAR = 2, 9998


def parse_datetime(value: object, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """Parse a front matter date; returns (aware datetime, whether a time was given).

    Accepts `2021-06-17`, `2021-06-17 19:00`, ISO 8601 with an offset, and what Japanese
    input methods type: full-width digits, `2021/6/17`, `2021年6月17日`. Naive values are in
    `zone`. Returns None when the text is not a date (or not one from FIRST_YEAR to LAST_YEAR).
    """
    if isinstance(value, datetime):
        parsed, has_time = value, True
    elif isinstance(value, date):
        parsed, has_time = datetime.combine(value, time()), False
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = _DATE_SEPARATORS.match(text)
        if match:
            year, month, day = match.groups()
            text = f"{year}-{int(month):02d}-{int(day):02d}" + text[match.end():]
        text = text.replace("T", " ", 1) if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text
        text = re.sub(r"\s+", " ", text)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        has_time = len(text) > 10
    else:
        return None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone), has_time
    return parsed.astimezone(zone), has_time


def fiscal_year(moment: datetime | date, start_month: int) -> int:
    """The 年度 a day belongs to, named by the calendar year it starts in."""
    return moment.year if moment.month >= start_month else moment.year - 1


def iso(moment: datetime) -> str:
    """RFC 3339 with the moment's own offset, seconds precision."""
    return moment.isoformat(timespec="seconds")


# Japanese eras by their first day in the Gregorian calendar (Japan adopted it in 明治6年 = 1873;
# earlier days are shown in western years). Each era ends the day before the next begins.
ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1873, 1, 1)),
)
_MEIJI_FIRST_YEAR = 1868
_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")
_ENGLISH_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def era_of(day: date) -> tuple[str, int] | None:
    """(era name, year of the era) of a day, or None before 1873."""
    day = day.date() if isinstance(day, datetime) else day
    for name, first in ERAS:
        if day >= first:
            start_year = _MEIJI_FIRST_YEAR if name == "明治" else first.year
            return name, day.year - start_year + 1
    return None


def era_year_text(era: str, year: int) -> str:
    """The first year of an era is 元年, never 1年."""
    return f"{era}{'元' if year == 1 else year}年"


def _year_text(day: date, style: str) -> str:
    era = era_of(day)
    western = f"{day.year}年"
    if era is None or style == "western":
        return western
    wareki = era_year_text(*era)
    return f"{wareki}({western})" if style == "both" else wareki


def date_text(moment: datetime | date, language: str, style: str = "western") -> str:
    """ja: 令和3年6月17日(木) / 2021年6月17日(木) / 令和3年(2021年)6月17日(木); en: Thu, 17 June 2021."""
    if language == "ja":
        return f"{_year_text(moment, style)}{moment.month}月{moment.day}日({_WEEKDAYS_JA[moment.weekday()]})"
    return f"{_ENGLISH_WEEKDAYS[moment.weekday()]}, {moment.day} {_ENGLISH_MONTHS[moment.month - 1]} {moment.year}"


def datetime_text(moment: datetime, language: str, style: str = "western") -> str:
    return f"{date_text(moment, language, style)} {moment.hour}:{moment.minute:02d}"


def fiscal_year_bounds(year: int, start_month: int) -> tuple[date, date]:
    """First and last day of the fiscal year that starts in `year`."""
    first = date(year, start_month, 1)
    following = date(year + 1, start_month, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def fiscal_year_label(year: int, start_month: int, language: str, style: str = "western") -> str:
    """令和3年度 / 2021年度 / 令和3年度(2021年度); en: FY2021.

    A fiscal year is named by the era it mostly falls in — the era of its seventh month — which
    gives the names organisations use: April 2019–March 2020 is 令和元年度 (the era changed in
    May), April 1988–March 1989 is 昭和63年度 (平成 began only that January).
    """
    if language != "ja":
        return f"FY{year}" if start_month == 1 else f"FY{year}–{str(year + 1)[-2:]}"
    western = f"{year}年度"
    first, _ = fiscal_year_bounds(year, start_month)
    era = era_of(date.fromordinal(first.toordinal() + 182))
    if era is None or style == "western":
        return western
    name, _ = era
    first_year_of_era = _MEIJI_FIRST_YEAR if name == "明治" else dict(ERAS)[name].year
    number = max(1, year - first_year_of_era + 1)
    wareki = f"{name}{'元' if number == 1 else number}年度"
    return f"{wareki}({western})" if style == "both" else wareki
