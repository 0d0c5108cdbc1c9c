"""Unanswered questions and curated staff answers in Simplified Chinese and English."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from web.i18n.tables import Messages

GAPS_MESSAGES: Messages = {
    "nav.unanswered": {"zh": "未解答问题", "en": "Unanswered"},
    "nav.curated": {"zh": "人工答复", "en": "Staff answers"},
    "chat.staff_answer": {"zh": "中心工作人员答复", "en": "Staff answer"},
    "chat.staff_answer_hint": {
        "zh": "此答复由中心工作人员撰写并注明出处。",
        "en": "Written by the center's staff, with its sources.",
    },
    "gaps.title": {"zh": "未解答的问题", "en": "Unanswered questions"},
    "gaps.intro": {
        "zh": "助手拒答（文档中未找到依据）、低置信度回答，或所问术语库中没有任何文本提到的问题，按相似度分组：知识库缺什么，一目了然。可据此撰写人工答复、补充文件，或忽略某组。",
        "en": "Questions the assistant refused (nothing in the documents), answered with low confidence, or answered although no text in the library mentions a term they name, grouped by similarity: what the knowledge base lacks. Write a staff answer for a group, add the missing text, or dismiss it.",
    },
    "gaps.status": {"zh": "状态", "en": "Status"},
    "gaps.status.open": {"zh": "待处理", "en": "Open"},
    "gaps.status.answered": {"zh": "已人工答复", "en": "Answered by staff"},
    "gaps.status.dismissed": {"zh": "已忽略", "en": "Dismissed"},
    "gaps.sort": {"zh": "排序", "en": "Sort"},
    "gaps.sort.count": {"zh": "提问次数", "en": "Most asked"},
    "gaps.sort.recent": {"zh": "最近提问", "en": "Most recent"},
    "gaps.count": {"zh": "提问次数", "en": "Times asked"},
    "gaps.asked_times": {"zh": "{n} 次", "en": "asked {n}×"},
    "gaps.first_asked": {"zh": "首次：", "en": "First:"},
    "gaps.last_asked": {"zh": "最近：", "en": "Last:"},
    "gaps.reason.no_match": {"zh": "拒答", "en": "Refused"},
    "gaps.reason.low_confidence": {"zh": "低置信度", "en": "Low confidence"},
    "gaps.reason.unmentioned": {"zh": "库中无所问术语", "en": "Term not in the library"},
    "gaps.answer_this": {"zh": "撰写答复", "en": "Answer this"},
    "gaps.see_answer": {"zh": "查看人工答复", "en": "See the staff answer"},
    "gaps.dismiss": {"zh": "忽略", "en": "Dismiss"},
    "gaps.reopen": {"zh": "重新打开", "en": "Reopen"},
    "gaps.none": {"zh": "没有此类问题。", "en": "No questions here."},
    "gaps.instructions_excluded": {
        "zh": "试图改变助手指令的提问（{n} 条）不在此列出。",
        "en": "Attempts to change the assistant's instructions ({n}) are not listed.",
    },
    "gaps.pending": {
        "zh": "另有 {n} 条新问题将在下次打开本页时分组。",
        "en": "{n} more new questions will be grouped on the next visit.",
    },
    "gaps.prev": {"zh": "上一页", "en": "Previous"},
    "gaps.next": {"zh": "下一页", "en": "Next"},
    "curated.title": {"zh": "人工答复", "en": "Staff answers"},
    "curated.intro": {
        "zh": "中心工作人员撰写的答复。提问与下列任一问题足够相似时，助手直接给出该答复，并标明“中心工作人员答复”。",
        "en": "Answers written by the center's staff. When a question is close enough to one of an answer's questions, the assistant gives that answer, marked \"Staff answer\".",
    },
    "curated.new": {"zh": "新建人工答复", "en": "New staff answer"},
    "curated.edit": {"zh": "编辑人工答复", "en": "Edit staff answer"},
    "curated.none": {"zh": "还没有人工答复。", "en": "No staff answer yet."},
    "curated.active": {"zh": "使用中", "en": "Active"},
    "curated.inactive": {"zh": "已停用", "en": "Deactivated"},
    "curated.deactivate": {"zh": "停用", "en": "Deactivate"},
    "curated.activate": {"zh": "重新启用", "en": "Activate"},
    "curated.updated": {"zh": "更新于", "en": "Updated"},
    "curated.from_group.one": {
        "zh": "针对一组被问过 {count} 次的问题：",
        "en": "For a group of questions asked {count} time:",
    },
    "curated.from_group.other": {
        "zh": "针对一组被问过 {count} 次的问题：",
        "en": "For a group of questions asked {count} times:",
    },
    "curated.questions": {"zh": "适用的问题", "en": "Questions it answers"},
    "curated.questions_hint": {
        "zh": "每行一个问题；可同时填写中英文问法。",
        "en": "One question per line; add both Chinese and English phrasings.",
    },
    "curated.language": {"zh": "答复语言", "en": "Language of the answer"},
    "curated.language_auto": {"zh": "自动识别", "en": "Detect"},
    "curated.answer": {"zh": "答复内容", "en": "Answer"},
    "curated.answer_hint": {
        "zh": "可用 [1]、[2] 标注引用的出处。",
        "en": "Mark the sources with [1], [2] …",
    },
    "curated.citations": {"zh": "出处", "en": "Sources"},
    "curated.citations_hint": {
        "zh": "文档编号及逐字摘录的原文；可用下方的段落搜索选取。",
        "en": "The document id and a verbatim quote of its text; use the passage search below to pick one.",
    },
    "curated.document_id": {"zh": "文档编号", "en": "Document id"},
    "curated.quote": {"zh": "原文摘录", "en": "Quote"},
    "curated.save": {"zh": "保存", "en": "Save"},
    "curated.cancel": {"zh": "取消", "en": "Cancel"},
    "curated.picker": {"zh": "搜索知识库段落", "en": "Search the knowledge base for a passage"},
    "curated.picker_hint": {
        "zh": "点击“引用此句”填入出处。",
        "en": 'Click "Quote this" to fill in a source.',
    },
    "curated.use_quote": {"zh": "引用此句", "en": "Quote this"},
    "curated.error.summary": {
        "zh": "未保存：请更正以下标出的内容。",
        "en": "Not saved: please correct what is marked below.",
    },
    "curated.error.questions_empty": {
        "zh": "请至少填写一个适用的问题。",
        "en": "Enter at least one question this answers.",
    },
    "curated.error.questions_many": {"zh": "问题最多 20 个。", "en": "At most 20 questions."},
    "curated.error.question_long": {
        "zh": "每个问题最多 500 个字符。",
        "en": "A question may have at most 500 characters.",
    },
    "curated.error.answer_empty": {"zh": "请填写答复内容。", "en": "Enter the answer."},
    "curated.error.answer_long": {
        "zh": "答复最多 5000 个字符。",
        "en": "An answer may have at most 5,000 characters.",
    },
    "curated.error.language": {
        "zh": "语言只能是中文或英文。",
        "en": "The language must be Chinese or English.",
    },
    "curated.error.citations_many": {"zh": "出处最多 8 条。", "en": "At most 8 sources."},
    "curated.error.document_missing": {
        "zh": "请填写该出处的文档编号。",
        "en": "Enter the document id of this source.",
    },
    "curated.error.document_unknown": {
        "zh": "知识库中没有该编号的文档。",
        "en": "No document in the knowledge base has this id.",
    },
    "curated.error.document_withdrawn": {
        "zh": "该文档已撤回，不能引用。",
        "en": "This document was withdrawn and cannot be cited.",
    },
    "curated.error.document_superseded": {
        "zh": "该文档在此答复写成后已被取代，请改为引用取代它的文档。",
        "en": "This document was superseded after the answer cited it; cite its replacement.",
    },
    "curated.stale": {
        "zh": "助手暂停使用此答复，需编辑后恢复：{reason}",
        "en": "The assistant does not give this answer until it is edited: {reason}",
    },
    "curated.error.quote_empty": {"zh": "请填写摘录的原文。", "en": "Enter the quoted text."},
    "curated.error.quote_long": {
        "zh": "摘录最多 2000 个字符。",
        "en": "A quote may have at most 2,000 characters.",
    },
    "curated.error.quote_not_found": {
        "zh": "该文档的现行文本中找不到这段摘录，请逐字复制原文。",
        "en": "This quote is not in the document's current text; copy it word for word.",
    },
}
