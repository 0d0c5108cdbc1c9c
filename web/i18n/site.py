"""The site's frame, the assistant and the document library in Simplified Chinese and English."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from web.i18n.tables import Messages

SITE_MESSAGES: Messages = {
    "site.name": {
        "zh": "大湾区细胞与基因治疗产业公共服务中心",
        "en": "GBA Cell & Gene Therapy Public Service Center",
    },
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
    "chat.placeholder": {
        "zh": "例如：南沙的企业所得税优惠税率是多少？",
        "en": "e.g. When does Decree 818 take effect?",
    },
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
        "zh": "本助手只引用中心文档库中的文件：既有公开发布的法规文本，也有中心根据公开信息整理的摘要"
        "（每条出处都注明）；办理事项前请以官方发布为准。",
        "en": "The assistant quotes only the documents of the center's library: published texts of "
        "laws and rules, and the center's own summaries of public information (each source is "
        "named); check the official publication before you act.",
    },
    "docs.title": {"zh": "文档库", "en": "Document library"},
    "docs.search": {"zh": "搜索", "en": "Search"},
    "docs.search_placeholder": {"zh": "标题、文号或关键词", "en": "Title, number or keyword"},
    "docs.all": {"zh": "全部", "en": "All"},
    "docs.category": {"zh": "类别", "en": "Category"},
    "docs.jurisdiction": {"zh": "适用地区", "en": "Jurisdiction"},
    "docs.status": {"zh": "状态", "en": "Status"},
    "docs.language": {"zh": "语言", "en": "Language"},
    "docs.count.one": {"zh": "共 {count} 份文档", "en": "{count} document"},
    "docs.count.other": {"zh": "共 {count} 份文档", "en": "{count} documents"},
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
    "nav.login": {"zh": "登录", "en": "Sign in"},
    "nav.logout": {"zh": "退出", "en": "Sign out"},
    "nav.register": {"zh": "企业注册", "en": "Register"},
    "nav.account": {"zh": "我的账户", "en": "My account"},
}
