"""The service definitions read from portal/data/*.yaml: what they hold, and how a mistake reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal import service_specs
from portal.service_specs import (
    AttachmentSpec,
    CatalogDataError,
    Choice,
    FieldSpec,
    load_catalog,
)
from portal.workflow import Priority

PRODUCT_TYPE_CHOICES = (
    Choice("autologous_cell", "自体细胞", "Autologous cells"),
    Choice("allogeneic_cell", "异体细胞", "Allogeneic cells"),
    Choice("car_t", "CAR-T", "CAR-T"),
    Choice("msc", "间充质干细胞", "MSC"),
    Choice("ipsc", "iPSC", "iPSC"),
    Choice("aav", "AAV", "AAV"),
    Choice("lentivirus", "慢病毒", "Lentivirus"),
    Choice("mrna_lnp", "mRNA-LNP", "mRNA-LNP"),
    Choice("gene_editing", "基因编辑", "Gene editing"),
    Choice("other", "其他", "Other"),
)


def test_services_come_in_display_order_with_their_teams() -> None:
    assert list(service_specs.SPECS) == [
        "release_lot_testing",
        "cell_bank_characterisation",
        "vector_plasmid_analytics",
        "regulatory_filing_consultation",
        "hgr_compliance_support",
        "special_items_import_export",
        "clinical_research_support",
        "facility_booking",
        "training",
        "policy_subsidy_consultation",
        "ip_tech_transfer",
        "general_consultation",
    ]
    assert service_specs.TEAMS == {
        "testing": ("检测与质量团队", "Testing and quality"),
        "regulatory": ("注册与临床团队", "Regulatory and clinical"),
        "hgr_customs": ("遗传资源与通关团队", "HGR and customs"),
        "facilities": ("平台与设施团队", "Facilities"),
        "training_policy": ("培训与政策团队", "Training and policy"),
        "general": ("综合服务团队", "General services"),
    }


def test_release_testing_is_pinned_field_by_field() -> None:
    spec = service_specs.SPECS["release_lot_testing"]
    assert (spec.name_zh, spec.name_en) == (
        "细胞产品放行检测与批检测服务",
        "Release and lot testing of cell products",
    )
    assert (spec.team_code, spec.default_priority, spec.turnaround_days) == (
        "testing",
        Priority.NORMAL,
        15,
    )
    assert [f.name for f in spec.fields] == [
        "product_type",
        "development_stage",
        "sample_type",
        "sample_quantity",
        "cold_chain",
        "tests_requested",
        "acceptance_criteria",
        "method_standard",
        "glp_gmp_data",
        "report_language",
        "deadline",
        "nda_required",
    ]
    by_name = {f.name: f for f in spec.fields}
    assert by_name["product_type"] == FieldSpec(
        "product_type", "产品类型", "Product type", "select", True, PRODUCT_TYPE_CHOICES
    )
    assert by_name["sample_quantity"] == FieldSpec(
        "sample_quantity", "样品数量", "Sample quantity", "integer", True, minimum=1, maximum=100000
    )
    assert by_name["deadline"] == FieldSpec(
        "deadline", "期望完成日期", "Needed by", "date", future_only=True
    )
    assert by_name["tests_requested"].kind == "multiselect"
    assert by_name["tests_requested"].choices[-1] == Choice("rcr_rcl", "RCR/RCL", "RCR/RCL")
    assert spec.attachments == (
        AttachmentSpec("sample_info", "样品信息表或检验委托单", "Sample information sheet", True),
        AttachmentSpec("methods", "质量标准或方法文件", "Specifications or methods"),
    )


def test_a_used_shared_field_keeps_everything_but_what_it_changes() -> None:
    facility = {f.name: f for f in service_specs.SPECS["facility_booking"].fields}
    assert facility["product_type"] == FieldSpec(
        "product_type", "产品类型", "Product type", "select", False, PRODUCT_TYPE_CHOICES
    )
    training = service_specs.SPECS["training"]
    assert training.default_priority == Priority.LOW and training.attachments == ()
    course = {f.name: f for f in training.fields}["course_language"]
    assert course == FieldSpec(
        "course_language",
        "授课语言",
        "Course language",
        "select",
        True,
        (
            Choice("zh", "中文", "Chinese"),
            Choice("en", "英文", "English"),
            Choice("bilingual", "中英双语", "Bilingual"),
        ),
    )
    hgr = {f.name: f for f in service_specs.SPECS["hgr_compliance_support"].fields}
    # "yes"/"no" are quoted in the YAML: they stay text, not booleans.
    assert [c.value for c in hgr["foreign_party"].choices] == ["yes", "no"]


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(service_specs.DATA_DIR, folder)
    return folder


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_bundled_files_load_to_the_module_tables(tmp_path: Path) -> None:
    loaded = load_catalog(_copy(tmp_path))
    assert loaded.services == service_specs.SPECS and loaded.teams == service_specs.TEAMS


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("services.yaml", "  team: testing\n", "  team: lab\n", "release_lot_testing.team"),
        ("services.yaml", "    - cold_chain\n", "    - cold_chains\n", "no shared field"),
        ("services.yaml", "turnaround_days: 15", "turnaround_days: soon", "whole number"),
        ("services.yaml", "    - sample_info\n", "    - sample_sheet\n", "no shared attachment"),
        ("services.yaml", "default_priority: normal", "default_priority: asap", "one of"),
        ("fields.yaml", '["yes", 是, "Yes"]', "[yes, 是, Yes]", "quote it"),
        ("fields.yaml", "  kind: select\n", "  kind: dropdown\n", "unknown kind"),
        ("fields.yaml", "  max_length: 200\n", "  max_len: 200\n", "unknown key max_len"),
        ("teams.yaml", "name_en: Facilities", "name_english: Facilities", "missing name_en"),
        ("services.yaml", "release_lot_testing:\n", "release_lot_testing: [\n", "not valid YAML"),
    ],
)
def test_a_mistake_in_the_data_names_the_file_and_the_place(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    folder = _copy(tmp_path)
    _edit(folder, name, old, new)
    with pytest.raises(CatalogDataError, match=message) as failure:
        load_catalog(folder)
    assert name in str(failure.value)
