"""A Japanese sentence for each error an editor can meet, shown under the English one when the
site's language is ja. Keyed by the English message's pattern, so the stages keep one message
each and this table is the only place that knows Japanese."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"full-width colon '：' after '(?P<key>[^']*)'", "「{key}」のあとの全角のコロン「：」を、半角の「:」とスペースに直してください。"),
    (r"a full-width space \(全角スペース\) is at the start of the line", "行の先頭の全角スペースを消すか、半角スペースに直してください。"),
    (r"a tab is used for indentation", "字下げのタブを、半角スペース 2 つに直してください。"),
    (r"this file is saved in Shift_JIS", "このファイルは Shift_JIS で保存されています。エディタで文字コードを UTF-8 にして保存し直してください。"),
    (r"this file is not UTF-8 text", "このファイルは UTF-8 の文字ではありません。文字コードを UTF-8 にして保存し直してください。"),
    (r"this file has no front matter", "先頭にフロントマター（--- で囲んだ title: や date: の行）がありません。"),
    (r"the front matter is not closed", "フロントマターの終わりの「---」の行がありません。"),
    (r"'title' is missing", "title（タイトル）の行がありません。「title: 6月定例会の報告」のように書いてください。"),
    (r"'title' is empty", "title（タイトル）が空です。"),
    (r"'date' is missing", "date（日付）の行がありません。「date: 2024-06-17」のように書いてください。"),
    (r"'date' is not a date: '(?P<value>.*)'", "「{value}」は日付として読めません。「2024-06-17」や「2024-06-17 19:00」のように書いてください。"),
    (r"unknown category '(?P<key>[^']*)'", "カテゴリー「{key}」は site.yaml にありません。"),
    (r"'(?P<key>[^']*)' is given twice", "「{key}」が 2 回書かれています。どちらか 1 行を消してください。"),
    (r"'draft' must be true or false", "draft には true か false を書いてください。"),
    (r"event 'end' is before its 'start'", "イベントの終了（end）が開始（start）より前になっています。"),
    (r"'event' needs a 'start' date", "イベントには開始日時（start）が必要です。"),
    (r"event '(?P<key>start|end)' is not a date", "イベントの {key} が日付として読めません。"),
    (r"unknown event field '(?P<key>[^']*)'", "イベントの項目「{key}」は使えません。綴りを確かめてください。"),
    (r"event '(?P<key>[^']*)' must be a single line of text", "イベントの {key} は 1 行の文章で書いてください。"),
    (r"event 'online' must be", "イベントの online には true・false か、1 行の説明を書いてください。"),
    (r"event 'url' is not a web address", "イベントの url は https:// で始まるアドレスにしてください。"),
    (r"event 'capacity' must be a whole number", "イベントの capacity（定員）は数字だけで書いてください（例：50）。"),
    (r"this event notice is dated (?P<day>.+?), in the future",
     "このお知らせは date が {day} で未来の日付なので、まだ公開されていません（サイトにも、行事予定や今後の予定にも出ません）。"
     "date はお知らせを載せる日、event の start は行事の日です。すぐに載せるには、date を今日の日付にしてください。"),
    (r"'series_order' must be a whole number", "series_order（シリーズの順番）は 1 以上の数字で書いてください。"),
    (r"'series_order' is set but the post has no 'series'", "series_order がありますが、series（シリーズ名）がありません。"),
    (r"the link '(?P<link>[^']*)' points at no post or page", "リンク先「{link}」の記事が見つかりません。ファイル名を確かめてください。"),
    (r"the link '(?P<link>[^']*)' points at a draft", "リンク先「{link}」は下書きか未来の日付の記事です。公開されるまでリンクできません。"),
    (r"the link or image '(?P<link>[^']*)' points at a file that does not exist", "リンク先・画像「{link}」のファイルがありません。"),
    (r"the link '(?P<link>[^']*)' points at a page or file that does not exist", "リンク先「{link}」のページやファイルがありません。綴りを確かめてください。"),
    (r"the (?:link|image) '(?P<link>[^']*)' points outside the site", "「{link}」はサイトの外を指しています。Markdown で [会の紹介](/about/) のように書いてください。"),
    (r"points at '#(?P<anchor>[^']*)', which is not on", "見出し「#{anchor}」が見つかりません。見出しの文字を確かめてください。"),
    (r"the image '(?P<link>[^']*)' points at a file that does not exist", "画像「{link}」のファイルがありません。"),
    (r"the image '(?P<link>[^']*)' has no alt text", "画像「{link}」に説明（代替テキスト）がありません。[ ] の中に写真の説明を書いてください。"),
    (r"the image '(?P<link>[^']*)' has no width and height", "画像「{link}」に幅と高さ（width・height）がありません。"),
    (r"this page has no title", "このページには題名がありません。"),
    (r"this page has no description", "このページには検索エンジン向けの説明がありません。summary: に一文を書いてください。"),
    (r"the title '(?P<title>.*)' is also the title of", "題名「{title}」がほかのページと同じです。"),
    (r"the external link '(?P<link>[^']*)' is broken", "外部リンク「{link}」のページはなくなっています。新しいアドレスを探すか、リンクを消してください。"),
    (r"the external link '(?P<link>[^']*)' (?:answered|could not be reached)", "外部リンク「{link}」を確かめられませんでした。ブラウザで開いてみてください。"),
    (r"'tags' has (?P<count>\d+) tags", "タグが {count} 個あります。100 個までにしてください。"),
    (r"is nested too deeply to read", "入れ子（字下げしたリスト・引用・かっこ）が深すぎて読めません。"),
    (r"has a list or a mapping where a key should be", "「キー: 値」のキーの位置に [ ] や {{ }} があります。文字なら引用符で囲んでください。"),
    (r"has a number too long to read", "長すぎる数字があります。引用符で囲むか、短くしてください。"),
    (r"unknown markdown setting '(?P<key>[^']*)'", "site.yaml の markdown の「{key}」は知らない設定です。綴りを確かめてください。"),
    (r"'markdown\.safe_html' must be true or false", "markdown の safe_html には true か false を書いてください。"),
    (r"two sources would write the same address", "2 つのファイルが同じアドレスになります。どちらかに別の slug を付けてください。"),
    (r"slug '(?P<slug>[^']*)'", "slug「{slug}」はアドレスに使えません。英数字と「-」にしてください。"),
    (r"unknown setting '(?P<key>[^']*)'", "site.yaml の「{key}」は知らない設定です。綴りを確かめてください。"),
    (r"template error", "テンプレートの書き方に誤りがあります（この行）。"),
    # Markdown typed with an IME (generator/ime_markdown.py) and site.yaml's markdown.keep_comments
    (r"'＃' \(full-width\) at the start of the line", "行の先頭の「＃」が全角なので、見出しにならずにそのまま表示されます。半角の「#」とスペースに直してください。"),
    (r"the (?:link|image) \[(?P<text>.*)\] has full-width brackets", "「[{text}]」のかっこが全角なので、リンクにならずに文字のまま表示されます。半角の [ ] と ( ) に直してください。"),
    (r"the list marker '(?P<marker>[^']*)' is full-width", "箇条書きの「{marker}」が全角なので、箇条書きになりません。半角の記号とスペースに直してください。"),
    (r"follows the list marker '(?P<marker>[^']*)'", "箇条書きの「{marker}」のあとが全角スペースなので、箇条書きになりません。半角スペースに直してください。"),
    (r"the number '(?P<number>[^']*)' at the start of the line has full-width", "番号「{number}」に全角の文字があるので、番号付きの箇条書きになりません。半角の数字と「. 」に直してください。"),
    (r"follows the number '(?P<number>[^']*)'", "番号「{number}」のあとが全角スペースなので、番号付きの箇条書きになりません。半角スペースに直してください。"),
    (r"an empty heading \('(?P<level>#+)' with nothing but spaces", "文字のない見出し（「{level}」のあとが空白だけ）は、ページと目次から省きました。見出しの文字を書くか、この行を消してください。"),
    (r"'markdown\.keep_comments' must be true or false", "markdown の keep_comments には true か false を書いてください。"),
    # YAML syntax slips in front matter and site.yaml (generator/yaml_errors.py); the hint below shows the corrected line
    (r"a full-width space \(全角スペース\) follows the ':' after '(?P<key>[^']*)'", "「{key}:」のあとのスペースが全角です。「:」のあとの全角スペースを半角スペースに直してください（下の hint の行のように）。"),
    (r"the value of '(?P<key>[^']*)' has ': ' in it", "「{key}」の値の中に「: 」（コロンとスペース）があるため、別の項目の始まりと読まれてしまいます。値全体を「\"」で囲んでください（下の hint の行のように）。"),
    (r"the list item '(?P<item>.*)' has ': ' in it", "箇条書きの「{item}」の中に「: 」（コロンとスペース）があります。全体を「\"」で囲んでください（下の hint の行のように）。"),
    (r"the value of '(?P<key>[^']*)' starts with '(?P<char>.)', which has a special meaning", "「{key}」の値が「{char}」で始まっていますが、この記号は YAML では特別な意味を持ちます。値全体を「\"」で囲んでください（下の hint の行のように）。"),
    (r"the value of '(?P<key>[^']*)' starts with '(?P<open>.)' and goes on after the closing '(?P<close>.)'", "「{key}」の値が「{open}」で始まり、閉じる「{close}」のあとにも文字が続いています。値全体を引用符で囲んでください（下の hint の行のように）。"),
    (r"this line has no ':' between a key and its value", "この行には「キー: 値」の「:」がありません。キーのあとに半角の「:」とスペースを入れてください。上の行の続きなら、行頭に半角スペースを 2 つ入れてください。"),
    (r"this line is indented more than the line above", "この行の字下げ（行頭の半角スペース）が上の行より深くなっています。上の行と同じ位置から書いてください。"),
    (r"the indentation of this line does not match the lines above", "この行の字下げ（行頭の半角スペースの数）が、まわりの行とそろっていません。同じまとまりの行と同じ位置から書いてください。"),
    (r"a list item \('- …'\) is where a 'key: value' line should be", "「- 」で始まる箇条書きの行が、「キー: 値」の行の位置にあります。「tags:」のようなキーの下に、字下げして書いてください。"),
    (r"the (?:quote|bracket) (?P<open>.) opened on this line is never closed with (?P<close>.)", "この行で開いた「{open}」が閉じられていません。値の終わりに「{close}」を付けてください（下の hint の行のように）。"),
    (r"a '\\' inside double quotes starts an unknown escape", "「\"」で囲んだ値の中の「\\」は特別な意味になります。値を「'」で囲んでください。"),
    (r"must be a list of 'key: value' lines", "「キー: 値」の形の行がありません。「title: 定例会の報告」のように 1 行に 1 つずつ書いてください。"),
    (r"is not valid YAML: ", "この行は YAML（「キー: 値」の形）として読めません。「:」や「#」を含む文字は「\"」で囲み、かっこや引用符の閉じ忘れがないか確かめてください。"),
    # site.yaml (generator/config.py): after the specific patterns above, so those still win
    (r"^site\.yaml not found", "site.yaml が見つかりません。サイトのフォルダー（site.yaml のあるフォルダー）で実行するか、"
     "-s でそのフォルダーを指定してください。新しいサイトは katsudo init フォルダー名 で作れます。"),
    (r"unknown (?P<section>images|markdown) setting '(?P<key>[^']*)'", "site.yaml の {section} の「{key}」は知らない設定です。綴りを確かめてください。"),
    (r"^'(?P<key>[^']*)' is empty", "{key} の値が空です。「{key}:」のあとに書いてください。"),
    (r"^'(?P<key>[^']*)' is missing", "{key} の行がありません。「{key}: …」の行を書き足してください。"),
    (r"^'(?P<key>[^']*)' must be text", "{key} には文字を書いてください（字下げした行や箇条書きにはしません）。"),
    (r"^'(?P<key>[^']*)' must be a whole number from (?P<low>\d+) to (?P<high>\d+)", "{key} には {low} から {high} までの数字を書いてください。"),
    (r"^'(?P<key>[^']*)' must be a whole number", "{key} には数字だけを書いてください（例：3）。"),
    (r"^'(?P<key>[^']*)' must be true or false", "{key} には true か false を書いてください。"),
    (r"^'(?P<key>[^']*)' must be one of (?P<choices>.+), not", "{key} には {choices} のどれかを書いてください。"),
    (r"^'base_url' must be a full address", "base_url には https:// か http:// で始まるアドレスを全部書いてください（例：https://example.org/minato/）。"),
    (r"^unknown time zone '(?P<zone>[^']*)'", "タイムゾーン「{zone}」は知らない名前です。日本なら Asia/Tokyo と書いてください。"),
    (r"^'categories' must be a list of 'key: label' lines", "categories の下には、字下げして「キー: 表示名」の行を書いてください（例：  meeting: 会議・定例会）。"),
    (r"^category key '(?P<key>[^']*)' must use", "カテゴリーのキー「{key}」には、半角の小文字・数字・「-」・「_」だけを使ってください（キーはアドレスの一部になります）。"),
    (r"^category '(?P<key>[^']*)' needs a label", "カテゴリー「{key}」に表示名がありません。「{key}: 会議・定例会」のように書いてください。"),
    (r"^'(?P<section>images|markdown)' must have indented lines", "{section} の下には、字下げした設定の行を書いてください（下の hint のように）。"),
    (r"^'images\.widths' must be a list of widths", "images の widths には、16 から 8000 までの幅（ピクセル）を [480, 960, 1600] のように書いてください。"),
    (r"^'images\.default_image' points at no file: (?P<file>.+)", "images の default_image のファイル「{file}」がありません。写真を content/ の下に置き、その場所を書いてください。"),
    # Front matter, pictures and attachments (generator/frontmatter.py, images.py, markdown.py, posts.py)
    (r"^'(?P<key>[^']*)' must be a single line of text", "{key} は 1 行の文章で書いてください（字下げした行や箇条書きにはしません）。"),
    (r"^'tags' must be a list or comma-separated text", "tags（タグ）は「tags: [防災, 地域福祉]」のように、[ ] の中に「,」か「、」で区切って書いてください。"),
    (r"^each tag must be a word or short phrase", "タグは 1 つずつ、短いことばで書いてください（例：tags: [防災, 地域福祉]）。"),
    (r"^tag '(?P<tag>[^']*)' has no letters or digits", "タグ「{tag}」には文字がありません。記号だけでなく、ことばで書いてください。"),
    (r"^series name '(?P<series>[^']*)' has no letters or digits", "シリーズ名「{series}」には文字がありません。「series: 居場所づくり講座」のように、ことばで書いてください。"),
    (r"^each item of 'attachments' needs a 'file:'", "attachments（添付ファイル）の各項目には「- file: ファイル名」が必要です（title: は書かなくてもかまいません）。"),
    (r"^'event' must have indented lines", "event の下には、字下げして「start: 日時」などの行を書いてください（下の hint のように）。"),
    (r"^the image '(?P<link>[^']*)' is (?P<size>[\d.]+) MB \(over (?P<limit>\d+) MB\)", "写真「{link}」は {size} MB あり、{limit} MB を超えています。小さくしてから載せると、サイトのフォルダーが軽くなります。"),
    (r"^the image '(?P<link>[^']*)' is (?P<width>\d+)×(?P<height>\d+) pixels \(over (?P<limit>\d+)\)", "写真「{link}」は {width}×{height} ピクセルで大きすぎます。長い辺を 3000 ピクセル以下に縮めてから載せてください。"),
    (r"^(?:this file|the image '(?P<link>[^']*)') cannot be read as a picture", "この写真のファイルを画像として読めません。画像を開くソフトで開き、JPEG か PNG で保存し直してください。"),
    (r"^the attachment '(?P<file>[^']*)' points at a file that does not exist", "添付ファイル「{file}」がありません。記事と同じフォルダー（content/posts/記事名/）に置いてください。"),
    (r"^'cover' must be a JPEG, PNG or WebP photo of the site, not '(?P<cover>[^']*)'", "cover には、サイトの中の JPEG・PNG・WebP の写真のファイル名を書いてください（「{cover}」は使えません）。"),
    (r"^the file name gives the address '(?P<slug>[^']*)'", "ファイル名から作るアドレス「{slug}」は使えません。ファイル名を変えるか、「slug: teireikai-2024-06」のような行を足してください。"),
    # The output folder (generator/write.py, check.py) and the search index (search.py)
    (r"^the output folder (?P<out>.+) is the site folder or contains it", "出力フォルダー {out} がサイトのフォルダーそのものか、それを含んでいます。-o で別のフォルダー（例：-o public）を指定してください。"),
    (r"^the output folder (?P<out>.+) is inside the site's (?P<name>\w+)/ folder", "出力フォルダー {out} がサイトの {name}/ の中にあります。-o で別のフォルダー（例：-o public）を指定してください。"),
    (r"^the output folder (?P<out>.+) already holds files that katsudo did not write", "出力フォルダー {out} には katsudo が書いたのではないファイルがあります（消さないように止めました）。-o で別のフォルダーを指定してください。"),
    (r"^(?P<out>.+) is not a folder that 'katsudo build' wrote", "{out} は katsudo build で作ったフォルダーではありません。先に katsudo build -o フォルダー を実行するか、--output を付けずに調べてください。"),
    (r"^Pagefind is not installed", "検索のための Pagefind がインストールされていません。pip install 'pagefind[extended]' でインストールしてください。"),
    (r"^the search index could not be built", "検索の索引を作れませんでした。何も公開していません。-v を付けてもう一度実行するか、この表示を知らせてください。"),
)
_COMPILED = tuple((re.compile(pattern), text) for pattern, text in _PATTERNS)


def japanese(message: str) -> str | None:
    for pattern, text in _COMPILED:
        match = pattern.search(message)
        if match:
            return text.format(**match.groupdict())
    return None
