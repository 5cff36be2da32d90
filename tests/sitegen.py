"""A site of many posts held as data, for tests that change it step by step
(tests/test_incremental_property.py).

`SiteSpec` is the editor's side of a site: site.yaml's values, each post's front matter and
body (as blocks: paragraphs, headings, footnotes, links to other posts, photos), the pages, a
template override and a UI strings override. `write` turns one part of it into the files an
editor would have typed and returns the paths it wrote or removed, so that a test knows what
changed (katsudo serve's watcher does). The spec stays a valid site: a link always points at a
post that is published at the spec's build moment (`unlink` drops the links to a post that
stops being one, as an editor fixing them would).
"""

from __future__ import annotations

import io
import random
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from generator.theme import default_theme_dir

ZONE = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 22, 12, 0, tzinfo=ZONE)  # conftest.NOW
CATEGORIES = {"meeting": "会議・定例会", "workshop": "研修・ワークショップ", "event": "お知らせ・イベント",
              "plan": "計画・報告"}
TAGS = ["地域福祉", "防災", "民生委員", "ボランティア", "子ども食堂", "見守り", "ＳＤＧｓ"]
TITLES = ["定例会の報告", "研修会を開きました", "見守り活動のふりかえり", "子ども食堂の見学", "防災訓練の記録",
          "計画の進み具合", "ボランティア交流会", "地区別懇談会", "福祉まつりのお知らせ", "講座のご案内"]
AUTHORS = ["事務局", "広報部会", "山田", None]
SERIES = ["居場所づくり講座", "防災連続講座"]
SENTENCES = ["参加者は十二名でした。", "次回は会場を変えて開きます。", "地域の困りごとを付せんに書き出しました。",
             "市の担当者から説明がありました。", "意見交換では多くの声が出ました。", "資料は事務局にあります。",
             "秋の行事について話し合いました。", "The meeting ended at eight."]
HEADINGS = ["議題", "報告事項", "決定事項", "次回予定", "当日の様子", "Q&A"]


@dataclass
class PostSpec:
    name: str  # the file name without '.md', or the folder's name for a folder post
    title: str
    date: datetime
    folder: bool = False
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    summary: str | None = None
    draft: bool = False
    series: str | None = None
    series_order: int | None = None
    event: tuple[datetime, datetime | None] | None = None  # start, end
    # ("p", text) | ("h", text) | ("fn", text, note) | ("link", target, anchor) | ("img", photo)
    blocks: list[tuple] = field(default_factory=list)
    photos: dict[str, int] = field(default_factory=dict)  # photo file -> its colour's seed

    def published(self, now: datetime) -> bool:
        return not self.draft and self.date <= now

    def rel(self) -> str:
        return f"content/posts/{self.name}/index.md" if self.folder else f"content/posts/{self.name}.md"


@dataclass
class PageSpec:
    name: str
    title: str
    weight: int
    blocks: list[tuple] = field(default_factory=list)

    def rel(self) -> str:
        return f"content/pages/{self.name}.md"


@dataclass
class SiteSpec:
    root: Path
    now: datetime = START
    title: str = "みなと地域福祉推進委員会"
    per_page: int = 5
    posts: dict[str, PostSpec] = field(default_factory=dict)
    pages: dict[str, PageSpec] = field(default_factory=dict)
    partial: int = 0  # the post card override: 0 none, else which variant
    strings: dict[str, str] = field(default_factory=dict)  # UI strings overridden (none: no file)
    serial: int = 0  # for new names

    # --- What an editor types ------------------------------------------------------------

    def site_yaml(self) -> str:
        categories = "".join(f"  {key}: {label}\n" for key, label in CATEGORIES.items())
        return (f"title: {self.title}\nbase_url: https://example.org/minato/\nlanguage: ja\ntimezone: Asia/Tokyo\n"
                f"per_page: {self.per_page}\nauthor: 事務局\nsearch: false\ncategories:\n{categories}")

    def post_text(self, post: PostSpec) -> str:
        lines = [f"title: {post.title}", f"date: {post.date:%Y-%m-%d %H:%M}"]
        if post.category:
            lines.append(f"category: {post.category}")
        if post.tags:
            lines.append(f"tags: [{', '.join(post.tags)}]")
        if post.author:
            lines.append(f"author: {post.author}")
        if post.summary:
            lines.append(f"summary: {post.summary}")
        if post.draft:
            lines.append("draft: true")
        if post.series:
            lines.append(f"series: {post.series}")
            if post.series_order is not None:
                lines.append(f"series_order: {post.series_order}")
        if post.event:
            start, end = post.event
            lines += ["event:", f"  start: {start:%Y-%m-%d %H:%M}"]
            if end is not None:
                lines.append(f"  end: {end:%Y-%m-%d %H:%M}")
            lines.append("  place: みなと市民センター")
        return "---\n" + "\n".join(lines) + "\n---\n\n" + self.body(post.blocks, "../" if post.folder else "")

    def page_text(self, page: PageSpec) -> str:
        return f"---\ntitle: {page.title}\nweight: {page.weight}\n---\n\n" + self.body(page.blocks, "../posts/")

    def body(self, blocks: list[tuple], up: str) -> str:
        """Markdown for `blocks`; `up`: from the document's folder to content/posts/."""
        parts, notes = [], []
        for number, block in enumerate(blocks):
            kind = block[0]
            if kind == "p":
                parts.append(block[1])
            elif kind == "h":
                parts.append(f"## {block[1]}")
            elif kind == "fn":
                parts.append(f"{block[1]}[^n{number}]")
                notes.append(f"[^n{number}]: {block[2]}")
            elif kind == "link":
                target = self.posts[block[1]]
                path = f"{up}{target.name}/index.md" if target.folder else f"{up}{target.name}.md"
                anchor = f"#{block[2]}" if block[2] else ""
                parts.append(f"[{target.title}]({path}{anchor})も参照してください。")
            elif kind == "img":
                parts.append(f"![{block[1]}の写真]({block[1]})")
        return "\n\n".join(parts + notes) + "\n"

    # --- Files ---------------------------------------------------------------------------

    def write_all(self) -> None:
        self.write("site.yaml", self.site_yaml())
        for post in self.posts.values():
            self.write_post(post)
        for page in self.pages.values():
            self.write(page.rel(), self.page_text(page))
        self.write_partial()
        self.write_strings()

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def write_post(self, post: PostSpec) -> set[Path]:
        paths = {self.write(post.rel(), self.post_text(post))}
        if post.folder:
            folder = self.root / "content" / "posts" / post.name
            for name, seed in post.photos.items():
                if not (folder / name).exists():
                    paths.add(self.write(f"content/posts/{post.name}/{name}", png(seed)))
            for stale in folder.iterdir():
                if stale.name != "index.md" and stale.name not in post.photos:
                    stale.unlink()
                    paths.add(stale)
        return paths

    def remove_post(self, name: str) -> set[Path]:
        post = self.posts.pop(name)
        path = self.root / post.rel()
        if post.folder:
            folder = path.parent
            paths = {folder, *folder.iterdir()}
            shutil.rmtree(folder)
            return paths
        path.unlink()
        return {path}

    def write_partial(self) -> Path:
        rel = "templates/partials/post_card.html"
        if not self.partial:
            path = self.root / rel
            path.unlink(missing_ok=True)
            return path
        theme = (default_theme_dir() / "templates" / "partials" / "post_card.html").read_text(encoding="utf-8")
        extra = {1: '<p class="card-minutes">{{ post.reading_minutes }}分</p>',
                 2: '<p class="card-author">{{ post.author or "" }} {{ post.fiscal_year.label }}</p>',
                 3: '<p class="card-count">{{ post.tags|length }}個のタグ{% if post.toc %}・目次あり{% endif %}</p>'}
        return self.write(rel, theme.replace("</article>", extra[self.partial] + "\n</article>"))

    def write_strings(self) -> Path:
        rel = "templates/strings/ja.yaml"
        if not self.strings:
            path = self.root / rel
            path.unlink(missing_ok=True)
            return path
        return self.write(rel, "".join(f'{key}: "{value}"\n' for key, value in sorted(self.strings.items())))

    # --- Keeping the site valid ------------------------------------------------------------

    def unlink(self, name: str) -> set[str]:
        """Drop every link to the post `name` (no longer published); the posts and pages changed."""
        changed = set()
        for document in [*self.posts.values(), *self.pages.values()]:
            kept = [b for b in document.blocks if not (b[0] == "link" and b[1] == name)]
            if len(kept) != len(document.blocks):
                document.blocks = kept
                changed.add(document.rel())
        return changed

    def linkable(self) -> list[str]:
        return sorted(name for name, post in self.posts.items() if post.published(self.now))

    def new_name(self, date: datetime, folder: bool = False) -> str:
        self.serial += 1
        return f"{date:%Y-%m-%d}-{'shashin' if folder else 'houkoku'}-new{self.serial}"


def png(seed: int) -> bytes:
    """A small photo (Pillow), its colour and size from `seed`."""
    rng = random.Random(seed)
    image = Image.new("RGB", (16 + seed % 5 * 4, 12), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def many_posts(root: Path, count: int = 50) -> SiteSpec:
    """A site of `count` posts over four fiscal years (some on 31 March and 1 April), with
    categories, tags, series, events past and to come, future posts, drafts, folder posts with
    photos, footnotes, tables of contents, links between posts, and two pages."""
    rng = random.Random(16)
    spec = SiteSpec(root)
    first = datetime(2023, 4, 3, 10, 0, tzinfo=ZONE)
    span = (START - first).total_seconds()
    for number in range(count):
        if number < 40:
            date = first + timedelta(seconds=int(span * number / 40))
        else:  # two around the fiscal years' turn, then some to come (future posts)
            date = [datetime(2025, 3, 31, 18, 0, tzinfo=ZONE), datetime(2025, 4, 1, 9, 0, tzinfo=ZONE),
                    START + timedelta(hours=20), START + timedelta(days=3), START + timedelta(days=9),
                    datetime(2024, 3, 31, 23, 0, tzinfo=ZONE)][(number - 40) % 6]
        folder = number % 11 == 5
        name = f"{date:%Y-%m-%d}-{'shashin' if folder else 'houkoku'}-{number:02d}"
        post = PostSpec(name, f"{TITLES[number % len(TITLES)]}（{number}）", date, folder=folder,
                        category=list(CATEGORIES)[number % 5] if number % 5 < 4 else None,
                        tags=rng.sample(TAGS, number % 4), author=AUTHORS[number % 4],
                        summary="短い要約です。" if number % 7 == 3 else None, draft=number % 17 == 8)
        if number % 9 in (2, 4):
            post.series = SERIES[number % 2]
            post.series_order = number // 9 + 1 if number % 2 else None
        if number % 8 == 6:
            start = START + timedelta(days=(number % 5) - 2, hours=number % 7)
            post.event = (start, start + timedelta(hours=2) if number % 3 else None)
        blocks: list[tuple] = [("p", rng.choice(SENTENCES))]
        if number % 3 == 0:
            blocks += [("h", HEADINGS[0]), ("p", rng.choice(SENTENCES)), ("h", HEADINGS[number % 5 + 1]),
                       ("p", rng.choice(SENTENCES))]
        if number % 4 == 1:
            blocks.append(("fn", rng.choice(SENTENCES), "注：資料による。"))
        if folder:
            post.photos = {f"photo{number}.png": number, "extra.png": number + 100}
            blocks.append(("img", f"photo{number}.png"))
        post.blocks = blocks
        spec.posts[name] = post
    names = spec.linkable()
    for number, name in enumerate(names):
        if number % 4 == 2:
            target = names[(number * 7) % len(names)]
            if target != name:
                anchor = HEADINGS[0] if spec.posts[target].blocks[1:2] == [("h", HEADINGS[0])] else None
                spec.posts[name].blocks.append(("link", target, anchor))
    spec.pages["about"] = PageSpec("about", "委員会について", 1, [("p", "委員会の紹介です。"), ("h", "目的"),
                                                                   ("p", "地域福祉を進めます。"),
                                                                   ("link", names[-1], None)])
    spec.pages["contact"] = PageSpec("contact", "お問い合わせ", 2, [("p", "事務局までどうぞ。")])
    return spec
