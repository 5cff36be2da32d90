"""Exactness as a property: after any sequence of edits, the incremental builds equal a clean one.

A hypothesis state machine edits a site of 50 posts (tests/sitegen.py) as editors do — body
text, headings, footnotes, links between posts, front matter, dates across the fiscal year's
turn, drafts, future posts coming due as the clock moves, events, series, photos, new and
deleted posts and pages, a template override, a UI string, site.yaml — and after each step
builds it three ways:

- `katsudo build -j 1` (generator.cli.main, through click): the cache and the model store on disk
  in SITE/.katsudo-cache, so a text edit takes the store's patch (patch.apply_stored) and an
  unchanged site the no-op check;
- katsudo serve's session (watch.PreviewSession): one in-memory cache across the steps, and the
  paths the watcher would report, so a text edit takes the in-memory patch (patch.apply);
- `katsudo build --no-cache -j 1` into an empty folder: the reference.

(One process: forking workers from this test's process costs more than the 150 pages they
would share, and tests/test_cache.py holds builds with several jobs equal to one.)

Every file of the two incremental outputs must be byte-identical to the reference.

The cache distrusts a file modified within cache.RACY_NS of the start of the build that
recorded it. Here the clock is ours: every file written gets a modification time from a
virtual clock, and generator.build's `time.time_ns` reads the same clock, a few seconds after
the edits. It runs a day ahead of the real one, so that the default theme's files (inputs too,
in the repository, as new as the last checkout) are older than any build's start. So the patch
and no-op paths run as they do for an editor who saves and builds a few seconds later (the
test asserts that they ran), and one rule edits within the window and rewrites the file with
the very same stamp, which the next build must still notice.

The default (a few sequences of ten steps, the same ones every run) keeps it within a minute
for CI. KATSUDO_PROPERTY_EXAMPLES=100 for a longer hunt. A failure prints its steps as they
ran, unshrunk (shrinking takes a build per try: many minutes); KATSUDO_PROPERTY_SHRINK=1 shrinks
them to the fewest steps that still fail.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

import generator.build
import generator.cli
import generator.watch
from generator.report import Reporter
from generator.watch import PreviewSession
from sitegen import AUTHORS, CATEGORIES, HEADINGS, SENTENCES, SERIES, TAGS, TITLES, PageSpec, PostSpec, many_posts

EXAMPLES = int(os.environ.get("KATSUDO_PROPERTY_EXAMPLES", "4"))
STEPS = 10
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("KATSUDO_PROPERTY_SHRINK") else [])
SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck), print_blob=False, phases=PHASES)
SECOND = 1_000_000_000
SETTLED = 3 * SECOND  # from the edits to the build: outside the racy window
RACY = SECOND  # from the edits to the build: inside it

pick = st.integers(0, 10_000)  # a post or page, by its place in the sorted names


class Clock:
    """The time files are stamped with and builds start at (generator.build's time.time_ns)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ns = time.time_ns() + 86_400 * SECOND  # (after the theme's files, however new)
        self.build_start = self.ns

    def time_ns(self) -> int:
        self.build_start += 1_000_000  # (a real clock moves between two readings)
        return self.build_start


class VirtualTime:
    """The time module as generator.build sees it: real but for time_ns."""

    def __init__(self, clock: Clock) -> None:
        self.time_ns = clock.time_ns

    def __getattr__(self, name: str):
        return getattr(time, name)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(got: dict[str, bytes], want: dict[str, bytes]) -> str:
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    differing = sorted(name for name in want.keys() & got.keys() if got[name] != want[name])
    if not (missing or extra or differing):
        return ""
    lines = [f"missing {missing[:5]}", f"extra {extra[:5]}", f"differing {differing[:5]}"]
    if differing:
        import difflib

        name = differing[0]
        lines += difflib.unified_diff(want[name].decode(errors="replace").splitlines(),
                                      got[name].decode(errors="replace").splitlines(),
                                      f"clean/{name}", f"incremental/{name}", n=1, lineterm="")
    return "\n".join(lines[:60])


class Editing(RuleBasedStateMachine):
    template: Path  # the site as many_posts writes it, copied for each example
    workspace: Path
    stats: Counter
    clock: Clock  # generator.build's

    def __init__(self) -> None:
        super().__init__()
        self.folder = self.workspace / f"example-{self.stats['examples']}"
        self.stats["examples"] += 1
        self.root = self.folder / "site"
        shutil.copytree(self.template, self.root)
        self.spec = many_posts(self.root)
        self.clock.reset()
        for path in self.root.rglob("*"):
            os.utime(path, ns=(self.clock.ns, self.clock.ns))
        self.changed: set[Path] = set()
        self.served = False
        self.session = PreviewSession(self.root, self.folder / "serve" / "site", lambda: self.spec.now,
                                      Reporter(quiet=True))
        self.settle = SETTLED

    def teardown(self) -> None:
        self.session.close()
        gc.unfreeze()  # (the session freezes the model after each whole build)
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- Writing, as an editor saves ------------------------------------------------------

    def stamp(self, paths) -> None:
        for path in paths:
            path = Path(path)
            if not path.is_absolute():
                path = self.root / path
            if path.exists():
                os.utime(path, ns=(self.clock.ns, self.clock.ns))
            self.changed.add(path)

    def save(self, *documents) -> None:
        for document in documents:
            if isinstance(document, PostSpec):
                self.stamp(self.spec.write_post(document))
            else:
                self.stamp([self.spec.write(document.rel(), self.spec.page_text(document))])

    def save_rels(self, rels) -> None:
        by_rel = {d.rel(): d for d in [*self.spec.posts.values(), *self.spec.pages.values()]}
        self.save(*(by_rel[rel] for rel in sorted(rels)))

    def post(self, number: int) -> PostSpec:
        names = sorted(self.spec.posts)
        return self.spec.posts[names[number % len(names)]]

    def unpublish(self, post: PostSpec) -> None:
        """`post` is no longer published: an editor removes the links to it."""
        if not post.published(self.spec.now):
            self.save_rels(self.spec.unlink(post.name))

    # --- Building three ways --------------------------------------------------------------

    def cli(self, *args: str):
        """`katsudo build` (through click, as the console script runs it); its BuildResult."""
        results = []
        real = generator.build.build  # (what build_command imports when it runs)

        def spy(*arguments, **keywords):
            results.append(real(*arguments, **keywords))
            return results[-1]

        generator.build.build = spy
        try:
            run = CliRunner().invoke(generator.cli.main, ["build", "-s", str(self.root), "-q", "-j", "1", *args],
                                     env={"KATSUDO_NOW": self.spec.now.isoformat()}, catch_exceptions=False)
        finally:
            generator.build.build = real
        assert run.exit_code == 0, run.stderr
        return results[0]

    @invariant()
    def same_as_a_clean_build(self) -> None:
        self.clock.build_start = self.clock.ns + self.settle
        clean = self.folder / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        self.cli("--no-cache", "-o", str(clean))
        want = tree(clean)
        result = self.cli()
        kind = "patch" if "patch" in result.timings else "no-op" if set(result.timings) == {"config"} else "whole"
        self.stats[f"cli {kind}"] += 1
        problem = differences(tree(self.root / "public"), want)
        assert not problem, f"katsudo build ({kind}) differs from a clean build:\n{problem}"
        # The preview rebuilds when the watcher reports a change (not when only the clock moves).
        if self.changed or not self.served:
            real, results = generator.watch.build, []
            generator.watch.build = lambda *a, **k: results.append(real(*a, **k)) or results[-1]
            try:
                rebuilt = self.session.rebuild(set(self.changed) if self.served else None)
            finally:
                generator.watch.build = real
            assert rebuilt.ok, rebuilt.errors
            self.served = True
            kind = "patch" if "patch" in results[-1].timings else "whole"
            self.stats[f"serve {kind}"] += 1
            problem = differences(tree(self.session.out), want)
            assert not problem, f"katsudo serve ({kind}) differs from a clean build:\n{problem}"
        self.stats["steps"] += 1
        self.changed.clear()
        self.clock.ns = self.clock.build_start + 2 * SECOND
        self.settle = SETTLED

    # --- Body text ----------------------------------------------------------------------

    @rule(number=pick, sentence=st.sampled_from(SENTENCES), where=st.integers(0, 3))
    def add_paragraph(self, number, sentence, where):
        post = self.post(number)
        post.blocks.insert(min(where, len(post.blocks)), ("p", sentence))
        self.save(post)

    @rule(number=pick, heading=st.sampled_from(HEADINGS), remove=st.booleans())
    def heading(self, number, heading, remove):
        post = self.post(number)
        headings = [i for i, b in enumerate(post.blocks) if b[0] == "h"]
        if remove and headings:
            del post.blocks[headings[-1]]
        else:
            post.blocks += [("h", heading), ("p", SENTENCES[len(post.blocks) % len(SENTENCES)])]
        self.save(post)

    @rule(number=pick, note=st.sampled_from(["注：資料による。", "注：速報値です。"]), remove=st.booleans())
    def footnote(self, number, note, remove):
        post = self.post(number)
        notes = [i for i, b in enumerate(post.blocks) if b[0] == "fn"]
        if remove and notes:
            del post.blocks[notes[0]]
        else:
            post.blocks.insert(1, ("fn", "数字は事務局の集計です。", note))
        self.save(post)

    @rule(number=pick, to=pick, anchor=st.booleans(), remove=st.booleans())
    def link(self, number, to, anchor, remove):
        post = self.post(number)
        links = [i for i, b in enumerate(post.blocks) if b[0] == "link"]
        linkable = [name for name in self.spec.linkable() if name != post.name]
        if remove and links:
            del post.blocks[links[0]]
        else:
            post.blocks.append(("link", linkable[to % len(linkable)], HEADINGS[0] if anchor else None))
        self.save(post)

    @rule(numbers=st.lists(pick, min_size=2, max_size=4), sentence=st.sampled_from(SENTENCES))
    def several_posts_at_once(self, numbers, sentence):
        posts = {id(p): p for p in map(self.post, numbers)}.values()
        for post in posts:
            post.blocks.append(("p", sentence))
        self.save(*posts)

    @rule(number=pick)
    def saved_unchanged(self, number):
        self.save(self.post(number))

    @rule(number=pick, first=st.sampled_from("ABC"), second=st.sampled_from("XYZ"))
    def racy_rewrite(self, number, first, second):
        """Saved a second before a build, then again after it with the same size, time and
        inode (a coarse clock): the next build must not trust the stamp."""
        post = self.post(number)
        post.blocks.append(("p", f"投票の結果は{first}案でした。"))
        self.save(post)
        stamp = self.clock.ns
        self.settle = RACY
        self.same_as_a_clean_build()
        later, self.clock.ns = self.clock.ns, stamp
        post.blocks[-1] = ("p", f"投票の結果は{second}案でした。")
        path = self.root / post.rel()
        before = path.stat()
        self.stamp(self.spec.write_post(post))
        after = path.stat()
        assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
        self.clock.ns = later

    # --- Front matter -------------------------------------------------------------------

    @rule(number=pick, title=st.sampled_from(TITLES))
    def title(self, number, title):
        post = self.post(number)
        post.title = f"{title}（改）"
        self.save(post)

    @rule(number=pick, tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
    def tags(self, number, tags):
        post = self.post(number)
        post.tags = tags
        self.save(post)

    @rule(number=pick, category=st.sampled_from([None, *CATEGORIES]))
    def category(self, number, category):
        post = self.post(number)
        post.category = category
        self.save(post)

    @rule(number=pick, summary=st.sampled_from([None, "要約を書き直しました。", "短い要約です。"]),
          author=st.sampled_from(AUTHORS))
    def summary_and_author(self, number, summary, author):
        post = self.post(number)
        post.summary, post.author = summary, author
        self.save(post)

    @rule(number=pick, year=st.sampled_from([2024, 2025, 2026]), april=st.booleans(), future=st.booleans())
    def date(self, number, year, april, future):
        """Moved across a fiscal year's first day (31 March / 1 April), or into the future."""
        post = self.post(number)
        if future:
            post.date = self.spec.now + timedelta(hours=3 + year % 7 * 11)
        else:
            post.date = post.date.replace(year=year, month=4 if april else 3, day=1 if april else 31)
        self.save(post)
        self.unpublish(post)

    @rule(number=pick)
    def toggle_draft(self, number):
        post = self.post(number)
        post.draft = not post.draft
        self.save(post)
        self.unpublish(post)

    @rule(hours=st.sampled_from([1, 6, 20, 49]))
    def clock_moves(self, hours):
        """Nothing is saved; the build is later: future posts come due, events end."""
        self.spec.now += timedelta(hours=hours)

    @rule(number=pick, start=st.integers(-48, 120), hours=st.sampled_from([None, 2, 30]), remove=st.booleans())
    def event(self, number, start, hours, remove):
        post = self.post(number)
        begin = (self.spec.now + timedelta(hours=start)).replace(minute=30)
        post.event = None if remove else (begin, begin + timedelta(hours=hours) if hours else None)
        self.save(post)

    @rule(number=pick, series=st.sampled_from([None, *SERIES]), order=st.sampled_from([None, 1, 2, 5]))
    def series(self, number, series, order):
        post = self.post(number)
        post.series, post.series_order = series, order if series else None
        self.save(post)

    # --- Files: photos, posts, pages --------------------------------------------------------

    @rule(number=pick, seed=st.integers(0, 30), remove=st.booleans())
    def photo(self, number, seed, remove):
        folders = [p for p in self.spec.posts.values() if p.folder]
        post = folders[number % len(folders)]
        shown = [b[1] for b in post.blocks if b[0] == "img"]
        if remove and shown:
            post.blocks = [b for b in post.blocks if b != ("img", shown[0])]
            del post.photos[shown[0]]
        else:
            name = f"added{seed}.png"
            post.photos[name] = seed
            if ("img", name) not in post.blocks:
                post.blocks.append(("img", name))
        self.save(post)

    @rule(days=st.integers(-900, 3), folder=st.booleans(), link=st.booleans(), title=st.sampled_from(TITLES))
    def new_post(self, days, folder, link, title):
        date = self.spec.now + timedelta(days=days, hours=-1)
        post = PostSpec(self.spec.new_name(date, folder), f"{title}（新）", date, folder=folder, tags=[TAGS[days % 7]],
                        blocks=[("p", "新しい記事です。"), ("h", HEADINGS[0]), ("p", "本文です。")])
        if folder:
            post.photos = {"new.png": days % 31}
            post.blocks.append(("img", "new.png"))
        if link:
            linkable = self.spec.linkable()
            post.blocks.append(("link", linkable[days % len(linkable)], None))
        self.spec.posts[post.name] = post
        self.save(post)

    @precondition(lambda self: len(self.spec.posts) > 46)
    @rule(number=pick)
    def delete_post(self, number):
        name = self.post(number).name
        self.stamp(self.spec.remove_post(name))
        self.save_rels(self.spec.unlink(name))

    @rule(number=pick, weight=st.integers(1, 4), remove=st.booleans(), link=pick)
    def page(self, number, weight, remove, link):
        names = sorted(self.spec.pages)
        if remove and names:
            page = self.spec.pages.pop(names[number % len(names)])
            path = self.root / page.rel()
            path.unlink()
            self.stamp([path])
            return
        if number % 2 and names:
            page = self.spec.pages[names[number % len(names)]]
            page.weight = weight
            page.blocks.append(("p", "ページを更新しました。"))
        else:
            self.spec.serial += 1
            page = PageSpec(f"page{self.spec.serial}", f"新しいページ{self.spec.serial}", weight,
                            [("p", "新しいページです。")])
            self.spec.pages[page.name] = page
        linkable = self.spec.linkable()
        page.blocks.append(("link", linkable[link % len(linkable)], None))
        self.save(page)

    # --- Theme and site.yaml --------------------------------------------------------------

    @rule(variant=st.sampled_from([0, 1, 2, 3]))
    def template_override(self, variant):
        self.spec.partial = variant
        self.stamp([self.spec.write_partial()])

    @rule(key=st.sampled_from(["related_heading", "toc", "events_upcoming", "footnote_backlink"]),
          text=st.sampled_from([None, "ほかの記事", "もくじ"]))
    def ui_string(self, key, text):
        if text is None:
            self.spec.strings.pop(key, None)
        else:
            self.spec.strings[key] = text
        self.stamp([self.spec.write_strings()])

    @rule(per_page=st.sampled_from([3, 5, 8]), title=st.sampled_from(["みなと地域福祉推進委員会", "みなと福祉の会"]))
    def site_yaml(self, per_page, title):
        self.spec.per_page, self.spec.title = per_page, title
        self.stamp([self.spec.write("site.yaml", self.spec.site_yaml())])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("property") / "site"
    many_posts(root).write_all()
    return root


@pytest.fixture
def workspace(tmp_path) -> Iterator[Path]:
    """Where the examples are built: in memory when there is room (each step writes and removes
    three sites' folders, much of the test's time on a disk), else on disk."""
    memory = Path("/dev/shm")
    try:
        roomy = memory.is_dir() and os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 512 * 2**20
    except OSError:
        roomy = False
    if not roomy:
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="katsudo-property-", dir=memory))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_incremental_builds_equal_a_clean_build_after_any_edits(template, workspace, monkeypatch):
    stats: Counter = Counter()
    clock = Clock()
    monkeypatch.setattr(generator.build, "time", VirtualTime(clock))
    machine = type("Machine", (Editing,), {"template": template, "workspace": workspace, "stats": stats,
                                           "clock": clock})
    run_state_machine_as_test(machine, settings=SETTINGS)
    # A property that never reaches the fast paths proves nothing about them.
    steps = stats["steps"]
    assert stats["cli patch"] >= steps / 10, stats
    assert stats["cli no-op"] >= 1 and stats["serve patch"] >= steps / 10, stats
