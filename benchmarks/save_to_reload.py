#!/usr/bin/env python3
"""Save → reloaded page in a real browser: what an editor waits for in `katsudo serve`.

Starts `python -m generator serve` on SITE, opens the middle post in headless Chromium (Debian's
/usr/bin/chromium), then RUNS times appends a sentence to that post's text (an atomic save, as
editors do) and times from the save until the open page shows the sentence — the watcher's
debounce, the rebuild, the live-reload event and the browser's reload, all included.

    python3 benchmarks/save_to_reload.py SITE --runs 5 [--now '2026-01-01 00:00']
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from browsing import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

sys.path.insert(0, str(HERE.parent))
from generator.config import load_config  # noqa: E402
from generator.posts import load_post  # noqa: E402
from generator.sources import discover  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--now", default="2026-01-01 00:00")
    args = ap.parse_args()
    site = args.site.resolve()
    config = load_config(site)
    sources = sorted((s for s in discover(config.content_dir).sources if s.kind == "post"), key=lambda s: s.path)
    source = sources[len(sources) // 2]
    post, _ = load_post(config, source)
    slug = post.slug
    original = source.path.read_text(encoding="utf-8")

    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "-s", str(site), "--port", "0"],
                              cwd=HERE.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "KATSUDO_NOW": args.now, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    threading.Thread(target=lambda: [lines.append(line) for line in server.stdout], daemon=True).start()
    walls: list[float] = []
    try:
        deadline = time.monotonic() + 600
        while not any(line.startswith("previewing at ") for line in lines):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("serve did not start:\n" + "".join(lines))
            time.sleep(0.1)
        url = next(line for line in lines if line.startswith("previewing at ")).split()[2]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url.rstrip("/") + f"/posts/{slug}/")
            page.wait_for_function("() => window.__katsudoLive !== undefined || document.readyState === 'complete'")
            time.sleep(1.0)  # the live-reload stream connects
            for run in range(args.runs + 1):  # the first is a warm-up
                sentence = f"保存{run}回目の追記です。"
                temporary = source.path.with_name(f".{source.path.name}.tmp-save")
                temporary.write_text(original.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")
                started = time.perf_counter()
                os.replace(temporary, source.path)
                page.wait_for_function(f"() => document.body && document.body.innerText.includes({json.dumps(sentence)})",
                                       timeout=60_000)
                if run:
                    walls.append(time.perf_counter() - started)
                time.sleep(0.5)
            browser.close()
    finally:
        source.path.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({"site": str(site), "post": slug, "walls": walls, "median": statistics.median(walls)}))


if __name__ == "__main__":
    main()
