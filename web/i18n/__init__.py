"""The interface in Simplified Chinese and English: messages and the choice of language."""

from __future__ import annotations

from typing import Literal

UiLanguage = Literal["zh", "en"]
LANGUAGES: tuple[UiLanguage, ...] = ("zh", "en")

MESSAGES: dict[str, dict[UiLanguage, str]] = {
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
    "nav.login": {"zh": "登录", "en": "Sign in"},
    "nav.logout": {"zh": "退出", "en": "Sign out"},
    "nav.register": {"zh": "企业注册", "en": "Register"},
    "nav.account": {"zh": "我的账户", "en": "My account"},
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
    "account.login.title": {"zh": "登录", "en": "Sign in"},
    "account.login.submit": {"zh": "登录", "en": "Sign in"},
    "account.login.failed": {
        "zh": "邮箱或密码不正确。",
        "en": "The email or password is not correct.",
    },
    "account.login.limited": {
        "zh": "登录失败次数过多，请在 {minutes} 分钟后再试。",
        "en": "Too many failed sign-ins; try again in {minutes} minutes.",
    },
    "account.login.no_account": {"zh": "还没有账户？", "en": "No account yet?"},
    "account.register.title": {"zh": "企业注册", "en": "Register your company"},
    "account.register.intro": {
        "zh": "注册后，贵公司的所有成员都能查看和跟进本公司提交的服务申请。若贵公司已注册，请请已有成员在“我的账户”中添加您。",
        "en": "Once registered, every member of your company sees and follows its service requests. If your company is already registered, ask a member to add you under My account.",
    },
    "account.register.submit": {"zh": "注册", "en": "Register"},
    "account.register.have_account": {"zh": "已有账户？", "en": "Already registered?"},
    "account.register.failed": {
        "zh": "请更正以下标出的内容。",
        "en": "Please correct the fields marked below.",
    },
    "account.field.company_name": {"zh": "企业名称", "en": "Company name"},
    "account.field.credit_code": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "account.field.credit_code_hint": {
        "zh": "18 位，见营业执照",
        "en": "18 characters, on the business licence",
    },
    "account.field.contact_name": {"zh": "联系人", "en": "Contact person"},
    "account.field.name": {"zh": "姓名", "en": "Name"},
    "account.field.phone": {"zh": "联系电话", "en": "Phone"},
    "account.field.phone_hint": {
        "zh": "手机、座机（含区号）或 +852 / +853 号码",
        "en": "Mobile, landline with area code, or a +852 / +853 number",
    },
    "account.field.email": {"zh": "电子邮箱", "en": "Email"},
    "account.field.password": {"zh": "密码", "en": "Password"},
    "account.field.password_hint": {"zh": "至少 10 个字符", "en": "At least 10 characters"},
    "account.title": {"zh": "我的账户", "en": "My account"},
    "account.profile": {"zh": "个人信息", "en": "Profile"},
    "account.role": {"zh": "身份", "en": "Role"},
    "account.company": {"zh": "所属企业", "en": "Company"},
    "account.members": {"zh": "企业成员", "en": "Company members"},
    "account.members.intro": {
        "zh": "所有成员都能查看本公司的全部服务申请。",
        "en": "Every member sees all of the company's service requests.",
    },
    "account.members.add": {"zh": "添加成员", "en": "Add a member"},
    "account.members.added": {"zh": "已添加成员 {email}。", "en": "{email} was added."},
    "account.members.inactive": {"zh": "已停用", "en": "disabled"},
    "account.sessions": {"zh": "登录状态", "en": "Sessions"},
    "account.logout_everywhere": {"zh": "在所有设备上退出", "en": "Sign out everywhere"},
    "account.logout_everywhere_hint": {
        "zh": "如果您在其他电脑上登录过或怀疑密码泄露，请使用此功能。",
        "en": "Use this if you signed in on another computer or think your password is known to someone else.",
    },
    "account.registered": {
        "zh": "注册成功，欢迎使用。",
        "en": "Your company is registered. Welcome.",
    },
    "msg.Enter the 18-character unified social credit code.": {
        "zh": "请填写 18 位统一社会信用代码。",
        "en": "Enter the 18-character unified social credit code.",
    },
    "msg.A unified social credit code has exactly 18 characters.": {
        "zh": "统一社会信用代码应为 18 位。",
        "en": "A unified social credit code has exactly 18 characters.",
    },
    "msg.A unified social credit code has only digits and capital letters other than I, O, S, V, Z.": {
        "zh": "统一社会信用代码只含数字和大写字母（不含 I、O、S、V、Z）。",
        "en": "A unified social credit code has only digits and capital letters other than I, O, S, V, Z.",
    },
    "msg.The check character does not match; please check the code for a typo.": {
        "zh": "校验码不符，请检查代码是否输错。",
        "en": "The check character does not match; please check the code for a typo.",
    },
    "msg.Enter a valid email address.": {
        "zh": "请填写有效的电子邮箱。",
        "en": "Enter a valid email address.",
    },
    "msg.An account with this email address already exists.": {
        "zh": "该邮箱已注册。",
        "en": "An account with this email address already exists.",
    },
    "msg.Enter a mainland mobile or landline number, or a Hong Kong (+852) or Macao (+853) number.": {
        "zh": "请填写内地手机号、带区号的座机号，或香港（+852）、澳门（+853）号码。",
        "en": "Enter a mainland mobile or landline number, or a Hong Kong (+852) or Macao (+853) number.",
    },
    "msg.Enter a name.": {"zh": "请填写姓名。", "en": "Enter a name."},
    "msg.The name is too long.": {"zh": "姓名过长。", "en": "The name is too long."},
    "msg.Enter the company's registered name (2 to 200 characters).": {
        "zh": "请填写企业登记名称（2 至 200 个字符）。",
        "en": "Enter the company's registered name (2 to 200 characters).",
    },
    "msg.This company is already registered; ask one of its members to add you to the account.": {
        "zh": "该企业已注册，请联系已有成员将您添加到企业账户。",
        "en": "This company is already registered; ask one of its members to add you to the account.",
    },
    "msg.Use at least 10 characters.": {
        "zh": "密码至少需要 10 个字符。",
        "en": "Use at least 10 characters.",
    },
    "msg.The password cannot be only spaces.": {
        "zh": "密码不能全是空格。",
        "en": "The password cannot be only spaces.",
    },
    "msg.Use at most 1024 characters.": {
        "zh": "密码最多 1024 个字符。",
        "en": "Use at most 1024 characters.",
    },
}


def translate_message(message: str, language: UiLanguage) -> str:
    """A fixed message of the portal (English) in the interface language, when translated."""
    return MESSAGES.get("msg." + message, {}).get(language, message)


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
            best = (quality, primary)
    return best[1] if best else "zh"


from web.i18n.labels import LABEL_MESSAGES  # noqa: E402  (enum labels under their old keys)

MESSAGES.update(LABEL_MESSAGES)  # type: ignore[arg-type]

from web.i18n.portal import PORTAL_MESSAGES  # noqa: E402  (the request pages, merged last)

MESSAGES.update(PORTAL_MESSAGES)  # type: ignore[arg-type]

from web.i18n.gaps import GAPS_MESSAGES  # noqa: E402  (unanswered questions, staff answers)

MESSAGES.update(GAPS_MESSAGES)  # type: ignore[arg-type]

from web.i18n.answers import ANSWER_MESSAGES  # noqa: E402  (answer feedback and impact)

MESSAGES.update(ANSWER_MESSAGES)  # type: ignore[arg-type]

from web.i18n.knowledge import KNOWLEDGE_MESSAGES  # noqa: E402  (staff knowledge-base pages)

MESSAGES.update(KNOWLEDGE_MESSAGES)  # type: ignore[arg-type]

from web.i18n.desk import DESK_MESSAGES  # noqa: E402  (reply drafting, dashboard, exports)

MESSAGES.update(DESK_MESSAGES)  # type: ignore[arg-type]

from web.i18n.accounts import ACCOUNT_MESSAGES  # noqa: E402  (account lifecycle, my questions)

MESSAGES.update(ACCOUNT_MESSAGES)  # type: ignore[arg-type]

from web.i18n.services import SERVICE_MESSAGES  # noqa: E402  (service guides, checklist)

MESSAGES.update(SERVICE_MESSAGES)  # type: ignore[arg-type]

from web.i18n.queue import QUEUE_MESSAGES  # noqa: E402  (calendar, saved views, bulk actions)

MESSAGES.update(QUEUE_MESSAGES)  # type: ignore[arg-type]
