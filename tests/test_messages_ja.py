"""What an editor meets in a Japanese terminal is in Japanese: a build's warnings (with their
English line, as errors have), the `built …` line, `init` and `new` refusing to overwrite, a
missing site.yaml; and with LANG=C the same runs say it all in English, as before.

The real process, as an editor's terminal runs it (the locale is read once, at the start).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from PIL import Image

from conftest import NOW, SITE_YAML, SiteDir

JAPANESE = "ja_JP.UTF-8"
ENGLISH = "C.UTF-8"


def environment(lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "KATSUDO_LANG")}
    env.update({"LANG": lang, "KATSUDO_NOW": NOW, "PYTHONUNBUFFERED": "1"})
    return env


def katsudo(*args: str, lang: str, cwd: Path, now: str = NOW) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env={**environment(lang), "KATSUDO_NOW": now},
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    return done


def slipped_site(root: Path) -> SiteDir:
    """A site whose one post has two slips that are warnings: a full-width ＃ and a photo without alt text."""
    site = SiteDir(root)
    site.write("site.yaml", SITE_YAML + "search: false\n")
    site.post("2024-06-17-teireikai/index.md", "title: 6月定例会\ndate: 2024-06-17", "＃＃ 決定事項\n\n![](photo.png)\n")
    Image.new("RGB", (40, 30), (150, 200, 240)).save(site.root / "content/posts/2024-06-17-teireikai/photo.png")
    return site


POST = "content/posts/2024-06-17-teireikai/index.md"


def test_build_warnings_carry_their_japanese_sentence_in_a_japanese_terminal(tmp_path):
    site = slipped_site(tmp_path / "site")
    built = katsudo("build", lang=JAPANESE, cwd=site.root)
    assert built.returncode == 0, built.stderr
    lines = built.stderr.splitlines()
    slip = lines.index(f"{POST}:5: warning: '＃' (full-width) at the start of the line is shown as it is, not as a heading")
    assert lines[slip + 1] == ("    5行目: 行の先頭の「＃」が全角なので、見出しにならずにそのまま表示されます。"
                               "半角の「#」とスペースに直してください。")
    alt = lines.index(f"{POST}:7: warning: the image 'photo.png' has no alt text")
    assert lines[alt + 1] == "    7行目: 画像「photo.png」に説明（代替テキスト）がありません。[ ] の中に写真の説明を書いてください。"

    english = katsudo("build", lang=ENGLISH, cwd=site.root)
    assert english.returncode == 0, english.stderr
    assert f"{POST}:5: warning: '＃' (full-width) at the start of the line" in english.stderr
    assert f"{POST}:7: warning: the image 'photo.png' has no alt text" in english.stderr
    assert "行目" not in english.stderr


def test_the_built_line_is_japanese_in_a_japanese_terminal(tmp_path):
    site = slipped_site(tmp_path / "site")
    built = katsudo("build", lang=JAPANESE, cwd=site.root)
    assert built.returncode == 0, built.stderr
    assert re.fullmatch(r"記事 1 件・ページ \d+ 件を public に書き出しました（変更 \d+ ファイル、\d+ ms）",
                        built.stdout.splitlines()[0]), built.stdout
    english = katsudo("build", lang=ENGLISH, cwd=site.root)
    assert re.fullmatch(r"built 1 posts, \d+ pages into public \(0 files changed\) in \d+ ms",
                        english.stdout.splitlines()[0]), english.stdout


def test_init_into_a_folder_that_is_not_empty_is_refused_in_japanese(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "memo.txt").write_text("大事なメモ", encoding="utf-8")
    refused = katsudo("init", "site", lang=JAPANESE, cwd=tmp_path)
    assert refused.returncode == 2
    assert ("エラー: site は空のフォルダーではありません。中のファイルを上書きしないよう、"
            "新しいフォルダーか空のフォルダーを指定してください。") in refused.stderr.splitlines(), refused.stderr
    assert (tmp_path / "site" / "memo.txt").read_text(encoding="utf-8") == "大事なメモ"

    english = katsudo("init", "site", lang=ENGLISH, cwd=tmp_path)
    assert english.returncode == 2
    assert ("Error: site is not empty; choose a new or empty folder so nothing in it is overwritten"
            in english.stderr.splitlines()), english.stderr


def test_new_with_a_file_already_there_is_refused_in_japanese(tmp_path):
    assert katsudo("init", "site", lang=JAPANESE, cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    first = katsudo("new", "定例会", "--slug", "teireikai", "--date", "2024-06-17", lang=JAPANESE, cwd=site)
    assert first.returncode == 0, first.stderr
    written = site / "content/posts/2024-06-17-teireikai.md"
    before = written.read_text(encoding="utf-8")
    again = katsudo("new", "定例会", "--slug", "teireikai", "--date", "2024-06-17", lang=JAPANESE, cwd=site)
    assert again.returncode == 2
    assert (f"エラー: content/posts/2024-06-17-teireikai.md はすでにあります（何も上書きしていません）。"
            "--slug か --date で、別の名前か日付を指定してください。") in again.stderr.splitlines(), again.stderr
    assert written.read_text(encoding="utf-8") == before

    bad_slug = katsudo("new", "定例会", "--slug", "a b", lang=JAPANESE, cwd=site)
    assert bad_slug.returncode == 2
    assert "エラー: slug「a b」はアドレスに使えません（スペースや、" in bad_slug.stderr, bad_slug.stderr

    english = katsudo("new", "定例会", "--slug", "teireikai", "--date", "2024-06-17", lang=ENGLISH, cwd=site)
    assert english.returncode == 2
    assert ("Error: content/posts/2024-06-17-teireikai.md already exists; choose another --slug or --date "
            "(nothing was overwritten)") in english.stderr.splitlines(), english.stderr


def test_a_missing_site_yaml_is_explained_in_japanese(tmp_path):
    missing = katsudo("build", lang=JAPANESE, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[:2] == [
        "site.yaml: error: site.yaml not found",
        "    site.yaml が見つかりません。サイトのフォルダー（site.yaml のあるフォルダー）で実行するか、"
        "-s でそのフォルダーを指定してください。新しいサイトは katsudo init フォルダー名 で作れます。",
    ], missing.stderr

    english = katsudo("build", lang=ENGLISH, cwd=tmp_path)
    assert english.returncode == 1
    assert english.stderr.splitlines()[:2] == [
        "site.yaml: error: site.yaml not found",
        "    hint: run katsudo in a site folder, pass -s SITE, or create one with 'katsudo init .'",
    ], english.stderr


def test_site_yaml_mistakes_get_a_japanese_sentence(tmp_path):
    site = SiteDir(tmp_path / "site")
    site.write("site.yaml", "title: テスト\nbase_url: example.org\ntimezone: Asia/Tokio\nper_page: 0\nsearch: はい\n")
    failed = katsudo("build", lang=JAPANESE, cwd=site.root)
    assert failed.returncode == 1
    shown = failed.stderr.splitlines()
    for japanese in ["    2行目: base_url には https:// か http:// で始まるアドレスを全部書いてください（例：https://example.org/minato/）。",
                     "    3行目: タイムゾーン「Asia/Tokio」は知らない名前です。日本なら Asia/Tokyo と書いてください。",
                     "    4行目: per_page には 1 から 1000 までの数字を書いてください。",
                     "    5行目: search には true か false を書いてください。"]:
        assert japanese in shown, failed.stderr
    assert shown[-1] == "エラー 4 件。何も書き込んでいません。"


def test_a_katsudo_now_that_is_not_a_date_is_explained_in_japanese(tmp_path):
    site = slipped_site(tmp_path / "site")
    wrong = katsudo("build", lang=JAPANESE, cwd=site.root, now="来週")
    assert wrong.returncode == 2
    assert ("エラー: KATSUDO_NOW「来週」は日付として読めません。「2024-06-17 19:00」のように書くか、"
            "KATSUDO_NOW を消してください。") in wrong.stderr.splitlines(), wrong.stderr
    english = katsudo("build", lang=ENGLISH, cwd=site.root, now="来週")
    assert "Error: KATSUDO_NOW is not a date: 来週" in english.stderr.splitlines(), english.stderr


def test_the_preview_shows_warnings_in_japanese(tmp_path):
    site = slipped_site(tmp_path / "site")
    env = {**environment(JAPANESE), "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=site.root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    lines: queue.Queue[str] = queue.Queue()
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=lambda s=stream: [lines.put(line.rstrip("\n")) for line in s], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any(line.startswith("プレビュー中: ") for line in seen):
            assert process.poll() is None and time.monotonic() < deadline, "\n".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                pass
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert "    5行目: 行の先頭の「＃」が全角なので、見出しにならずにそのまま表示されます。半角の「#」とスペースに直してください。" in seen, \
        "\n".join(seen)
    assert "Traceback" not in "\n".join(seen)
