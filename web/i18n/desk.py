"""Staff desk texts in Simplified Chinese and English: reply drafting, dashboard, exports."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from web.i18n.tables import Messages

DESK_MESSAGES: Messages = {
    # Drafting a reply from the knowledge base
    "reply.draft.question": {
        "zh": "从知识库起草回复（问题）",
        "en": "Draft from the knowledge base (question)",
    },
    "reply.draft.suggest": {"zh": "从知识库建议", "en": "Suggest from the knowledge base"},
    "reply.draft.hint": {
        "zh": "留空则用申请标题和描述提问；引用的原文段落会填入回复框，发送前请修改。",
        "en": "Leave empty to ask with the request's title and description; the cited passages are put in the reply box for you to edit before sending.",
    },
    "reply.draft.sources": {"zh": "出处：", "en": "Sources:"},
    "reply.draft.filled": {
        "zh": "已填入知识库的引用段落，请核对并修改后再发送。",
        "en": "Cited passages from the knowledge base were filled in; check and edit them before sending.",
    },
    "reply.draft.no_answer": {
        "zh": "知识库中没有找到能回答这个问题的段落，请换个问法或自行撰写。",
        "en": "The knowledge base has no passage that answers this; rephrase the question or write the reply yourself.",
    },
    "reply.draft.not_ready": {
        "zh": "知识库索引尚未就绪，暂时无法起草。",
        "en": "The knowledge base index is not ready yet; no draft can be made now.",
    },
    "reply.check.title.one": {
        "zh": "有 {count} 句话中的数字或机关在知识库中找不到依据。",
        "en": "{count} sentence states a figure or authority that no knowledge-base passage supports.",
    },
    "reply.check.title.other": {
        "zh": "有 {count} 句话中的数字或机关在知识库中找不到依据。",
        "en": "{count} sentences state a figure or authority that no knowledge-base passage supports.",
    },
    "reply.check.explain": {
        "zh": "下面标黄的句子包含日期、金额、比例、期限或机关名称，但检索到的文档段落都没有写明。请修改，或确认无误后仍然发送。",
        "en": "The highlighted sentences state a date, amount, rate, deadline or authority that none of the passages found states. Edit the reply, or send it anyway if you are sure.",
    },
    "reply.check.kind.date": {"zh": "日期", "en": "date"},
    "reply.check.kind.amount": {"zh": "金额", "en": "amount"},
    "reply.check.kind.rate": {"zh": "比例", "en": "rate"},
    "reply.check.kind.deadline": {"zh": "期限", "en": "deadline"},
    "reply.check.kind.authority": {"zh": "机关", "en": "authority"},
    "reply.check.send_anyway": {"zh": "仍然发送", "en": "Send anyway"},
    "reply.check.edit": {"zh": "修改回复", "en": "Edit the reply"},
    # Dashboard and exports
    "queue.xlsx": {"zh": "导出 Excel", "en": "Export Excel"},
    "dash.export_xlsx": {"zh": "导出 Excel", "en": "Export Excel"},
    "dash.business_hours": {"zh": "按工作时间计", "en": "business hours"},
    "dash.deflection_explain": {
        "zh": "企业填写申请时看到知识库建议答复后未再提交申请的比例：{n} 次中 {k} 次。",
        "en": "Share of the times suggested answers were shown while a company described a request after which no request was submitted: {k} of {n}.",
    },
    "dash.deflections": {"zh": "展示建议答复次数", "en": "Times suggestions were shown"},
    "dash.per_day_title": {
        "zh": "最近 30 天每天新提交的申请",
        "en": "New requests per day, last 30 days",
    },
    "dash.per_day": {"zh": "每日新申请", "en": "Requests per day"},
    "dash.axis_requests": {"zh": "申请数", "en": "requests"},
    "dash.axis_day": {"zh": "日期（月-日）", "en": "date (month-day)"},
    "dash.axis_week": {"zh": "周一日期（月-日）", "en": "week starting (month-day)"},
    "dash.axis_hours": {"zh": "工作小时", "en": "business hours"},
    "dash.axis_percent": {"zh": "百分比", "en": "percent"},
    "dash.weekly": {"zh": "每周趋势（最近 12 周）", "en": "Weekly trends (last 12 weeks)"},
    "dash.weekly_hint": {
        "zh": "首次响应时长和超时率按当周提交的申请计算，办结时长按当周办结的申请计算；没有数据的周留空。",
        "en": "First response and breach rate count the requests submitted that week, resolution time those resolved that week; weeks without data are left blank.",
    },
    "dash.weekly_table": {"zh": "每周数据表", "en": "Weekly numbers as a table"},
    "dash.week_of": {"zh": "周（周一）", "en": "Week of (Monday)"},
    "dash.created": {"zh": "新申请", "en": "New requests"},
    "dash.count": {"zh": "数量", "en": "Count"},
    "dash.sheet.summary": {"zh": "概览", "en": "Summary"},
    "dash.measure": {"zh": "指标", "en": "Measure"},
    "dash.value": {"zh": "数值", "en": "Value"},
    "dash.stars": {"zh": "星级", "en": "Stars"},
    "dash.day": {"zh": "日期", "en": "Day"},
    # Knowledge-base upload form
    "kb.required": {"zh": "必填", "en": "required"},
    "kb.required_note": {
        "zh": "带 * 的为必填项；其余信息可从文件中读取，请核对。",
        "en": "Fields marked * are required; the rest can be read from the file for you to check.",
    },
    "kb.step.file": {"zh": "1. 选择文件", "en": "1. Choose the file"},
    "kb.step.metadata": {"zh": "2. 核对文档信息", "en": "2. Check the document's details"},
    "kb.field.issued_date": {"zh": "发布日期", "en": "Issued on"},
    "kb.field.effective_date": {"zh": "施行日期", "en": "Effective from"},
    "kb.prefill.hint": {
        "zh": "选择文件后，系统会从正文读取标题、日期、发布机关和文号，填入下方供您核对。",
        "en": "Once you choose a file, its title, dates, issuer and document number are read from the text and filled in below for you to check.",
    },
    "kb.prefill.button": {"zh": "从文件读取信息", "en": "Read the details from the file"},
    "kb.prefill.reading": {"zh": "正在读取文件…", "en": "Reading the file…"},
    "kb.prefill.from_file": {"zh": "取自文件，请核对", "en": "from the file, please check"},
    "kb.prefill.done": {
        "zh": "已从文件读取标题、日期和发布机关等信息，请逐项核对后上传。",
        "en": "The title, dates and issuer were read from the file; check each one before uploading.",
    },
    "kb.prefill.choose_again": {
        "zh": "（浏览器不会保留已选文件，请重新选择文件后再上传。）",
        "en": "(The browser does not keep the chosen file: choose it again before uploading.)",
    },
    "kb.index.done_banner": {
        "zh": "索引已完成，新内容已可在问答中检索。",
        "en": "Indexing is done: the new content can now be found by the assistant.",
    },
    "kb.index.failed_banner": {
        "zh": "索引失败，原因见下方；问答仍使用此前的版本。",
        "en": "Indexing failed (see the reason below); the assistant keeps using the previous version.",
    },
    # Feedback actions and the staff answer's language
    "feedback.filter.handled": {"zh": "处理情况", "en": "Handling"},
    "feedback.filter.open": {"zh": "待处理", "en": "Open"},
    "feedback.filter.done": {"zh": "已处理", "en": "Handled"},
    "feedback.documents": {"zh": "引用的文档", "en": "Documents cited"},
    "feedback.write_answer": {
        "zh": "据此撰写人工答复",
        "en": "Write a staff answer to this question",
    },
    "feedback.mark_handled": {"zh": "标记为已处理", "en": "Mark handled"},
    "feedback.reopen": {"zh": "重新打开", "en": "Reopen"},
    "feedback.handled_by": {"zh": "{who} 于 {when} 处理", "en": "Handled by {who} on {when}"},
    "curated.error.language_is_zh": {
        "zh": "答复是用中文写的，但所选语言是英文：请把语言改为中文，或用英文撰写。",
        "en": "The answer is written in Chinese but English is chosen: choose Chinese, or write the answer in English.",
    },
    "curated.error.language_is_en": {
        "zh": "答复是用英文写的，但所选语言是中文：请把语言改为英文，或用中文撰写。",
        "en": "The answer is written in English but Chinese is chosen: choose English, or write the answer in Chinese.",
    },
}
