"""Events: the home page's 今後の予定, the `/events/` page and the `/events.ics` calendar.

A post with an `event:` block in its front matter is an event. Whether it is upcoming or past
is decided against `site.now`, the build moment (never the clock): an event is upcoming until
its end, or — without an end, or with an end given as a day — until the end of that day in the
site's time zone. Like every list, drafts appear only in a `--drafts` preview build.

The calendar is RFC 5545 through the `icalendar` library. Every value in it comes from the
content, so two builds of the same input are byte-identical: UIDs are made from the post's
address, DTSTAMP is the post's date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit


from generator.frontmatter import Event
from generator.model import Entry, Site
from generator.urls import absolute, events_calendar_route, events_route

if TYPE_CHECKING:
    from generator.plan import Planner

HOME_LIMIT = 5  # upcoming events shown on the home page


def event_entries(site: Site) -> tuple[Entry, ...]:
    """Published posts that have an event, in site.posts order (drafts only with --drafts)."""
    return tuple(e for e in site.posts if e.post.meta.event is not None)


def event_of(entry: Entry) -> Event:
    """The event of an entry of `event_entries`."""
    event = entry.post.meta.event
    if event is None:
        raise ValueError(f"{entry.post.source} has no event")
    return event


def _next_midnight(moment: datetime, zone) -> datetime:
    day = moment.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=zone)


def finish(event: Event, zone) -> datetime:
    """The moment an event stops being upcoming."""
    if event.end is None:
        return _next_midnight(event.start, zone)
    if not event.end_has_time:
        return _next_midnight(event.end, zone)
    return event.end


def _soonest_first(entry: Entry) -> tuple:
    return event_of(entry).start.timestamp(), entry.route


def upcoming(site: Site) -> list[Entry]:
    """Events not yet over at `site.now` (including those under way), soonest first."""
    zone = site.config.zone
    found = [e for e in event_entries(site) if finish(event_of(e), zone) > site.now]
    return sorted(found, key=_soonest_first)


def past(site: Site) -> list[Entry]:
    """Events over by `site.now`, the most recent first."""
    zone = site.config.zone
    found = [e for e in event_entries(site) if finish(event_of(e), zone) <= site.now]
    return sorted(found, key=_soonest_first, reverse=True)


def _uid(site: Site, entry: Entry) -> str:
    """Stable and unique per event: the post's path under the site's host."""
    parts = urlsplit(site.config.base_url)
    path = quote((parts.path + entry.route).strip("/"), safe="/")
    return f"{path}@{parts.hostname}"


def ics(site: Site, name: str | None = None) -> bytes:
    """An iCalendar (RFC 5545) file of every published event, soonest first."""
    config, zone = site.config, site.config.zone
    import icalendar  # (here: importing it takes a twentieth of a second, which a no-op rebuild or a text patch need not pay)

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//katsudo//katsudo//{config.language.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name or config.title)
    cal.add("x-wr-timezone", config.timezone)
    first, last = date(1970, 1, 1), date(2038, 1, 1)
    for entry in sorted(event_entries(site), key=_soonest_first):
        meta, event = entry.post.meta, event_of(entry)
        item = icalendar.Event()
        item.add("uid", _uid(site, entry))
        item.add("dtstamp", meta.date)  # not the clock: the build must be reproducible
        start = event.start.astimezone(zone)
        if event.has_time:
            item.add("dtstart", start)
            if event.end is not None:
                item.add("dtend", finish(event, zone))
        else:  # all-day: DATE values, DTEND the day after the last day
            item.add("dtstart", start.date())
            item.add("dtend", (event.end or event.start).astimezone(zone).date() + timedelta(days=1))
        item.add("summary", meta.title)
        if event.place:
            item.add("location", event.place)
        if entry.rendered.summary:
            item.add("description", entry.rendered.summary)
        item.add("url", absolute(config.base_url, entry.route))
        if event.contact:
            item.add("contact", event.contact)
        cal.add_component(item)
        first = min(first, start.date() - timedelta(days=1))
        last = max(last, (event.end or event.start).astimezone(zone).date() + timedelta(days=366))
    cal.add_missing_timezones(first, last)
    return cal.to_ical()


def home_extra(planner: Planner) -> dict:
    """Context for the home page's first page: `upcoming`, at most HOME_LIMIT post views."""
    return {"upcoming": [planner.views[e.route] for e in upcoming(planner.site)[:HOME_LIMIT]]}


def plan_events(planner: Planner) -> None:
    """`/events/` and `/events.ics`, only when the site has events."""
    site, config, title = planner.site, planner.config, planner.title
    if not event_entries(site):
        return
    calendar = events_calendar_route()
    planner.html(events_route(), "events.html", "events", title("title_events"),
                 {"upcoming": [planner.views[e.route] for e in upcoming(site)],
                  "past": [planner.views[e.route] for e in past(site)],
                  "calendar_url": planner.url(calendar), "calendar_abs_url": absolute(config.base_url, calendar)},
                 "the events page")
    planner.data(calendar, "the events calendar", ics(site, title("events_calendar_name", site=config.title)))
