#!/usr/bin/env python3
"""`make bench`: katsudo against Pelican, Hugo and Eleventy on the same synthetic corpus, in one run.

For each N, benchmarks/make_corpus.py writes the same N Japanese reports in each tool's layout
(without the photo lines, for every tool alike). Each build runs in a fresh child process, timed
from outside: wall time, user+sys CPU and the peak RSS of the largest process (getrusage of the
measuring child's children). Each tool gets one warm-up build and then RUNS measured builds,
interleaved (katsudo, Pelican, Hugo, katsudo, ...) so that the machine's drift is shared, each
into a new, empty output folder; for katsudo also without its build cache (a cold build).
Then, for katsudo alone, the rebuilds: nothing changed, one post edited, one post added, a
template changed — through the CLI, with the cache, end to end — and one post edited inside a
running `katsudo serve` (benchmarks/serve_edit.py).

Results go between the markers in BENCHMARKS.md; the text around them (the profiles) is kept.

    python3 benchmarks/bench.py --sizes 1000 --runs 1          # a quick look while developing
    python3 benchmarks/bench.py                                 # the full run (long)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PELICAN_VERSION = "4.12.0"
ELEVENTY_VERSION = "3.1.8"
NOW = "2026-01-01 00:00"  # KATSUDO_NOW: every post of the corpus (2015–2025) is published


# --- measuring one command --------------------------------------------------------------

def measure(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run `command` in a fresh child of a fresh Python, so RUSAGE_CHILDREN is that build's alone.
    The disk's dirty pages are flushed first: the writes of the tool that ran before (a cold
    build writes 20,000 files) are not flushed during this one's timing."""
    os.sync()
    probe = (
        "import json, resource, subprocess, sys, time\n"
        "args = json.loads(sys.argv[1])\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)\n"
        "wall = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'wall': wall, 'cpu': r.ru_utime + r.ru_stime, 'rss_kb': r.ru_maxrss,\n"
        "                  'rc': p.returncode, 'stdout': p.stdout[-4000:], 'stderr': p.stderr[-4000:]}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, json.dumps(command)], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})})
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"failed ({result['rc']}): {' '.join(command)}\n{result['stderr']}")
    return result


def count_pages(folder: Path) -> tuple[int, int]:
    """(HTML pages, feeds) in a built site."""
    html = sum(1 for p in folder.rglob("*.html"))
    feeds = sum(1 for p in folder.rglob("*.xml") if p.name in ("feed.xml", "atom.xml", "index.xml"))
    return html, feeds


# --- the tools ---------------------------------------------------------------------------

class Tool:
    name = ""
    version = ""

    def __init__(self, site: Path, work: Path):
        self.site, self.work = site, work

    def command(self, out: Path) -> list[str]:
        raise NotImplementedError

    def prepare(self, out: Path) -> None:
        shutil.rmtree(out, ignore_errors=True)

    def build(self, out: Path) -> dict:
        self.prepare(out)
        return measure(self.command(out), self.site, self.env())

    def env(self) -> dict:
        return {}


class Katsudo(Tool):
    name = "katsudo"

    def __init__(self, site: Path, work: Path, python: str, jobs: int | None = None):
        super().__init__(site, work)
        self.python, self.jobs = python, jobs
        # Byte-compiled, as pip installs a package (and as Pelican is, in its venv): this checkout is
        # an editable install, and an environment with PYTHONDONTWRITEBYTECODE would otherwise
        # compile every module from source at each run (a tenth of a second of each rebuild).
        subprocess.run([python, "-m", "compileall", "-q", str(REPO / "generator")], check=True, capture_output=True)
        self.version = subprocess.run([python, "-m", "generator", "--version"], capture_output=True,
                                      text=True).stdout.strip().split()[-1]

    def command(self, out: Path, *extra: str) -> list[str]:
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        return [self.python, "-m", "generator", "build", "-s", str(self.site), "-o", str(out), *jobs, *extra]

    def prepare(self, out: Path) -> None:
        super().prepare(out)
        shutil.rmtree(self.site / ".katsudo-cache", ignore_errors=True)  # cold: no build cache

    def env(self) -> dict:
        return {"KATSUDO_NOW": NOW}

    def rebuild(self, out: Path) -> dict:
        return measure(self.command(out, "-v"), self.site, self.env())


class Pelican(Tool):
    name = "Pelican"

    def __init__(self, site: Path, work: Path, venv: Path):
        super().__init__(site, work)
        self.venv = venv
        self.version = subprocess.run([str(venv / "bin" / "pelican"), "--version"], capture_output=True,
                                      text=True).stdout.strip()

    def command(self, out: Path) -> list[str]:
        return [str(self.venv / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-o", str(out), "-q"]


class Hugo(Tool):
    name = "Hugo"

    def __init__(self, site: Path, work: Path, binary: str):
        super().__init__(site, work)
        self.binary = binary
        text = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
        found = re.search(r"v(\d+\.\d+\.\d+)", text)
        self.version = found.group(1) if found else text.strip()

    def command(self, out: Path) -> list[str]:
        return [self.binary, "--source", str(self.site), "--destination", str(out), "--quiet"]


class Eleventy(Tool):
    name = "Eleventy"

    def __init__(self, site: Path, work: Path, binary: Path):
        super().__init__(site, work)
        self.binary = str(binary)
        text = subprocess.run([self.binary, "--version"], capture_output=True, text=True, cwd=site).stdout
        found = re.search(r"(\d+\.\d+\.\d+)", text)
        self.version = found.group(1) if found else text.strip()

    def command(self, out: Path) -> list[str]:
        return [self.binary, "--quiet", f"--output={out}"]


def eleventy_install(path: Path) -> Path | None:
    """Eleventy in its own npm folder (installed on first use); None without npm."""
    binary = path / "node_modules" / ".bin" / "eleventy"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        print(f"installing Eleventy {ELEVENTY_VERSION} into {path} ...", flush=True)
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(path), "--no-audit", "--no-fund", "--silent",
                        f"@11ty/eleventy@{ELEVENTY_VERSION}"], check=True)
    return binary


def pelican_venv(path: Path) -> Path:
    """A separate virtualenv with Pelican (created on first use; katsudo's own venv stays clean)."""
    if not (path / "bin" / "pelican").exists():
        print(f"creating {path} with Pelican {PELICAN_VERSION} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(path / "bin" / "pip"), "install", "-q", f"pelican=={PELICAN_VERSION}", "markdown"],
                       check=True)
    return path


# --- the runs ----------------------------------------------------------------------------

def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def clean_builds(tools: list[Tool], n: int, runs: int, work: Path, log) -> dict:
    results: dict[str, dict] = {}
    for tool in tools:  # one warm-up each (page cache, .pyc files, Hugo's module cache)
        tool.build(work / f"out-{tool.name}-warmup")
    samples: dict[str, list[dict]] = {tool.name: [] for tool in tools}
    for run in range(runs):
        for tool in tools:
            out = work / f"out-{tool.name}-{run}"
            samples[tool.name].append(tool.build(out))
            log(f"  N={n} {tool.name} run {run + 1}: {samples[tool.name][-1]['wall']:.2f} s")
    for tool in tools:
        pages, feeds = count_pages(work / f"out-{tool.name}-0")
        walls = [s["wall"] for s in samples[tool.name]]
        results[tool.name] = {"version": tool.version, "wall": summary(walls),
                              "cpu": summary([s["cpu"] for s in samples[tool.name]]),
                              "rss_mib": max(s["rss_kb"] for s in samples[tool.name]) / 1024,
                              "pages": pages, "feeds": feeds, "files": sum(1 for p in (work / f"out-{tool.name}-0").rglob("*") if p.is_file())}
        for run in range(runs):
            shutil.rmtree(work / f"out-{tool.name}-{run}", ignore_errors=True)
        shutil.rmtree(work / f"out-{tool.name}-warmup", ignore_errors=True)
    return results


def _changed_files(out: Path, before: dict[str, int]) -> int:
    after = {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    return sum(1 for name, stamp in after.items() if before.get(name) != stamp)


def _stamps(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def rebuilds(katsudo: Katsudo, n: int, runs: int, work: Path, log, results: dict, save) -> dict:
    """No-op, one post edited, one post added, a template changed: the CLI with its cache."""
    site, out = katsudo.site, work / "out-katsudo-rebuild"
    template = site / "templates" / "post.html"  # the site's own copy of the post template, edited below
    default_post = (REPO / "templates" / "post.html").read_text(encoding="utf-8")
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text(default_post, encoding="utf-8")
    katsudo.build(out)  # cold build: fills the cache and the output folder
    posts = sorted((site / "content" / "posts").glob("*.md"))
    victim = posts[len(posts) // 2]
    original = victim.read_text(encoding="utf-8")

    def timed(label: str, change, undo=None) -> None:
        walls, rewritten, rendered = [], [], []
        for run in range(runs + 1):  # the first is a warm-up of this kind of change
            change(run)
            before = _stamps(out)
            result = katsudo.rebuild(out)
            if run:
                walls.append(result["wall"])
                rewritten.append(_changed_files(out, before))
                found = re.search(r"(\d+) HTML pages rendered", result["stdout"])
                rendered.append(int(found.group(1)) if found else -1)
            if undo is not None:
                undo(run)
                katsudo.rebuild(out)
        results[label] = {"wall": summary(walls), "rewritten": statistics.median(rewritten),
                          "rendered": statistics.median(rendered)}
        log(f"  N={n} rebuild, {label}: {results[label]['wall']['median']:.3f} s, "
            f"{results[label]['rewritten']:.0f} files rewritten")
        save()

    timed("nothing changed", lambda run: None)
    timed("one post edited", lambda run: victim.write_text(
        original.rstrip("\n") + f"\n\n追記{run}：当日の資料を掲載しました。\n", encoding="utf-8"))
    victim.write_text(original, encoding="utf-8")
    katsudo.rebuild(out)
    added = site / "content" / "posts" / "2025-03-30-notice-99999.md"
    timed("one post added", lambda run: added.write_text(
        victim.read_text(encoding="utf-8").replace("title: \"", f"title: \"追加{run} ", 1), encoding="utf-8"),
          undo=lambda run: added.unlink())
    timed("post template changed", lambda run: template.write_text(
        default_post.replace("</article>", f"<!-- edit {run} --></article>", 1), encoding="utf-8"))
    shutil.rmtree(template.parent)
    shutil.rmtree(out, ignore_errors=True)
    serve_out = work / "out-katsudo-serve"
    done = subprocess.run([katsudo.python, str(HERE / "serve_edit.py"), str(site), str(serve_out), "--runs", str(runs),
                           "--now", NOW], capture_output=True, text=True)
    shutil.rmtree(serve_out, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"serve_edit.py failed: {done.stderr[-2000:]}")
    measured = json.loads(done.stdout)
    results[SERVE_EDIT] = {"wall": summary(measured["walls"]), "rewritten": measured["rewritten"],
                           "rendered": measured["rendered"]}
    log(f"  N={n} {SERVE_EDIT}: {results[SERVE_EDIT]['wall']['median']:.3f} s")
    save()
    return results


SERVE_EDIT = "one post edited, inside katsudo serve"


def search_builds(katsudo: Katsudo, runs: int, work: Path, log) -> dict:
    out = work / "out-katsudo-search"
    katsudo.build(out)  # warm-up
    walls = [katsudo.build(out)["wall"] for _ in range(runs)]
    noop = [katsudo.rebuild(out)["wall"] for _ in range(runs)]
    shutil.rmtree(out, ignore_errors=True)
    log(f"  with search: {statistics.median(walls):.2f} s cold, {statistics.median(noop):.3f} s no-op")
    return {"cold": summary(walls), "noop": summary(noop)}


# --- the report --------------------------------------------------------------------------

def machine() -> dict:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "memory": memory, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 0.995 else f"{seconds:.3f}"


def report(data: dict) -> str:
    m = data["machine"]
    lines = [START, "",
             f"Measured {data['date']} by `make bench` (`{data['command']}`).",
             f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory']}, {m['system']}, Python {m['python']}.",
             f"Load average (1 min) at the start {data['load'][0]:.2f}, at the end {data['load'][1]:.2f} "
             "(the machine is shared: compare the ratios, measured in the same run, not the seconds).",
             f"Median of {data['runs']} run(s) after 1 warm-up; each build in a new empty output folder, katsudo "
             "also without its build cache (cold). katsudo builds with search off (`search: false`: the peers "
             "build no search index; see below for the time with it) and `--jobs` = cores. The corpus has no "
             "photo lines for any tool (`make_corpus.py --no-photos`).", "",
             "### Cold builds", "",
             "| N | tool | version | wall median (s) | min–max (s) | ms/post | cpu (s) | peak RSS (MiB) | HTML pages (+ feeds) | peer ÷ katsudo, wall (cpu) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for n, tools in data["clean"].items():
        k, kc = tools["katsudo"]["wall"]["median"], tools["katsudo"]["cpu"]["median"]
        for name, r in tools.items():
            ratio = "—" if name == "katsudo" else f"{r['wall']['median'] / k:.2f}× ({r['cpu']['median'] / kc:.2f}×)"
            lines.append(f"| {int(n):,} | {name} | {r['version']} | {fmt(r['wall']['median'])} | "
                         f"{fmt(r['wall']['min'])}–{fmt(r['wall']['max'])} | {1000 * r['wall']['median'] / int(n):.2f} | "
                         f"{r['cpu']['median']:.2f} | {r['rss_mib']:.0f} | {r['pages']} (+{r['feeds']}) | {ratio} |")
    ms = {int(n): 1000 * t["katsudo"]["wall"]["median"] / int(n) for n, t in data["clean"].items()}
    lines += ["", "The last column is the peer's time divided by katsudo's: above 1, katsudo is faster; the "
              "figure in brackets divides CPU time (user + sys) instead, which the machine's load moves less."]
    if len(ms) > 1:
        low, high = min(ms), max(ms)
        lines += ["", f"katsudo ms/post at {high:,} ÷ at {low:,}: {ms[high] / ms[low]:.2f}."]
    if data.get("rebuilds"):
        lines += ["", "### Rebuilds (katsudo, CLI end to end, with the build cache)", "",
                  "| N | change | wall median (s) | min–max (s) | HTML pages rendered | files rewritten |",
                  "|---|---|---|---|---|---|"]
        for n, kinds in data["rebuilds"].items():
            for label, r in kinds.items():
                lines.append(f"| {int(n):,} | {label} | {fmt(r['wall']['median'])} | {fmt(r['wall']['min'])}–"
                             f"{fmt(r['wall']['max'])} | {r['rendered']:.0f} | {r['rewritten']:.0f} |")
        lines += ["", "'files rewritten' counts output files whose modification time changed; every other file "
                  "is the previous build's, hard-linked or left in place. The row 'inside katsudo serve' "
                  "(benchmarks/serve_edit.py) times the rebuild the preview's watcher runs after the save, in the "
                  "running server (the model of the last build in memory: generator/patch.py); its 0.12 s debounce "
                  "and the browser's reload come on top."]
    if data.get("search"):
        s = data["search"]
        lines += ["", f"### With the search index (N = {int(s['n']):,})", "",
                  f"katsudo with `search: true` (Pagefind, extended): cold build {fmt(s['cold']['median'])} s "
                  f"(min–max {fmt(s['cold']['min'])}–{fmt(s['cold']['max'])}), against "
                  f"{fmt(data['clean'][s['n']]['katsudo']['wall']['median'])} s without it; a rebuild with nothing "
                  f"changed keeps the index: {fmt(s['noop']['median'])} s."]
    lines += ["", END]
    return "\n".join(lines)


def write_report(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n" + START + "\n" + END + "\n"
    if START in old and END in old:
        new = old[: old.index(START)] + text + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def rewrite_from_json(json_path: Path, out: Path) -> None:
    """Write the section again from a run's raw figures (--json), e.g. after changing `report`."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    data["clean"] = {int(n): v for n, v in data["clean"].items()}
    data["rebuilds"] = {int(n): v for n, v in data.get("rebuilds", {}).items()}
    write_report(out, report(data))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rebuild-sizes", default="1000,10000", help="N for the rebuild timings (of those in --sizes)")
    ap.add_argument("--search-size", type=int, default=1000, help="N for the with-search build (0: none)")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("BENCH_WORK", "/tmp/katsudo-bench")))
    ap.add_argument("--pelican-venv", type=Path, default=None, help="[default: WORK/pelican-venv]")
    ap.add_argument("--hugo", default=shutil.which("hugo"))
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-eleventy", action="store_true", help="leave Eleventy out (it is installed with npm)")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--out", type=Path, default=REPO / "BENCHMARKS.md")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    ap.add_argument("--report-only", type=Path, default=None, help="only rewrite the section from this --json file")
    args = ap.parse_args()
    if args.report_only:
        rewrite_from_json(args.report_only, args.out)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rebuild_sizes = [int(s) for s in args.rebuild_sizes.split(",") if s and int(s) in sizes]
    args.work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)

    data = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "runs": args.runs, "command": " ".join(["bench.py", *sys.argv[1:]]), "clean": {}, "rebuilds": {},
            "load": [os.getloadavg()[0], 0.0]}
    venv = None if args.no_peers else pelican_venv(args.pelican_venv or args.work / "pelican-venv")
    eleventy = None if args.no_peers or args.no_eleventy else eleventy_install(args.work / "eleventy")

    def save() -> None:  # after every part, so that a run stopped early keeps what it measured
        data["load"][1] = os.getloadavg()[0]
        write_report(args.out, report(data))
        if args.json:
            args.json.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")

    for n in sizes:
        corpus = args.work / f"corpus-{n}"
        layouts = ["katsudo", "pelican", "hugo"] + (["eleventy"] if eleventy else []) \
            + (["katsudo-search"] if n == args.search_size else [])
        if not (corpus / "manifest.json").exists() or json.loads((corpus / "manifest.json").read_text()).get("layouts") != layouts:
            log(f"corpus N={n} ...")
            subprocess.run([sys.executable, str(HERE / "make_corpus.py"), "-n", str(n), "--no-photos",
                            "--layout", ",".join(layouts), "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
            manifest = json.loads((corpus / "manifest.json").read_text())
            manifest["layouts"] = layouts
            (corpus / "manifest.json").write_text(json.dumps(manifest))
        katsudo = Katsudo(corpus / "katsudo", args.work, sys.executable, args.jobs)
        tools: list[Tool] = [katsudo]
        if not args.no_peers:
            tools.append(Pelican(corpus / "pelican", args.work, venv))
            if args.hugo:
                tools.append(Hugo(corpus / "hugo", args.work, args.hugo))
            if eleventy:
                tools.append(Eleventy(corpus / "eleventy", args.work, eleventy))
        data["clean"][n] = clean_builds(tools, n, args.runs, args.work, log)
        save()
        if n == args.search_size:
            data["search"] = {"n": n, **search_builds(Katsudo(corpus / "katsudo-search", args.work, sys.executable,
                                                              args.jobs), args.runs, args.work, log)}
            save()
        if n in rebuild_sizes:
            data["rebuilds"][n] = {}
            rebuilds(katsudo, n, args.runs, args.work, log, data["rebuilds"][n], save)
    save()
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
