"""The working calendar, saved views, bulk actions and the customer panel."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import texts
from web.i18n.tables import Messages, field_errors, merge

_PAGES: Messages = {
    # the working calendar (admin page, dashboard and queue warnings)
    "calendar.title": {"zh": "工作日历", "en": "Working calendar"},
    "calendar.intro": {
        "zh": "SLA 时钟只在工作日的工作时间（9:00–18:00）计时。节假日和调休上班日默认取自 holidays 软件包中的国务院放假安排；此处的调整逐日覆盖它。",
        "en": "SLA clocks run only in working hours (9:00–18:00) on working days. Holidays and make-up working days (调休) come from the State Council's schedule in the holidays package; the overrides here replace it day by day.",
    },
    "calendar.missing": {
        "zh": "{year} 年的放假安排尚未收录：holidays 软件包还没有国务院的 {year} 年通知，也没有手工录入的日期。请在“工作日历”页面导入，否则 SLA 时钟只跳过法定节日本身，不含调休。",
        "en": "No calendar for {year} yet: the holidays package does not have the State Council's {year} schedule and no days were entered. Import them on the Working calendar page, or SLA clocks will skip only the statutory days themselves, without 调休.",
    },
    "calendar.unpublished": {
        "zh": "软件包中没有 {year} 年的国务院放假安排：只计入法定节日当天，不含调休；请录入或导入。",
        "en": "The package has no State Council schedule for {year}: only the statutory days count, no 调休; enter or import the days.",
    },
    "calendar.imported": {"zh": "已导入。", "en": "Imported."},
    "calendar.year": {"zh": "年份", "en": "Year"},
    "calendar.year_days": {
        "zh": "{year} 年的节假日与调休上班日",
        "en": "Holidays and make-up working days in {year}",
    },
    "calendar.day": {"zh": "日期", "en": "Day"},
    "calendar.kind": {"zh": "类型", "en": "Kind"},
    "calendar.kind.holiday": {"zh": "放假", "en": "Holiday"},
    "calendar.kind.workday": {"zh": "上班（调休）", "en": "Working day (调休)"},
    "calendar.name": {"zh": "名称", "en": "Name"},
    "calendar.source": {"zh": "来源", "en": "Source"},
    "calendar.source.package": {"zh": "国务院安排（软件包）", "en": "State Council (package)"},
    "calendar.source.override": {"zh": "本中心调整", "en": "Our override"},
    "calendar.delete": {"zh": "删除调整", "en": "Remove override"},
    "calendar.none": {"zh": "这一年没有特殊日期。", "en": "No special days this year."},
    "calendar.new": {"zh": "调整某一天", "en": "Override a day"},
    "calendar.import": {"zh": "导入文件", "en": "Import a file"},
    "calendar.import_hint": {
        "zh": "CSV 文件（UTF-8），每行：日期,名称,类型（holiday 或 workday）。文件整体导入：任何一行有误则全部不导入。命令行：cgt-portal holidays import 文件。",
        "en": "A CSV file (UTF-8), one line per day: day,name,kind (holiday or workday). Taken whole: if any line is wrong, nothing is imported. Command line: cgt-portal holidays import FILE.",
    },
    "calendar.file": {"zh": "文件", "en": "File"},
    "calendar.line": {"zh": "第 {n} 行", "en": "Line {n}"},
    "weekday.0": {"zh": "周一", "en": "Mon"},
    "weekday.1": {"zh": "周二", "en": "Tue"},
    "weekday.2": {"zh": "周三", "en": "Wed"},
    "weekday.3": {"zh": "周四", "en": "Thu"},
    "weekday.4": {"zh": "周五", "en": "Fri"},
    "weekday.5": {"zh": "周六", "en": "Sat"},
    "weekday.6": {"zh": "周日", "en": "Sun"},
    # saved views in the queue sidebar
    "views.title": {"zh": "视图", "en": "Views"},
    "views.default": {"zh": "全部未结请求", "en": "All open requests"},
    "views.count_hint": {"zh": "当前符合条件的请求数", "en": "Requests that match now"},
    "views.team": {"zh": "团队", "en": "Team"},
    "views.shared_by": {"zh": "{name} 共享", "en": "Shared by {name}"},
    "views.delete": {"zh": "删除视图", "en": "Delete view"},
    "views.none": {
        "zh": "还没有保存的视图：设置筛选和排序后，点“保存为视图”。",
        "en": "No saved views yet: set filters and sort, then “Save as view”.",
    },
    "views.save": {"zh": "保存为视图", "en": "Save as view"},
    "views.name": {"zh": "视图名称", "en": "View name"},
    "views.share": {"zh": "与团队共享", "en": "Share with my team"},
    "views.save_submit": {"zh": "保存", "en": "Save"},
    "queue.all_statuses": {"zh": "全部状态", "en": "All statuses"},
    "bulk.me": {"zh": "我自己", "en": "Me"},
    "queue.company_filter": {"zh": "企业：{name}", "en": "Company: {name}"},
    # bulk actions
    "bulk.title": {"zh": "批量处理所选请求", "en": "Selected requests"},
    "bulk.selected": {"zh": "已选 {n} 个", "en": "{n} selected"},
    "bulk.select_all": {"zh": "全选本页", "en": "Select all on this page"},
    "bulk.select": {"zh": "选择 {number}", "en": "Select {number}"},
    "bulk.assign": {"zh": "分派给", "en": "Assign to"},
    "bulk.priority": {"zh": "优先级改为", "en": "Set priority"},
    "bulk.status": {"zh": "状态改为", "en": "Move to status"},
    "bulk.apply": {"zh": "应用", "en": "Apply"},
    "bulk.hint": {
        "zh": "要么全部生效，要么都不生效：有请求不能按此变更时，什么都不改，并列出原因。每项变更都记入各请求的审计记录。",
        "en": "All or nothing: if any selected request cannot take the change, nothing changes and the reasons are listed. Each change is audited on its request.",
    },
    "bulk.done.one": {"zh": "已更新 {count} 个请求。", "en": "{count} request updated."},
    "bulk.done.other": {"zh": "已更新 {count} 个请求。", "en": "{count} requests updated."},
    "bulk.refused": {
        "zh": "{n} 个请求不能按此变更，因此没有任何改动。已取消勾选它们，可再次点击“应用”处理其余请求：",
        "en": "{n} of the selected requests cannot take this change, so nothing was changed. They are now unticked; apply again to change the others:",
    },
    "bulk.reason.illegal_transition": {
        "zh": "当前为“{status}”，不能直接改为“{target}”",
        "en": "it is “{status}” and cannot go straight to “{target}”",
    },
    "field_error.none_selected": {
        "zh": "请先勾选至少一个请求。",
        "en": "Tick at least one request first.",
    },
    "field_error.too_many_selected": {
        "zh": "一次最多处理 200 个请求。",
        "en": "At most 200 requests at a time.",
    },
    "field_error.unknown_request": {
        "zh": "所选请求中有已不存在的。",
        "en": "One of the selected requests no longer exists.",
    },
    "field_error.too_many_views": {
        "zh": "每人最多保存 50 个视图。",
        "en": "At most 50 saved views per person.",
    },
    # the customer panel on the staff request page
    "customer.title": {"zh": "客户信息", "en": "Customer"},
    "customer.contact": {"zh": "联系人", "en": "Contact person"},
    "customer.phone": {"zh": "电话", "en": "Phone"},
    "customer.email": {"zh": "邮箱", "en": "E-mail"},
    "customer.credit_code": {"zh": "统一社会信用代码", "en": "Credit code"},
    "customer.since": {"zh": "注册日期", "en": "Registered"},
    "customer.members": {"zh": "成员（{n}）", "en": "Members ({n})"},
    "customer.requests": {
        "zh": "该企业的请求：共 {total} 个，未结 {open} 个",
        "en": "Its requests: {total} in all, {open} open",
    },
    "customer.no_other": {
        "zh": "该企业没有其他请求。",
        "en": "No other requests from this company.",
    },
    "customer.all_requests.one": {
        "zh": "查看该企业全部 {count} 个请求",
        "en": "The {count} request of this company",
    },
    "customer.all_requests.other": {
        "zh": "查看该企业全部 {count} 个请求",
        "en": "All {count} requests of this company",
    },
    # merging a duplicate
    "merge.title": {"zh": "合并重复请求", "en": "Merge as duplicate"},
    "merge.hint": {
        "zh": "把本请求作为重复项合并到同一企业的另一个请求：留言和文件移过去，本请求关闭并链接到那里，企业会收到通知。",
        "en": "Merge this request, as a duplicate, into another request of the same company: its messages and files move there, this one is closed with a link to it, and the company is told.",
    },
    "merge.target": {"zh": "保留的请求（受理编号）", "en": "Request to keep (tracking number)"},
    "merge.submit": {"zh": "合并并关闭本请求", "en": "Merge and close this one"},
    "merge.merged_into": {
        "zh": "本请求是重复项，已合并到",
        "en": "This request was a duplicate and was merged into",
    },
    "field_error.merge_same": {
        "zh": "不能合并到自身。",
        "en": "A request cannot be merged into itself.",
    },
    "field_error.merge_other_company": {
        "zh": "只能合并到同一企业的请求。",
        "en": "Only a request of the same company can be kept.",
    },
    "field_error.merge_duplicate_closed": {
        "zh": "本请求已结束，不能再合并。",
        "en": "This request is already finished and cannot be merged.",
    },
    "field_error.merge_target_closed": {
        "zh": "要保留的请求已结束，请选择未结的请求。",
        "en": "The request to keep is finished; choose an open one.",
    },
    "field_error.merge_unknown": {
        "zh": "没有这个受理编号的请求。",
        "en": "No request has this tracking number.",
    },
}

QUEUE_MESSAGES: Messages = merge(
    {
        "queue (pages)": _PAGES,
        "portal.working_calendar (field errors)": field_errors(texts.CALENDAR_ERRORS),
    }
)
