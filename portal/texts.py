"""Every text the portal itself writes for people, in Simplified Chinese and English.

Two kinds, each in one table here, so that wording is reviewed (and translated) in one place:

- validation messages: a ValidationFailed carries a language-neutral key; the tables below give
  its (zh, en) texts, and `web` shows the one of the user's language next to the field;
- notifications (the outbox, sent as e-mail): one text for everyone whatever their language, so
  subject and body carry both languages. Templates take their values with `str.format`; the few
  texts put together from parts are built by the functions at the end.

Names of codes (statuses, priorities, events …) are not here but in `portal.labels`.
"""
# ruff: noqa: E501  (text tables: CJK strings count double in width)

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal import labels

_T = dict[str, tuple[str, str]]  # key -> (zh, en)

# --- Validation messages ---------------------------------------------------------------------

# A service's request form (portal.catalog.validate_fields, portal.service_requests.submit).
FIELD_ERRORS: _T = {
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

# Why an upload was refused (portal.attachments): ValidationFailed({"files": key}).
FILE_ERRORS: _T = {
    "file_empty": ("文件为空", "The file is empty"),
    "file_too_large": ("文件超过大小限制", "The file is larger than allowed"),
    "quota_exceeded": (
        "贵公司的附件存储空间已满，请联系中心",
        "Your company's file storage is full; please contact the center",
    ),
    "file_bad_name": ("文件名无效", "The file name is not valid"),
    "file_type_not_allowed": (
        "只接受 PDF、PNG、JPEG、DOCX、XLSX、TXT 和 CSV 文件",
        "Only PDF, PNG, JPEG, DOCX, XLSX, TXT and CSV files are accepted",
    ),
    "file_content_mismatch": (
        "文件内容与扩展名不符",
        "The file's content does not match its extension",
    ),
    "file_unsafe_archive": ("文档压缩结构异常", "The document's archive structure is unsafe"),
    "file_polyglot": (
        "文件中还夹带了网页代码或压缩包，不予接受",
        "The file also carries web page code or an archive and is not accepted",
    ),
}

# Staff asking a company for a material (portal.material_requests).
MATERIAL_ERRORS: _T = {
    "reason_required": (
        "指南未列出的材料，必须说明需要的理由",
        "Say why: the service guide does not list this material",
    ),
    "material_name_required": ("请填写所需材料的名称", "Name the material you need"),
}

# A working-calendar import file (portal.working_calendar; the CLI prints the English).
CALENDAR_ERRORS: _T = {
    "bad_columns": ("每行应为 日期,名称,类型 三列", "Each line needs three cells: day,name,kind"),
    "bad_date": ("日期格式应为 YYYY-MM-DD", "The day must be YYYY-MM-DD"),
    "bad_kind": ("类型应为 holiday（休）或 workday（班）", "The kind must be holiday or workday"),
    "bad_name": ("名称必填，最多 100 字", "A name is required, at most 100 characters"),
    "too_many_rows": ("行数超过 2000", "More than 2000 lines"),
    "not_utf8": ("文件须为 UTF-8 编码", "The file must be UTF-8 text"),
}

# --- Notifications: a request's conversation (portal.service_requests, bulk, merging) ----------

# "[{number}] " comes first in a request's subjects; the company's are prefixed by the sender.
COMPANY_REPLIED_SUBJECT = "[{number}] 企业回复 / Company replied"
CENTER_REPLIED_SUBJECT = "中心回复 / The center replied"
MENTIONED_SUBJECT = "[{number}] {name} 提到了您 / mentioned you"
ASSIGNED_SUBJECT = "[{number}] 分派给您 / Assigned to you"
BULK_ASSIGNED_SUBJECT = "{count} 个请求分派给您 / {count} requests assigned to you"
ANSWER_ATTACHED_SUBJECT = "[{number}] 企业附上了助手答复 / Assistant answer attached"
MATERIAL_REQUESTED_BODY = "请补充材料：{label_zh}\nPlease provide: {label_en}"
# A merged duplicate: the note on its closing and what its company is told.
MERGED_NOTE = "重复申请，已合并到 {kept} / Duplicate, merged into {kept}"
MERGED_SUBJECT = "[{number}] 已合并 / Merged into {kept}"
MERGED_BODY = (
    "您的请求 {number} 与 {kept} 重复，已合并："
    "其留言和文件已移至 {kept}，请在该请求中继续沟通。\n"
    "Your request {number} duplicated {kept} and "
    "was merged into it: its messages and files are there now; please continue there."
)

# --- Notifications: accounts (portal.accounts, invitations, password_reset, registration) ------

# Told to an account's owner when wrong passwords pile up (portal.throttle.NOTIFY_AFTER).
FAILED_SIGN_INS_SUBJECT = "Failed sign-ins to your account · 您的账号多次登录失败"
FAILED_SIGN_INS_BODY = (
    "{count} wrong passwords were typed for your account in the last 15 minutes, the latest "
    "from {address}. If this was not you, change your password; your own sign-in keeps working.\n"
    "过去 15 分钟内您的账号有 {count} 次密码错误（最近一次来自 {address}）。"
    "如非本人操作，请修改密码；您本人的登录不受影响。"
)
INVITATION_SUBJECT = (
    "You are invited to {company} on the CGT portal · 邀请您加入{company}的企业账户"
)
INVITATION_BODY = (
    "{inviter} invites you to the account of {company} at the GBA CGT Public Service Center's "
    "portal, where the company's members follow its service requests. Open this link within "
    "7 days to choose your password; it works once:\n{link}\n\n"
    "{inviter} 邀请您加入{company}在大湾区细胞与基因治疗产业公共服务中心门户的企业账户。"
    "请在 7 天内打开以下链接设置密码，链接只能使用一次：\n{link}\n"
)
INVITED_EXISTING_SUBJECT = "An invitation for your e-mail · 有人邀请您的邮箱"
INVITED_EXISTING_BODY = (
    "{company} tried to invite your e-mail address to its company account, but you already "
    "have an account. Nothing was changed.\n"
    "{company} 尝试邀请您的邮箱加入其企业账户，但您已有账号，未做任何更改。\n"
)
PASSWORD_RESET_SUBJECT = "Reset your password · 重设密码"
PASSWORD_RESET_BODY = (
    "Someone (we hope you) asked to reset the password of your account. Open this link within "
    "one hour to choose a new one; it works once:\n{link}\n"
    "If you did not ask, ignore this message: your password stays as it is.\n\n"
    "有人（希望是您本人）申请重设您账号的密码。"
    "请在 1 小时内打开以下链接设置新密码，链接只能使用一次：\n"
    "{link}\n如非本人操作，请忽略本邮件，您的密码不会改变。\n"
)
PASSWORD_RESET_BY_STAFF_NOTE = (
    "\nThe center's staff sent this link at your request. · 此链接由中心工作人员应您的要求发送。\n"
)
REGISTERED_EMAIL_SUBJECT = "Registration attempt with your e-mail · 有人使用您的邮箱注册"
REGISTERED_EMAIL_BODY = (
    "Someone tried to register a company or an account with your e-mail address. If it was "
    "you, sign in with your password instead; otherwise you need not do anything.\n"
    "有人尝试使用您的邮箱注册企业或账号。如是您本人，请直接用密码登录；否则无需处理。"
)
REGISTERED_COMPANY_SUBJECT = "Registration attempt for your company · 有人尝试注册贵公司"
REGISTERED_COMPANY_BODY = (
    "Someone tried to register your company again, with the e-mail {email}. Colleagues join "
    "through Account → Members.\n"
    "有人使用邮箱 {email} 尝试再次注册贵公司。同事请通过“账户 → 成员”加入。"
)

# --- Notifications put together from parts ----------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A notification's subject and body, in Chinese then English (sent to everyone alike)."""

    subject: str
    body: str


def submitted(*, title: str, number: str) -> Text:
    """Tell a company its request arrived: it is submitted, not yet taken up by the center."""
    status = labels.bilingual("status", "submitted")
    zh, en = labels.label("status", "submitted", "zh"), labels.label("status", "submitted", "en")
    return Text(
        subject=status,
        body=f"我们已收到您的服务申请《{title}》，受理编号 {number}，当前状态：{zh}。"
        "中心受理后会再通知您。\n"
        f'We have received your request "{title}"; its tracking number is {number} and its '
        f"status is {en}. We will tell you when the center takes it up.",
    )


def status_changed(*, number: str, status: object, note: str | None = None) -> Text:
    """Tell a company its request moved to another status, in words, never the code."""
    zh, en = labels.label("status", status, "zh"), labels.label("status", status, "en")
    return Text(
        subject=f"状态：{zh} / Status: {en}",
        body=f"申请 {number} 的状态已变为“{zh}”。\nRequest {number} is now “{en}”."
        + (f"\n\n{note}" if note else ""),
    )


# How a document an answer quoted changed (portal.attached_answers.Change).
DOCUMENT_CHANGES: _T = {
    "edited": ("已更新为第 {version} 版", "has been revised (now version {version})"),
    "superseded": ("已被新文件取代", "has been superseded"),
    "withdrawn": ("已撤回", "has been withdrawn"),
}


def document_changed(
    *,
    title: str,
    version: int,
    change: Literal["edited", "superseded", "withdrawn"],
    number: str | None,
) -> Text:
    """Tell a company that a document an assistant's answer quoted has changed."""
    zh_change, en_change = (text.format(version=version) for text in DOCUMENT_CHANGES[change])
    subject = "引用的文件已变更 / A document you relied on changed"
    zh = f"智能助手此前给贵公司的答复引用了《{title}》，该文件{zh_change}。"
    en = f'An answer the assistant gave your company quoted "{title}", which {en_change}.'
    if number:
        subject = f"[{number}] {subject}"
        zh += f"该答复已附在服务申请 {number} 中。"
        en += f" The answer is attached to your request {number}."
    zh += "请以最新版本为准；如有疑问，请回复相关申请或提交咨询。"
    en += " Please rely on the current version; reply to the request or ask us if in doubt."
    return Text(subject=subject, body=f"{zh}\n{en}")
