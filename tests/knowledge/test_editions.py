"""Editions of one text: the latest in force is current, the older ones read as superseded."""

from __future__ import annotations

from typing import Any

from knowledge.documents import DocumentMeta
from knowledge.editions import newer_editions, text_key, with_editions


def _meta(doc_id: str, title: str, issued: str | None, **extra: Any) -> DocumentMeta:
    values = {"id": doc_id, "title": title, "language": "zh", "category": "regulation"}
    return DocumentMeta.model_validate({**values, "issued": issued, **extra})


def _library(*metas: DocumentMeta) -> dict[str, DocumentMeta]:
    return {m.id: m for m in metas}


def test_the_latest_edition_of_a_text_supersedes_the_older_ones() -> None:
    library = _library(
        _meta("fy-2017", "中华人民共和国行政复议法", "2017-09-01"),
        _meta("fy-2023", "中华人民共和国行政复议法", "2023-09-01", effective="2024-01-01"),
        _meta("fy-1999", "《行政复议法》（1999年）", "1999-04-29"),
        _meta("other", "中华人民共和国行政许可法", "2019-04-23"),
    )
    assert newer_editions(library) == {"fy-2017": "fy-2023", "fy-1999": "fy-2023"}
    marked = with_editions(library)
    assert marked["fy-2017"].status == "superseded"
    assert marked["fy-2017"].extra["superseded_by"] == "fy-2023"
    assert marked["fy-2023"].status == "in_force" and marked["other"] == library["other"]


def test_an_amendment_date_counts_when_the_issue_date_is_missing() -> None:
    library = _library(
        _meta("a", "药品管理法", None, adopted="1984-09-20", amended="2015-04-24"),
        _meta("b", "药品管理法", "2019-08-26"),
    )
    assert newer_editions(library) == {"a": "b"}


def test_texts_that_only_look_alike_are_not_editions_of_each_other() -> None:
    library = _library(
        # Numbered amendment acts are texts of their own.
        _meta("a7", "中华人民共和国刑法修正案（七）", "2009-02-28"),
        _meta("a8", "中华人民共和国刑法修正案（八）", "2011-02-25"),
        _meta("c2004", "中华人民共和国宪法修正案（2004年）", "2004-03-14"),
        _meta("c2018", "中华人民共和国宪法修正案（2018年）", "2018-03-11"),
        # Another language or another place's rule of the same name.
        _meta("en", "Drug Administration Law", "2019-08-26", language="en"),
        _meta("zh", "药品管理法", "2015-04-24"),
        _meta("sh", "检验检测条例", "2016-11-11", jurisdiction="guangdong"),
        _meta("gz", "检验检测条例", "2024-12-31", jurisdiction="guangzhou"),
    )
    assert newer_editions(library) == {}


def test_only_editions_in_force_with_a_date_compete_and_staff_choices_stand() -> None:
    library = _library(
        _meta("old", "疫苗管理法", "2019-06-29"),
        _meta("draft", "疫苗管理法", "2025-01-01", status="draft"),  # not in force: no successor
        _meta("undated", "疫苗管理法", None),
    )
    assert newer_editions(library) == {}
    staff = _library(
        _meta("v1", "疫苗管理法", "2019-06-29", status="superseded", superseded_by="guide"),
        _meta("v2", "疫苗管理法", "2025-01-01"),
        _meta("guide", "疫苗管理指南", "2024-01-01"),
    )
    assert newer_editions(staff) == {}
    assert with_editions(staff)["v1"].extra["superseded_by"] == "guide"
    # Two files of one edition (the same date) leave both as they are.
    same = _library(_meta("x", "民法典", "2020-05-28"), _meta("y", "民法典", "2020-05-28"))
    assert newer_editions(same) == {}


def test_an_edition_note_is_no_part_of_the_texts_name() -> None:
    key = text_key(_meta("a", "《中华人民共和国药品管理法》（2019年修订）", "2019-08-26"))
    assert key == ("药品管理法", "zh", None)
    assert text_key(_meta("b", "人民检察院刑事诉讼规则（试行）", "2012-10-16"))[0] == (
        "人民检察院刑事诉讼规则"
    )
