"""Events: upcoming vs past at the build moment, the home page's 今後の予定, /events/, and the
/events.ics calendar (RFC 5545, parsed back with icalendar), plus the editor's mistakes in
`event:` reported with file and line. The build moment is pinned at 2026-11-22 12:00 (conftest)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conftest import NOW, SITE_YAML, SiteDir, run_cli
from generator.build import link_targets, render_markdown
from generator.config import load_config
from generator.events import ics, past, upcoming
from generator.model import build_site
from generator.posts import is_published, load_posts
from generator.sources import discover

TOKYO = ZoneInfo("Asia/Tokyo")
BUILD_MOMENT = datetime.fromisoformat(NOW).replace(tzinfo=TOKYO)

# (file, title, event lines); all posts are dated before the build moment, so all are published.
EVENTS = [
    ("2026-11-01-ended.md", "午前に終わった会", "start: 2026-11-22 09:00\n  end: 2026-11-22 11:00\n  place: 第1会議室"),
    ("2026-11-02-ongoing.md", "開催中の講座", "start: 2026-11-22 10:00\n  end: 2026-11-22 15:00\n  place: 第2会議室"),
    ("2026-11-03-today.md", "きょう一日の展示", "start: 2026-11-22"),
    ("2026-11-04-yesterday.md", "きのうの清掃", "start: 2026-11-21\n  place: 中央公園"),
    ("2026-11-05-three-days.md", "三日間の作品展", "start: 2026-11-20\n  end: 2026-11-22\n  place: ギャラリー"),
    ("2026-11-06-forum.md", "地域福祉フォーラム", "start: 2026-12-05 13:30\n  end: 2026-12-05 16:00\n"
     "  place: 市民センター 大ホール\n  capacity: 300\n  contact: 事務局 0000-00-0000\n"
     "  online: true\n  url: https://example.org/moshikomi"),
    ("2026-11-07-salon.md", "ふれあいサロン", "start: 2026-11-29 10:00\n  place: 集会所"),
    ("2026-11-08-spring.md", "春の交流会", "start: 2027-04-10"),
]
UPCOMING = ["三日間の作品展", "きょう一日の展示", "開催中の講座", "ふれあいサロン", "地域福祉フォーラム", "春の交流会"]
PAST = ["午前に終わった会", "きのうの清掃"]
DRAFT_TITLE = "下書きの行事DRAFT"


def add_events(site: SiteDir) -> None:
    for name, title, lines in EVENTS:
        site.post(name, f"title: {title}\ndate: {name[:10]}\ncategory: event\nevent:\n  {lines}\n")
    site.post("2026-11-09-draft.md", f"title: {DRAFT_TITLE}\ndate: 2026-11-09\ndraft: true\n"
              "event:\n  start: 2026-12-01 10:00\n  place: 秘密の会場")


@pytest.fixture
def events_site(site: SiteDir) -> SiteDir:
    add_events(site)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    return site


def model(site: SiteDir):
    """The Site model of a site folder, as `katsudo build` makes it (published posts only)."""
    config = load_config(site.root, None)
    tree = discover(config.content_dir)
    posts, errors = load_posts(config, tree.sources)
    assert not errors
    published = [p for p in posts if is_published(p, BUILD_MOMENT, False, False)]
    rendered, _ = render_markdown(config, published, link_targets(config, published, [], set(), None), {})
    return build_site(config, published, rendered, tree.static, BUILD_MOMENT)


def titles(entries) -> list[str]:
    return [e.post.meta.title for e in entries]


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by `heading_id`."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def item_titles(html: str) -> list[str]:
    return re.findall(r'<a class="event-item-title" href="[^"]+">([^<]+)</a>', html)


def read(site: SiteDir, rel: str) -> str:
    return (site.public / rel).read_text(encoding="utf-8")


def calendar(site: SiteDir) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical((site.public / "events.ics").read_bytes())


# --- upcoming and past ---------------------------------------------------------------------

def test_upcoming_and_past_split_at_the_build_moment(site: SiteDir):
    add_events(site)
    built = model(site)
    # ended at 11:00 is past; started 10:00 and ending 15:00 is upcoming; an all-day event is
    # upcoming through its (last) day; yesterday's is past. Soonest first / newest first.
    assert titles(upcoming(built)) == UPCOMING
    assert titles(past(built)) == PAST


def test_an_event_ending_exactly_now_is_past(site: SiteDir):
    site.post("2026-11-01-now.md", "title: ちょうど終わる会\ndate: 2026-11-01\nevent:\n"
              "  start: 2026-11-22 10:00\n  end: 2026-11-22 12:00")
    built = model(site)
    assert titles(past(built)) == ["ちょうど終わる会"] and upcoming(built) == []


def test_timed_event_without_end_is_upcoming_until_its_day_ends(site: SiteDir):
    site.post("2026-11-01-morning.md", "title: けさの集まり\ndate: 2026-11-01\nevent:\n  start: 2026-11-22 08:00")
    site.post("2026-11-02-before.md", "title: きのうの夜\ndate: 2026-11-02\nevent:\n  start: 2026-11-21 23:30")
    built = model(site)
    assert titles(upcoming(built)) == ["けさの集まり"]
    assert titles(past(built)) == ["きのうの夜"]


# --- home page ------------------------------------------------------------------------------

def test_home_shows_upcoming_soonest_first_and_no_past_ones(events_site: SiteDir):
    box = section(read(events_site, "index.html"), "k-upcoming-heading")
    assert "今後の予定" in box
    assert item_titles(box) == UPCOMING[:5], "at most five, soonest first"
    for title in PAST + [DRAFT_TITLE]:
        assert title not in box
    assert 'href="/minato/events/"' in box
    assert '<time datetime="2026-11-22T10:00:00+09:00">' in box
    assert "第2会議室" in box


def test_upcoming_is_only_on_the_first_home_page(events_site: SiteDir):
    assert (events_site.public / "page/2/index.html").is_file()
    assert "upcoming-events" not in read(events_site, "page/2/index.html")
    assert "upcoming-events" not in read(events_site, "categories/event/index.html")


def test_home_has_no_upcoming_box_when_nothing_is_upcoming(site: SiteDir):
    site.post("2026-11-04-yesterday.md", "title: きのうの清掃\ndate: 2026-11-04\nevent:\n  start: 2026-11-21")
    assert site.build().exit_code == 0
    assert "upcoming-events" not in read(site, "index.html")
    assert item_titles(section(read(site, "events/index.html"), "k-events-past")) == ["きのうの清掃"]
    assert "いまお知らせしている予定はありません" in read(site, "events/index.html")


# --- /events/ -------------------------------------------------------------------------------

def test_events_page_lists_upcoming_then_past(events_site: SiteDir):
    html = read(events_site, "events/index.html")
    assert item_titles(section(html, "k-events-upcoming")) == UPCOMING
    assert item_titles(section(html, "k-events-past")) == PAST
    assert html.index("k-events-upcoming") < html.index("k-events-past")
    assert '<title>行事予定 | ' in html
    assert 'href="/minato/events.ics"' in html and "https://example.org/minato/events.ics" in html
    assert '<link rel="alternate" type="text/calendar" href="/minato/events.ics"' in html
    # All-day events carry a date, timed ones a moment with the offset.
    assert '<time datetime="2026-11-22">' in html and '<time datetime="2026-12-05T13:30:00+09:00">' in html


def test_events_are_in_the_nav_only_when_there_are_events(built_site: SiteDir, events_site: SiteDir):
    nav = re.search(r'<nav class="site-nav".*?</nav>', read(events_site, "index.html"), re.S).group(0)
    assert '<a href="/minato/events/">行事予定</a>' in nav
    events_nav = re.search(r'<nav class="site-nav".*?</nav>', read(events_site, "events/index.html"), re.S).group(0)
    assert '<a href="/minato/events/" aria-current="page">' in events_nav


def test_a_site_without_events_has_no_events_page_calendar_or_nav(built_site: SiteDir):
    assert not (built_site.public / "events").exists()
    assert not (built_site.public / "events.ics").exists()
    html = read(built_site, "index.html")
    assert "/minato/events/" not in html and "upcoming-events" not in html


def test_drafts_events_appear_only_in_a_drafts_preview(events_site: SiteDir):
    assert DRAFT_TITLE not in read(events_site, "events/index.html")
    assert DRAFT_TITLE not in read(events_site, "events.ics")
    assert "秘密の会場" not in read(events_site, "index.html")
    # An editor previewing with --drafts sees the draft's event where it will appear once published.
    preview = run_cli("build", "-s", str(events_site.root), "-o", str(events_site.root / "preview"), "--drafts")
    assert preview.exit_code == 0, preview.stderr
    assert (events_site.root / "preview/posts/draft/index.html").is_file()
    for rel in ("events/index.html", "events.ics"):
        text = (events_site.root / "preview" / rel).read_text(encoding="utf-8")
        assert DRAFT_TITLE in text, rel


# --- the post's event box ---------------------------------------------------------------------

def test_event_box_shows_capacity_contact_online_and_url(events_site: SiteDir):
    box = re.search(r'<section class="box event-box".*?</section>', read(events_site, "posts/forum/index.html"), re.S).group(0)
    assert "<dt>定員</dt>" in box and "<dd>300名</dd>" in box
    assert "<dt>問い合わせ</dt>" in box and "<dd>事務局 0000-00-0000</dd>" in box
    assert "<dt>オンライン</dt>" in box and "<dd>オンラインで参加できます</dd>" in box
    assert '<a class="event-url" href="https://example.org/moshikomi">https://example.org/moshikomi</a>' in box
    plain = re.search(r'<section class="box event-box".*?</section>', read(events_site, "posts/salon/index.html"), re.S).group(0)
    for label in ("定員", "問い合わせ", "オンライン", "詳細・申込"):
        assert label not in plain


def test_online_as_text_is_shown_as_written(site: SiteDir):
    site.post("2026-11-01-zoom.md", "title: オンライン相談会\ndate: 2026-11-01\nevent:\n"
              "  start: 2026-12-01 19:00\n  online: Zoom（申込者にURLをお送りします）")
    assert site.build().exit_code == 0
    assert "<dd>Zoom（申込者にURLをお送りします）</dd>" in read(site, "posts/zoom/index.html")


def test_english_site_has_every_event_string(site: SiteDir):
    site.write("site.yaml", SITE_YAML + "language: en\n")
    add_events(site)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert "Upcoming events" in read(site, "index.html")
    assert "<dd>300 people</dd>" in read(site, "posts/forum/index.html")
    assert "Past events" in read(site, "events/index.html")


# --- /events.ics ----------------------------------------------------------------------------

def test_calendar_parses_back_with_every_published_event(events_site: SiteDir):
    raw = (events_site.public / "events.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    cal = calendar(events_site)
    assert str(cal["VERSION"]) == "2.0"
    events = cal.walk("VEVENT")
    assert len(events) == len(EVENTS)
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(title for _, title, _ in EVENTS)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]


def test_calendar_event_fields(events_site: SiteDir):
    events = {str(e["SUMMARY"]): e for e in calendar(events_site).walk("VEVENT")}
    forum = events["地域福祉フォーラム"]
    assert forum["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert forum.decoded("DTSTART") == datetime(2026, 12, 5, 13, 30, tzinfo=TOKYO)
    assert forum.decoded("DTEND") == datetime(2026, 12, 5, 16, 0, tzinfo=TOKYO)
    assert str(forum["LOCATION"]) == "市民センター 大ホール"
    assert str(forum["URL"]) == "https://example.org/minato/posts/forum/"
    assert str(forum["DESCRIPTION"]) == "本文です。"
    assert str(forum["CONTACT"]) == "事務局 0000-00-0000"
    # DTSTAMP is the post's date (UTC), never the clock.
    assert forum.decoded("DTSTAMP") == datetime(2026, 11, 6, tzinfo=TOKYO)
    assert forum["DTSTAMP"].to_ical().endswith(b"Z")


def test_calendar_all_day_events_are_dates(events_site: SiteDir):
    events = {str(e["SUMMARY"]): e for e in calendar(events_site).walk("VEVENT")}
    today, three_days = events["きょう一日の展示"], events["三日間の作品展"]
    assert today["DTSTART"].params.get("VALUE") == "DATE"
    assert type(today.decoded("DTSTART")) is date and today.decoded("DTSTART") == date(2026, 11, 22)
    assert today.decoded("DTEND") == date(2026, 11, 23), "DTEND is the day after the last day"
    assert three_days.decoded("DTSTART") == date(2026, 11, 20) and three_days.decoded("DTEND") == date(2026, 11, 23)
    assert b"DTSTART;VALUE=DATE:20261122\r\n" in (events_site.public / "events.ics").read_bytes()


def test_calendar_timed_event_without_end_has_no_dtend(events_site: SiteDir):
    salon = next(e for e in calendar(events_site).walk("VEVENT") if str(e["SUMMARY"]) == "ふれあいサロン")
    assert "DTEND" not in salon and salon.decoded("DTSTART") == datetime(2026, 11, 29, 10, 0, tzinfo=TOKYO)


def test_calendar_uids_are_unique_and_stable(events_site: SiteDir, tmp_path: Path):
    first = (events_site.public / "events.ics").read_bytes()
    uids = [str(e["UID"]) for e in calendar(events_site).walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert "minato/posts/forum@example.org" in uids
    # Same input, another build: byte-identical (no clock, no random UIDs).
    again = run_cli("build", "-s", str(events_site.root), "-o", str(tmp_path / "again"))
    assert again.exit_code == 0, again.stderr
    assert (tmp_path / "again/events.ics").read_bytes() == first
    # Another post added: every existing event keeps its UID.
    events_site.post("2026-11-10-new.md", "title: 新しい行事\ndate: 2026-11-10\nevent:\n  start: 2026-12-20")
    assert events_site.build().exit_code == 0
    later = [str(e["UID"]) for e in calendar(events_site).walk("VEVENT")]
    assert set(uids) < set(later) and len(later) == len(uids) + 1


def test_calendar_uid_of_a_japanese_slug_is_ascii(site: SiteDir):
    site.post("2026-11-01-防災講座.md", "title: 防災講座\ndate: 2026-11-01\nevent:\n  start: 2026-12-01 10:00")
    assert site.build().exit_code == 0
    (event,) = calendar(site).walk("VEVENT")
    assert str(event["UID"]).isascii() and str(event["UID"]).endswith("@example.org")
    assert str(event["URL"]) == "https://example.org/minato/posts/%E9%98%B2%E7%81%BD%E8%AC%9B%E5%BA%A7/"


def test_ics_helper_matches_the_built_file(events_site: SiteDir):
    built = (events_site.public / "events.ics").read_bytes()
    assert ics(model(events_site), "テスト地域福祉委員会 行事予定") == built


# --- mistakes in event: ---------------------------------------------------------------------

BAD = [
    ("capacity: たくさん", "capacity", "event 'capacity' must be a whole number of people, not 'たくさん'"),
    ("capacity: 0", "capacity", "event 'capacity' must be a whole number of people, not '0'"),
    ("online: 3", "online", "event 'online' must be true, false or a line of text, not '3'"),
    ("url: www.example.org", "url", "event 'url' is not a web address: 'www.example.org'"),
    ("contact: [a, b]", "contact", "event 'contact' must be a single line of text"),
    ("capasity: 30", "capasity", "unknown event field 'capasity'"),
]


@pytest.mark.parametrize("line, key, message", BAD, ids=[b[1] + "-" + b[0].split(": ")[1] for b in BAD])
def test_bad_event_values_name_the_file_line_and_field(built_site: SiteDir, monkeypatch, line, key, message):
    before = built_site.snapshot()
    built_site.post("2026-11-01-bad.md", f"title: 講演会\ndate: 2026-11-01\nevent:\n  start: 2026-12-05 13:30\n"
                    f"  place: 市民センター\n  {line}\n")
    monkeypatch.chdir(built_site.root)
    result = run_cli("build")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    # Front matter line 1 is '---': the field is on file line 7.
    assert first == f"content/posts/2026-11-01-bad.md:7: error: {message}", result.stderr
    assert f"'{key}'" in first
    assert "1 error; nothing was written" in result.stderr
    assert built_site.snapshot() == before


def test_unknown_event_field_suggests_the_right_one(built_site: SiteDir):
    built_site.post("2026-11-01-bad.md", "title: 講演会\ndate: 2026-11-01\nevent:\n  start: 2026-12-05\n  capasity: 30\n")
    result = built_site.build()
    assert result.exit_code == 1 and "did you mean 'capacity'?" in result.stderr


def test_event_end_before_start_names_the_end_line(built_site: SiteDir, monkeypatch):
    built_site.post("2026-11-01-bad.md", "title: 講演会\ndate: 2026-11-01\nevent:\n  start: 2026-12-05 13:30\n"
                    "  end: 2026-12-04 16:00\n")
    monkeypatch.chdir(built_site.root)
    result = run_cli("build")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/posts/2026-11-01-bad.md:6: error: event 'end' is before its 'start'")


def test_capacity_in_full_width_digits_is_accepted(site: SiteDir):
    site.post("2026-11-01-kouen.md", "title: 講演会\ndate: 2026-11-01\nevent:\n  start: 2026-12-05\n  capacity: ５０\n")
    result = site.build()
    assert result.exit_code == 0, result.stderr
    assert "<dd>50名</dd>" in read(site, "posts/kouen/index.html")


# --- the example site -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(example_site) -> Path:
    return example_site


def test_example_site_events(example: Path):
    html = (example / "events/index.html").read_text(encoding="utf-8")
    assert item_titles(section(html, "k-events-upcoming")) == ["「みなと 地域福祉フォーラム2026」を開催します"]
    assert item_titles(section(html, "k-events-past")) == [
        "夏休み「親子ふれあい広場」のご案内", "「みなと ふくしまつり2023」出展団体と来場者を募集します"]
    home = section((example / "index.html").read_text(encoding="utf-8"), "k-upcoming-heading")
    assert item_titles(home) == ["「みなと 地域福祉フォーラム2026」を開催します"]
    forum = (example / "posts/forum-2026/index.html").read_text(encoding="utf-8")
    assert "<dd>300名</dd>" in forum and 'class="event-url"' in forum
    cal = icalendar.Calendar.from_ical((example / "events.ics").read_bytes())
    assert len(cal.walk("VEVENT")) == 3


def test_example_site_time_elements_are_valid(example: Path):
    """What the Nu HTML checker accepts in <time datetime>: a date, or a date and time with an offset."""
    valid = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2}))?$")
    for rel in ("index.html", "events/index.html", "posts/forum-2026/index.html"):
        for value in re.findall(r'<time datetime="([^"]*)"', (example / rel).read_text(encoding="utf-8")):
            assert valid.match(value), (rel, value)
