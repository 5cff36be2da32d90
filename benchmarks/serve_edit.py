#!/usr/bin/env python3
"""Time a saved edit inside `katsudo serve`: the rebuild its watcher runs after a save.

Starts a preview session on SITE (as `katsudo serve` does: an in-memory build cache, no search
index), builds once, then edits one post (RUNS + 1 times, the first a warm-up) and times each
rebuild, from the watcher's call to the rebuilt folder. The watcher's debounce (0.12 s of quiet
after the last file event) and the browser's reload come on top. Prints one JSON object.

    python3 benchmarks/serve_edit.py SITE OUT --runs 3 [--now '2026-01-01 00:00']
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.report import Reporter  # noqa: E402
from generator.watch import PreviewSession  # noqa: E402


def stamps(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--now", default="2026-01-01 00:00")
    args = ap.parse_args()
    now = datetime.fromisoformat(args.now).replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    session = PreviewSession(args.site, args.out, lambda: now, Reporter(quiet=True))
    started = time.perf_counter()
    first = session.rebuild()
    if not first.ok:
        raise SystemExit("\n".join(first.errors))
    first_seconds = time.perf_counter() - started
    posts = sorted((args.site / "content" / "posts").glob("*.md"))
    victim = posts[len(posts) // 2]  # the same post bench.py edits through the CLI
    original = victim.read_text(encoding="utf-8")
    walls, rendered, rewritten = [], [], []
    try:
        for run in range(args.runs + 1):
            victim.write_text(original.rstrip("\n") + f"\n\n追記{run}：当日の資料を掲載しました。\n", encoding="utf-8")
            before = stamps(args.out)
            os.sync()  # (the last build's writes are flushed before, not during, the timed one)
            result = session.rebuild({victim})
            if not result.ok:
                raise SystemExit("\n".join(result.errors))
            if run:
                walls.append(result.seconds)
                rendered.append(result.pages)
                after = stamps(args.out)
                rewritten.append(sum(1 for name, stamp in after.items() if before.get(name) != stamp))
    finally:
        victim.write_text(original, encoding="utf-8")
        session.close()
    print(json.dumps({"first_build": first_seconds, "walls": walls, "rendered": statistics.median(rendered),
                      "rewritten": statistics.median(rewritten)}))


if __name__ == "__main__":
    main()
