"""Answer feedback, attached answers and impact recall in Chinese and English."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from web.i18n.tables import Messages

ANSWER_MESSAGES: Messages = {
    "nav.feedback": {"zh": "答复反馈", "en": "Answer feedback"},
    # feedback on an answer in the chat
    "feedback.ask": {"zh": "这个回答有帮助吗？", "en": "Was this answer helpful?"},
    "feedback.helpful": {"zh": "有帮助", "en": "Helpful"},
    "feedback.unhelpful": {"zh": "没有帮助", "en": "Not helpful"},
    "feedback.reason": {"zh": "原因（可选）", "en": "Why (optional)"},
    "feedback.reason.none": {"zh": "不说明", "en": "No reason given"},
    "feedback.reason.wrong": {"zh": "内容错误", "en": "Wrong"},
    "feedback.reason.outdated": {"zh": "内容过时", "en": "Outdated"},
    "feedback.reason.incomplete": {"zh": "不完整", "en": "Incomplete"},
    "feedback.reason.wrong_source": {"zh": "引用出处不对", "en": "Wrong source"},
    "feedback.comment": {
        "zh": "补充说明（可选，最多 1000 字）",
        "en": "Comment (optional, up to 1,000 characters)",
    },
    "feedback.send": {"zh": "提交反馈", "en": "Send feedback"},
    "feedback.thanks": {
        "zh": "感谢您的反馈，中心工作人员会查看。",
        "en": "Thank you; the center's staff will review your feedback.",
    },
    "feedback.error.reason": {
        "zh": "请选择列表中的原因。",
        "en": "Choose one of the listed reasons.",
    },
    "feedback.error.comment": {
        "zh": "补充说明最多 1000 字。",
        "en": "A comment may have at most 1,000 characters.",
    },
    "feedback.error.helpful": {
        "zh": "请选择“有帮助”或“没有帮助”。",
        "en": "Choose Helpful or Not helpful.",
    },
    # the staff feedback list
    "feedback.title": {"zh": "答复反馈", "en": "Feedback on answers"},
    "feedback.intro": {
        "zh": "企业和访客对助手答复的评价，最新的在前。",
        "en": "What companies and visitors said about the assistant's answers, newest first.",
    },
    "feedback.filter.verdict": {"zh": "评价", "en": "Verdict"},
    "feedback.filter.all": {"zh": "全部", "en": "All"},
    "feedback.count.one": {"zh": "共 {count} 条反馈", "en": "{count} feedback entry"},
    "feedback.count.other": {"zh": "共 {count} 条反馈", "en": "{count} feedback entries"},
    "feedback.none": {"zh": "暂无符合条件的反馈。", "en": "No feedback matches."},
    "feedback.question": {"zh": "问题", "en": "Question"},
    "feedback.answer": {"zh": "答复", "en": "Answer"},
    "feedback.refused": {"zh": "（助手拒答）", "en": "(the assistant declined)"},
    "feedback.who": {"zh": "反馈人", "en": "From"},
    "feedback.when": {"zh": "时间", "en": "When"},
    "feedback.anonymous": {"zh": "未登录访客", "en": "Visitor (not signed in)"},
    "feedback.page": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "feedback.prev": {"zh": "上一页", "en": "Previous"},
    "feedback.next": {"zh": "下一页", "en": "Next"},
    "feedback.version": {"zh": "第 {v} 版", "en": "version {v}"},
    "feedback.no_citations": {"zh": "无引用", "en": "No citations"},
    # attaching an answer to a request
    "answers.attach_to": {"zh": "附到我的申请", "en": "Attach to my request"},
    "answers.attach": {"zh": "附上此答复", "en": "Attach this answer"},
    "answers.new_request": {"zh": "带此答复提交新申请", "en": "New request with this answer"},
    "answers.title": {"zh": "附上的助手答复", "en": "Assistant answers attached"},
    "answers.intro": {
        "zh": "企业附上的智能助手答复，及其当时引用的文件版本。",
        "en": "What the assistant told the company, and the document versions it quoted.",
    },
    "answers.asked": {"zh": "提问时间 {when}", "en": "asked {when}"},
    "answers.attached_by": {"zh": "{name} 于 {when} 附上", "en": "attached by {name} on {when}"},
    "answers.will_attach": {
        "zh": "提交后，以下助手答复将附在申请中：",
        "en": "This assistant answer will be attached to the request:",
    },
    "answers.attached": {"zh": "已附上助手答复。", "en": "The assistant's answer is attached."},
    # impact recall
    "impact.title": {"zh": "变更影响：{title}", "en": "Impact of a change: {title}"},
    "impact.state.edited": {
        "zh": "该文件现为第 {version} 版；以下答复引用了更早的版本。",
        "en": "The document is now version {version}; these answers quoted an earlier version.",
    },
    "impact.state.superseded": {
        "zh": "该文件已被取代；以下答复引用了它的任一版本。",
        "en": "The document is superseded; these answers quoted one of its versions.",
    },
    "impact.state.withdrawn": {
        "zh": "该文件已撤回；以下答复引用了它的任一版本。",
        "en": "The document is withdrawn; these answers quoted one of its versions.",
    },
    "impact.requests": {
        "zh": "附有相关答复的未结申请（{n}）",
        "en": "Open requests with such an answer attached ({n})",
    },
    "impact.answers": {
        "zh": "引用旧版本的历史答复（{n}）",
        "en": "Past answers that quoted an old version ({n})",
    },
    "impact.none_requests": {
        "zh": "没有未结申请附上相关答复。",
        "en": "No open request has such an answer attached.",
    },
    "impact.none_answers": {
        "zh": "没有答复引用过旧版本。",
        "en": "No answer quoted an old version.",
    },
    "impact.curated": {
        "zh": "引用该文档的人工答复（{n}）",
        "en": "Staff answers citing this document ({n})",
    },
    "impact.none_curated": {
        "zh": "没有人工答复引用该文档。",
        "en": "No staff answer cites this document.",
    },
    "impact.curated_current": {
        "zh": "仍在使用：摘录仍在现行文本中，引用已更新为当前版本。",
        "en": "Still given: its quote is in the current text, cited at the current version.",
    },
    "impact.quoted": {"zh": "引用版本", "en": "Quoted version"},
    "impact.company": {"zh": "企业", "en": "Company"},
    "impact.request": {"zh": "申请", "en": "Request"},
    "impact.notify": {"zh": "一键通知受影响企业", "en": "Notify the affected companies"},
    "impact.notify_hint": {
        "zh": "每个申请、每家企业对同一版本只通知一次；通知记入审计记录。",
        "en": "Each request and company is told once per version; every notice is recorded in the audit trail.",
    },
    "impact.notified": {
        "zh": "已通知 {n} 项（申请 {requests} 个、企业 {companies} 家）；{skipped} 项此前已通知。",
        "en": "{n} notified ({requests} requests, {companies} companies); {skipped} had already been told.",
    },
    "impact.already.one": {
        "zh": "此版本已发出 {count} 条通知。",
        "en": "{count} notice was already sent for this version.",
    },
    "impact.already.other": {
        "zh": "此版本已发出 {count} 条通知。",
        "en": "{count} notices were already sent for this version.",
    },
    "impact.nobody": {
        "zh": "没有可通知的企业（未登录访客的答复无法通知）。",
        "en": "There is no company to notify (visitors who were not signed in cannot be told).",
    },
}
