"""The interface in Simplified Chinese and English: messages and the choice of language."""

from __future__ import annotations

from typing import Literal

UiLanguage = Literal["zh", "en"]
LANGUAGES: tuple[UiLanguage, ...] = ("zh", "en")

MESSAGES: dict[str, dict[UiLanguage, str]] = {
    "site.name": {"zh": "大湾区细胞与基因治疗产业公共服务中心", "en": "GBA Cell & Gene Therapy Public Service Center"},
    "site.short": {"zh": "CGT 公共服务中心", "en": "CGT Service Center"},
    "nav.chat": {"zh": "政策问答", "en": "Ask"},
    "nav.documents": {"zh": "文档库", "en": "Documents"},
    "nav.switch": {"zh": "English", "en": "中文"},
    "chat.title": {"zh": "政策与法规问答", "en": "Ask about policies and regulations"},
    "chat.intro": {
        "zh": "回答只依据中心的文档，每句都注明出处；文档未涵盖的问题会如实告知。",
        "en": "Answers come only from the center's documents, each sentence with its source; "
        "when the documents do not cover a question, the assistant says so.",
    },
    "chat.placeholder": {"zh": "例如：南沙的企业所得税优惠税率是多少？", "en": "e.g. When does Decree 818 take effect?"},
    "chat.ask": {"zh": "提问", "en": "Ask"},
    "chat.asking": {"zh": "正在查找…", "en": "Searching…"},
    "chat.new": {"zh": "开始新对话", "en": "Start over"},
    "chat.you": {"zh": "您的问题", "en": "You asked"},
    "chat.sources": {"zh": "出处", "en": "Sources"},
    "chat.open_passage": {"zh": "查看原文段落", "en": "Open the passage"},
    "chat.original": {"zh": "原始来源", "en": "Original source"},
    "chat.refused_hint": {"zh": "需要人工解答？", "en": "Need a person to answer?"},
    "chat.request_consultation": {"zh": "提交咨询申请", "en": "Open a consultation request"},
    "chat.question_label": {"zh": "您的问题", "en": "Your question"},
    "chat.unverified": {"zh": "未经官方文本核实", "en": "not verified against the official text"},
    "chat.disclaimer": {
        "zh": "本助手引用的是中心根据公开信息整理的摘要，并非官方文本；办理事项前请以官方发布为准。",
        "en": "The assistant quotes the center's own summaries of public information, not official "
        "texts; check the official publication before you act.",
    },
    "docs.title": {"zh": "文档库", "en": "Document library"},
    "docs.search": {"zh": "搜索", "en": "Search"},
    "docs.search_placeholder": {"zh": "标题、文号或关键词", "en": "Title, number or keyword"},
    "docs.all": {"zh": "全部", "en": "All"},
    "docs.category": {"zh": "类别", "en": "Category"},
    "docs.jurisdiction": {"zh": "适用地区", "en": "Jurisdiction"},
    "docs.status": {"zh": "状态", "en": "Status"},
    "docs.language": {"zh": "语言", "en": "Language"},
    "docs.count": {"zh": "共 {n} 份文档", "en": "{n} documents"},
    "docs.none": {"zh": "没有符合条件的文档。", "en": "No document matches."},
    "docs.issuer": {"zh": "发布机关", "en": "Issued by"},
    "docs.number": {"zh": "文号", "en": "Number"},
    "docs.issued": {"zh": "发布日期", "en": "Issued"},
    "docs.effective": {"zh": "施行日期", "en": "Effective"},
    "docs.source": {"zh": "原始来源", "en": "Source"},
    "docs.verified": {"zh": "核实情况", "en": "Verification"},
    "docs.verified.true": {"zh": "已对照公开来源核实", "en": "Checked against a public source"},
    "docs.verified.false": {"zh": "含尚待核实的信息", "en": "Contains facts still to be confirmed"},
    "docs.translation": {"zh": "英文版", "en": "中文版"},
    "docs.back": {"zh": "返回文档库", "en": "Back to the library"},
    "docs.cited": {"zh": "被引用的段落", "en": "Cited passage"},
    "filter.apply": {"zh": "筛选", "en": "Filter"},
    "category.policy": {"zh": "扶持政策", "en": "Policy"},
    "category.regulation": {"zh": "法律法规", "en": "Regulation"},
    "category.guideline": {"zh": "技术指导原则", "en": "Guideline"},
    "category.service": {"zh": "中心服务", "en": "Service"},
    "category.news": {"zh": "动态与数据", "en": "News and figures"},
    "status.in_force": {"zh": "现行有效", "en": "In force"},
    "status.draft": {"zh": "征求意见稿", "en": "Draft"},
    "status.superseded": {"zh": "已被取代", "en": "Superseded"},
    "status.announced": {"zh": "已公布未施行", "en": "Announced"},
    "jurisdiction.national": {"zh": "全国", "en": "National"},
    "jurisdiction.guangdong": {"zh": "广东省", "en": "Guangdong"},
    "jurisdiction.guangzhou": {"zh": "广州市", "en": "Guangzhou"},
    "jurisdiction.nansha": {"zh": "南沙", "en": "Nansha"},
    "jurisdiction.gba": {"zh": "粤港澳大湾区", "en": "Greater Bay Area"},
    "jurisdiction.hk_macao": {"zh": "港澳", "en": "Hong Kong and Macao"},
    "language.zh": {"zh": "中文", "en": "Chinese"},
    "language.en": {"zh": "英文", "en": "English"},
    "error.title": {"zh": "出错了", "en": "Something went wrong"},
    "error.not_found": {"zh": "找不到该页面或文档。", "en": "This page or document does not exist."},
    "error.not_ready": {
        "zh": "知识库正在建立索引，请稍后再试。",
        "en": "The knowledge base is still being indexed; please try again shortly.",
    },
    "error.question_empty": {"zh": "请输入问题。", "en": "Please enter a question."},
    "error.question_long": {
        "zh": "问题不能超过 2000 个字符。",
        "en": "A question may have at most 2,000 characters.",
    },
}  # fmt: skip


def translate(key: str, language: UiLanguage, **values: object) -> str:
    """The message for a key in a language (the key itself when none exists)."""
    message = MESSAGES.get(key, {}).get(language, key)
    return message.format(**values) if values else message


def negotiate(accept_language: str | None) -> UiLanguage:
    """Pick zh or en from an Accept-Language header (Chinese unless English ranks higher)."""
    best: tuple[float, UiLanguage] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and (best is None or quality > best[0]):
            best = (quality, primary)  # type: ignore[assignment]
    return best[1] if best else "zh"
