"""site.yaml `markdown.safe_html: true`: a post's HTML is cleaned with an allow-list (nh3), so a
report pasted from elsewhere cannot run script on the site; what katsudo itself writes (photos,
figures, heading ids, footnotes, the table's scroll region, file sizes) is published unchanged.
The default stays false: editors are trusted and their raw HTML is kept as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree, html

from conftest import REPO, SITE_YAML, SiteDir, run_cli

SAFE = SITE_YAML + "markdown:\n  safe_html: true\n"

# Each vector carries the marker XSS only in the part that would run: none may survive.
VECTORS = [
    "<script>alert('XSS1')</script>",
    "<SCRIPT SRC=//evil.example/XSS2.js></SCRIPT>",
    "<img src=x onerror=\"alert('XSS3')\" alt=\"写真\">",
    "<p onclick=\"alert('XSS4')\" onmouseover=\"alert('XSS4b')\">クリック</p>",
    "<a href=\"javascript:alert('XSS5')\">リンク</a>",
    "<a href=\"JaVaScRiPt:alert('XSS6')\">大小混在</a>",
    "<a href=\"jav&#x61;script:alert('XSS7')\">実体参照</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert('XSS8')\">十進の実体参照</a>",
    "<a href=\"  javascript:alert('XSS9')\">前に空白</a>",
    "<a href=\"java&#9;script:alert('XSS10')\">タブ</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTMTEnKTwvc2NyaXB0Pg==#XSS11\">data</a>",
    "<img src=\"data:image/svg+xml,<svg onload=alert('XSS12')>\" alt=\"d\">",
    "<svg onload=\"alert('XSS13')\"><circle r=\"1\"/></svg>",
    "<svg><script>alert('XSS14')</script></svg>",
    "<iframe src=\"https://evil.example/XSS15\"></iframe>",
    "<iframe srcdoc=\"<script>alert('XSS16')</script>\"></iframe>",
    "<style>body { background: url('https://evil.example/XSS17') }</style>",
    "<div style=\"background:url(javascript:alert('XSS18'))\">style</div>",
    "<form action=\"javascript:alert('XSS19')\"><input name=\"q\" value=\"XSS19b\"><button>送信</button></form>",
    "<object data=\"https://evil.example/XSS20.swf\"></object><embed src=\"https://evil.example/XSS21\">",
    "<math><mtext><script>alert('XSS22')</script></mtext></math>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/XSS23\">",
    "<base href=\"https://evil.example/XSS24/\">",
    "<link rel=\"stylesheet\" href=\"https://evil.example/XSS25.css\">",
    "<details open ontoggle=\"alert('XSS26')\"><summary>開く</summary>中身</details>",
    "<!-- <script>alert('XSS27')</script> -->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS28')>\"></noscript>",
    "[Markdownのリンク](javascript:void(XSS29))",
    "![Markdownの画像](javascript:void(XSS30))",
    "<a href=\"vbscript:msgbox('XSS31')\">vbscript</a>",
    "<img srcset=\"javascript:alert('XSS32') 1x\" src=\"/x.png\" alt=\"s\">",
    "## 見出し {: onclick=\"alert('XSS33')\" }",
    "<source srcset=\"javascript:alert('XSS34') 1x\">",
]


def article(page: Path) -> etree._Element:
    document = html.fromstring(page.read_bytes())
    [content] = document.xpath('//div[@class="post-content"]')
    return content


def test_default_keeps_the_editors_raw_html(site: SiteDir):
    site.post("2024-05-01-gogatsu.md", "title: 5月\ndate: 2024-05-01\n",
              "<iframe src=\"https://www.youtube-nocookie.com/embed/x\" title=\"動画\"></iframe>\n")
    assert site.build().exit_code == 0
    assert "<iframe src=\"https://www.youtube-nocookie.com/embed/x\"" in \
        (site.public / "posts/gogatsu/index.html").read_text(encoding="utf-8")


def test_no_xss_vector_survives(site: SiteDir):
    site.write("site.yaml", SAFE)
    body = "## 本文\n\n" + "\n\n".join(VECTORS) + "\n\n残る文章です。\n"
    site.post("2024-05-01-gogatsu.md", "title: 5月\ndate: 2024-05-01\n", body)
    result = site.build()
    assert result.exit_code == 0, result.stderr
    for page in [site.public / "posts/gogatsu/index.html", site.public / "index.html",
                 site.public / "fiscal/2024/report/index.html", site.public / "feed.xml"]:
        text = page.read_text(encoding="utf-8")
        assert "XSS" not in text, (page, [m.start() for m in re.finditer("XSS", text)])
    content = article(site.public / "posts/gogatsu/index.html")
    assert content.xpath(".//script | .//style | .//iframe | .//svg | .//form | .//object | .//embed | .//math"
                         " | .//meta | .//base | .//link | .//input") == []
    for element in content.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), (element.tag, name, value)
    # What was harmless stays: the text, the picture's alt, the summary element, the link text.
    text = content.text_content()
    for kept in ("残る文章です。", "クリック", "リンク", "大小混在", "開く", "Markdownのリンク"):
        assert kept in text
    assert content.xpath(".//details/summary")


def test_xss_in_a_page_is_cleaned_too(site: SiteDir):
    site.write("site.yaml", SAFE)
    site.write("content/pages/about.md", "---\ntitle: 会について\n---\n<script>alert('XSS')</script>紹介\n")
    assert site.build().exit_code == 0
    assert "XSS" not in (site.public / "about/index.html").read_text(encoding="utf-8")


def _normalised(element: etree._Element) -> bytes:
    """The element as canonical XML, without comments (safe_html drops them) and with
    style="text-align: right;" written as nh3 writes it (text-align:right)."""
    element = etree.fromstring(etree.tostring(element))
    for comment in element.xpath("//comment()"):
        parent = comment.getparent()
        if comment.tail:
            previous = comment.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + comment.tail
            else:
                parent.text = (parent.text or "") + comment.tail
        parent.remove(comment)
    for styled in element.xpath("//*[@style]"):
        styled.set("style", styled.get("style").replace(" ", "").rstrip(";"))
    return re.sub(rb">\s+<", b"><", etree.tostring(element, method="c14n"))


def test_the_example_site_is_unchanged_by_safe_html(tmp_path: Path):
    """Every post and page of the example site — photos with srcset, a gallery, figures, footnotes,
    tables, attachments with their size — is the same with safe_html as without it."""
    safe_site = tmp_path / "safe"
    shutil.copytree(REPO / "content", safe_site / "content")
    (safe_site / "site.yaml").write_text((REPO / "site.yaml").read_text(encoding="utf-8")
                                         + "markdown:\n  safe_html: true\n", encoding="utf-8")
    for root, out in ((REPO, tmp_path / "plain-out"), (safe_site, tmp_path / "safe-out")):
        result = run_cli("build", "-s", str(root), "-o", str(out), "-q", "--no-cache")  # (nothing into the repository)
        assert result.exit_code == 0, result.stderr
    compared = 0
    for page in sorted((tmp_path / "plain-out").rglob("index.html")):
        twin = tmp_path / "safe-out" / page.relative_to(tmp_path / "plain-out")
        plain = html.fromstring(page.read_bytes()).xpath('//div[@class="post-content"]')
        safe = html.fromstring(twin.read_bytes()).xpath('//div[@class="post-content"]')
        assert [_normalised(e) for e in safe] == [_normalised(e) for e in plain], page
        compared += len(plain)
    assert compared >= 10
    # What the comparison covered: katsudo's own markup is in it.
    report = (tmp_path / "safe-out/posts/shashin-houkoku/index.html").read_text(encoding="utf-8")
    for markup in ("<picture>", 'type="image/webp"', "srcset=", "sizes=", "<figure", "<figcaption>",
                   'class="gallery"', 'class="file-meta"'):
        assert markup in report, markup
    plan = (tmp_path / "safe-out/posts/dai3ki-keikaku-shinchoku-r5/index.html").read_text(encoding="utf-8")
    for markup in ('class="footnote-ref"', 'id="fn:1"', 'class="footnote-backref"', 'role="region"',
                   'tabindex="0"', 'aria-label="表', 'style="text-align:right"', 'id="令和5年度の評価指標"'):
        assert markup in plan, markup


# --------------------------------------------------------------------------- the setting itself

@pytest.fixture
def published(built_site: SiteDir, monkeypatch) -> SiteDir:
    monkeypatch.chdir(built_site.root)
    built_site.before = built_site.snapshot()
    return built_site


@pytest.mark.parametrize(("setting", "line", "message", "hint"), [
    ("markdown:\n  safe_htm: true\n", 9, "unknown markdown setting 'safe_htm'", "did you mean 'safe_html'?"),
    ("markdown:\n  safe_html: \"はい\"\n", 9, "'markdown.safe_html' must be true or false, not 'はい'",
     "safe_html: true"),
    ("markdown: true\n", 9, "'markdown' must have indented lines such as 'safe_html: true'", "safe_html: true"),
    ("markdwn:\n  safe_html: true\n", 9, "unknown setting 'markdwn'", "did you mean 'markdown'?"),
])
def test_bad_markdown_settings_name_the_line(published: SiteDir, setting, line, message, hint):
    published.write("site.yaml", SITE_YAML + setting)
    result = published.build()
    assert result.exit_code == 1
    assert f"site.yaml:{line}: error: {message}" in result.stderr
    assert hint in result.stderr
    assert result.stderr.rstrip().endswith("1 error; nothing was written")
    assert published.snapshot() == published.before
