"""The working calendar, saved views, bulk actions and the customer panel (merged into MESSAGES)."""
# ruff: noqa: E501  (message catalogue: CJK strings count double in width)

from __future__ import annotations

from portal import working_calendar

_M = dict[str, dict[str, str]]

QUEUE_MESSAGES: _M = {
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
}

for _key, (_zh, _en) in working_calendar.MESSAGES.items():
    QUEUE_MESSAGES.setdefault(f"field_error.{_key}", {"zh": _zh, "en": _en})
