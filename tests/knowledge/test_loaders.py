"""Loading files of every supported format into SourceDocuments (knowledge.loaders).

Rejected files are in test_loader_errors.py, the bundled sources in test_bundled_sources.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from knowledge.documents import SourceDocument
from knowledge.loaders import LoaderError, expand_paths, load_bytes, load_path
from tests.knowledge.sample_files import MARKDOWN, PARAGRAPH, make_docx, make_pdf, write

NOISY_HTML = """<!doctype html>
<html><head><title>Nansha corporate income tax at 15%</title>
<script>var tracker = "analytics tracking code";</script>
<style>p { color: red; }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/menu">Main menu entry</a></nav>
<header>Site banner text</header>
<h1>Corporate income tax</h1>
<p>Qualifying companies in Nansha pay corporate income tax at a reduced rate of 15%.</p>
<ul><li>Encouraged industries only</li></ul>
<footer>Copyright footer text</footer>
</body></html>
"""


# --- each format ---------------------------------------------------------------------------


def test_markdown_front_matter_becomes_metadata_and_is_cut_from_the_text(tmp_path: Path) -> None:
    document = load_path(write(tmp_path / "nansha-cit-15.en.md", MARKDOWN))

    meta = document.meta
    assert (meta.id, meta.language, meta.translation_of) == (
        "nansha-cit-15-en",
        "en",
        "nansha-cit-15-zh",
    )
    assert (meta.category, meta.jurisdiction, meta.status) == ("policy", "nansha", "in_force")
    assert meta.doc_number == "财税〔2022〕40号"
    assert meta.verified is True
    assert document.text.startswith("Qualifying companies in Nansha")
    assert "---" not in document.text and "issuer:" not in document.text
    assert document.path == str(tmp_path / "nansha-cit-15.en.md")


def test_markdown_unquoted_dates_are_kept_as_the_text_they_were_written_as(tmp_path: Path) -> None:
    meta = load_path(write(tmp_path / "cit.md", MARKDOWN)).meta
    assert meta.issued == "2022-11-18"
    assert meta.effective == "2022-01"


def test_markdown_dates_under_extra_keys_are_kept_as_text_too(tmp_path: Path) -> None:
    content = MARKDOWN.replace("verified: true", "verified: true\nreviewed: 2025-06-30")
    meta = load_path(write(tmp_path / "cit.md", content)).meta
    assert meta.extra == {"reviewed": "2025-06-30"}  # text, so it can be stored as JSON


def test_markdown_dates_nested_under_extra_keys_are_kept_as_text(tmp_path: Path) -> None:
    content = MARKDOWN.replace(
        "verified: true", "verified: true\nmilestones:\n  opened: 2025-01-01"
    )
    meta = load_path(write(tmp_path / "cit.md", content)).meta
    assert meta.extra == {"milestones": {"opened": "2025-01-01"}}


def test_markdown_emphasis_and_code_marks_are_removed_but_headings_kept(tmp_path: Path) -> None:
    text = load_path(write(tmp_path / "cit.md", MARKDOWN)).text
    assert "at 15%." in text
    assert "The encouraged industries list" in text
    assert "**" not in text and "`" not in text
    assert "\n## Scope\n" in text


def test_markdown_service_keys_beyond_the_standard_ones_are_kept_as_extra(tmp_path: Path) -> None:
    content = MARKDOWN.replace("category: policy", "category: service").replace(
        "verified: true",
        "verified: false\nservice_code: release_testing\nturnaround_days: 10\nfee: null",
    )
    meta = load_path(write(tmp_path / "svc.md", content)).meta
    assert meta.extra == {"service_code": "release_testing", "turnaround_days": 10, "fee": None}


def test_plain_text_gets_language_id_title_and_category_defaults(tmp_path: Path) -> None:
    document = load_path(
        write(tmp_path / "Release Testing.txt", f"{PARAGRAPH}\r\nSecond line.\r\n")
    )

    assert document.meta.language == "en"
    assert document.meta.id == "release-testing-en"
    assert document.meta.title == PARAGRAPH
    assert document.meta.category == "policy"
    assert document.text == f"{PARAGRAPH}\nSecond line.\n"


def test_chinese_plain_text_is_detected_as_zh(tmp_path: Path) -> None:
    text = "南沙区对符合条件的鼓励类产业企业减按15%的税率征收企业所得税。"
    document = load_path(write(tmp_path / "cit.txt", text))
    assert document.meta.language == "zh"
    assert document.meta.id == "cit-zh"


def test_gb18030_encoded_text_loads(tmp_path: Path) -> None:
    text = "南沙区对符合条件的鼓励类产业企业减按15%的税率征收企业所得税。"
    document = load_path(write(tmp_path / "legacy.txt", text.encode("gb18030")))
    assert document.text == text + "\n"


def test_gb18030_encoded_markdown_front_matter_loads(tmp_path: Path) -> None:
    content = (
        "---\ntitle: 南沙企业所得税优惠\ncategory: policy\n---\n\n"
        "南沙区对鼓励类产业企业减按15%税率征收企业所得税。\n"
    )
    meta = load_path(write(tmp_path / "legacy.md", content.encode("gb18030"))).meta
    assert meta.title == "南沙企业所得税优惠"


def test_utf8_byte_order_mark_does_not_hide_the_front_matter(tmp_path: Path) -> None:
    meta = load_path(write(tmp_path / "bom.md", "\ufeff".encode() + MARKDOWN.encode())).meta
    assert meta.id == "nansha-cit-15-en"


def test_pdf_text_is_extracted_from_every_page(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "release-testing.pdf",
        [PARAGRAPH, "Fees for release testing are to be confirmed with the center."],
    )
    document = load_path(path)

    assert "rent subsidies" in document.text
    assert "Fees for release testing are to be confirmed with the center." in document.text
    assert document.text.index("rent subsidies") < document.text.index("Fees for release")
    assert document.meta.language == "en"
    assert document.meta.id == "release-testing-en"


def test_docx_headings_become_markdown_headings_below_the_title_level(tmp_path: Path) -> None:
    document = load_path(make_docx(tmp_path / "measures.docx"))

    assert document.text == (
        "## Nansha biomedicine measures\n\n"
        f"{PARAGRAPH}\n\n"
        "### Eligibility\n\n"
        "Companies registered in Nansha for at least one year qualify.\n"
    )
    assert document.meta.title == "Nansha biomedicine measures"


def test_html_drops_scripts_navigation_and_page_chrome(tmp_path: Path) -> None:
    text = load_path(write(tmp_path / "cit.html", NOISY_HTML)).text

    assert "Qualifying companies in Nansha pay corporate income tax" in text
    for noise in (
        "tracking code",
        "color: red",
        "Main menu entry",
        "Site banner",
        "Copyright footer",
    ):
        assert noise not in text


def test_html_title_becomes_the_document_title_and_blocks_become_markdown(tmp_path: Path) -> None:
    document = load_path(write(tmp_path / "cit.htm", NOISY_HTML))

    assert document.meta.title == "Nansha corporate income tax at 15%"
    assert "# Corporate income tax" in document.text
    assert "- Encouraged industries only" in document.text


# --- metadata a real file carries in its text ---------------------------------------------

# A regulation written for these tests, laid out as published: title, history, articles.
REGULATION = [
    "南沙区细胞治疗产品临床研究管理办法",
    "（2021年3月15日南沙区人民政府令第12号公布　根据2023年6月30日《南沙区人民政府关于修改部分"
    "规章的决定》修订）",
    "第一章 总则",
    "第一条 为了规范细胞治疗产品临床研究，保障受试者权益，制定本办法。",
    "第二十条 本办法自2021年5月1日起施行。",
]


def _check_regulation(document: SourceDocument) -> None:
    meta = document.meta
    assert meta.title == "南沙区细胞治疗产品临床研究管理办法"
    assert meta.language == "zh"
    assert meta.category == "regulation"
    assert (meta.issued, meta.effective) == ("2023-06-30", "2021-05-01")
    assert meta.issuer == "南沙区人民政府"
    assert meta.doc_number == "南沙区人民政府令第12号"
    assert meta.extra["adopted"] == "2021-03-15"
    assert [e["action"] for e in meta.extra["history"]] == ["公布", "修订"]


def test_plain_text_regulation_gets_its_metadata_from_its_opening_lines(tmp_path: Path) -> None:
    document = load_path(write(tmp_path / "细胞治疗临床研究办法.txt", "\n\n".join(REGULATION)))
    _check_regulation(document)
    assert re.fullmatch(r"doc-[0-9a-f]{10}-zh", document.id)


def test_docx_regulation_gets_its_metadata_from_its_opening_lines(tmp_path: Path) -> None:
    document = docx.Document()
    for line in REGULATION:
        document.add_paragraph(line)
    path = tmp_path / "细胞治疗临床研究办法.docx"
    document.save(str(path))
    _check_regulation(load_path(path))


def test_html_regulation_gets_its_metadata_from_its_opening_lines(tmp_path: Path) -> None:
    title, *rest = REGULATION
    paragraphs = "".join(f"<p>{line}</p>" for line in rest)
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{paragraphs}</body>"
    _check_regulation(load_path(write(tmp_path / "regulation.html", page + "</html>")))


FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")


def _cjk_font() -> Path | None:
    """A TrueType font with Chinese glyphs, if the machine has one (fpdf2 needs it for CJK)."""
    for folder in (f for f in FONT_FOLDERS if f.is_dir()):
        for pattern in ("*CJK*.tt[fc]", "*wqy*.tt[fc]", "*DroidSansFallback*.ttf", "*SimSun*"):
            found = sorted(folder.rglob(pattern), key=lambda p: "Regular" not in p.name)
            if found:
                return found[0]
    return None


def test_pdf_regulation_gets_its_metadata_from_its_opening_lines(tmp_path: Path) -> None:
    font = _cjk_font()
    if font is None:
        pytest.skip("no CJK TrueType font on this machine to write a Chinese PDF with")
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=12)
    pdf.add_page()
    for line in REGULATION:
        pdf.multi_cell(0, 8, line)
        pdf.ln(4)
    path = tmp_path / "regulation.pdf"
    pdf.output(str(path))
    _check_regulation(load_path(path))


def test_markdown_comments_are_cut_from_the_text_citations_quote(tmp_path: Path) -> None:
    content = (
        "# 某某条例 <!-- 标题 -->\n\n2019年8月26日 某省人民代表大会常务委员会通过\n\n"
        "<!-- INFO END -->\n\n第一条 为了规范管理，制定本条例。\n"
    )
    document = load_path(write(tmp_path / "某某条例(2019-08-26).md", content))

    assert "<!--" not in document.text and "INFO END" not in document.text
    assert document.text.startswith("# 某某条例\n\n2019年8月26日")
    assert document.meta.title == "某某条例"
    assert document.meta.issued == "2019-08-26"
    assert document.meta.issuer == "某省人民代表大会常务委员会"


def test_explicit_metadata_wins_over_what_the_text_says(tmp_path: Path) -> None:
    path = write(tmp_path / "regulation.txt", "\n\n".join(REGULATION))
    write(tmp_path / "regulation.txt.meta.yaml", "issuer: 南沙区司法局\nissued: 2021-03\n")
    meta = load_path(path, {"title": "Staff's title", "category": "policy"}).meta

    assert (meta.title, meta.category, meta.issuer, meta.issued) == (
        "Staff's title",
        "policy",
        "南沙区司法局",
        "2021-03",
    )
    assert meta.effective == "2021-05-01"  # what nobody gave explicitly still comes from the text


def test_two_chinese_file_names_with_the_same_date_get_different_ids(tmp_path: Path) -> None:
    text = "南沙区对符合条件的鼓励类产业企业减按15%的税率征收企业所得税。"
    first = load_path(write(tmp_path / "中医药法(2016-12-25).md", text)).id
    second = load_path(write(tmp_path / "药品管理法(2016-12-25).md", text)).id

    assert first != second
    assert first.startswith("2016-12-25-") and first.endswith("-zh")


# --- metadata from a sidecar or the caller ----------------------------------------------------


def test_sidecar_meta_yaml_supplies_metadata_for_a_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [PARAGRAPH])
    write(
        tmp_path / "scan.pdf.meta.yaml",
        "id: nansha-measures-en\ntitle: Nansha measures\ncategory: policy\n"
        "jurisdiction: nansha\nissued: 2024-03-01\n",
    )
    meta = load_path(path).meta

    assert (meta.id, meta.title, meta.jurisdiction) == (
        "nansha-measures-en",
        "Nansha measures",
        "nansha",
    )
    assert meta.issued == "2024-03-01"


def test_sidecar_overrides_front_matter_and_caller_metadata_overrides_both(tmp_path: Path) -> None:
    path = write(tmp_path / "cit.md", MARKDOWN)
    write(tmp_path / "cit.md.meta.yaml", "status: superseded\njurisdiction: gba\n")

    meta = load_path(path, metadata={"jurisdiction": "guangzhou"}).meta

    assert meta.status == "superseded"
    assert meta.jurisdiction == "guangzhou"
    assert meta.id == "nansha-cit-15-en"


def test_load_bytes_takes_metadata_without_touching_the_file_system() -> None:
    document = load_bytes(
        PARAGRAPH.encode(), filename="upload.txt", metadata={"id": "upload-1", "category": "news"}
    )
    assert isinstance(document, SourceDocument)
    assert (document.id, document.meta.category, document.path) == ("upload-1", "news", None)


def test_expand_paths_lists_supported_files_below_a_folder_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/z.md", "a.txt", "b/c.PDF", "notes.rtf", "a.txt.meta.yaml"):
        write(tmp_path / name, "x")

    assert expand_paths([tmp_path]) == [
        tmp_path / "a.txt",
        tmp_path / "b/c.PDF",
        tmp_path / "b/z.md",
    ]


def test_expand_paths_rejects_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="no such file or folder"):
        expand_paths([tmp_path / "missing.md"])
