"""Service guides, the completeness check, named material slots and extra material requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import completeness, material_requests, service_guides, service_specs
from portal.attachments import AttachmentStore, keep_uploads
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Attachment, Event
from portal.workflow import Status

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TEXT = """放行检测是中心拟受理的服务请求。放行检测尚未正式公布。

## 服务内容

放行检测拟覆盖无菌检查。

## 适用对象

放行检测拟面向细胞产品企业。

## 所需材料

申请放行检测时，企业需提供产品类型。

## 办理时限

放行检测的办理时限尚未公布。

## 收费

放行检测的收费标准待确认。
"""


@dataclass
class Doc:
    """A stand-in for a knowledge-base row."""

    id: str = "release-lot-testing-zh"
    title: str = "细胞产品放行检测与批检测服务"
    language: str = "zh"
    status: str = "proposed"
    verified: bool = False
    text: str = TEXT
    extra: dict[str, Any] = field(
        default_factory=lambda: {
            "service_code": "release_lot_testing",
            "turnaround_days": None,
            "fee": None,
            "questions": ["放行检测包括哪些检测项目？"],
        }
    )


def test_a_guide_takes_its_sections_from_the_description_and_its_materials_from_the_catalog() -> (
    None
):
    spec = service_specs.spec_for(service_code="release_lot_testing")
    guide = service_guides.build(spec=spec, document=Doc(), language="zh")
    assert guide.summary == ("放行检测是中心拟受理的服务请求。放行检测尚未正式公布。",)
    assert guide.covers == ("放行检测拟覆盖无菌检查。",)
    assert guide.eligibility == ("放行检测拟面向细胞产品企业。",)
    assert guide.needs == ("申请放行检测时，企业需提供产品类型。",)
    assert [m.key for m in guide.materials] == ["sample_info", "methods"]
    assert guide.materials[0].spec.required and not guide.materials[1].spec.required
    assert "PDF" in guide.materials[0].formats
    assert guide.questions == ("放行检测包括哪些检测项目？",)
    assert guide.status == "proposed"
    assert [f.name for f in guide.required_fields][:2] == ["product_type", "development_stage"]


def test_a_guide_shows_no_fee_or_time_until_the_description_gives_one() -> None:
    spec = service_specs.spec_for(service_code="release_lot_testing")
    unknown = service_guides.build(spec=spec, document=Doc(), language="zh")
    assert unknown.fee is None and unknown.turnaround_days is None
    published = Doc(
        extra={"service_code": "release_lot_testing", "turnaround_days": 12, "fee": "RMB 1"}
    )
    known = service_guides.build(spec=spec, document=published, language="zh")
    assert known.fee == "RMB 1" and known.turnaround_days == 12
    # The catalog's internal SLA default is never shown as the service's target time.
    assert service_guides.build(spec=spec, document=None, language="en").turnaround_days is None


def test_guides_are_found_by_any_word_of_their_text_or_materials() -> None:
    guides = service_guides.build_all(
        codes=service_specs.SERVICE_CODES, documents=[Doc()], language="zh"
    )
    assert len(guides) == len(service_specs.SERVICE_CODES)
    assert [g.code for g in service_guides.search(guides, "无菌检查")] == ["release_lot_testing"]
    assert "release_lot_testing" in [g.code for g in service_guides.search(guides, "样品信息表")]
    assert service_guides.search(guides, "无菌检查 没有这个词") == []
    assert len(service_guides.search(guides, "  ")) == len(guides)


def test_the_checklist_lists_every_required_item_and_ticks_what_is_given() -> None:
    spec = service_specs.spec_for(service_code="release_lot_testing")
    empty = completeness.check(spec=spec, values={})
    missing = [i.name for i in empty.missing]
    assert missing[:2] == ["title", "description"]
    assert "product_type" in missing and "tests_requested" in missing
    assert "material_sample_info" in missing and "material_methods" not in missing
    assert "nda_required" not in [i.name for i in empty.items]  # a yes/no box is never missing
    values = {
        "title": "t",
        "description": "d",
        "product_type": "car_t",
        "tests_requested": ["sterility"],
    }
    part = completeness.check(spec=spec, values=values, materials={"sample_info"})
    assert {"title", "product_type", "tests_requested", "material_sample_info"}.isdisjoint(
        i.name for i in part.missing
    )
    assert not part.complete
    clauses = {i.name: i.clause for i in part.items}
    assert clauses["material_sample_info"] == "material-sample_info"


def test_each_upload_slot_is_checked_on_its_own(store: AttachmentStore) -> None:
    kept, errors = keep_uploads(
        store=store,
        uploads={
            "sample_info": ("sheet.pdf", PDF),
            "methods": ("methods.pdf", b"not a pdf"),
        },
    )
    assert list(kept) == ["sample_info"] and kept["sample_info"].content_type == "application/pdf"
    assert errors == {"methods": "file_content_mismatch"}
    assert store.read(kept["sample_info"].sha256) == PDF


def test_a_request_records_which_material_each_file_is(
    session: Session, people: dict[str, Any], submit_one: Any, store: AttachmentStore
) -> None:
    kept, _ = keep_uploads(store=store, uploads={"sample_info": ("sheet.pdf", PDF)})
    request = submit_one(people["a"], files=[], materials=kept)
    rows = session.scalars(select(Attachment).where(Attachment.request_id == request.id)).all()
    assert [(r.filename, r.material) for r in rows] == [("sheet.pdf", "sample_info")]


def test_a_missing_required_material_is_named_by_its_slot(
    people: dict[str, Any], submit_one: Any
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        submit_one(people["a"], files=[], materials={})
    assert failure.value.errors == {"material_sample_info": "required"}


def test_asking_for_a_material_the_guide_lists_needs_no_reason(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    material_requests.ask(
        session=session, actor=people["staff"], request=request, material="methods"
    )
    assert request.status == Status.AWAITING_COMPANY
    kinds = session.scalars(select(Event.kind).where(Event.request_id == request.id)).all()
    assert material_requests.LISTED in kinds and material_requests.EXTRA not in kinds
    assert material_requests.extra_counts(session=session, actor=people["staff"]) == []


def test_asking_for_an_unlisted_material_requires_a_reason_that_is_recorded_and_counted(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(ValidationFailed) as failure:
        material_requests.ask(
            session=session,
            actor=people["staff"],
            request=request,
            material=material_requests.OTHER,
            name="稳定性数据",
        )
    assert failure.value.errors == {"reason": "reason_required"}
    material_requests.ask(
        session=session,
        actor=people["staff"],
        request=request,
        material=material_requests.OTHER,
        name="稳定性数据",
        reason="运输条件超出样品说明的范围",
    )
    event = session.scalars(
        select(Event).where(Event.kind == material_requests.EXTRA, Event.request_id == request.id)
    ).one()
    assert event.note == "运输条件超出样品说明的范围" and event.after["name"] == "稳定性数据"
    counts = material_requests.extra_counts(session=session, actor=people["staff"])
    assert counts == [material_requests.ExtraCount("release_lot_testing", 1)]


def test_only_staff_ask_for_materials(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        material_requests.ask(
            session=session, actor=people["a"], request=request, material="methods"
        )
