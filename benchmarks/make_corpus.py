#!/usr/bin/env python3
"""Deterministic generator of synthetic Japanese activity-report posts.

The same N posts (post i is identical whatever N is, for a given seed) are emitted
in the layout and front-matter conventions of each peer generator, together with a
minimal theme for that peer, so that every peer renders comparable work:

  * one page per post                    /posts/<slug>/index.html
  * a paginated index, 10 posts a page   /index.html, /page/<n>/index.html
  * one page per tag, full list          /tags/<tag>/index.html
  * a tag index and a one-page archive   /tags/index.html, /archives/index.html
  * an Atom feed of the latest 20 posts  /feed.xml (full content)

Layouts:  neutral | katsudo | katsudo-search | pelican | hugo | hugo-naive | eleventy | jekyll | all
Only the standard library is used, so it runs with any Python 3.9+.

    python3 make_corpus.py -n 1000 --layout all --out sites/1000

Copied into katsudo's benchmarks/ from the shared benchmark kit (so that `make bench` needs
nothing outside the repository) and adapted: the `katsudo` layout is the neutral one with
`search: false` in site.yaml (the peers build no search index; `katsudo-search` keeps it on),
and `--no-photos` drops the `![...](photo.jpg)` lines from every layout alike (no layout ships
the photo, and katsudo reports a missing image as an error), so all peers do the same work.
The random stream is unchanged by --no-photos: the lines are removed after each post is made.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

JST = timezone(timedelta(hours=9))
ORG = "みどり町社会福祉協議会"
SITE_TITLE = "みどり町社協 活動報告"
SITE_URL = "https://example.jp"
PER_PAGE = 10
FEED_ITEMS = 20
FIRST_DAY = datetime(2015, 4, 1, tzinfo=JST)  # 平成27年度 starts
SPAN_DAYS = 3652  # ten fiscal years, to 2025-03-31

# ---------------------------------------------------------------- vocabulary
TAGS = [
    "地域福祉", "定例会", "ワークショップ", "研修会", "事例検討", "オンライン",
    "高齢者支援", "子育て支援", "障害者支援", "防災", "ボランティア", "民生委員",
    "見守り", "認知症", "介護予防", "子ども食堂", "居場所づくり", "サロン",
    "生活困窮", "ひきこもり", "権利擁護", "成年後見", "共同募金", "地域包括ケア",
    "多職種連携", "住民座談会", "アンケート", "計画策定", "評価", "広報",
    "助成金", "福祉教育", "世代間交流", "災害ボランティア", "移動支援", "買い物支援",
    "多文化共生", "ヤングケアラー", "孤独・孤立対策", "健康づくり",
]
CATEGORY_WEIGHTS = [("meeting", 35), ("workshop", 20), ("plan", 10), ("event", 20), ("notice", 15)]
CATEGORY_TAGS = {
    "meeting": ["定例会", "事例検討", "民生委員", "多職種連携"],
    "workshop": ["ワークショップ", "研修会", "福祉教育"],
    "plan": ["計画策定", "評価", "アンケート"],
    "event": ["サロン", "世代間交流", "子ども食堂", "防災"],
    "notice": ["広報", "助成金", "ボランティア", "共同募金"],
}
AUTHORS = ["事務局", "広報委員会", "地域福祉課", "ボランティアセンター",
           "山本（地域福祉コーディネーター）", "中村（生活支援コーディネーター）", "小林（事務局長）"]
MEETINGS = ["定例会", "運営委員会", "理事会", "地区民生委員児童委員協議会 定例会",
            "ボランティア連絡会", "地域福祉推進委員会", "事例検討会"]
WORKSHOP_TOPICS = ["認知症サポーター", "防災", "傾聴", "子ども食堂運営", "居場所づくり",
                   "見守り活動", "手話入門", "介護予防体操", "地域の担い手づくり", "成年後見制度"]
WORKSHOP_KINDS = ["ワークショップ", "研修会", "講座", "勉強会"]
PLANS = ["第4次地域福祉活動計画", "地域福祉計画", "重層的支援体制整備事業", "生活支援体制整備事業"]
EVENTS = ["ふれあいいきいきサロン", "福祉まつり", "みどり町子ども食堂", "歳末たすけあい交流会",
          "世代間交流会", "地域防災訓練", "健康ウォーキング", "夏休みボランティア体験"]
NOTICES = ["年末年始の窓口休業", "共同募金へのご協力", "ボランティア登録説明会", "賛助会員の募集",
           "事務所移転", "地域活動助成金の申請受付", "福祉車両の貸し出し"]
PLACES = ["中央公民館 第1会議室", "総合福祉センター 2階 研修室", "みどり町市民交流プラザ",
          "北地区コミュニティセンター", "南小学校 多目的室", "オンライン（Zoom）",
          "社協本部 会議室", "東部地域包括支援センター"]
SUBJECTS = ["参加者", "委員", "民生委員", "ボランティアの皆さん", "地区の役員", "事務局",
            "地域包括支援センターの職員", "社会福祉士", "保健師", "自治会長", "学生ボランティア",
            "サロンの世話人"]
TOPICS = ["見守り活動", "地域の居場所づくり", "子ども食堂の運営", "災害時の要配慮者支援",
          "認知症の方とその家族への支援", "ひきこもり状態にある方への支援",
          "買い物が難しい高齢者への支援", "地域福祉活動計画の進め方", "ボランティアの担い手確保",
          "生活に困りごとを抱える世帯への支援", "権利擁護と成年後見制度", "外国にルーツのある住民との交流",
          "ヤングケアラーへの気づき", "孤独・孤立の予防", "介護予防の取り組み", "福祉教育の充実",
          "共同募金の使い道", "移動支援の仕組みづくり"]
ACTIONS = ["について報告がありました", "について意見交換を行いました", "の現状を共有しました",
           "について活発な議論が交わされました", "の進め方を確認しました", "について説明を受けました"]
QUOTES = ["一人暮らしの方が増えて、見守りの目が足りない", "若い世代にも活動に加わってもらいたい",
          "気軽に立ち寄れる場所がもっと必要だ", "困りごとをどこに相談すればよいか分からない人が多い",
          "オンラインなら仕事の後でも参加しやすい", "他の地区の取り組みがとても参考になった",
          "活動を続けるための資金の確保が課題だ", "顔を合わせて話すことの大切さを改めて感じた",
          "子どもたちの笑顔に元気をもらった", "次はぜひ家族も誘って参加したい"]
ISSUES = ["担い手の高齢化", "活動資金の不足", "情報が届きにくい世帯への支援", "会場の確保",
          "個人情報の取り扱い", "新たな参加者の掘り起こし", "関係機関との連携", "移動手段の確保",
          "夜間や休日の相談体制", "活動記録の引き継ぎ"]
MEASURES = ["回覧板とホームページの両方で情報を発信する", "相談窓口の一覧を作成する",
            "ボランティア養成講座を新たに開く", "地区ごとに連絡会を設ける",
            "オンラインでの参加も選べるようにする", "活動の手引きを改訂する",
            "民生委員と自治会の合同研修を行う", "見守りの対象世帯を地図に整理する"]
LECTURERS = ["大学の社会福祉学科の先生", "地域包括支援センターの主任ケアマネジャー",
             "市の危機管理課の職員", "認知症の人と家族の会の方", "弁護士", "NPO法人の代表"]
LECTURE_POINTS = ["地域で支え合う仕組みの基本", "本人の思いを大切にした支援", "災害が起きたときの初動",
                  "話を聴くときの姿勢と言葉の選び方", "制度のすき間にある困りごとの見つけ方",
                  "記録の取り方と情報共有の注意点"]
WEATHERS = ["あいにくの雨", "穏やかな晴天", "厳しい暑さ", "冷たい風", "春らしい陽気"]
PARTNERS = ["みどり町自治会連合会", "みどり町老人クラブ連合会", "みどり中学校 生徒会",
            "子育てサークル「ひだまり」", "みどり町商店会", "日本赤十字奉仕団 みどり分団",
            "地域包括支援センター", "みどり町消防団"]
LINK_TEXTS = [("計画の全文", "plan"), ("申込用紙", "forms"), ("当日の資料", "docs"),
              ("ボランティアセンターのページ", "volunteer"), ("過去の報告", "reports")]


@dataclass
class Post:
    index: int
    slug: str
    title: str
    date: datetime
    tags: list[str]
    category: str
    author: str
    summary: str
    body: str = field(repr=False)


def jp_date(d: datetime, weekday: bool = False) -> str:
    text = f"{d.year}年{d.month}月{d.day}日"
    return text + f"（{'月火水木金土日'[d.weekday()]}）" if weekday else text


def nendo(d: datetime) -> str:
    """Japanese fiscal year (April to March) with its era name."""
    fiscal = d.year if d.month >= 4 else d.year - 1
    if fiscal >= 2019:  # FY2019 began under Heisei but is called 令和元年度
        n = fiscal - 2018
        return f"令和{'元' if n == 1 else n}年度"
    return f"平成{fiscal - 1988}年度"


class Writer:
    """Builds one post's body from a per-post random stream and a small context."""

    def __init__(self, rng: random.Random, ctx: dict):
        self.r = rng
        self.c = ctx

    def pick(self, seq):
        return self.r.choice(seq)

    def sentence(self) -> str:
        r, c, p = self.r, self.c, self.pick
        templates = [
            lambda: f"{c['month']}月の{c['meeting']}では、{p(TOPICS)}{p(ACTIONS)}。",
            lambda: f"{p(SUBJECTS)}からは「{p(QUOTES)}」という声が聞かれました。",
            lambda: f"特に{c['topic']}については、{p(ISSUES)}が課題になっていることから、**{p(MEASURES)}**ことになりました。",
            lambda: f"前回の会議で課題となった{p(ISSUES)}について、事務局から取り組みの経過が報告されました。",
            lambda: f"{p(SUBJECTS)}の{r.randint(5, 60)}名が参加し、{c['topic']}について{r.randint(3, 8)}つのグループに分かれて話し合いました。",
            lambda: f"今年度は{p(MEASURES)}ことを目標に掲げ、{p(SUBJECTS)}と連携しながら取り組んでいます。",
            lambda: f"アンケートでは、回答者の{r.randint(40, 95)}%が「{p(QUOTES)}」と答えました。",
            lambda: f"{c['place']}での開催は{r.randint(2, 30)}回目となり、毎回{r.randint(10, 40)}名前後の方が集まっています。",
            lambda: f"地域の中には{p(ISSUES)}に悩みながら、誰にも相談できずにいる方が少なくありません。",
            lambda: f"こうした声を受けて、{ORG}では{p(MEASURES)}ことを検討しています。",
            lambda: f"当日は{p(WEATHERS)}の中、{r.randint(12, 120)}名の方にご参加いただきました。",
            lambda: f"{p(LECTURERS)}からは、{p(LECTURE_POINTS)}についてお話をいただきました。",
            lambda: f"グループワークでは「{c['topic']}を進めるために、明日からできること」をテーマに、付箋を使って意見を出し合いました。",
            lambda: f"出された意見は、{c['plan']}の見直しに生かしていきます。",
            lambda: f"{p(SUBJECTS)}同士が顔の見える関係をつくることが、{c['topic']}の第一歩であるという意見で一致しました。",
            lambda: f"また、{p(ISSUES)}については、関係機関と情報を共有しながら引き続き検討することを確認しました。",
            lambda: f"{p(PARTNERS)}の皆さまには、準備の段階から多大なご協力をいただきました。",
            lambda: f"{c['topic']}は一度の話し合いで答えが出るものではなく、**継続して取り組むこと**が大切だと感じています。",
            lambda: f"資料は当日配布したものと同じ内容を、{ORG}の窓口で閲覧できます。",
            lambda: f"昨年度と比べると、相談件数は約{r.randint(105, 160)}%に増えており、支援の必要性が高まっています。",
            lambda: f"{p(SUBJECTS)}からは、{p(TOPICS)}に関する具体的な事例が紹介されました。",
            lambda: f"事例については個人が特定されないよう、内容を一部変更して記載しています。",
        ]
        return r.choice(templates)()

    def paragraph(self, lo: int = 3, hi: int = 5) -> str:
        return "".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def link_sentence(self) -> str:
        text, path = self.pick(LINK_TEXTS)
        return f"詳しくは[{text}]({SITE_URL}/{path}/{self.r.randint(1, 99):02d}.html)をご覧ください。"

    def overview_list(self) -> str:
        d = self.c["date"]
        start = self.r.choice([10, 13, 14, 18, 19])
        return "\n".join([
            f"- 日時：{jp_date(d, weekday=True)} {start}時〜{start + 2}時",
            f"- 場所：{self.c['place']}",
            f"- 参加者：{self.r.randint(8, 80)}名（うち初参加 {self.r.randint(0, 12)}名）",
            f"- 主催：{ORG}",
        ])

    def numbered(self, items: list[str]) -> str:
        return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)

    def agenda(self, k: int) -> list[str]:
        return [f"{t}について" for t in self.r.sample(TOPICS, k)]

    def sections(self, category: str) -> list[tuple[str, list[str]]]:
        r, c = self.r, self.c
        p = self.paragraph
        if category == "meeting":
            items = self.agenda(r.randint(3, 6))
            return [
                ("開催概要", [self.overview_list()]),
                ("議事", [self.numbered(items), p(2, 3)]),
                ("報告事項", [p()]),
                ("協議事項", [p(), self.table(["議題", "主な意見", "結論"], [
                    [t.removesuffix("について"), self.pick(QUOTES), self.pick(["承認", "継続審議", "修正のうえ承認"])]
                    for t in items[: r.randint(2, len(items))]])]),
                ("今後の予定", [f"次回は{jp_date(c['date'] + timedelta(days=r.randint(25, 35)), weekday=True)}に{self.pick(PLACES)}で開催する予定です。" + p(1, 2)]),
            ]
        if category == "workshop":
            return [
                ("開催概要", [self.overview_list()]),
                ("プログラム", [self.numbered(["開会あいさつ", f"講義「{self.pick(LECTURE_POINTS)}」",
                                            "グループワーク", "全体共有", "閉会"])]),
                ("講義の内容", [p()]),
                ("グループワーク", [p()]),
                ("参加者アンケートの結果", [self.table(["項目", "とても良かった", "良かった", "ふつう"], [
                    [q, f"{a}%", f"{b}%", f"{100 - a - b}%"]
                    for q in ["講義の内容", "グループワーク", "会場・時間"]
                    for a, b in [(r.randint(30, 60), r.randint(20, 40))]]), p(1, 2)]),
                ("まとめ", [p()]),
            ]
        if category == "plan":
            rows = []
            for measure in r.sample(MEASURES, r.randint(3, 5)):
                target = r.randint(4, 40)
                done = r.randint(0, target + 5)
                rows.append([measure, "実施回数", f"{target}回", f"{done}回", f"{round(100 * done / target)}%"])
            return [
                ("計画の概要", [p(), "\n".join(f"- 基本目標{i}：{t}" for i, t in enumerate(r.sample(TOPICS, 3), 1))]),
                ("進捗状況", [self.table(["施策", "指標", "目標", "実績", "達成率"], rows), p(1, 2)]),
                ("主な取り組み", [self.numbered(self.agenda(r.randint(3, 5))), p()]),
                ("見えてきた課題", [p()]),
                ("次年度に向けて", [p()]),
            ]
        if category == "event":
            start = r.choice([9, 10, 13])
            return [
                ("開催概要", [self.overview_list()]),
                ("当日のプログラム", [self.table(["時間", "内容", "担当"], [
                    [f"{start + h}:00", what, self.pick(PARTNERS)]
                    for h, what in enumerate(["受付・開会", "交流タイム", "体験コーナー", "閉会"])])]),
                ("当日の様子", [p()]),
                ("参加者の声", [p(2, 4)]),
                ("ご協力いただいた団体", [self.numbered(r.sample(PARTNERS, r.randint(3, 5)))]),
                ("おわりに", [p(2, 3)]),
            ]
        # notice
        day0 = c["date"] + timedelta(days=r.randint(10, 40))
        return [
            ("概要", [p()]),
            ("日程", [self.table(["日付", "時間", "会場"], [
                [jp_date(day0 + timedelta(days=7 * w), weekday=True), f"{r.choice([10, 13, 18])}時〜", self.pick(PLACES)]
                for w in range(r.randint(2, 4))])]),
            ("対象・定員", ["\n".join([f"- 対象：みどり町在住・在勤・在学の方",
                                     f"- 定員：各回{r.randint(10, 50)}名（先着順）", "- 参加費：無料"])]),
            ("申し込み方法", [self.numbered(["申込用紙に必要事項を記入してください",
                                          "窓口へ持参するか、FAXまたはメールで送ってください",
                                          "受付後、事務局から確認の連絡をします"])]),
            ("お問い合わせ", [f"{ORG} 事務局（電話 0000-00-0000）までお問い合わせください。" + p(1, 2)]),
        ]

    def body(self, category: str, target_chars: int) -> str:
        secs = self.sections(category)
        intro = [self.paragraph(2, 3)]
        prose_slots = [i for i, (_, blocks) in enumerate(secs)]

        def length() -> int:
            return sum(len(b) for b in intro) + sum(len(h) + sum(len(b) for b in bl) for h, bl in secs)

        while length() < target_chars:
            secs[self.r.choice(prose_slots)][1].append(self.paragraph())
        # one link and, on some posts, one image reference
        li = self.r.randrange(len(secs))
        secs[li][1].append(self.link_sentence())
        if self.r.random() < 0.35:
            ii = self.r.randrange(len(secs))
            secs[ii][1].insert(1, f"![写真：{self.c['topic']}の様子](photo.jpg)")
        out = intro[:]
        for heading, blocks in secs:
            out.append(f"## {heading}")
            out.extend(blocks)
        return "\n\n".join(out) + "\n"


def make_post(seed: int, i: int) -> Post:
    r = random.Random(seed * 1_000_003 + i)
    date = FIRST_DAY + timedelta(days=r.randrange(SPAN_DAYS), hours=r.randint(9, 19),
                                 minutes=r.choice([0, 15, 30, 45]))
    category = r.choices([c for c, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
    ctx = {"date": date, "month": date.month, "meeting": r.choice(MEETINGS), "topic": r.choice(TOPICS),
           "place": r.choice(PLACES), "plan": r.choice(PLANS)}
    fy = nendo(date)
    k = r.randint(1, 12)
    if category == "meeting":
        title = f"{fy} 第{k}回 {ctx['meeting']} 報告"
        summary = f"{fy}の第{k}回{ctx['meeting']}を{ctx['place']}で開催し、{ctx['topic']}について話し合いました。"
    elif category == "workshop":
        kind = r.choice(WORKSHOP_KINDS)
        topic = r.choice(WORKSHOP_TOPICS)
        title = f"{fy} {topic}{kind} 開催報告"
        summary = f"{topic}をテーマにした{kind}を開き、{r.randint(10, 60)}名の方が参加しました。"
    elif category == "plan":
        title = f"{ctx['plan']} {fy} 進捗報告"
        summary = f"{ctx['plan']}の{fy}の取り組み状況と、見えてきた課題をまとめました。"
    elif category == "event":
        event = r.choice(EVENTS)
        title = f"「{event}」を開催しました（{date.month}月）"
        summary = f"{jp_date(date)}、{ctx['place']}で{event}を開催しました。当日の様子をお伝えします。"
    else:
        notice = r.choice(NOTICES)
        title = f"{notice}のお知らせ"
        summary = f"{notice}についてお知らせします。日程と申し込み方法をご確認ください。"
    tags = [r.choice(CATEGORY_TAGS[category])]
    want = r.randint(2, 4)
    for t in r.sample(TAGS, 5):
        if len(tags) < want and t not in tags:
            tags.append(t)
    body = Writer(r, ctx).body(category, r.randint(1400, 2800))
    slug = f"{date:%Y-%m-%d}-{category}-{i:05d}"
    return Post(i, slug, title, date, tags, category, r.choice(AUTHORS), summary, body)


def make_posts(n: int, seed: int, photos: bool = True) -> list[Post]:
    posts = [make_post(seed, i) for i in range(n)]
    if not photos:
        for p in posts:
            p.body = "".join(line for line in p.body.splitlines(keepends=True)
                             if not (line.startswith("![") and line.rstrip("\n").endswith("](photo.jpg)")))
    return posts


# ---------------------------------------------------------------- front matter
def q(s: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def yaml_front(post: Post, iso_date: bool, extra: str = "") -> str:
    date = post.date.isoformat() if iso_date else f"{post.date:%Y-%m-%d %H:%M}"
    return (
        "---\n"
        f"title: {q(post.title)}\n"
        f"date: {date}\n"
        f"category: {post.category}\n"
        f"tags: [{', '.join(q(t) for t in post.tags)}]\n"
        f"author: {q(post.author)}\n"
        f"summary: {q(post.summary)}\n"
        f"{extra}"
        "---\n"
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def fresh(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    return root


# ---------------------------------------------------------------- shared HTML
HEAD = ('<!doctype html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<title>{TITLE} | ' + SITE_TITLE + '</title>\n'
        '<link rel="alternate" type="application/atom+xml" href="/feed.xml">\n</head>\n<body>\n'
        '<header><a href="/">' + SITE_TITLE + '</a>\n<nav><a href="/tags/">タグ一覧</a> '
        '<a href="/archives/">アーカイブ</a></nav></header>\n<main>\n')
FOOT = '</main>\n<footer>&copy; ' + ORG + '</footer>\n</body>\n</html>\n'


# ---------------------------------------------------------------- (a) neutral
def emit_neutral(posts: list[Post], root: Path, search: bool | None = None) -> None:
    fresh(root)
    write(root / "site.yaml", f"title: {SITE_TITLE}\nbase_url: {SITE_URL}/\nlanguage: ja\n"
          f"timezone: Asia/Tokyo\nfiscal_year_start: 4\nper_page: {PER_PAGE}\n"
          + ("" if search is None else f"search: {'true' if search else 'false'}\n") +
          "categories:\n  meeting: 会議・定例会\n  workshop: ワークショップ・研修\n"
          "  plan: 計画・報告書\n  event: イベント\n  notice: お知らせ\n")
    for p in posts:
        write(root / "content" / "posts" / f"{p.slug}.md", yaml_front(p, iso_date=False) + p.body)


# ---------------------------------------------------------------- (b) pelican
PELICAN_CONF = f'''\
AUTHOR = "事務局"
SITENAME = "{SITE_TITLE}"
SITEURL = "{SITE_URL}"
RELATIVE_URLS = False
PATH = "content"
TIMEZONE = "Asia/Tokyo"
DEFAULT_LANG = "ja"
THEME = "theme"
DEFAULT_DATE_FORMAT = "%Y年%m月%d日"
DEFAULT_PAGINATION = {PER_PAGE}
PAGINATED_TEMPLATES = {{"index": None}}  # tag pages: full list, no pagination
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "page/{{number}}/", "page/{{number}}/index.html"),
)
ARTICLE_URL = "posts/{{slug}}/"
ARTICLE_SAVE_AS = "posts/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
DIRECT_TEMPLATES = ["index", "tags", "archives"]
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
PAGE_PATHS = []
STATIC_PATHS = []
SLUGIFY_USE_UNICODE = True  # keep Japanese tag names in tag URLs
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = {FEED_ITEMS}
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.toc": {{}},
        "markdown.extensions.meta": {{}},
    }},
    "output_format": "html5",
}}
import os
CACHE_CONTENT = os.environ.get("PELICAN_CACHE") == "1"
LOAD_CONTENT_CACHE = CACHE_CONTENT
CACHE_PATH = "cache"
'''

PELICAN_TEMPLATES = {
    "base.html": HEAD.replace("{TITLE}", "{% block title %}{{ SITENAME }}{% endblock %}")
    + "{% block content %}{% endblock %}\n" + FOOT,
    "article.html": '''{% extends "base.html" %}
{% block title %}{{ article.title }}{% endblock %}
{% block content %}
<article>
<h1>{{ article.title }}</h1>
<p class="meta"><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time> {{ article.author }} {{ article.category }}</p>
<ul class="tags">{% for tag in article.tags %}<li><a href="/{{ tag.url }}">{{ tag }}</a></li>{% endfor %}</ul>
{{ article.content }}
</article>
{% endblock %}
''',
    "index.html": '''{% extends "base.html" %}
{% block title %}活動報告 一覧{% endblock %}
{% block content %}
{% for article in articles_page.object_list %}
<article>
<h2><a href="/{{ article.url }}">{{ article.title }}</a></h2>
<p class="meta"><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></p>
<div class="summary">{{ article.summary }}</div>
<ul class="tags">{% for tag in article.tags %}<li><a href="/{{ tag.url }}">{{ tag }}</a></li>{% endfor %}</ul>
</article>
{% endfor %}
<nav class="pagination">{% if articles_page.has_previous() %}<a href="/{{ articles_previous_page.url }}">前へ</a>{% endif %}
{{ articles_page.number }} / {{ articles_paginator.num_pages }}
{% if articles_page.has_next() %}<a href="/{{ articles_next_page.url }}">次へ</a>{% endif %}</nav>
{% endblock %}
''',
    "tag.html": '''{% extends "base.html" %}
{% block title %}タグ: {{ tag }}{% endblock %}
{% block content %}
<h1>タグ: {{ tag }}</h1>
<p>{{ articles|count }}件</p>
<ul>{% for article in articles %}<li><a href="/{{ article.url }}">{{ article.title }}</a> <time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time></li>
{% endfor %}</ul>
{% endblock %}
''',
    "tags.html": '''{% extends "base.html" %}
{% block title %}タグ一覧{% endblock %}
{% block content %}
<h1>タグ一覧</h1>
<ul>{% for tag, articles in tags|sort %}<li><a href="/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>
{% endblock %}
''',
    "archives.html": '''{% extends "base.html" %}
{% block title %}アーカイブ{% endblock %}
{% block content %}
<h1>アーカイブ</h1>
<ul>{% for article in dates %}<li><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time> <a href="/{{ article.url }}">{{ article.title }}</a></li>
{% endfor %}</ul>
{% endblock %}
''',
}


def emit_pelican(posts: list[Post], root: Path) -> None:
    fresh(root)
    write(root / "pelicanconf.py", PELICAN_CONF)
    for name, text in PELICAN_TEMPLATES.items():
        write(root / "theme" / "templates" / name, text)
    (root / "theme" / "static").mkdir(parents=True)
    for p in posts:
        header = (f"Title: {p.title}\nDate: {p.date:%Y-%m-%d %H:%M}\nTags: {', '.join(p.tags)}\n"
                  f"Category: {p.category}\nAuthor: {p.author}\nSummary: {p.summary}\nSlug: {p.slug}\n\n")
        write(root / "content" / f"{p.slug}.md", header + p.body)


# ---------------------------------------------------------------- (c) hugo
HUGO_CONF = f'''\
baseURL = "{SITE_URL}/"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "{SITE_TITLE}"
hasCJKLanguage = true
paginate = {PER_PAGE}
disableKinds = ["section", "sitemap", "robotsTXT", "404", "RSS"]

[taxonomies]
  tag = "tags"

[permalinks]
  posts = "/posts/:slug/"

[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]

[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "feed"

[outputs]
  home = ["HTML", "Atom"]
  page = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML"]
'''

HUGO_TAGS = '<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>'
HUGO_DATE = '<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006年01月02日" }}</time>'
HUGO_TEMPLATES = {
    "_default/baseof.html": HEAD.replace("{TITLE}", "{{ block \"title\" . }}{{ .Title }}{{ end }}")
    + '{{ block "main" . }}{{ end }}\n' + FOOT,
    "_default/single.html": '''{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p class="meta">''' + HUGO_DATE + ''' {{ .Params.author }} {{ .Params.category }}</p>
''' + HUGO_TAGS + '''
{{ .Content }}
</article>
{{ end }}
''',
    "partials/posts.html": '''{{ return where site.RegularPages "Section" "posts" }}
''',
    "index.html": '''{{ define "title" }}活動報告 一覧{{ end }}
{{ define "main" }}
{{ $pager := .Paginate (partialCached "posts.html" . "posts") }}
{{ range $pager.Pages }}
<article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p class="meta">''' + HUGO_DATE + '''</p>
<div class="summary">{{ .Params.summary }}</div>
''' + HUGO_TAGS + '''
</article>
{{ end }}
<nav class="pagination">{{ with $pager.Prev }}<a href="{{ .URL }}">前へ</a>{{ end }}
{{ $pager.PageNumber }} / {{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">次へ</a>{{ end }}</nav>
{{ end }}
''',
    "_default/term.html": '''{{ define "title" }}タグ: {{ .Title }}{{ end }}
{{ define "main" }}
<h1>タグ: {{ .Title }}</h1>
<p>{{ len .Pages }}件</p>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ''' + HUGO_DATE + '''</li>
{{ end }}</ul>
{{ end }}
''',
    "_default/taxonomy.html": '''{{ define "title" }}タグ一覧{{ end }}
{{ define "main" }}
<h1>タグ一覧</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
''',
    "_default/archives.html": '''{{ define "title" }}アーカイブ{{ end }}
{{ define "main" }}
<h1>アーカイブ</h1>
<ul>{{ range (partialCached "posts.html" . "posts") }}<li>''' + HUGO_DATE + ''' <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
''',
    "index.atom.xml": '''{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
<title>''' + SITE_TITLE + '''</title>
<link href="{{ .Permalink }}"/>
<link rel="self" href="{{ .Permalink }}feed.xml"/>
<id>{{ .Permalink }}</id>
{{ $posts := first ''' + str(FEED_ITEMS) + ''' (partialCached "posts.html" . "posts") }}
<updated>{{ (index $posts 0).Date.Format "2006-01-02T15:04:05-07:00" }}</updated>
{{ range $posts }}<entry>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}"/>
<id>{{ .Permalink }}</id>
<updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</updated>
<author><name>{{ .Params.author }}</name></author>
<summary>{{ .Params.summary }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{ end }}</feed>
''',
}


# The filter pattern most Hugo themes use: `where` evaluated inside the paginated template.
# Hugo executes the home template once per pager, so this scans every page N/10 times.
HUGO_NAIVE_INDEX = HUGO_TEMPLATES["index.html"].replace(
    '(partialCached "posts.html" . "posts")', '(where site.RegularPages "Section" "posts")')


def emit_hugo(posts: list[Post], root: Path, naive: bool = False) -> None:
    fresh(root)
    write(root / "config.toml", HUGO_CONF)
    for name, text in HUGO_TEMPLATES.items():
        write(root / "layouts" / name, HUGO_NAIVE_INDEX if naive and name == "index.html" else text)
    write(root / "content" / "archives.md", '---\ntitle: "アーカイブ"\nlayout: archives\nurl: /archives/\n---\n')
    for p in posts:
        write(root / "content" / "posts" / f"{p.slug}.md",
              yaml_front(p, iso_date=True, extra=f"slug: {q(p.slug)}\n") + p.body)


# ---------------------------------------------------------------- (d) eleventy
ELEVENTY_CONF = '''\
// Minimal Eleventy 3 configuration for the benchmark corpus.
const jpDate = (d) => `${d.getFullYear()}年${String(d.getMonth() + 1).padStart(2, "0")}月${String(d.getDate()).padStart(2, "0")}日`;

export default function (eleventyConfig) {
  const posts = (api) => api.getFilteredByGlob("./posts/*.md").slice().sort((a, b) => b.date - a.date);
  eleventyConfig.addCollection("post", posts);
  eleventyConfig.addCollection("tagList", (api) => {
    const seen = new Set();
    for (const p of posts(api)) for (const t of p.data.tags || []) seen.add(t);
    return [...seen].sort();
  });
  eleventyConfig.addCollection("postsByTag", (api) => {
    const byTag = {};
    for (const p of posts(api)) for (const t of p.data.tags || []) (byTag[t] ||= []).push(p);
    return byTag;
  });
  eleventyConfig.addFilter("jpDate", jpDate);
  eleventyConfig.addFilter("iso", (d) => d.toISOString());
  return {
    dir: { input: ".", includes: "_includes", output: "_site" },
    markdownTemplateEngine: false, // plain Markdown, as the other peers read it
    htmlTemplateEngine: "njk",
    templateFormats: ["md", "njk"],
  };
}
'''
ELEVENTY_TAGS = '<ul class="tags">{% for t in post.data.tags %}<li><a href="/tags/{{ t }}/">{{ t }}</a></li>{% endfor %}</ul>'
ELEVENTY_FILES = {
    "_includes/base.njk": HEAD.replace("{TITLE}", "{{ title }}") + "{{ content | safe }}\n" + FOOT,
    "_includes/post.njk": '''---
layout: base.njk
---
<article>
<h1>{{ title }}</h1>
<p class="meta"><time datetime="{{ page.date | iso }}">{{ page.date | jpDate }}</time> {{ author }} {{ category }}</p>
<ul class="tags">{% for t in tags %}<li><a href="/tags/{{ t }}/">{{ t }}</a></li>{% endfor %}</ul>
{{ content | safe }}
</article>
''',
    "posts/posts.json": '{ "layout": "post.njk" }\n',
    "index.njk": '''---
layout: base.njk
title: 活動報告 一覧
pagination:
  data: collections.post
  size: ''' + str(PER_PAGE) + '''
  alias: posts
permalink: "{% if pagination.pageNumber > 0 %}/page/{{ pagination.pageNumber + 1 }}/{% else %}/{% endif %}"
---
{% for post in posts %}
<article>
<h2><a href="{{ post.url }}">{{ post.data.title }}</a></h2>
<p class="meta"><time datetime="{{ post.date | iso }}">{{ post.date | jpDate }}</time></p>
<div class="summary">{{ post.data.summary }}</div>
''' + ELEVENTY_TAGS + '''
</article>
{% endfor %}
<nav class="pagination">{% if pagination.href.previous %}<a href="{{ pagination.href.previous }}">前へ</a>{% endif %}
{{ pagination.pageNumber + 1 }} / {{ pagination.pages.length }}
{% if pagination.href.next %}<a href="{{ pagination.href.next }}">次へ</a>{% endif %}</nav>
''',
    "tag.njk": '''---
layout: base.njk
pagination:
  data: collections.tagList
  size: 1
  alias: tag
permalink: "/tags/{{ tag }}/"
eleventyComputed:
  title: "タグ: {{ tag }}"
---
<h1>タグ: {{ tag }}</h1>
<p>{{ collections.postsByTag[tag].length }}件</p>
<ul>{% for post in collections.postsByTag[tag] %}<li><a href="{{ post.url }}">{{ post.data.title }}</a> <time datetime="{{ post.date | iso }}">{{ post.date | jpDate }}</time></li>
{% endfor %}</ul>
''',
    "tags.njk": '''---
layout: base.njk
title: タグ一覧
permalink: /tags/
---
<h1>タグ一覧</h1>
<ul>{% for tag in collections.tagList %}<li><a href="/tags/{{ tag }}/">{{ tag }}</a> ({{ collections.postsByTag[tag].length }})</li>
{% endfor %}</ul>
''',
    "archives.njk": '''---
layout: base.njk
title: アーカイブ
permalink: /archives/
---
<h1>アーカイブ</h1>
<ul>{% for post in collections.post %}<li><time datetime="{{ post.date | iso }}">{{ post.date | jpDate }}</time> <a href="{{ post.url }}">{{ post.data.title }}</a></li>
{% endfor %}</ul>
''',
    "feed.njk": '''---
permalink: /feed.xml
eleventyExcludeFromCollections: true
eleventyImport:
  collections: ["post"]
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
<title>''' + SITE_TITLE + '''</title>
<link href="''' + SITE_URL + '''/"/>
<link rel="self" href="''' + SITE_URL + '''/feed.xml"/>
<id>''' + SITE_URL + '''/</id>
<updated>{{ collections.post[0].date | iso }}</updated>
{% for post in collections.post | batch(''' + str(FEED_ITEMS) + ''') | first %}<entry>
<title>{{ post.data.title }}</title>
<link href="''' + SITE_URL + '''{{ post.url }}"/>
<id>''' + SITE_URL + '''{{ post.url }}</id>
<updated>{{ post.date | iso }}</updated>
<author><name>{{ post.data.author }}</name></author>
<summary>{{ post.data.summary }}</summary>
<content type="html">{{ post.content }}</content>
</entry>
{% endfor %}</feed>
''',
}


def emit_eleventy(posts: list[Post], root: Path) -> None:
    fresh(root)
    write(root / "eleventy.config.mjs", ELEVENTY_CONF)
    for name, text in ELEVENTY_FILES.items():
        write(root / name, text)
    for p in posts:
        write(root / "posts" / f"{p.slug}.md", yaml_front(p, iso_date=True) + p.body)


# ---------------------------------------------------------------- (e) jekyll
JEKYLL_CONF = f'''\
title: "{SITE_TITLE}"
url: "{SITE_URL}"
lang: ja
timezone: Asia/Tokyo
markdown: kramdown
permalink: /posts/:slug/
excerpt_separator: ""   # summaries come from front matter; no per-post excerpt rendering
paginate: {PER_PAGE}
paginate_path: "/page/:num/"
plugins:
  - jekyll-paginate
  - jekyll-archives
jekyll-archives:
  enabled: [tags]
  layout: tag
  permalinks:
    tag: "/tags/:name/"
'''
JEKYLL_TAGS = '<ul class="tags">{% for t in post.tags %}<li><a href="/tags/{{ t | slugify }}/">{{ t }}</a></li>{% endfor %}</ul>'
JEKYLL_DATE = '<time datetime="{{ post.date | date_to_xmlschema }}">{{ post.date | date: "%Y年%m月%d日" }}</time>'
JEKYLL_FILES = {
    "_layouts/default.html": HEAD.replace("{TITLE}", "{{ page.title }}") + "{{ content }}\n" + FOOT,
    "_layouts/post.html": '''---
layout: default
---
{% assign post = page %}<article>
<h1>{{ page.title }}</h1>
<p class="meta">''' + JEKYLL_DATE + ''' {{ page.author }} {{ page.category }}</p>
''' + JEKYLL_TAGS + '''
{{ content }}
</article>
''',
    "_layouts/tag.html": '''---
layout: default
---
<h1>タグ: {{ page.title }}</h1>
<p>{{ page.posts.size }}件</p>
<ul>{% for post in page.posts %}<li><a href="{{ post.url }}">{{ post.title }}</a> ''' + JEKYLL_DATE + '''</li>
{% endfor %}</ul>
''',
    "index.html": '''---
layout: default
title: 活動報告 一覧
---
{% for post in paginator.posts %}
<article>
<h2><a href="{{ post.url }}">{{ post.title }}</a></h2>
<p class="meta">''' + JEKYLL_DATE + '''</p>
<div class="summary">{{ post.summary }}</div>
''' + JEKYLL_TAGS + '''
</article>
{% endfor %}
<nav class="pagination">{% if paginator.previous_page %}<a href="{{ paginator.previous_page_path }}">前へ</a>{% endif %}
{{ paginator.page }} / {{ paginator.total_pages }}
{% if paginator.next_page %}<a href="{{ paginator.next_page_path }}">次へ</a>{% endif %}</nav>
''',
    "tags/index.html": '''---
layout: default
title: タグ一覧
---
<h1>タグ一覧</h1>
{% assign names = site.tags | sort %}<ul>{% for tag in names %}<li><a href="/tags/{{ tag[0] | slugify }}/">{{ tag[0] }}</a> ({{ tag[1].size }})</li>
{% endfor %}</ul>
''',
    "archives/index.html": '''---
layout: default
title: アーカイブ
---
<h1>アーカイブ</h1>
<ul>{% for post in site.posts %}<li>''' + JEKYLL_DATE + ''' <a href="{{ post.url }}">{{ post.title }}</a></li>
{% endfor %}</ul>
''',
    "feed.xml": '''---
layout: null
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">
<title>{{ site.title | xml_escape }}</title>
<link href="{{ site.url }}/"/>
<link rel="self" href="{{ site.url }}/feed.xml"/>
<id>{{ site.url }}/</id>
<updated>{{ site.posts.first.date | date_to_xmlschema }}</updated>
{% for post in site.posts limit:''' + str(FEED_ITEMS) + ''' %}<entry>
<title>{{ post.title | xml_escape }}</title>
<link href="{{ site.url }}{{ post.url }}"/>
<id>{{ site.url }}{{ post.url }}</id>
<updated>{{ post.date | date_to_xmlschema }}</updated>
<author><name>{{ post.author | xml_escape }}</name></author>
<summary>{{ post.summary | xml_escape }}</summary>
<content type="html">{{ post.content | xml_escape }}</content>
</entry>
{% endfor %}</feed>
''',
}


def emit_jekyll(posts: list[Post], root: Path) -> None:
    fresh(root)
    write(root / "_config.yml", JEKYLL_CONF)
    for name, text in JEKYLL_FILES.items():
        write(root / name, text)
    for p in posts:
        write(root / "_posts" / f"{p.slug}.md",
              yaml_front(p, iso_date=True, extra=f"slug: {q(p.slug)}\nlayout: post\n") + p.body)


EMITTERS = {"neutral": emit_neutral,
            "katsudo": lambda posts, root: emit_neutral(posts, root, search=False),
            "katsudo-search": lambda posts, root: emit_neutral(posts, root, search=True),
            "pelican": emit_pelican, "hugo": emit_hugo,
            "hugo-naive": lambda posts, root: emit_hugo(posts, root, naive=True),
            "eleventy": emit_eleventy, "jekyll": emit_jekyll}


def manifest(posts: list[Post], seed: int) -> dict:
    tags = sorted({t for p in posts for t in p.tags})
    pages = math.ceil(len(posts) / PER_PAGE)
    bodies = [len(p.body) for p in posts]
    return {
        "n": len(posts), "seed": seed, "tags": len(tags), "index_pages": pages,
        "expected_html_pages": len(posts) + pages + len(tags) + 2,  # + tag index + archive
        "feed_items": min(FEED_ITEMS, len(posts)),
        "body_chars": {"min": min(bodies), "max": max(bodies), "mean": round(sum(bodies) / len(bodies))},
        "posts_with_image": sum("](photo.jpg)" in p.body for p in posts),
        "categories": {c: sum(p.category == c for p in posts) for c, _ in CATEGORY_WEIGHTS},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="number of posts")
    ap.add_argument("--seed", type=int, default=20240401)
    ap.add_argument("--no-photos", action="store_true", help="drop the ![...](photo.jpg) lines in every layout")
    ap.add_argument("--layout", default="all", help="one of " + ", ".join([*EMITTERS, "all"]) + " or a comma-separated list")
    ap.add_argument("--out", type=Path, required=True,
                    help="output folder; each layout goes to OUT/<layout>/")
    args = ap.parse_args()
    posts = make_posts(args.n, args.seed, photos=not args.no_photos)
    layouts = list(EMITTERS) if args.layout == "all" else args.layout.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in layouts:
        EMITTERS[name](posts, args.out / name)
    info = manifest(posts, args.seed)
    write(args.out / "manifest.json", json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(info, ensure_ascii=False))


if __name__ == "__main__":
    main()
