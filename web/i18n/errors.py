"""The error pages' messages in Simplified Chinese and English (web/errors.py picks the key)."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from web.i18n.tables import Messages

ERROR_MESSAGES: Messages = {
    "error.title": {"zh": "出错了", "en": "Something went wrong"},
    "error.not_found": {
        "zh": "找不到该页面或文档。",
        "en": "This page or document does not exist.",
    },
    "error.not_ready": {
        "zh": "知识库正在建立索引，请稍后再试。",
        "en": "The knowledge base is still being indexed; please try again shortly.",
    },
    "error.question_empty": {"zh": "请输入问题。", "en": "Please enter a question."},
    "error.question_long": {
        "zh": "问题不能超过 2000 个字符。",
        "en": "A question may have at most 2,000 characters.",
    },
    "error.csrf": {
        "zh": "页面已过期或来源不明，请刷新页面后重试。",
        "en": "This form has expired or did not come from this site; reload the page and try again.",
    },
    "error.forbidden": {"zh": "您没有权限执行此操作。", "en": "You are not allowed to do this."},
    "error.invalid_transition": {
        "zh": "该申请当前的状态不允许此操作。",
        "en": "The request's current status does not allow this step.",
    },
    "error.invalid": {
        "zh": "提交的内容有误，请检查后重试。",
        "en": "Some of what was sent is not valid; please check and try again.",
    },
    "error.rate_limited": {
        "zh": "尝试次数过多，请稍后再试。",
        "en": "Too many attempts; please wait and try again.",
    },
}
