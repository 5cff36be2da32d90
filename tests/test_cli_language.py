"""The command line speaks the terminal's language: help, click's own words, usage errors and the
commands' messages are Japanese in a Japanese locale, English with LANG=C; when the locale says
nothing (another language's), the language of site.yaml in -s or the current folder decides.

The real process, as an editor's terminal runs it (the locale is read once, at the start).
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import NOW, SITE_YAML, SiteDir

JAPANESE = "ja_JP.UTF-8"
ENGLISH = "C.UTF-8"


def katsudo(*args: str, lang: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG")}
    env.update({"LANG": lang, "COLUMNS": "80", "KATSUDO_NOW": NOW})
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in line)


# What each help must say: (command, Japanese lines, English lines).
HELP = [
    ("", ["katsudo（活動）: 団体の活動報告を、そのまま公開できるウェブサイトにします。",
          "コマンド:", "バージョンを表示して終わります。", "英語の説明は LANG=C katsudo --help で表示されます。"],
     ["katsudo (活動): a static site for your organisation's activity reports.", "Commands:",
      "Show the version and exit."]),
    ("build", ["サイトを作り、静的なファイルのフォルダーに書き出します。", "下書き（draft: true）の記事も含めます。",
               "サイトのフォルダー（site.yaml と", "[既定: .]"],
     ["Build the site into a folder of static files.", "Include posts marked 'draft: true'.", "[default: .]"]),
    ("new", ["新しい報告 TITLE を content/posts/ に書き、そのファイルの場所を表示します。",
             "記事のアドレスの一部。[既定: 題名から]"],
     ["Write a new report TITLE into content/posts/ and print its path.",
      "The post's address part. [default: from the title]"]),
    ("serve", ["http://HOST:PORT/ でサイトをプレビューします。", "待ち受けるポートの番号。 [既定: 8000;"],
     ["Preview the site at http://HOST:PORT/, rebuilding", "Port to listen on.  [default: 8000;"]),
    ("check", ["公開の前に、作ったサイトを調べます", "外部サイトごとに待つ秒数（--external のとき）。"],
     ["Check the built site before publishing", "Seconds to wait for each external site"]),
    ("init", ["DIRECTORY に新しいサイトを作ります"], ["Create a new site in DIRECTORY (which must be new or empty)."]),
    ("clean", ["出力フォルダーを消します（ほかには何も消しません）。", "消す出力フォルダー。[既定: SITE/public]"],
     ["Remove the output folder (and nothing else).", "The output folder to remove. [default: SITE/public]"]),
]


@pytest.mark.parametrize("command, japanese, english", HELP, ids=[entry[0] or "katsudo" for entry in HELP])
def test_help_is_japanese_in_a_japanese_terminal_and_english_with_lang_c(tmp_path, command, japanese, english):
    args = [command, "--help"] if command else ["--help"]
    shown = katsudo(*args, lang=JAPANESE, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    help_text = shown.stdout
    assert help_text.startswith("使い方: ")
    assert "\nオプション:\n" in help_text
    assert "-h, --help" in help_text and "この説明を表示して終わります。" in help_text
    flat = " ".join(line.strip() for line in help_text.splitlines())  # (sentences wrap across lines)
    for sentence in japanese:
        assert sentence in help_text or sentence.replace(" ", "") in flat.replace(" ", ""), (sentence, help_text)
    assert "Usage:" not in help_text and "Show this message" not in help_text
    # Wrapped by terminal columns (a Japanese character takes two), not by characters.
    assert max(columns(line) for line in help_text.splitlines()) <= 80, help_text

    plain = katsudo(*args, lang=ENGLISH, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("Usage: ") and "\nOptions:\n" in plain.stdout
    assert "Show this message and exit." in plain.stdout
    for sentence in english:
        assert sentence in plain.stdout, (sentence, plain.stdout)
    assert "使い方" not in plain.stdout and "この説明" not in plain.stdout


def test_a_usage_error_is_said_in_japanese(tmp_path):
    wrong = katsudo("build", "--drafs", lang=JAPANESE, cwd=tmp_path)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.startswith("使い方: ")
    assert "説明は '" in wrong.stderr and " build --help' で表示されます。" in wrong.stderr
    assert "エラー: オプション '--drafs' はありません。 '--drafts' のことですか？" in wrong.stderr

    missing = katsudo("new", lang=JAPANESE, cwd=tmp_path)
    assert missing.returncode == 2
    assert "エラー: 次の引数がありません: 'TITLE'." in missing.stderr

    english = katsudo("build", "--drafs", lang=ENGLISH, cwd=tmp_path)
    assert english.returncode == 2
    assert "Error: No such option '--drafs'. Did you mean '--drafts'?" in english.stderr
    assert "Usage: " in english.stderr and "エラー" not in english.stderr


def test_the_failure_summary_is_japanese(tmp_path):
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", SITE_YAML)
    site.post("2024-06-01-a.md", "title: A\ndate: 2024-13-01")
    site.post("2024-06-02-b.md", "date: 2024-06-02")
    failed = katsudo("build", lang=JAPANESE, cwd=site.root)
    assert failed.returncode == 1
    assert failed.stderr.rstrip("\n").endswith("エラー 2 件。何も書き込んでいません。"), failed.stderr
    assert "error: 'title' is missing" in failed.stderr  # (the error line itself: English, then Japanese)
    assert "title（タイトル）の行がありません。" in failed.stderr
    assert not site.public.exists()

    english = katsudo("build", lang=ENGLISH, cwd=site.root)
    assert english.stderr.rstrip("\n").endswith("2 errors; nothing was written")

    # Without a site at all (site.yaml could not be read): still the terminal's language.
    nothing = katsudo("build", "-s", str(tmp_path / "empty"), lang=JAPANESE, cwd=tmp_path)
    assert nothing.returncode == 1
    assert nothing.stderr.rstrip("\n").endswith("エラー 1 件。何も書き込んでいません。"), nothing.stderr


def test_init_new_check_and_clean_speak_japanese(tmp_path):
    made = katsudo("init", "site", lang=JAPANESE, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "作りました: site/site.yaml" in made.stdout
    assert "次に site/site.yaml を書き直してから、katsudo build -s site を実行してください" in made.stdout
    site = tmp_path / "site"

    unknown = katsudo("new", "報告", "-c", "nope", lang=JAPANESE, cwd=site)
    assert unknown.returncode == 2
    assert "エラー: --category の値が正しくありません: カテゴリー「nope」は site.yaml にありません。" in unknown.stderr

    checked = katsudo("check", lang=JAPANESE, cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.rstrip("\n").splitlines()[-1].startswith("エラー 0 件、警告 0 件（"), checked.stdout

    assert katsudo("build", "-q", lang=JAPANESE, cwd=site).returncode == 0
    assert katsudo("clean", lang=JAPANESE, cwd=site).stdout == "public を消しました\n"
    assert katsudo("clean", lang=JAPANESE, cwd=site).stdout == "public はありません。消すものはありません\n"
    assert katsudo("clean", lang=ENGLISH, cwd=site).stdout == "public does not exist; nothing to remove\n"
    english = katsudo("check", lang=ENGLISH, cwd=site)
    assert english.stdout.rstrip("\n").splitlines()[-1].startswith("0 errors, 0 warnings in ")


def test_with_another_languages_locale_the_sites_language_decides(tmp_path):
    """generator/i18n.py: the locale first; an en_US locale says nothing about Japanese, so the
    site's `language` decides (site.yaml in the current folder or -s; ja when it leaves it out)."""
    other = "en_US.UTF-8"
    japanese_site = SiteDir(tmp_path / "ja-site")
    japanese_site.write("site.yaml", SITE_YAML)
    english_site = SiteDir(tmp_path / "en-site")
    english_site.write("site.yaml", SITE_YAML + "language: en\n")
    broken = SiteDir(tmp_path / "broken")
    broken.write("site.yaml", "title: [閉じていない\n")

    assert katsudo("--help", lang=other, cwd=japanese_site.root).stdout.startswith("使い方: ")
    assert katsudo("build", "--help", lang=other, cwd=japanese_site.root).stdout.startswith("使い方: ")
    assert katsudo("build", "-s", str(japanese_site.root), "--help", lang=other, cwd=tmp_path).stdout.startswith("使い方: ")
    assert katsudo("clean", f"--site={japanese_site.root}", lang=other, cwd=tmp_path).stdout.endswith(
        "はありません。消すものはありません\n")
    assert katsudo("--help", lang=other, cwd=english_site.root).stdout.startswith("Usage: ")
    assert katsudo("--help", lang=other, cwd=tmp_path).stdout.startswith("Usage: ")  # (no site here)
    help_of_broken = katsudo("--help", lang=other, cwd=broken.root)  # a broken site.yaml never breaks help
    assert help_of_broken.returncode == 0 and help_of_broken.stdout.startswith("Usage: ")
    # LANG=C is English whatever the site says.
    assert katsudo("--help", lang=ENGLISH, cwd=japanese_site.root).stdout.startswith("Usage: ")


def test_one_process_switches_language_between_runs():
    """click keeps each command's help option once made; its words follow each run's language."""
    from conftest import run_cli

    japanese = run_cli("build", "--help", env={"KATSUDO_LANG": "ja"}).stdout
    english = run_cli("build", "--help").stdout
    assert "この説明を表示して終わります。" in japanese and "下書き（draft: true）" in japanese
    assert "Show this message and exit." in english and "Include posts marked 'draft: true'." in english
    assert "この説明" not in english and "使い方" not in english
