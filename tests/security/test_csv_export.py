"""CSV export neutralises formulas wherever a spreadsheet may start a cell (finding 7)."""

from __future__ import annotations

import csv
import io

import pytest

from web.routes.staff_exports import _cell

SEMICOLON_ATTACK = "x;=1+1;=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", SEMICOLON_ATTACK, "a,=1", "a|=1", "a; @x"],
)
def test_a_formula_trigger_after_a_separator_is_prefixed(text: str) -> None:
    assert _cell(text) == "'" + text


@pytest.mark.parametrize("text", ["细胞治疗备案", "Batch A1 (2 vials)", "a=b", "e-mail"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert _cell(text) == text


def test_the_exported_title_is_quoted_and_prefixed(world) -> None:  # type: ignore[no-untyped-def]
    world.submit(world.a, title=SEMICOLON_ATTACK, description="CSV 注入测试")

    exported = world.staff.client.get("/staff/queue.csv", params={"q": "CSV 注入测试"})

    assert exported.status_code == 200
    assert f'"\'{SEMICOLON_ATTACK}"' in exported.text  # quoted, with the apostrophe inside
    _header, *rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert SEMICOLON_ATTACK not in [row[1] for row in rows]  # column 2: the title
