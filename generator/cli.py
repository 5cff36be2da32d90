"""Command line: click commands that call the stages and turn errors into messages and exit codes.

Exit codes: 0 success; 1 content, config or template errors; 2 usage errors (click's own).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from generator import __version__
from generator.cli_help import KatsudoGroup, current_language, option, version_option
from generator.cli_output import (NOTHING_CHECKED, NOTHING_WRITTEN, check_summary, error_count, fail,
                                  finding_json, sentences, terminal)
from generator.config import load_config
from generator.dates import parse_datetime
from generator.errors import KatsudoError
from generator.i18n import say, ui_language
from generator.report import Reporter
from generator.scaffold import ScaffoldError, init_site, new_post

site_option = option("-s", "--site", "site", type=click.Path(file_okay=False, path_type=Path), default=".",
                     show_default=True, help="The site folder (holds site.yaml and content/).",
                     ja="サイトのフォルダー（site.yaml と content/ があるフォルダー）。")


def _now(config_zone) -> datetime:
    """The build moment. KATSUDO_NOW pins it (tests, reproducible rebuilds of an old state)."""
    pinned = os.environ.get("KATSUDO_NOW")
    if pinned:
        parsed = parse_datetime(pinned, config_zone)
        if parsed is None:
            raise click.UsageError(say(current_language(), f"KATSUDO_NOW is not a date: {pinned}",
                                       f"KATSUDO_NOW「{pinned}」は日付として読めません。"
                                       "「2024-06-17 19:00」のように書くか、KATSUDO_NOW を消してください。"))
        return parsed[0]
    return datetime.now(config_zone)


@click.group(cls=KatsudoGroup, context_settings={"help_option_names": ["-h", "--help"]}, ja="""
    katsudo（活動）: 団体の活動報告を、そのまま公開できるウェブサイトにします。

    \b
    katsudo init DIR        新しいサイトを作ります
    katsudo new TITLE       ひな形から新しい報告を書き始めます
    katsudo build           サイトを作り、public/ に書き出します
    katsudo serve           サイトを作り、ブラウザーでプレビューします
    katsudo check           公開の前に、リンク切れや写真・題名の抜けを調べます

    英語の説明は LANG=C katsudo --help で表示されます。""")
@version_option(__version__, prog_name="katsudo")
def main() -> None:
    """katsudo (活動): a static site for your organisation's activity reports.

    \b
    katsudo init DIR        start a new site
    katsudo new TITLE       write a new report from a template
    katsudo build           build the site into public/
    katsudo serve           build and preview it in your browser
    katsudo check           find broken links, missing pictures and titles before you publish
    """


def run() -> None:
    """The console script (and `python -m generator`): `main`, then an exit without the
    interpreter's teardown, which frees the build's objects one by one (40 ms after a text
    edit at 10,000 posts; more after a whole build). Every `finally` and `with` has run by then,
    and so do the atexit handlers here; the tests call `main` itself. A profiler or coverage
    gets the usual exit, since they write their results at the teardown."""
    import atexit

    code: int | str | None
    try:
        main()
        code = 0
    except SystemExit as exit:
        code = exit.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # (under cProfile or coverage, which write their results at the teardown)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # (stdout closed or full: as the interpreter would, fail)
    os._exit(code)


@main.command("build", ja="""
    サイトを作り、静的なファイルのフォルダーに書き出します。

    変更のない記事とページは、SITE/.katsudo-cache/ のキャッシュから取ります（最初から作り直すには、
    このフォルダーを消すか --no-cache を付けてください。どちらでも同じサイトができます）。""")
@site_option
@option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Where to write the site. [default: SITE/public]", ja="サイトを書き出すフォルダー。[既定: SITE/public]")
@option("--drafts", is_flag=True, help="Include posts marked 'draft: true'.",
        ja="下書き（draft: true）の記事も含めます。")
@option("--future", is_flag=True, help="Include posts dated after now.", ja="日付が今より先の記事も含めます。")
@option("--base-url", default=None, help="Publish at this address instead of site.yaml's base_url (preview deploys).",
        ja="site.yaml の base_url の代わりに、このアドレスで公開します（確かめるための仮の公開に）。")
@option("-q", "--quiet", is_flag=True, help="Print nothing but errors.", ja="エラーのほかは何も表示しません。")
@option("-v", "--verbose", is_flag=True, help="Print the time each stage took.", ja="各段階にかかった時間を表示します。")
@option("--strict", is_flag=True, help="Treat warnings (missing alt text, oversized photos) as errors.",
        ja="警告（写真の説明の抜け、大きすぎる写真など）もエラーにします。")
@option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
        help="Processes that render Markdown and pages. [default: one per CPU core]",
        ja="Markdown とページを作るプロセスの数。[既定: CPU のコアの数]")
@option("--no-cache", "no_cache", is_flag=True,
        help="Neither read nor write the build cache (SITE/.katsudo-cache/build/): build everything.",
        ja="ビルドのキャッシュ（SITE/.katsudo-cache/build/）を使わずに、すべてを作ります。")
def build_command(site: Path, output: Path | None, drafts: bool, future: bool, base_url: str | None,
                  quiet: bool, verbose: bool, strict: bool = False, jobs: int | None = None,
                  no_cache: bool = False) -> None:
    """Build the site into a folder of static files.

    Unchanged posts and pages are taken from the build cache in SITE/.katsudo-cache/
    (delete it, or pass --no-cache, for a build from scratch; the site is the same either way)."""
    import time

    # (here, not at the top: the build stages are most of katsudo's import time, and --help,
    # init, new and clean do not need them)
    from generator.build import BuildOptions, build
    from generator.cache import BuildCache
    from generator.parallel import default_jobs
    from generator.progress import progress_for

    started = time.perf_counter()
    reporter = Reporter(quiet=quiet, verbose=verbose, root=Path.cwd())
    language = None
    progress = progress_for(sys.stderr, enabled=not quiet)
    try:
        config = load_config(site)
        language = config.language
        reporter.language = terminal(language)  # (warnings get their Japanese sentence in a Japanese terminal)
        options = BuildOptions(site_root=site, out=output or site / "public", now=_now(config.zone),
                               drafts=drafts, future=future, base_url=base_url, strict=strict,
                               jobs=jobs or default_jobs())
        cache = None if no_cache else BuildCache.open(config.root, lazy=True)
        if cache is not None and cache.stats.cache_files_ignored:
            reporter.debug(say(reporter.speaks(), f"  cache: {cache.stats.cache_files_ignored} damaged or outdated cache files ignored",
                               f"  キャッシュ: 壊れたか古いキャッシュのファイル {cache.stats.cache_files_ignored} 個は使いませんでした"))
        try:
            result = build(options, reporter, cache, progress)
        finally:
            progress.finish()
        if cache is not None:
            try:
                cache.save()
            except OSError as error:  # the site is built; only the next build will be slower
                click.echo(say(terminal(language), f"warning: the build cache could not be saved: {error}",
                               f"warning: ビルドのキャッシュを保存できませんでした（{error}）。次のビルドが遅くなるだけです。"),
                           err=True)
    except KatsudoError as error:
        fail(error, NOTHING_WRITTEN, language)
    total = time.perf_counter() - started
    reporter.debug(say(reporter.speaks(),
                       f"  Markdown of {result.markdown} posts and pages rendered, {result.rendered} HTML pages rendered, "
                       f"{options.jobs} job{'s' if options.jobs != 1 else ''}",
                       f"  Markdown から作った記事とページ {result.markdown} 件、作った HTML のページ {result.rendered} 枚、"
                       f"プロセス {options.jobs} 個"))
    reporter.info(say(reporter.speaks(), f"built {result.posts} posts, {result.pages} pages into {result.out} "
                      f"({result.written} files changed) in {total * 1000:.0f} ms",
                      f"記事 {result.posts} 件・ページ {result.pages} 件を {result.out} に書き出しました"
                      f"（変更 {result.written} ファイル、{total * 1000:.0f} ms）"))
    from generator.held_back import summary_lines

    # Also with -q: a post that is not published must never go unmentioned (one line then).
    for line in summary_lines(result.held_back, config, ui_language(config.language, os.environ), quiet, Path.cwd()):
        click.echo(line)


@main.command("check", ja="""
    公開の前に、作ったサイトを調べます: リンク、ページ内へのリンク、写真、題名、説明。

    エラーが 1 件でもあれば、終了コード 1 で終わります（--strict のときは警告でも）。""")
@site_option
@option("--strict", is_flag=True, help="Fail on warnings too (missing alt text, width/height, descriptions).",
        ja="警告（写真の説明や幅・高さの抜け、ページの説明の抜け）でも失敗にします。")
@option("--external", is_flag=True,
        help="Also ask every external site whether its link still works (needs the network; answers are kept a day).",
        ja="外部サイトへのリンクが今も使えるかも、1 つずつ確かめます（ネットワークが必要です。答えは 1 日覚えておきます）。")
@option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
        help="json: one JSON object per finding per line (JSON Lines), for CI annotations.",
        ja="json: 見つけたこと 1 件を 1 行の JSON にします（JSON Lines。CI の注釈に）。")
@option("-o", "--output", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
        help="Check this existing build instead of building into a temporary folder.",
        ja="一時フォルダーに作る代わりに、この作ってあるサイトを調べます。")
@option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
        help="Seconds to wait for each external site (with --external).",
        ja="外部サイトごとに待つ秒数（--external のとき）。")
def check_command(site: Path, strict: bool, external: bool, output_format: str, output: Path | None,
                  timeout: float) -> None:
    """Check the built site before publishing: links, anchors, pictures, titles, descriptions.

    Exit 1 on any error (with --strict: on any warning too)."""
    from generator.check import check_site

    root = Path.cwd()
    language = None
    try:
        config = load_config(site)
        language = config.language
        report = check_site(site, _now(config.zone), out=output, external=external, timeout=timeout)
    except KatsudoError as error:
        if output_format == "json":
            for item in error.errors:
                click.echo(finding_json(item, root))
            click.echo(error_count(len(error.errors), NOTHING_CHECKED, terminal(language)), err=True)
            sys.exit(1)
        fail(error, NOTHING_CHECKED, language)
    for item in report.findings:
        click.echo(finding_json(item, root) if output_format == "json" else item.format(root, sentences(language)))
    failed = report.failed(strict)
    click.echo(check_summary(report, external, failed, terminal(language)), err=output_format == "json")
    if failed:
        sys.exit(1)


@main.command("clean", ja="出力フォルダーを消します（ほかには何も消しません）。")
@site_option
@option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="The output folder to remove. [default: SITE/public]", ja="消す出力フォルダー。[既定: SITE/public]")
def clean_command(site: Path, output: Path | None) -> None:
    """Remove the output folder (and nothing else)."""
    from generator.write import clean_output  # (with the build stages it imports: only when asked)

    out = output or site / "public"
    try:
        removed = clean_output(site, out)
    except KatsudoError as error:
        fail(error, ("nothing was removed", "何も消していません。"))
    if removed:
        click.echo(say(current_language(), f"removed {out}", f"{out} を消しました"))
    else:
        click.echo(say(current_language(), f"{out} does not exist; nothing to remove",
                       f"{out} はありません。消すものはありません"))


@main.command("init", ja="DIRECTORY に新しいサイトを作ります（新しいフォルダーか、空のフォルダーにしてください）。")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_command(directory: Path) -> None:
    """Create a new site in DIRECTORY (which must be new or empty)."""
    try:
        created = init_site(directory)
    except ScaffoldError as error:
        raise click.UsageError(error.said(current_language()))
    language = current_language()
    for path in created:
        click.echo(say(language, f"created {path}", f"作りました: {path}"))
    click.echo(say(language, f"\nnext: edit {directory / 'site.yaml'}, then run: katsudo build -s {directory}",
                   f"\n次に {directory / 'site.yaml'} を書き直してから、katsudo build -s {directory} を実行してください"))


@main.command("new", ja="新しい報告 TITLE を content/posts/ に書き、そのファイルの場所を表示します。")
@click.argument("title")
@option("--category", "-c", default=None, help="Category key from site.yaml (chooses the body template).",
        ja="site.yaml のカテゴリーのキー（本文のひな形が決まります）。")
@option("--slug", default=None, help="The post's address part. [default: from the title]",
        ja="記事のアドレスの一部。[既定: 題名から]")
@option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="YYYY-MM-DD. [default: today in the site's time zone]", ja="YYYY-MM-DD。[既定: サイトのタイムゾーンで今日]")
@site_option
def new_command(title: str, category: str | None, slug: str | None, day: datetime | None, site: Path) -> None:
    """Write a new report TITLE into content/posts/ and print its path."""
    try:
        config = load_config(site)
    except KatsudoError as error:
        fail(error, NOTHING_WRITTEN)
    if category is not None and config.category(category) is None:
        known = ", ".join(c.key for c in config.categories)
        raise click.BadParameter(say(ui_language(config.language),
                                     f"unknown category '{category}'; known: {known or '(none in site.yaml)'}",
                                     f"カテゴリー「{category}」は site.yaml にありません。"
                                     f"使えるのは {known or '（site.yaml にカテゴリーがありません）'}"),
                                 param_hint="--category")
    when = day.date() if day else _now(config.zone).date()
    try:
        path = new_post(config, title, when, category, slug)
    except ScaffoldError as error:
        raise click.UsageError(error.said(current_language()))
    click.echo(str(path))


@main.command("serve", ja="""
    http://HOST:PORT/ でサイトをプレビューします。保存のたびに作り直し、ページを読み込み直します。

    Ctrl-C、SIGTERM、SIGHUP（ターミナルのウィンドウを閉じたとき）のどれでも同じように止まります:
    一時フォルダーは消え、最後の行は「停止しました」、終了コードは 0 です。""")
@site_option
@option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Build the preview here and keep it. [default: a temporary folder, removed on exit]",
        ja="プレビューをこのフォルダーに作り、終わっても残します。[既定: 一時フォルダー（終わると消えます）]")
@option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.", ja="待ち受けるアドレス。")
@option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.",
        ja="待ち受けるポートの番号。")
@option("--drafts", is_flag=True, help="Include drafts.", ja="下書き（draft: true）の記事も含めます。")
@option("--future", is_flag=True, help="Include posts dated after now.", ja="日付が今より先の記事も含めます。")
@option("--open", "open_browser", is_flag=True, help="Open the preview in your web browser.",
        ja="プレビューをウェブブラウザーで開きます。")
def serve_command(site: Path, output: Path | None, host: str, port: int, drafts: bool, future: bool,
                  open_browser: bool) -> None:
    """Preview the site at http://HOST:PORT/, rebuilding and reloading the page on every save.

    Ctrl-C, SIGTERM and SIGHUP (a closed terminal window) stop it the same way: the temporary
    folders are removed, the last line is "stopped", and the exit status is 0."""
    import shutil
    import signal
    import tempfile

    from generator.preview_log import PreviewTerminal, log_unexpected
    from generator.serve import LiveReload
    from generator.watch import PreviewSession, Watcher

    try:
        config = load_config(site)
    except KatsudoError as error:
        fail(error, ("nothing was served", "プレビューを始めていません。"))
    terminal = PreviewTerminal(config.language)
    if host not in ("127.0.0.1", "localhost", "::1"):
        terminal.say(f"warning: listening on {host}: other computers on the network can see this preview, "
                     "drafts included",
                     f"warning: listening on {host}: 同じネットワークのほかのコンピューターからも、"
                     "このプレビュー（下書きを含む）が見えます", err=True)

    def stop_like_ctrl_c(signum, frame) -> None:
        # A terminal window closing (SIGHUP) or an editor plugin stopping the preview (SIGTERM)
        # gets the same clean stop as Ctrl-C.
        raise KeyboardInterrupt

    stopping = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    server = watcher = session = temporary = None
    for number in stopping:
        signal.signal(number, stop_like_ctrl_c)
    try:
        if output is not None:
            out = output
        else:
            temporary = Path(tempfile.mkdtemp(prefix="katsudo-preview-"))
            out = temporary / "site"
        live = LiveReload()
        session = PreviewSession(site, out, lambda: _now(config.zone), None, drafts, future, live, config.language,
                                 config.search, terminal=terminal)
        # Watching first: a file saved while the first build runs is built again after it.
        watcher = Watcher(site, session.rebuild, terminal)
        watcher.start()
        session.rebuild()
        server, taken = _bind(out, config.base_path, host, port, live, terminal.language)
        server.on_unexpected = lambda: terminal.echo(
            log_unexpected(site, "answering the browser", "ブラウザーへの応答の途中", terminal.language), err=True)
        if taken:
            terminal.say(f"port {port} is in use; using {server.server_address[1]} instead",
                         f"ポート {port} は使用中のため、{server.server_address[1]} を使います")
        url = f"http://{f'[{host}]' if ':' in host else host}:{server.server_address[1]}{config.base_path}"
        terminal.say(f"previewing at {url}  (Ctrl-C stops)", f"プレビュー中: {url}  （Ctrl-C で終わります）")
        if open_browser:
            import webbrowser
            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C, or the signal that follows a closed window, must not cut the cleanup short.
        for number in (signal.SIGINT, *stopping):
            signal.signal(number, signal.SIG_IGN)
        if watcher is not None:
            watcher.stop()
        if server is not None:
            server.server_close()
        if session is not None:
            session.close(keep_index=output is not None)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    terminal.say("stopped", "停止しました")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _bind(out: Path, base_path: str, host: str, port: int, live, language: str = "en"):
    """A server on `port`, or on the next free one when it is taken (returns whether it was)."""
    import errno

    from generator.i18n import say
    from generator.serve import make_server

    for candidate in range(port, port + 20) if port else [0]:
        try:
            return make_server(out, base_path, host, candidate, live), candidate != port
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise click.ClickException(say(language, f"cannot listen on {host}:{candidate}: {exc.strerror}",
                                               f"{host}:{candidate} で待ち受けられません（{exc.strerror}）"))
    raise click.ClickException(say(language, f"ports {port}–{port + 19} are all in use; choose another with --port",
                                   f"ポート {port}–{port + 19} はすべて使用中です。--port でほかの番号を選んでください"))
