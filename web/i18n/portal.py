"""The service-request pages in Simplified Chinese and English (one area of web.i18n)."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import texts
from web.i18n.tables import Messages, field_errors, merge

# The request pages, the queue, the dashboard, notifications and administration.
_PAGES: Messages = {
    "nav.requests": {"zh": "我的申请", "en": "My requests"},
    "nav.queue": {"zh": "工单队列", "en": "Queue"},
    "nav.dashboard": {"zh": "数据看板", "en": "Dashboard"},
    "nav.canned": {"zh": "常用回复", "en": "Canned replies"},
    "nav.notifications": {"zh": "通知", "en": "Notifications"},
    "nav.unread": {"zh": "{count} 条未读", "en": "{count} unread"},
    # the user's notifications
    "notifications.title": {"zh": "我的通知", "en": "My notifications"},
    "notifications.none": {"zh": "暂无通知。", "en": "No notifications yet."},
    "notifications.unread": {"zh": "未读", "en": "Unread"},
    "notifications.mark_all": {"zh": "全部标为已读", "en": "Mark all read"},
    "notifications.open_request": {"zh": "查看申请 {number}", "en": "Open request {number}"},
    # statuses and priorities of requests
    "sla.remaining": {"zh": "剩余 {time}", "en": "{time} left"},
    "sla.overdue": {"zh": "超时 {time}", "en": "{time} overdue"},
    "sla.due": {"zh": "截止 {when}", "en": "due {when}"},
    "sla.business_hours": {"zh": "按工作时间计算", "en": "counted in business hours"},
    "duration.hm": {"zh": "{h} 小时 {m} 分", "en": "{h} h {m} min"},
    "duration.m": {"zh": "{m} 分钟", "en": "{m} min"},
    # the company's list
    "requests.title": {"zh": "我的服务申请", "en": "My service requests"},
    "requests.intro": {
        "zh": "贵公司所有成员提交的申请都在这里，可随时查看进度。",
        "en": "Every request of your company's members, with where it stands.",
    },
    "requests.new": {"zh": "提交新申请", "en": "New request"},
    "requests.none": {"zh": "还没有申请。", "en": "No request yet."},
    "col.tracking": {"zh": "受理编号", "en": "Tracking number"},
    "col.service": {"zh": "服务", "en": "Service"},
    "col.title": {"zh": "标题", "en": "Title"},
    "col.status": {"zh": "状态", "en": "Status"},
    "col.sla": {"zh": "时限", "en": "SLA"},
    "col.updated": {"zh": "更新时间", "en": "Updated"},
    "col.created": {"zh": "提交时间", "en": "Submitted"},
    "col.priority": {"zh": "优先级", "en": "Priority"},
    "col.assignee": {"zh": "处理人", "en": "Assignee"},
    "col.company": {"zh": "企业", "en": "Company"},
    "col.team": {"zh": "团队", "en": "Team"},
    # the new-request form
    "new.title": {"zh": "提交服务申请", "en": "Submit a service request"},
    "new.pick": {"zh": "请选择服务类型", "en": "Choose a service"},
    "new.turnaround": {
        "zh": "目标办理时限：{days} 个工作日",
        "en": "Target turnaround: {days} working days",
    },
    "new.other_service": {"zh": "选择其他服务", "en": "Choose another service"},
    "new.request_title": {"zh": "申请标题", "en": "Title"},
    "new.description": {"zh": "需求描述", "en": "Describe what you need"},
    "new.description_hint": {
        "zh": "输入时，系统会查找可能已解答您问题的文档。",
        "en": "While you type, the portal looks for documents that may already answer it.",
    },
    "new.details": {"zh": "申请信息", "en": "Details"},
    "new.attachments": {"zh": "附件", "en": "Attachments"},
    "new.attachments_hint": {
        "zh": "支持 PDF、PNG、JPEG、DOCX、XLSX、TXT、CSV，单个文件不超过 20 MB。",
        "en": "PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV, up to 20 MB each.",
    },
    "new.required_doc": {"zh": "必需", "en": "required"},
    "new.optional_doc": {"zh": "可选", "en": "optional"},
    "new.submit": {"zh": "提交申请", "en": "Submit request"},
    "new.fix_errors": {
        "zh": "请修改标出的内容后重新提交。",
        "en": "Please correct the marked fields and submit again.",
    },
    "new.yes": {"zh": "是", "en": "Yes"},
    "new.no": {"zh": "否", "en": "No"},
    "new.choose": {"zh": "请选择", "en": "Choose…"},
    "new.files_again": {
        "zh": "出于安全原因，请重新选择附件。",
        "en": "For your security, please choose the files again.",
    },
    "required": {"zh": "必填", "en": "required"},
    # deflection
    "deflect.title": {
        "zh": "这些内容或许能解答您的问题",
        "en": "These may already answer your question",
    },
    "deflect.helpful": {"zh": "这解答了您的问题吗？", "en": "Did this answer your question?"},
    "deflect.yes": {"zh": "是，已解决", "en": "Yes"},
    "deflect.no": {"zh": "否，继续提交", "en": "No, I still need help"},
    "deflect.thanks_yes": {
        "zh": "很高兴能帮到您。您无需提交申请。",
        "en": "Glad it helped. You do not need to submit a request.",
    },
    "deflect.thanks_no": {
        "zh": "感谢反馈，请继续填写申请。",
        "en": "Thanks. Please go on with your request.",
    },
    "deflect.nothing": {"zh": "", "en": ""},
    # confirmation and detail
    "detail.created": {
        "zh": "申请已提交。受理编号：{number}。我们已发送通知，您可随时在此查看进度。",
        "en": "Your request has been submitted. Tracking number: {number}. "
        "We have sent you a notification; follow its progress here.",
    },
    "detail.fields": {"zh": "申请信息", "en": "Details"},
    "detail.timeline": {"zh": "办理记录", "en": "Timeline"},
    "detail.reply": {"zh": "补充信息或回复", "en": "Add information or reply"},
    "detail.message": {"zh": "内容", "en": "Message"},
    "detail.files": {"zh": "附件", "en": "Files"},
    "detail.send": {"zh": "发送", "en": "Send"},
    "detail.withdraw": {"zh": "撤回申请", "en": "Withdraw the request"},
    "detail.withdraw_confirm": {
        "zh": "撤回后申请将不再办理，确定吗？",
        "en": "A withdrawn request is not worked on any more. Withdraw it?",
    },
    "detail.rate": {"zh": "评价本次服务", "en": "Rate this service"},
    "detail.rating": {"zh": "评分", "en": "Rating"},
    "detail.comment": {"zh": "意见（可选）", "en": "Comment (optional)"},
    "detail.rate_submit": {"zh": "提交评价", "en": "Send rating"},
    "detail.rated": {"zh": "您的评价：{n}/5", "en": "Your rating: {n}/5"},
    "detail.awaiting": {
        "zh": "中心需要您补充信息，请在下方回复。",
        "en": "The center needs more information from you: please reply below.",
    },
    "detail.back": {"zh": "返回申请列表", "en": "Back to my requests"},
    "detail.download": {"zh": "下载", "en": "Download"},
    "detail.by": {"zh": "{name}", "en": "{name}"},
    "detail.center": {"zh": "服务中心", "en": "The center"},
    "detail.you": {"zh": "贵公司", "en": "Your company"},
    "event.status": {"zh": "状态：{before} → {after}", "en": "Status: {before} → {after}"},
    "event.created": {"zh": "提交申请", "en": "Request submitted"},
    "event.message": {"zh": "留言", "en": "Message"},
    "event.attachment": {"zh": "上传附件 {name}", "en": "Attached {name}"},
    "event.rating": {"zh": "评分 {n}/5", "en": "Rated {n}/5"},
    "event.generic": {"zh": "{kind}", "en": "{kind}"},
    "err.message_empty": {"zh": "请填写内容。", "en": "Write a message."},
    "err.rating": {"zh": "请选择 1 到 5 分。", "en": "Choose 1 to 5."},
    # staff: queue
    "queue.title": {"zh": "工单队列", "en": "Request queue"},
    "queue.all": {"zh": "全部", "en": "All"},
    "queue.open": {"zh": "未办结", "en": "Open"},
    "queue.me": {"zh": "我的", "en": "Mine"},
    "queue.unassigned": {"zh": "未分配", "en": "Unassigned"},
    "queue.text": {"zh": "搜索", "en": "Search"},
    "queue.text_placeholder": {"zh": "编号、标题、内容", "en": "Number, title, text"},
    "queue.sort": {"zh": "排序", "en": "Sort"},
    "queue.sort.sla": {"zh": "时限最紧", "en": "SLA, most urgent"},
    "queue.sort.newest": {"zh": "最新提交", "en": "Newest"},
    "queue.sort.oldest": {"zh": "最早提交", "en": "Oldest"},
    "queue.sort.updated": {"zh": "最近更新", "en": "Recently updated"},
    "queue.sort.priority": {"zh": "优先级", "en": "Priority"},
    "queue.count.one": {"zh": "共 {count} 条", "en": "{count} request"},
    "queue.count.other": {"zh": "共 {count} 条", "en": "{count} requests"},
    "queue.none": {"zh": "没有符合条件的申请。", "en": "No request matches."},
    "queue.csv": {"zh": "导出 CSV", "en": "Export CSV"},
    "queue.sla_state": {"zh": "时限状态", "en": "SLA state"},
    "queue.about_to_breach": {"zh": "即将超时", "en": "About to breach"},
    "queue.triage": {"zh": "分诊建议", "en": "Triage"},
    # staff: request page
    "staff.audit": {"zh": "审计记录", "en": "Audit trail"},
    "staff.audit.who": {"zh": "操作人", "en": "Who"},
    "staff.audit.when": {"zh": "时间", "en": "When"},
    "staff.audit.what": {"zh": "事项", "en": "What"},
    "staff.audit.before": {"zh": "变更前", "en": "Before"},
    "staff.audit.after": {"zh": "变更后", "en": "After"},
    "staff.system": {"zh": "系统", "en": "System"},
    "staff.triage": {"zh": "分诊建议", "en": "Triage suggestion"},
    "staff.triage.service": {"zh": "服务", "en": "Service"},
    "staff.triage.priority": {"zh": "优先级", "en": "Priority"},
    "staff.triage.team": {"zh": "团队", "en": "Team"},
    "staff.triage.similar": {"zh": "相似的历史申请", "en": "Similar past requests"},
    "staff.triage.accept": {"zh": "采纳建议", "en": "Accept"},
    "staff.triage.override": {"zh": "改为以下设置", "en": "Override"},
    "staff.triage.note": {"zh": "原因", "en": "Reason"},
    "staff.triage.decided": {
        "zh": "{decision}（{who}，{when}）",
        "en": "{decision} by {who}, {when}",
    },
    "staff.triage.accepted": {"zh": "已采纳", "en": "Accepted"},
    "staff.triage.overridden": {"zh": "已调整", "en": "Overridden"},
    "reason.form": {"zh": "企业选择的表单：{detail}", "en": "Form the company chose: {detail}"},
    "reason.keyword": {"zh": "关键词：{detail}", "en": "Keywords: {detail}"},
    "reason.catalog_match": {
        "zh": "与服务说明语义相近（{score}）",
        "en": "Close to the service description ({score})",
    },
    "reason.similar": {
        "zh": "相似申请 {detail}（{score}）",
        "en": "Similar request {detail} ({score})",
    },
    "reason.default": {"zh": "服务默认优先级：{detail}", "en": "Service default: {detail}"},
    "reason.deadline": {"zh": "期限还剩 {days} 天", "en": "Deadline in {days} days"},
    "reason.service_team": {"zh": "该服务的负责团队", "en": "The service's team"},
    "reason.catalog_error": {"zh": "语义匹配不可用", "en": "Catalog match unavailable"},
    "staff.claim": {"zh": "认领", "en": "Claim"},
    "staff.assign": {"zh": "分配给", "en": "Assign to"},
    "staff.assign_submit": {"zh": "分配", "en": "Assign"},
    "staff.set_priority": {"zh": "设置优先级", "en": "Set priority"},
    "staff.transition": {"zh": "变更状态", "en": "Change status"},
    "staff.to": {"zh": "转为“{status}”", "en": "Move to “{status}”"},
    "staff.no_transition": {
        "zh": "当前状态不能再变更。",
        "en": "No further status change is possible.",
    },
    "staff.transition_note": {
        "zh": "说明（可选，对企业可见）",
        "en": "Note (optional, shown to the company)",
    },
    "staff.reply": {"zh": "回复或备注", "en": "Reply or note"},
    "staff.visibility": {"zh": "可见范围", "en": "Visibility"},
    "staff.public": {"zh": "公开回复（企业可见）", "en": "Public reply (the company sees it)"},
    "staff.internal": {"zh": "内部备注（仅中心员工可见）", "en": "Internal note (staff only)"},
    "staff.canned": {"zh": "插入常用回复", "en": "Insert a canned reply"},
    "staff.mentions_hint": {
        "zh": "内部备注中用 @邮箱 提及同事，同事会收到通知。",
        "en": "Mention a colleague in an internal note with @email; they are notified.",
    },
    "staff.sla": {"zh": "时限", "en": "SLA clocks"},
    "staff.company": {"zh": "企业", "en": "Company"},
    "staff.unassigned": {"zh": "未分配", "en": "Unassigned"},
    "staff.back": {"zh": "返回队列", "en": "Back to the queue"},
    "staff.done": {"zh": "已保存。", "en": "Saved."},
    # dashboard
    "dash.title": {"zh": "数据看板", "en": "Dashboard"},
    "dash.open_by_status": {"zh": "未办结申请（按状态）", "en": "Open requests by status"},
    "dash.open_by_service": {"zh": "未办结申请（按服务）", "en": "Open requests by service"},
    "dash.median_first_response": {"zh": "首次响应中位时长", "en": "Median first response"},
    "dash.median_resolution": {"zh": "办结中位时长", "en": "Median resolution"},
    "dash.breach_rate": {"zh": "超时率", "en": "SLA breach rate"},
    "dash.ratings": {"zh": "满意度评分", "en": "Ratings"},
    "dash.rating_avg.one": {
        "zh": "平均 {avg}（{count} 条）",
        "en": "Average {avg} ({count} rating)",
    },
    "dash.rating_avg.other": {
        "zh": "平均 {avg}（{count} 条）",
        "en": "Average {avg} ({count} ratings)",
    },
    "dash.deflection_rate": {"zh": "自助解答率", "en": "Deflection rate"},
    "dash.total": {"zh": "申请总数", "en": "Requests in total"},
    "dash.none": {"zh": "暂无数据", "en": "No data yet"},
    # canned replies
    "canned.title": {"zh": "常用回复", "en": "Canned replies"},
    "canned.new": {"zh": "新建常用回复", "en": "New canned reply"},
    "canned.edit": {"zh": "编辑", "en": "Edit"},
    "canned.delete": {"zh": "删除", "en": "Delete"},
    "canned.save": {"zh": "保存", "en": "Save"},
    "canned.name": {"zh": "标题", "en": "Title"},
    "canned.body": {"zh": "内容", "en": "Text"},
    "canned.none": {"zh": "还没有常用回复。", "en": "No canned reply yet."},
    # administration
    "nav.admin": {"zh": "系统管理", "en": "Admin"},
    "admin.staff": {"zh": "员工账号", "en": "Staff accounts"},
    "admin.teams": {"zh": "团队", "en": "Teams"},
    "admin.services": {"zh": "服务目录", "en": "Service catalog"},
    "admin.services_intro": {
        "zh": "停用的服务不再出现在申请表单中；已提交的申请不受影响。",
        "en": "Inactive services leave the request form; requests already submitted stay.",
    },
    "admin.name": {"zh": "姓名", "en": "Name"},
    "admin.email": {"zh": "邮箱", "en": "Email"},
    "admin.password": {"zh": "初始密码", "en": "Initial password"},
    "admin.role": {"zh": "角色", "en": "Role"},
    "admin.role.staff": {"zh": "员工", "en": "Staff"},
    "admin.role.admin": {"zh": "管理员", "en": "Admin"},
    "admin.team": {"zh": "团队", "en": "Team"},
    "admin.no_team": {"zh": "（无团队）", "en": "(no team)"},
    "admin.role_team": {"zh": "角色与团队", "en": "Role and team"},
    "admin.state": {"zh": "状态", "en": "State"},
    "admin.active": {"zh": "启用", "en": "Active"},
    "admin.inactive": {"zh": "已停用", "en": "Deactivated"},
    "admin.deactivate": {"zh": "停用", "en": "Deactivate"},
    "admin.reactivate": {"zh": "重新启用", "en": "Reactivate"},
    "admin.save": {"zh": "保存", "en": "Save"},
    "admin.create": {"zh": "创建", "en": "Create"},
    "admin.rename": {"zh": "重命名", "en": "Rename"},
    "admin.new_staff": {"zh": "新建员工账号", "en": "New staff account"},
    "admin.new_team": {"zh": "新建团队", "en": "New team"},
    "admin.code": {"zh": "代码", "en": "Code"},
    "admin.code_hint": {
        "zh": "小写字母开头，2 到 40 个小写字母、数字或下划线；创建后不可更改。",
        "en": "2 to 40 lower-case letters, digits or underscores, starting with a letter; it cannot change later.",
    },
    "admin.names": {"zh": "名称", "en": "Names"},
    "admin.name_zh": {"zh": "中文名称", "en": "Chinese name"},
    "admin.name_en": {"zh": "英文名称", "en": "English name"},
    "admin.settings": {"zh": "设置", "en": "Settings"},
    "admin.service_active": {"zh": "启用", "en": "Active"},
    "admin.turnaround_days": {"zh": "办理时限（工作日）", "en": "Turnaround (working days)"},
    "admin.position": {"zh": "排序", "en": "Position"},
}

# Validation codes of the staff and admin forms.
_STAFF_FIELD_ERRORS: Messages = {
    "field_error.too_many_files": {
        "zh": "一次最多上传 10 个文件",
        "en": "Attach at most 10 files at a time",
    },
    "field_error.not_staff": {
        "zh": "只能分配给中心员工",
        "en": "Assign to a member of the center's staff",
    },
    "field_error.unknown_team": {"zh": "未知的团队", "en": "Unknown team"},
    "field_error.invalid_team_code": {
        "zh": "代码须以小写字母开头，由 2 到 40 个小写字母、数字或下划线组成",
        "en": "Use 2 to 40 lower-case letters, digits or underscores, starting with a letter",
    },
    "field_error.team_exists": {
        "zh": "已有使用该代码的团队",
        "en": "A team with this code exists",
    },
    "field_error.invalid_role": {
        "zh": "角色须为员工或管理员",
        "en": "The role must be staff or admin",
    },
    "field_error.not_yourself": {
        "zh": "不能更改自己的角色或停用自己的账号",
        "en": "You cannot change your own role or deactivate yourself",
    },
    "field_error.out_of_range_days": {
        "zh": "请填写 1 到 365 之间的天数",
        "en": "Enter 1 to 365 days",
    },
    "field_error.out_of_range_position": {
        "zh": "请填写 0 到 10000 之间的数字",
        "en": "Enter a number from 0 to 10000",
    },
    "field_error.out_of_range": {"zh": "请选择 1 到 5 分", "en": "Choose 1 to 5"},
}

# The progress view and the SLA in words (issue 12: working hours and a calendar deadline).

_PROGRESS: Messages = {
    "chat.enter_hint": {
        "zh": "按 Enter 发送，Shift+Enter 换行",
        "en": "Enter sends; Shift+Enter starts a new line",
    },
    "docs.back_to_chat": {"zh": "返回对话", "en": "Back to the conversation"},
    "nav.skip": {"zh": "跳到正文", "en": "Skip to content"},
    "nav.menu": {"zh": "菜单", "en": "Menu"},
    "nav.label": {"zh": "主导航", "en": "Main navigation"},
    "progress.title": {"zh": "办理进度", "en": "Progress"},
    "progress.center": {"zh": "服务中心", "en": "The center"},
    "progress.waiting": {"zh": "等待中", "en": "Waiting"},
    "progress.since": {"zh": "{when} 起", "en": "since {when}"},
    "progress.not_yet": {"zh": "尚未开始", "en": "Not yet"},
    "progress.skipped": {"zh": "不再办理", "en": "Will not happen"},
    "sla.title": {"zh": "办理时限", "en": "Time limits"},
    "sla.hours_left.one": {"zh": "剩余 {count} 个工作小时", "en": "{count} working hour left"},
    "sla.hours_left.other": {"zh": "剩余 {count} 个工作小时", "en": "{count} working hours left"},
    "sla.under_an_hour_left": {
        "zh": "剩余不到 1 个工作小时",
        "en": "less than 1 working hour left",
    },
    "sla.hours_overdue.one": {
        "zh": "已超时 {count} 个工作小时",
        "en": "{count} working hour overdue",
    },
    "sla.hours_overdue.other": {
        "zh": "已超时 {count} 个工作小时",
        "en": "{count} working hours overdue",
    },
    "sla.under_an_hour_overdue": {
        "zh": "已超时不到 1 个工作小时",
        "en": "less than 1 working hour overdue",
    },
    "sla.deadline": {"zh": "截止 {when}", "en": "due {when}"},
    "sla.calendar": {
        "zh": "工作时间按北京时间周一至周五 {start}–{end} 计算；法定节假日不计，调休上班日计入。",
        "en": "Working hours are Monday to Friday, {start}–{end} Beijing time; public holidays do not count, official make-up working days do.",
    },
}

# The portal's language-neutral validation codes, with their texts. The rating's own wording
# of `out_of_range` (above) has always been shown instead of the catalogue's generic one.
_DATA_FIELD_ERRORS: Messages = {
    key: both
    for key, both in merge(
        {
            "portal.catalog": field_errors(texts.FIELD_ERRORS),
            "portal.attachments": field_errors(texts.FILE_ERRORS),
        }
    ).items()
    if key not in _STAFF_FIELD_ERRORS
}

PORTAL_MESSAGES: Messages = merge(
    {
        "portal (pages)": _PAGES,
        "portal (staff field errors)": _STAFF_FIELD_ERRORS,
        "portal (field errors of the catalogue and attachments)": _DATA_FIELD_ERRORS,
        "portal (progress and SLA)": _PROGRESS,
    }
)
