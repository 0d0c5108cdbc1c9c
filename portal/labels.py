"""Display labels of every code users read, in Simplified Chinese and English.

The one place that turns a stored code (a request status, a priority, an audit event, a
document's status …) into words. The web pages, the CSV export and the portal's own
notification texts all call `label`; `tests/portal/test_labels.py` renders every value of
every user-visible enum through it in both languages and fails on a missing one.
"""
# ruff: noqa: E501  (label tables: CJK strings count double in width)

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]
_T = dict[str, tuple[str, str]]  # code -> (zh, en)

# Each kind: the codes of one enum, with their labels (zh, en).
LABELS: dict[str, _T] = {
    "status": {
        "submitted": ("已提交", "Submitted"),
        "triaged": ("已分诊", "Triaged"),
        "in_progress": ("处理中", "In progress"),
        "awaiting_company": ("待企业补充", "Awaiting company reply"),
        "resolved": ("已解决", "Resolved"),
        "closed": ("已关闭", "Closed"),
        "rejected": ("已驳回", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    # The progress view's steps (portal.progress).
    "step": {
        "submitted": ("提交", "Submitted"),
        "accepted": ("受理", "Accepted"),
        "processing": ("办理", "In progress"),
        "done": ("办结", "Completed"),
    },
    "priority": {
        "low": ("低", "Low"),
        "normal": ("普通", "Normal"),
        "high": ("高", "High"),
        "urgent": ("紧急", "Urgent"),
    },
    "sla_state": {
        "ok": ("正常", "On track"),
        "warning": ("即将超时", "About to breach"),
        "breached": ("已超时", "Breached"),
        "paused": ("已暂停（待企业补充）", "Paused (awaiting company)"),
        "met": ("已达标", "Met"),
    },
    "sla_clock": {
        "first_response": ("首次响应", "First response"),
        "resolution": ("办结", "Resolution"),
    },
    "role": {
        "company": ("企业用户", "Company member"),
        "staff": ("中心工作人员", "Center staff"),
        "admin": ("管理员", "Administrator"),
    },
    "visibility": {
        "public": ("公开回复", "Public reply"),
        "internal": ("内部备注", "Internal note"),
    },
    "triage_decision": {
        "accepted": ("已采纳", "Accepted"),
        "overridden": ("已调整", "Overridden"),
    },
    # The audit trail: what happened (portal.tracking.record_event's `kind`).
    "event": {
        "submitted": ("提交申请", "Request submitted"),
        "status": ("状态变更", "Status changed"),
        "assigned": ("分配处理人", "Assignee changed"),
        "priority": ("优先级变更", "Priority changed"),
        "service": ("服务类型变更", "Service changed"),
        "team": ("负责团队变更", "Team changed"),
        "first_response": ("首次响应", "First response"),
        "rated": ("企业评价", "Company rating"),
        "attachment_added": ("上传附件", "File attached"),
        "internal_attachment_added": ("上传内部附件", "Internal file attached"),
        "message_public": ("公开回复", "Public reply"),
        "message_internal": ("内部备注", "Internal note"),
        "triage_suggested": ("系统分诊建议", "Triage suggested"),
        "triage_accepted": ("采纳分诊建议", "Triage accepted"),
        "triage_overridden": ("调整分诊建议", "Triage overridden"),
        "answer_attached": ("附上问答记录", "Assistant answer attached"),
        "impact_notified": ("通知文件变更", "Document change notified"),
        "canned_created": ("新建常用回复", "Canned reply created"),
        "canned_updated": ("修改常用回复", "Canned reply changed"),
        "canned_deleted": ("删除常用回复", "Canned reply deleted"),
        "admin.team_created": ("新建团队", "Team created"),
        "admin.team_renamed": ("团队重命名", "Team renamed"),
        "admin.service_updated": ("修改服务设置", "Service settings changed"),
        "admin.user_created": ("新建员工账号", "Staff account created"),
        "admin.user_updated": ("修改员工账号", "Staff account changed"),
        "admin.holiday_set": ("设置工作日历", "Calendar day set"),
        "admin.holiday_deleted": ("删除工作日历设置", "Calendar day override removed"),
        "merged_from": ("合并重复申请", "Duplicate merged in"),
        "merged_into": ("并入其他申请", "Merged into another request"),
        "view_saved": ("保存队列视图", "Queue view saved"),
        "view_deleted": ("删除队列视图", "Queue view deleted"),
        "password_reset_sent": ("发送密码重置链接", "Password reset link sent"),
        "extra_material_requested": ("要求补充指南外材料", "Material beyond the guide requested"),
    },
    # Field names inside an event's before/after (the audit trail's readable values).
    "field": {
        "status": ("状态", "Status"),
        "priority": ("优先级", "Priority"),
        "service_code": ("服务", "Service"),
        "team": ("团队", "Team"),
        "team_code": ("团队", "Team"),
        "filename": ("文件", "File"),
        "size": ("大小", "Size"),
        "message_id": ("消息编号", "Message no."),
        "answer_id": ("问答编号", "Answer no."),
        "question": ("问题", "Question"),
        "sources": ("出处", "Sources"),
        "document_id": ("文档", "Document"),
        "version": ("版本", "Version"),
        "change": ("变更", "Change"),
        "company_id": ("企业编号", "Company no."),
        "name_zh": ("中文名称", "Chinese name"),
        "name_en": ("英文名称", "English name"),
        "role": ("角色", "Role"),
        "active": ("启用", "Active"),
        "email": ("邮箱", "Email"),
        "name": ("姓名", "Name"),
        "turnaround_days": ("办理时限（工作日）", "Turnaround (working days)"),
        "position": ("排序", "Position"),
        "code": ("代码", "Code"),
    },
    # How an answer's source changed (portal.attached_answers.Change).
    "answer_change": {
        "edited": ("已修订", "Edited"),
        "superseded": ("已被取代", "Superseded"),
        "withdrawn": ("已撤回", "Withdrawn"),
    },
    # Documents of the knowledge base (knowledge.documents).
    "doc_status": {
        "in_force": ("现行有效", "In force"),
        "draft": ("征求意见稿", "Draft"),
        "superseded": ("已被取代", "Superseded"),
        "announced": ("已公布未施行", "Announced"),
        "proposed": ("中心拟议", "Proposed"),  # short: a badge; the guide's notice explains
        "expired": ("已到期", "Expired"),
    },
    "category": {
        "policy": ("扶持政策", "Policy"),
        "regulation": ("法律法规", "Regulation"),
        "guideline": ("技术指导原则", "Guideline"),
        "service": ("中心服务", "Service"),
        "news": ("动态与数据", "News and figures"),
    },
    "jurisdiction": {
        "national": ("全国", "National"),
        "guangdong": ("广东省", "Guangdong"),
        "guangzhou": ("广州市", "Guangzhou"),
        "nansha": ("南沙", "Nansha"),
        "gba": ("粤港澳大湾区", "Greater Bay Area"),
        "hk_macao": ("港澳", "Hong Kong and Macao"),
    },
    "language": {
        "zh": ("中文", "Chinese"),
        "en": ("英文", "English"),
    },
    "job_status": {
        "queued": ("排队中", "Queued"),
        "indexing": ("正在建立索引", "Indexing"),
        "ready": ("已完成索引", "Indexed"),
        "failed": ("索引失败", "Failed"),
    },
    "boolean": {
        "true": ("是", "Yes"),
        "false": ("否", "No"),
    },
}
# The CSV export's column headers.
LABELS["column"] = {
    "tracking_number": ("受理编号", "Tracking number"),
    "title": ("标题", "Title"),
    "service": ("服务", "Service"),
    "company": ("企业", "Company"),
    "status": ("状态", "Status"),
    "priority": ("优先级", "Priority"),
    "assignee": ("处理人", "Assignee"),
    "team": ("团队", "Team"),
    "sla_state": ("时限状态", "SLA state"),
    "sla_remaining_hours": ("剩余工作小时", "Working hours left"),
    "created_at": ("提交时间", "Submitted"),
    "updated_at": ("更新时间", "Updated"),
}


def label(kind: str, code: object, language: Language) -> str:
    """Return the display label of `code` (an enum member or its value) of one kind.

    An unknown code comes back as itself, so a page never breaks; the labels test makes sure
    no known code is missing.
    """
    value = getattr(code, "value", code)
    key = str(value).lower() if isinstance(value, bool) else str(value)
    pair = LABELS.get(kind, {}).get(key)
    if pair is None:
        return key
    return pair[0] if language == "zh" else pair[1]


def bilingual(kind: str, code: object) -> str:
    """Return "中文 / English" for texts sent to everyone whatever their language (e-mails)."""
    return f"{label(kind, code, 'zh')} / {label(kind, code, 'en')}"


def has_label(kind: str, code: object) -> bool:
    """Whether the code of that kind has a label (for tests and checks)."""
    return str(getattr(code, "value", code)) in LABELS.get(kind, {})
