"""Account lifecycle and "My questions" in Simplified Chinese and English (merged into MESSAGES).

Password changes and resets, invitations, the company's owner and members, the policy's
reasons, and the list of a user's past conversations (issue 12).
"""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import accounts, invitations, passwords

_M = dict[str, dict[str, str]]


def _msg(english: str, chinese: str) -> tuple[str, dict[str, str]]:
    """A fixed message of the portal (its English text is the key) with its translation."""
    return "msg." + english, {"zh": chinese, "en": english}


ACCOUNT_MESSAGES: _M = {
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
    "history.count": {"zh": "共 {n} 个对话", "en": "{n} conversations"},
    "history.turns": {"zh": "{n} 个问题", "en": "{n} questions"},
    "history.turns_one": {"zh": "1 个问题", "en": "1 question"},
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

ACCOUNT_MESSAGES.update(
    dict(
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
)
