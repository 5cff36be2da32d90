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


def parse_datetime(value: object, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """Parse a front matter date; returns (aware datetime, whether a time was given).

    Accepts `2021-06-17`, `2021-06-17 19:00`, ISO 8601 with an offset, and what Japanese
    input methods type: full-width digits, `2021/6/17`, `2021年6月17日`. Naive values are in
    `zone`. Returns None when the text is not a date.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
        return parsed.replace(tzinfo=zone), False
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
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=zone), has_time
        return parsed.astimezone(zone), has_time
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone), True
    return parsed.astimezone(zone), True


def fiscal_year(moment: datetime | date, start_month: int) -> int:
    """The 年度 a day belongs to, named by the calendar year it starts in."""
    return moment.year if moment.month >= start_month else moment.year - 1


def iso(moment: datetime) -> str:
    """RFC 3339 with the moment's own offset, seconds precision."""
    return moment.isoformat(timespec="seconds")


def date_text(moment: datetime, language: str) -> str:
    if language == "ja":
        return f"{moment.year}年{moment.month}月{moment.day}日({_WEEKDAYS_JA[moment.weekday()]})"
    return f"{moment.strftime('%a')}, {moment.day} {moment.strftime('%B')} {moment.year}"


def datetime_text(moment: datetime, language: str) -> str:
    return f"{date_text(moment, language)} {moment.hour}:{moment.minute:02d}"
