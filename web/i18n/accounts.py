"""Accounts in Simplified Chinese and English: sign-in, registration, the account page and its life.

Sign-in and registration, password changes and resets, invitations, the company's owner and
members, the password policy's reasons, and the list of a user's past conversations (issue 12).
"""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import accounts, invitations, passwords
from web.i18n.tables import Messages, merge


def _msg(english: str, chinese: str) -> tuple[str, dict[str, str]]:
    """A fixed message of the portal (its English text is the key) with its translation."""
    return "msg." + english, {"zh": chinese, "en": english}


# Sign-in, registration and the account page.
_SIGN_IN: Messages = {
    "account.login.title": {"zh": "登录", "en": "Sign in"},
    "account.login.submit": {"zh": "登录", "en": "Sign in"},
    "account.login.failed": {
        "zh": "邮箱或密码不正确。",
        "en": "The email or password is not correct.",
    },
    "account.login.limited.one": {
        "zh": "登录失败次数过多，请在 {count} 分钟后再试。",
        "en": "Too many failed sign-ins; try again in {count} minute.",
    },
    "account.login.limited.other": {
        "zh": "登录失败次数过多，请在 {count} 分钟后再试。",
        "en": "Too many failed sign-ins; try again in {count} minutes.",
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
}

# Fixed messages of the registration form (portal/accounts.py, portal/uscc.py …): `tm(message)`.
_REGISTRATION_MESSAGES: Messages = {
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

# Password changes and resets, invitations, members and owners, "My questions".
_LIFECYCLE: Messages = {
    "nav.history": {"zh": "我的问答", "en": "My questions"},
    "account.field.password_policy": {
        "zh": "至少 10 个字符；不能是常见密码、简单规律（如 aaaa、12345、qwerty）或您的姓名、邮箱。几个不相关的词连在一起就很好记。",
        "en": "At least 10 characters; not a common password, an easy pattern (aaaa, 12345, qwerty) or your name or e-mail. A few unrelated words are easy to remember.",
    },
    "account.field.password_again": {"zh": "再次输入新密码", "en": "New password again"},
    "account.field.new_password": {"zh": "新密码", "en": "New password"},
    "account.field.current_password": {"zh": "当前密码", "en": "Current password"},
    "account.role.owner": {"zh": "企业账户负责人", "en": "Owner of the company account"},
    # change password
    "account.password.title": {"zh": "修改密码", "en": "Change your password"},
    "account.password.intro": {
        "zh": "修改后，您在其他设备上的登录会退出，本设备保持登录。",
        "en": "Other devices are signed out when you change it; this one stays signed in.",
    },
    "account.password.submit": {"zh": "修改密码", "en": "Change password"},
    "account.password.changed": {
        "zh": "密码已修改，其他设备上的登录已退出。",
        "en": "Your password was changed; other devices were signed out.",
    },
    # forgotten password
    "account.login.forgot": {"zh": "忘记密码？", "en": "Forgot your password?"},
    "account.forgot.title": {"zh": "找回密码", "en": "Reset your password"},
    "account.forgot.intro": {
        "zh": "请输入注册时使用的邮箱。若该邮箱有账号，我们会发送一个 1 小时内有效、只能使用一次的重设链接。",
        "en": "Enter the e-mail you signed up with. If it has an account, we send a link that works once within one hour.",
    },
    "account.forgot.submit": {"zh": "发送重设链接", "en": "Send the link"},
    "account.forgot.sent": {
        "zh": "如果该邮箱有账号，重设密码的链接已发送到该邮箱，1 小时内有效。没有收到？请检查垃圾邮件，或联系中心工作人员。",
        "en": "If this e-mail has an account, a link to reset the password is on its way; it works for one hour. Nothing arrived? Check the spam folder or call the center's staff.",
    },
    "account.reset.title": {"zh": "设置新密码", "en": "Choose a new password"},
    "account.reset.for": {"zh": "账号：{email}", "en": "Account: {email}"},
    "account.reset.submit": {"zh": "保存新密码并登录", "en": "Save and sign in"},
    "account.reset.invalid": {
        "zh": "该链接无效、已使用或已过期（有效期 1 小时）。",
        "en": "This link is not valid, was already used or has expired (it works for one hour).",
    },
    "account.reset.again": {"zh": "重新申请链接", "en": "Ask for a new link"},
    "account.reset.done": {
        "zh": "新密码已生效，其他设备上的登录已退出。",
        "en": "Your new password is set; other devices were signed out.",
    },
    # invitations and members
    "account.members.owner_intro": {
        "zh": "您是本企业账户的负责人：可以通过邮箱邀请同事（对方通过邮件中的链接自行设置密码），也可以移除成员。",
        "en": "You own this company account: invite colleagues by e-mail (they choose their password through the link we send) and remove members.",
    },
    "account.members.member_intro": {
        "zh": "如需添加或移除同事，请联系本企业账户的负责人：{owners}。",
        "en": "To add or remove colleagues, ask the account's owner: {owners}.",
    },
    "account.members.invite": {"zh": "邀请同事", "en": "Invite a colleague"},
    "account.members.invite_submit": {"zh": "发送邀请", "en": "Send the invitation"},
    "account.members.invited_notice": {
        "zh": "已处理对 {email} 的邀请：若该邮箱尚无账号，对方会收到 7 天内有效的邀请链接。",
        "en": "The invitation to {email} is done: unless that address already has an account, it gets a link valid for 7 days.",
    },
    "account.members.remove": {"zh": "移除", "en": "Remove"},
    "account.members.remove_confirm": {"zh": "移除 {name}", "en": "Remove {name}"},
    "account.members.removed": {
        "zh": "已移除 {name}，其登录已失效。",
        "en": "{name} was removed and signed out.",
    },
    "account.members.make_owner": {"zh": "设为负责人", "en": "Make owner"},
    "account.members.made_owner": {
        "zh": "{name} 现在也是负责人。",
        "en": "{name} is now an owner too.",
    },
    "account.members.state.owner": {"zh": "负责人", "en": "Owner"},
    "account.members.state.member": {"zh": "成员", "en": "Member"},
    "account.members.state.invited": {"zh": "已邀请，待设置密码", "en": "Invited, not joined yet"},
    "account.members.state.removed": {"zh": "已移除或未激活", "en": "Removed or not active"},
    "account.members.you": {"zh": "（您）", "en": "(you)"},
    "account.invitation.title": {"zh": "加入企业账户", "en": "Join your company's account"},
    "account.invitation.intro": {
        "zh": "{company} 邀请您加入其企业账户。请设置您的密码。",
        "en": "{company} invites you to its company account. Choose your password.",
    },
    "account.invitation.submit": {"zh": "设置密码并加入", "en": "Set the password and join"},
    "account.invitation.invalid": {
        "zh": "该邀请链接无效、已使用或已过期（有效期 7 天）。请联系邀请您的同事重新发送。",
        "en": "This invitation is not valid, was already used or has expired (7 days). Ask the colleague who invited you to send it again.",
    },
    "account.invitation.welcome": {
        "zh": "欢迎加入，您的账号已启用。",
        "en": "Welcome: your account is ready.",
    },
    # staff: send a reset link
    "staff.reset.title": {"zh": "发送重设密码链接", "en": "Send a password reset link"},
    "staff.reset.intro": {
        "zh": "企业用户来电说忘记密码时使用：链接只发送到该账号本身的邮箱，您看不到链接，操作会记录在审计日志中。",
        "en": "For a company user who calls about a forgotten password: the link goes only to the account's own e-mail, you never see it, and the sending is recorded.",
    },
    "staff.reset.submit": {"zh": "发送链接", "en": "Send the link"},
    "staff.reset.sent": {
        "zh": "已向 {email} 发送重设链接（1 小时内有效）。",
        "en": "A reset link was sent to {email} (valid one hour).",
    },
    "staff.reset.unknown": {
        "zh": "没有使用该邮箱的有效账号。",
        "en": "No active account has this e-mail.",
    },
    # my questions
    "history.title": {"zh": "我的问答", "en": "My questions"},
    "history.intro": {
        "zh": "您登录后提出的问题和得到的回答，最新的在前。打开一条即可查看当时的回答和出处，也可继续提问、打印或导出。",
        "en": "The questions you asked while signed in and the answers you got, newest first. Open one to see it as it was, go on asking, print or export it.",
    },
    "history.search": {"zh": "搜索问题和回答", "en": "Search questions and answers"},
    "history.search_submit": {"zh": "搜索", "en": "Search"},
    "history.none": {
        "zh": "还没有问答记录。登录后在“政策问答”中提问，记录会保存在这里。",
        "en": "Nothing yet. Questions you ask on the Ask page while signed in are kept here.",
    },
    "history.no_match": {"zh": "没有与“{q}”匹配的问答。", "en": "No conversation matches “{q}”."},
    "history.count.one": {"zh": "共 {count} 个对话", "en": "{count} conversation"},
    "history.count.other": {"zh": "共 {count} 个对话", "en": "{count} conversations"},
    "history.turns.one": {"zh": "{count} 个问题", "en": "{count} question"},
    "history.turns.other": {"zh": "{count} 个问题", "en": "{count} questions"},
    "history.last_asked": {"zh": "最近提问：{when}", "en": "Last asked {when}"},
    "history.open": {"zh": "查看", "en": "Open"},
    "history.continue": {"zh": "继续提问", "en": "Go on asking"},
    "history.print": {"zh": "打印", "en": "Print"},
    "history.export": {"zh": "导出 Markdown", "en": "Export as Markdown"},
    "history.back": {"zh": "返回我的问答", "en": "Back to my questions"},
    "history.asked_at": {"zh": "提问时间：{when}", "en": "Asked {when}"},
    "history.older": {"zh": "更早", "en": "Older"},
    "history.newer": {"zh": "更新", "en": "Newer"},
    "history.refused": {"zh": "未能回答", "en": "Not answered"},
    "history.printed_from": {"zh": "打印自 {site}", "en": "Printed from {site}"},
}

# Registration confirmed by e-mail (issue 14: the answer is the same whatever exists).
_CONFIRMATION: Messages = {
    "account.confirm.sent_title": {"zh": "请查收邮件", "en": "Check your e-mail"},
    "account.confirm.sent": {
        "zh": "我们已向您填写的邮箱发送了一封邮件。请打开其中的链接确认注册，然后即可登录。",
        "en": "We sent a message to the e-mail address you gave. Open its link to confirm "
        "the registration, then sign in.",
    },
    "account.confirm.title": {"zh": "确认注册", "en": "Confirm your registration"},
    "account.confirm.submit": {"zh": "确认并登录", "en": "Confirm and sign in"},
    "account.confirm.invalid": {
        "zh": "该确认链接无效或已过期。",
        "en": "This confirmation link is not valid or has expired.",
    },
    "account.members.invited": {
        "zh": "已向 {email} 发送确认邮件；对方确认后即可登录。",
        "en": "A confirmation e-mail was sent to {email}; they can sign in once they confirm.",
    },
}

# Fixed messages of the password policy and the account lifecycle.
_POLICY_MESSAGES: Messages = dict(
    (
        _msg(passwords.COMMON, "这是最常见的密码之一，请换一个。"),
        _msg(passwords.REPEATS, "重复的字符或片段（如 aaaa、abcabc）很容易被猜到。"),
        _msg(passwords.SEQUENCE, "连续的数字或字母（如 12345、abcdef）很容易被猜到。"),
        _msg(passwords.KEYBOARD, "键盘上相邻的按键（如 qwerty、1qaz2wsx）很容易被猜到。"),
        _msg(passwords.PERSONAL, "密码不要用您的姓名、邮箱、企业名称或本门户的名称组成。"),
        _msg(passwords.DATES, "日期和年份很容易被猜到。"),
        _msg(passwords.GUESSABLE, "该密码容易被猜到：请用三四个不相关的词，或更长的组合。"),
        _msg(accounts.CURRENT_PASSWORD_WRONG, "当前密码不正确。"),
        _msg(accounts.PASSWORDS_DIFFER, "两次输入的密码不一致。"),
        _msg(accounts.OWNERS_ONLY, "只有企业账户的负责人可以执行此操作。"),
        _msg(invitations.ALREADY_MEMBER, "此人已是本企业的成员。"),
        _msg(
            invitations.LAST_OWNER,
            "企业账户必须有负责人：请先将另一位成员设为负责人，再移除自己。",
        ),
    )
)

ACCOUNT_MESSAGES: Messages = merge(
    {
        "accounts (sign-in)": _SIGN_IN,
        "accounts (registration messages)": _REGISTRATION_MESSAGES,
        "accounts (lifecycle)": _LIFECYCLE,
        "accounts (registration confirmed by e-mail)": _CONFIRMATION,
        "accounts (policy messages)": _POLICY_MESSAGES,
    }
)
