"""The service guides, the catalog and the completeness check in Chinese and English."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import texts
from web.i18n.tables import Messages, field_errors, merge

_PAGES: Messages = {
    "nav.services": {"zh": "办事指南", "en": "Service guides"},
    "services.title": {"zh": "服务目录与办事指南", "en": "Services and how to apply"},
    "services.intro": {
        "zh": "每项服务都有一份办事指南：服务内容、适用对象、所需材料、收费、时限、办理流程和常见问题。以下服务均为中心拟议的服务，收费和时限公布前均为“待定”。",
        "en": "Each service has a guide: what it covers, who may apply, the materials, fee, time, the steps and common questions. These are services the center proposes; fees and times read “to be confirmed” until it publishes them.",
    },
    "services.search": {"zh": "搜索服务", "en": "Search services"},
    "services.search_placeholder": {
        "zh": "例如：无菌检查、人类遗传资源、洁净车间",
        "en": "e.g. sterility, HGR, clean room",
    },
    "services.count.one": {"zh": "共 {count} 项服务", "en": "{count} service"},
    "services.count.other": {"zh": "共 {count} 项服务", "en": "{count} services"},
    "services.none": {
        "zh": "没有符合的服务。可以换个关键词，或在“政策问答”中提问。",
        "en": "No service matches. Try another word, or ask the assistant.",
    },
    "services.open_guide": {"zh": "查看办事指南", "en": "Read the guide"},
    "services.apply": {"zh": "在线申请", "en": "Apply online"},
    "services.apply_login": {"zh": "登录后在线申请", "en": "Sign in to apply"},
    "services.materials_count": {
        "zh": "所需材料 {n} 项（必需 {r} 项）",
        "en": "Materials: {n} ({r} required)",
    },
    "services.no_materials": {"zh": "无需上传材料", "en": "No uploads needed"},
    "guide.back": {"zh": "返回服务目录", "en": "All services"},
    "guide.contents": {"zh": "本页内容", "en": "On this page"},
    "guide.what": {"zh": "服务内容", "en": "What it is"},
    "guide.who": {"zh": "适用对象", "en": "Who may apply"},
    "guide.materials": {"zh": "申请材料", "en": "Materials"},
    "guide.fields": {"zh": "需填写的信息", "en": "Information the form asks for"},
    "guide.fee_time": {"zh": "收费与时限", "en": "Fee and time"},
    "guide.steps": {"zh": "办理流程", "en": "How it works"},
    "guide.questions": {"zh": "常见问题", "en": "Common questions"},
    "guide.questions_hint": {
        "zh": "点击问题，在“政策问答”中查看有出处的回答。",
        "en": "Open a question in the assistant for an answer with its sources.",
    },
    "guide.material": {"zh": "材料名称", "en": "Material"},
    "guide.required": {"zh": "必需", "en": "Required"},
    "guide.optional": {"zh": "可选", "en": "Optional"},
    "guide.format": {"zh": "格式", "en": "Format"},
    "guide.format_value": {
        "zh": "{formats}，每个文件不超过 20 MB",
        "en": "{formats}, up to 20 MB each",
    },
    "guide.template": {"zh": "模板", "en": "Template"},
    "guide.download_template": {"zh": "下载模板", "en": "Download the template"},
    "guide.no_template": {"zh": "无统一模板", "en": "No template"},
    "guide.no_uploads": {
        "zh": "本服务无需上传材料，填写申请表即可。",
        "en": "This service needs no uploads: the form is enough.",
    },
    "guide.center_needs": {
        "zh": "服务说明中的材料要求",
        "en": "What the service description asks for",
    },
    "guide.fee": {"zh": "收费", "en": "Fee"},
    "guide.time": {"zh": "办理时限", "en": "Target time"},
    "guide.tbc": {
        "zh": "待定（中心尚未公布）",
        "en": "To be confirmed (not yet published by the center)",
    },
    "guide.days.one": {"zh": "{count} 个工作日", "en": "{count} working day"},
    "guide.days.other": {"zh": "{count} 个工作日", "en": "{count} working days"},
    "guide.proposed_notice": {
        "zh": "本服务是中心拟议的服务，尚未正式公布；服务范围、收费和时限以中心确认为准。",
        "en": "This is a service the center proposes and has not yet published; its scope, fee and time are as the center confirms them.",
    },
    "guide.source": {
        "zh": "依据：文档库中的服务说明",
        "en": "Based on the service description in the library",
    },
    "guide.step": {"zh": "第 {n} 步", "en": "Step {n}"},
    # the completeness check on the request form
    "check.title": {"zh": "材料与信息核对（一次性告知）", "en": "Checklist before you submit"},
    "check.intro": {
        "zh": "提交前请对照以下清单；带 * 的为必需项，提供后自动打勾。",
        "en": "Everything the guide asks for; items marked * are required and tick as you provide them.",
    },
    "check.progress": {
        "zh": "已完成 {done}/{total} 项必需内容",
        "en": "{done} of {total} required items done",
    },
    "check.missing_title.one": {
        "zh": "提交前还缺少以下 {count} 项：",
        "en": "{count} thing is still missing before this can be sent:",
    },
    "check.missing_title.other": {
        "zh": "提交前还缺少以下 {count} 项：",
        "en": "{count} things are still missing before this can be sent:",
    },
    "check.complete": {
        "zh": "必需内容已齐全，可以提交。",
        "en": "Everything required is there: you can submit.",
    },
    "check.guide_clause": {"zh": "见指南", "en": "guide"},
    "check.provided": {"zh": "已提供", "en": "provided"},
    "check.missing": {"zh": "未提供", "en": "missing"},
    "check.read_guide": {"zh": "查看本服务的办事指南", "en": "Read this service's guide"},
    "new.material_hint": {"zh": "{formats}，不超过 20 MB", "en": "{formats}, up to 20 MB"},
    "new.material_kept": {
        "zh": "已保留上次上传的文件：{name}（如需更换，请重新选择）",
        "en": "Kept from your last try: {name} (choose a file to replace it)",
    },
    "new.other_files": {"zh": "其他补充文件（可选）", "en": "Other files (optional)"},
    "new.materials": {"zh": "申请材料", "en": "Materials"},
    # staff asking for a material
    "ask.title": {"zh": "请企业补充材料", "en": "Ask the company for a material"},
    "ask.material": {"zh": "材料", "en": "Material"},
    "ask.other": {"zh": "指南未列出的材料……", "en": "A material the guide does not list…"},
    "ask.name": {
        "zh": "材料名称（指南未列出时填写）",
        "en": "Material name (when the guide does not list it)",
    },
    "ask.reason": {
        "zh": "理由（指南未列出的材料必须填写，会记录在审计记录中）",
        "en": "Why (required for a material the guide does not list; kept in the audit trail)",
    },
    "ask.submit": {"zh": "发送补充材料通知", "en": "Ask the company"},
    "ask.hint": {
        "zh": "企业会收到通知，申请转为“待企业补充”。",
        "en": "The company is notified and the request waits for it.",
    },
    "dash.extra_materials": {
        "zh": "指南外补充材料要求（按服务）",
        "en": "Materials asked for beyond the guide, by service",
    },
    "dash.extra_none": {
        "zh": "尚无指南外的补充材料要求。",
        "en": "No material has been asked for beyond a guide yet.",
    },
    "dash.extra_hint": {
        "zh": "次数多的服务，说明其办事指南需要补充。",
        "en": "A high count means the service's guide should list more.",
    },
    "event.material_requested": {"zh": "中心请您补充材料", "en": "The center asked for a material"},
    "event.extra_material_requested": {
        "zh": "中心请您补充指南外的材料",
        "en": "The center asked for a material beyond the guide",
    },
}

SERVICE_MESSAGES: Messages = merge(
    {
        "services (pages)": _PAGES,
        "portal.material_requests (field errors)": field_errors(texts.MATERIAL_ERRORS),
    }
)
