"""The service catalog: one form per service, its fields, attachments and routing defaults.

Validation messages are language-neutral keys (see MESSAGES for their zh/en texts), so that
`web` shows them in the user's language next to each field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound, ValidationFailed
from portal.models import Service, Team
from portal.workflow import Priority

FieldKind = Literal["text", "textarea", "select", "multiselect", "boolean", "integer", "date"]
SHANGHAI = ZoneInfo("Asia/Shanghai")

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("此项为必填项", "This field is required"),
    "too_long": ("内容过长", "This is too long"),
    "invalid_choice": ("请选择列表中的选项", "Choose one of the listed options"),
    "not_a_single_value": ("只能填写一个值", "Give a single value"),
    "not_an_integer": ("请填写整数", "Enter a whole number"),
    "out_of_range": ("数值超出允许范围", "The number is out of range"),
    "invalid_date": ("日期格式应为 YYYY-MM-DD", "Enter a date as YYYY-MM-DD"),
    "date_in_past": ("日期不能早于今天", "The date cannot be in the past"),
    "invalid_boolean": ("请选择是或否", "Choose yes or no"),
    "invalid_characters": ("包含不允许的字符", "Contains characters that are not allowed"),
    "unknown_service": ("未知的服务类型", "Unknown service"),
    "attachment_required": (
        "此服务需要上传所列的必需附件",
        "This service needs its required attachments (send them as multipart files)",
    ),
}


@dataclass(frozen=True)
class Choice:
    """One option of a select or multiselect field."""

    value: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class FieldSpec:
    """A typed field of a service's request form."""

    name: str
    label_zh: str
    label_en: str
    kind: FieldKind
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    future_only: bool = False  # dates: deadlines and bookings cannot lie in the past


@dataclass(frozen=True)
class AttachmentSpec:
    """A document the center needs (required) or finds useful (optional) for a service."""

    key: str
    label_zh: str
    label_en: str
    required: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    """Everything about a service's form that the knowledge base does not hold."""

    code: str
    name_zh: str
    name_en: str
    team_code: str
    default_priority: Priority
    turnaround_days: int
    fields: tuple[FieldSpec, ...]
    attachments: tuple[AttachmentSpec, ...] = field(default=())


class ServiceDocument(Protocol):
    """What sync_catalog needs of a knowledge-base document (DocumentRow fits)."""

    id: str
    title: str
    language: str
    category: str
    extra: dict[str, Any]


TEAMS: dict[str, tuple[str, str]] = {
    "testing": ("检测与质量团队", "Testing and quality"),
    "regulatory": ("注册与临床团队", "Regulatory and clinical"),
    "hgr_customs": ("遗传资源与通关团队", "HGR and customs"),
    "facilities": ("平台与设施团队", "Facilities"),
    "training_policy": ("培训与政策团队", "Training and policy"),
    "general": ("综合服务团队", "General services"),
}


def _c(*triples: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, zh, en) for v, zh, en in triples)


YES_NO = _c(("yes", "是", "Yes"), ("no", "否", "No"))
YES_NO_UNSURE = YES_NO + _c(("unsure", "不确定", "Not sure"))

PRODUCT_TYPE = FieldSpec(
    "product_type",
    "产品类型",
    "Product type",
    "select",
    True,
    _c(
        ("autologous_cell", "自体细胞", "Autologous cells"),
        ("allogeneic_cell", "异体细胞", "Allogeneic cells"),
        ("car_t", "CAR-T", "CAR-T"),
        ("msc", "间充质干细胞", "MSC"),
        ("ipsc", "iPSC", "iPSC"),
        ("aav", "AAV", "AAV"),
        ("lentivirus", "慢病毒", "Lentivirus"),
        ("mrna_lnp", "mRNA-LNP", "mRNA-LNP"),
        ("gene_editing", "基因编辑", "Gene editing"),
        ("other", "其他", "Other"),
    ),
)
STAGE = FieldSpec(
    "development_stage",
    "研发阶段",
    "Development stage",
    "select",
    True,
    _c(
        ("research", "研究阶段", "Research"),
        ("ind", "IND 申报", "IND"),
        ("clinical", "临床试验阶段", "Clinical phase"),
        ("bla", "上市申请", "BLA"),
        ("commercial", "已上市", "Commercial"),
    ),
)
TRACK = FieldSpec(
    "regulatory_track",
    "监管路径",
    "Regulatory track",
    "select",
    False,
    _c(
        ("drug", "药品注册路径", "Drug registration"),
        ("technology_818", "医疗技术路径（818号令）", "Medical technology (Decree 818)"),
        ("undecided", "尚未确定", "Undecided"),
    ),
)
SAMPLE_TYPE = FieldSpec("sample_type", "样品类型", "Sample type", "text", True, max_length=200)
SAMPLE_QTY = FieldSpec(
    "sample_quantity", "样品数量", "Sample quantity", "integer", True, minimum=1, maximum=100000
)
COLD_CHAIN = FieldSpec(
    "cold_chain",
    "冷链要求",
    "Cold chain",
    "select",
    True,
    _c(
        ("ambient", "常温", "Ambient"),
        ("2_8c", "2–8 °C", "2–8 °C"),
        ("minus_20c", "-20 °C", "-20 °C"),
        ("minus_80c", "-80 °C", "-80 °C"),
        ("liquid_nitrogen", "液氮", "Liquid nitrogen"),
    ),
)
HGR = FieldSpec(
    "hgr_involved",
    "是否涉及人类遗传资源",
    "Human genetic resources involved",
    "select",
    True,
    YES_NO_UNSURE,
)
FOREIGN = FieldSpec(
    "foreign_party", "是否涉及外方", "Foreign party involved", "select", True, YES_NO
)
CRITERIA = FieldSpec(
    "acceptance_criteria", "接受标准", "Acceptance criteria", "textarea", max_length=2000
)
METHOD = FieldSpec(
    "method_standard",
    "方法依据",
    "Method standard",
    "select",
    False,
    _c(
        ("chp", "中国药典", "Chinese Pharmacopoeia"),
        ("usp", "美国药典", "USP"),
        ("ep", "欧洲药典", "Ph. Eur."),
        ("in_house", "企业自建方法", "In-house method"),
    ),
)
GLP_GMP = FieldSpec(
    "glp_gmp_data", "需要 GLP/GMP 合规数据", "GLP/GMP-compliant data needed", "boolean"
)
REPORT_LANG = FieldSpec(
    "report_language",
    "报告语言",
    "Report language",
    "select",
    True,
    _c(
        ("zh", "中文", "Chinese"), ("en", "英文", "English"), ("bilingual", "中英双语", "Bilingual")
    ),
)
DEADLINE = FieldSpec("deadline", "期望完成日期", "Needed by", "date", future_only=True)
NDA = FieldSpec("nda_required", "需要签署保密协议", "NDA required", "boolean")


def _tests(*triples: tuple[str, str, str]) -> FieldSpec:
    return FieldSpec(
        "tests_requested", "检测项目", "Tests requested", "multiselect", True, _c(*triples)
    )


def _select(
    name: str,
    zh: str,
    en: str,
    *triples: tuple[str, str, str],
    required: bool = True,
    multi: bool = False,
) -> FieldSpec:
    return FieldSpec(name, zh, en, "multiselect" if multi else "select", required, _c(*triples))


COA = AttachmentSpec("sample_info", "样品信息表或检验委托单", "Sample information sheet", True)
PROTOCOL = AttachmentSpec("methods", "质量标准或方法文件", "Specifications or methods")
N = Priority.NORMAL

SPECS: dict[str, ServiceSpec] = {
    s.code: s
    for s in (
        ServiceSpec(
            "release_lot_testing",
            "细胞产品放行检测与批检测服务",
            "Release and lot testing of cell products",
            "testing",
            N,
            15,
            (
                PRODUCT_TYPE,
                STAGE,
                SAMPLE_TYPE,
                SAMPLE_QTY,
                COLD_CHAIN,
                _tests(
                    ("sterility", "无菌检查", "Sterility"),
                    ("mycoplasma", "支原体", "Mycoplasma"),
                    ("endotoxin", "细菌内毒素", "Endotoxin"),
                    ("viability_count", "细胞活率与计数", "Viability and count"),
                    ("identity_phenotype", "鉴别与表型（流式）", "Identity and phenotype (flow)"),
                    ("potency", "效力测定", "Potency"),
                    ("rcr_rcl", "RCR/RCL", "RCR/RCL"),
                ),
                CRITERIA,
                METHOD,
                GLP_GMP,
                REPORT_LANG,
                DEADLINE,
                NDA,
            ),
            (COA, PROTOCOL),
        ),
        ServiceSpec(
            "cell_bank_characterisation",
            "细胞库检定服务（主细胞库与工作细胞库）",
            "Cell bank characterisation",
            "testing",
            N,
            20,
            (
                PRODUCT_TYPE,
                _select(
                    "bank_type",
                    "细胞库类型",
                    "Bank type",
                    ("mcb", "主细胞库", "Master cell bank"),
                    ("wcb", "工作细胞库", "Working cell bank"),
                    ("eopc", "生产终末细胞", "End-of-production cells"),
                ),
                SAMPLE_TYPE,
                SAMPLE_QTY,
                COLD_CHAIN,
                HGR,
                _tests(
                    ("identity", "鉴别", "Identity"),
                    ("sterility", "无菌检查", "Sterility"),
                    ("mycoplasma", "支原体", "Mycoplasma"),
                    ("adventitious_agents", "外源因子", "Adventitious agents"),
                    ("karyology", "染色体核型", "Karyology"),
                    ("tumorigenicity", "致瘤性", "Tumorigenicity"),
                    ("genetic_stability", "遗传稳定性", "Genetic stability"),
                ),
                CRITERIA,
                METHOD,
                GLP_GMP,
                REPORT_LANG,
                DEADLINE,
                NDA,
            ),
            (COA, AttachmentSpec("bank_history", "细胞库建库记录", "Cell bank history")),
        ),
        ServiceSpec(
            "vector_plasmid_analytics",
            "载体与质粒分析服务（CAR-T、AAV、慢病毒）",
            "Vector and plasmid analytics",
            "testing",
            N,
            15,
            (
                PRODUCT_TYPE,
                STAGE,
                SAMPLE_TYPE,
                SAMPLE_QTY,
                COLD_CHAIN,
                _tests(
                    ("titer", "滴度", "Titer"),
                    ("full_empty", "空壳率", "Full/empty ratio"),
                    ("purity", "纯度", "Purity"),
                    ("identity_sequencing", "序列鉴定", "Identity by sequencing"),
                    ("residual_host_dna", "宿主 DNA 残留", "Residual host-cell DNA"),
                    ("rcr_rcl", "RCR/RCL", "RCR/RCL"),
                    ("supercoiled", "超螺旋比例", "Supercoiled fraction"),
                ),
                CRITERIA,
                METHOD,
                GLP_GMP,
                REPORT_LANG,
                DEADLINE,
                NDA,
            ),
            (COA, PROTOCOL),
        ),
        ServiceSpec(
            "regulatory_filing_consultation",
            "注册申报与监管路径咨询服务",
            "Regulatory filing and pathway consultation",
            "regulatory",
            N,
            10,
            (
                PRODUCT_TYPE,
                STAGE,
                TRACK,
                _select(
                    "filing_type",
                    "申报类型",
                    "Filing type",
                    ("ind", "临床试验申请", "IND"),
                    ("bla", "上市申请", "BLA"),
                    ("supplement", "补充申请", "Supplement"),
                    ("technology_filing", "临床研究备案", "Clinical research filing"),
                    ("meeting", "沟通交流会议", "Communication meeting"),
                    ("other", "其他", "Other"),
                ),
                FOREIGN,
                REPORT_LANG,
                DEADLINE,
                NDA,
            ),
            (AttachmentSpec("dossier", "申报资料目录或草稿", "Dossier outline or draft"),),
        ),
        ServiceSpec(
            "hgr_compliance_support",
            "人类遗传资源合规支持服务",
            "Human genetic resources (HGR) compliance support",
            "hgr_customs",
            N,
            10,
            (
                _select(
                    "hgr_activity",
                    "活动类型",
                    "Activity",
                    ("collection", "采集", "Collection"),
                    ("preservation", "保藏", "Preservation"),
                    ("international_cooperation", "国际合作科学研究", "International cooperation"),
                    ("export", "材料出境", "Export of materials"),
                    ("data_provision", "信息对外提供", "Providing data abroad"),
                    multi=True,
                ),
                SAMPLE_TYPE,
                SAMPLE_QTY,
                FOREIGN,
                STAGE,
                DEADLINE,
                NDA,
            ),
            (
                AttachmentSpec("protocol", "研究方案", "Study protocol", True),
                AttachmentSpec("agreement", "合作协议", "Cooperation agreement"),
            ),
        ),
        ServiceSpec(
            "special_items_import_export",
            "特殊物品进出口协助服务（细胞、血清、载体、细胞系）",
            "Import and export of special items",
            "hgr_customs",
            N,
            10,
            (
                _select(
                    "direction",
                    "方向",
                    "Direction",
                    ("import", "进口", "Import"),
                    ("export", "出口", "Export"),
                ),
                _select(
                    "item_category",
                    "物品类别",
                    "Item category",
                    ("cells", "细胞", "Cells"),
                    ("serum", "血清", "Serum"),
                    ("vectors", "载体", "Vectors"),
                    ("cell_lines", "细胞系", "Cell lines"),
                    ("other", "其他", "Other"),
                ),
                FieldSpec(
                    "origin_destination",
                    "起运地/目的地",
                    "Origin or destination",
                    "text",
                    True,
                    max_length=200,
                ),
                SAMPLE_QTY,
                COLD_CHAIN,
                HGR,
                FOREIGN,
                DEADLINE,
            ),
            (AttachmentSpec("item_description", "物品说明", "Item description", True),),
        ),
        ServiceSpec(
            "clinical_research_support",
            "临床研究支持服务",
            "Clinical research support",
            "regulatory",
            N,
            15,
            (
                PRODUCT_TYPE,
                STAGE,
                TRACK,
                _select(
                    "support_needed",
                    "所需支持",
                    "Support needed",
                    ("protocol_design", "方案设计", "Protocol design"),
                    ("site_matching", "研究机构对接", "Site matching"),
                    ("ethics", "伦理申报", "Ethics submission"),
                    ("monitoring", "监查", "Monitoring"),
                    ("data_management", "数据管理", "Data management"),
                    multi=True,
                ),
                HGR,
                FOREIGN,
                DEADLINE,
                NDA,
            ),
            (AttachmentSpec("synopsis", "方案摘要", "Protocol synopsis"),),
        ),
        ServiceSpec(
            "facility_booking",
            "共享GMP洁净车间、实验室与设备预约及场地租赁服务",
            "Shared GMP facility, lab and equipment booking",
            "facilities",
            N,
            5,
            (
                _select(
                    "facility_type",
                    "设施类型",
                    "Facility",
                    ("gmp_cleanroom", "GMP 洁净车间", "GMP clean room"),
                    ("lab", "实验室", "Laboratory"),
                    ("equipment", "设备", "Equipment"),
                    ("space", "场地租赁", "Space rental"),
                ),
                _select(
                    "cleanroom_grade",
                    "洁净级别",
                    "Clean-room grade",
                    ("a_b", "A/B 级", "Grade A/B"),
                    ("c", "C 级", "Grade C"),
                    ("d", "D 级", "Grade D"),
                    ("none", "不需要", "Not needed"),
                    required=False,
                ),
                FieldSpec("start_date", "开始日期", "Start date", "date", True, future_only=True),
                FieldSpec(
                    "duration_days",
                    "使用天数",
                    "Days needed",
                    "integer",
                    True,
                    minimum=1,
                    maximum=365,
                ),
                FieldSpec("team_size", "使用人数", "People", "integer", minimum=1, maximum=100),
                replace(PRODUCT_TYPE, required=False),
            ),
            (),
        ),
        ServiceSpec(
            "training",
            "培训服务（GMP、GCP、人类遗传资源、生物安全与法规更新）",
            "Training (GMP, GCP, HGR, biosafety and regulatory updates)",
            "training_policy",
            Priority.LOW,
            10,
            (
                _select(
                    "topics",
                    "培训主题",
                    "Topics",
                    ("gmp", "GMP", "GMP"),
                    ("gcp", "GCP", "GCP"),
                    ("hgr", "人类遗传资源", "HGR"),
                    ("biosafety", "生物安全", "Biosafety"),
                    ("regulatory_updates", "法规更新", "Regulatory updates"),
                    multi=True,
                ),
                FieldSpec(
                    "participants",
                    "参训人数",
                    "Participants",
                    "integer",
                    True,
                    minimum=1,
                    maximum=500,
                ),
                _select(
                    "delivery",
                    "培训方式",
                    "Delivery",
                    ("at_center", "中心现场", "At the center"),
                    ("onsite", "企业现场", "At our site"),
                    ("online", "线上", "Online"),
                ),
                FieldSpec("preferred_date", "期望日期", "Preferred date", "date", future_only=True),
                replace(
                    REPORT_LANG,
                    name="course_language",
                    label_zh="授课语言",
                    label_en="Course language",
                ),
            ),
            (),
        ),
        ServiceSpec(
            "policy_subsidy_consultation",
            "政策与补贴咨询服务",
            "Policy and subsidy consultation",
            "training_policy",
            N,
            5,
            (
                _select(
                    "policy_areas",
                    "关注政策",
                    "Policy areas",
                    ("talent", "人才", "Talent"),
                    ("rent", "租金", "Rent"),
                    ("rd_subsidy", "研发补贴", "R&D subsidy"),
                    ("tax", "税收", "Tax"),
                    ("market_access", "市场准入", "Market access"),
                    ("financing", "融资", "Financing"),
                    multi=True,
                ),
                _select(
                    "location",
                    "企业所在地",
                    "Company location",
                    ("nansha", "南沙", "Nansha"),
                    ("guangzhou", "广州其他区", "Elsewhere in Guangzhou"),
                    ("shenzhen", "深圳", "Shenzhen"),
                    ("other_gba", "大湾区其他城市", "Other GBA"),
                    ("outside_gba", "大湾区以外", "Outside the GBA"),
                ),
                STAGE,
                FOREIGN,
            ),
            (),
        ),
        ServiceSpec(
            "ip_tech_transfer",
            "知识产权、技术转移与投融资对接服务",
            "IP, technology transfer and investment matchmaking",
            "general",
            N,
            15,
            (
                _select(
                    "need",
                    "需求类型",
                    "Need",
                    ("patent_search", "专利检索", "Patent search"),
                    ("patent_filing", "专利申请", "Patent filing"),
                    ("licensing", "许可", "Licensing"),
                    ("tech_transfer", "技术转移", "Technology transfer"),
                    ("investment", "投融资对接", "Investment matchmaking"),
                ),
                PRODUCT_TYPE,
                STAGE,
                FOREIGN,
                NDA,
            ),
            (),
        ),
        ServiceSpec(
            "general_consultation",
            "综合咨询服务",
            "General consultation",
            "general",
            Priority.LOW,
            5,
            (
                FieldSpec("topic", "咨询主题", "Topic", "text", max_length=200),
                _select(
                    "preferred_contact",
                    "联系方式偏好",
                    "Preferred contact",
                    ("email", "邮件", "Email"),
                    ("phone", "电话", "Phone"),
                    required=False,
                ),
                NDA,
            ),
            (),
        ),
    )
}

SERVICE_CODES: tuple[str, ...] = tuple(SPECS)


def spec_for(*, service_code: str) -> ServiceSpec:
    """Return the form spec of a service, or raise NotFound."""
    spec = SPECS.get(service_code)
    if spec is None:
        raise NotFound(f"no service {service_code!r}")
    return spec


def sync_catalog(*, session: Session, documents: Iterable[ServiceDocument]) -> list[Service]:
    """Add missing teams and services; refresh names from the knowledge base's service documents.

    What admins set (team names, a service's team, turnaround and order) survives: only
    services and teams that do not exist yet get the defaults.
    """
    for code, (name_zh, name_en) in TEAMS.items():
        if session.get(Team, code) is None:
            session.add(Team(code=code, name_zh=name_zh, name_en=name_en))
    by_code: dict[str, dict[str, ServiceDocument]] = {}
    for doc in documents:
        service_code = (doc.extra or {}).get("service_code")
        if doc.category == "service" and isinstance(service_code, str) and service_code in SPECS:
            by_code.setdefault(service_code, {})[doc.language] = doc
    services = []
    for position, spec in enumerate(SPECS.values()):
        docs = by_code.get(spec.code, {})
        existing = session.get(Service, spec.code)
        service = existing or Service(code=spec.code, active=True)
        zh, en = docs.get("zh"), docs.get("en")
        service.name_zh = zh.title if zh else spec.name_zh
        service.name_en = en.title if en else spec.name_en
        if service.team_code is None:  # admins may re-route a service; keep their choice
            service.team_code = spec.team_code
        described_by = en or zh
        service.document_id = described_by.id if described_by else None
        if existing is None:
            days = next((d.extra.get("turnaround_days") for d in docs.values()), None)
            service.turnaround_days = days if isinstance(days, int) else spec.turnaround_days
            service.position = position
        session.add(service)
        services.append(service)
    session.commit()
    return services


def team_names(*, session: Session) -> dict[str, tuple[str, str]]:
    """Every team's (Chinese, English) name by code, as admins last set them."""
    return {
        t.code: (t.name_zh, t.name_en) for t in session.scalars(select(Team).order_by(Team.code))
    }


def list_services(*, session: Session, include_inactive: bool = False) -> list[Service]:
    """Return the catalog's services in display order."""
    stmt = select(Service).order_by(Service.position, Service.code)
    if not include_inactive:
        stmt = stmt.where(Service.active.is_(True))
    return list(session.scalars(stmt))


def get_service(*, session: Session, service_code: str) -> Service:
    """Return an active service, or raise NotFound."""
    service = session.get(Service, service_code)
    if service is None or not service.active:
        raise NotFound(f"no service {service_code!r}")
    return service


_INT = re.compile(r"-?[0-9]{1,9}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"1", "true", "on", "yes", "y"}
_FALSE = {"", "0", "false", "off", "no", "n"}


def validate_fields(
    *, service_code: str, raw: Mapping[str, str | list[str]], today: date | None = None
) -> dict[str, Any]:
    """Check a form against its service's fields; return clean values or raise ValidationFailed."""
    spec = SPECS.get(service_code)
    if spec is None:
        raise ValidationFailed({"service_code": "unknown_service"})
    today = today or datetime.now(SHANGHAI).date()
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for fs in spec.fields:
        try:
            value = _clean_one(fs, raw.get(fs.name), today)
        except _FieldError as exc:
            errors[fs.name] = exc.key
            continue
        if value is not None:
            clean[fs.name] = value
    if errors:
        raise ValidationFailed(errors)
    return clean


class _FieldError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _clean_one(fs: FieldSpec, value: object, today: date) -> Any:
    if fs.kind == "multiselect":
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        picked = [str(item).strip() for item in items if str(item).strip()]
        allowed = [c.value for c in fs.choices]
        if any(item not in allowed for item in picked):
            raise _FieldError("invalid_choice")
        if fs.required and not picked:
            raise _FieldError("required")
        return [v for v in allowed if v in picked] or None
    if isinstance(value, list):
        if len(value) > 1:
            raise _FieldError("not_a_single_value")
        value = value[0] if value else None
    text = value.strip() if isinstance(value, str) else ""
    if fs.kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise _FieldError("invalid_boolean")
    if not text:
        if fs.required:
            raise _FieldError("required")
        return None
    if _BAD_CHARS.search(text):
        raise _FieldError("invalid_characters")
    if fs.kind in ("text", "textarea"):
        if fs.max_length is not None and len(text) > fs.max_length:
            raise _FieldError("too_long")
        return text
    if fs.kind == "select":
        if text not in {c.value for c in fs.choices}:
            raise _FieldError("invalid_choice")
        return text
    if fs.kind == "integer":
        if not _INT.fullmatch(text):
            raise _FieldError("not_an_integer")
        number = int(text)
        if (fs.minimum is not None and number < fs.minimum) or (
            fs.maximum is not None and number > fs.maximum
        ):
            raise _FieldError("out_of_range")
        return number
    # date
    if not _DATE.fullmatch(text):
        raise _FieldError("invalid_date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _FieldError("invalid_date") from None
    if fs.future_only and day < today:
        raise _FieldError("date_in_past")
    return day.isoformat()
