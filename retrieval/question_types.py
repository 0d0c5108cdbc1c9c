"""What kind of fact a question asks for (a date, an amount, a fee, yes or no), and whether a
sentence holds one."""

from __future__ import annotations

import re

from retrieval.keyword import is_everyday, tokenize

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ASKS = {
    "date": re.compile(
        r"什么时候|何时|哪天|哪一天|哪年|几月|日期|时间|施行|生效"
        r"|when|what date|which date|what year"
        r"|since when|effective|take effect|in force|apply|deadline|issued|approved|start",
        re.IGNORECASE,
    ),
    "amount": re.compile(
        r"多少|几[个家项条年天]|多高|多长|多久|规模|税率|比例|金额|上限|how many|how much"
        r"|how long|what rate|percentage|amount|cap\b|maximum",
        re.IGNORECASE,
    ),
    # How large a place is: an area, not any number (a date's 25日 or 8家 answers nothing).
    "size": re.compile(
        r"(?<!年纪)多大(?!年纪)|面积|占地|how large|how big|\bsize\b|\barea\b|floor space",
        re.IGNORECASE,
    ),
    # How long something takes: a number of days, or the honest "no time limit published yet".
    "duration": re.compile(
        r"多久|多长时间|几天|多少天|时限|周期|how long|turnaround|how many (?:working )?days",
        re.IGNORECASE,
    ),
    # By when something must be done: a time limit (30个月内, 届满前), which no calendar date gives.
    "deadline": re.compile(
        r"最晚|最迟|截止|限期|(?:多久|多长时间|几天|几个月)(?:之|以)?内"
        r"|(?:什么时候|何时)(?:之前|以前|前)|\bdeadline|\bby when\b|\bno later than\b|\bhow soon\b"
        r"|\bwithin (?:how|what)\b",
        re.IGNORECASE,
    ),
    # How often: a period (每半年, 每年, annually), not a length of time.
    "frequency": re.compile(
        r"(?:多久|多长时间|几年|几个月|多少年)[^，,。？?]{0,8}一次|每隔多久|每隔多长时间|频次|频率"
        r"|\bhow (?:often|frequently)\b|\bat what intervals?\b",
        re.IGNORECASE,
    ),
    # Which number a document or product carries: its approval or document number, not an amount.
    "identifier": re.compile(
        r"批准文号|文号|编号|注册证号|许可证号|证书编号"
        r"|\b(?:approval|registration|document|licen[cs]e|permit|certificate) (?:number|no\b)",
        re.IGNORECASE,
    ),
    # What to hand in: the list of materials (提交 / 提供 / 写明 … an application must carry).
    "materials": re.compile(
        r"(?:哪些|什么|啥)(?:申请)?(?:材料|资料|证明材料)|(?:材料|资料)(?:有哪些|包括)"
        r"|\bwhat (?:documents|materials|paperwork)\b|\bwhat (?:do|must|should) (?:we|i) "
        r"(?:need to )?(?:submit|provide|prepare|file)\b|\bwhat (?:is|are) (?:needed|required) to "
        r"(?:apply|submit)\b",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"谁|哪家|哪个机构|哪个部门|哪些机构|由谁|哪个单位|\bwho\b|\bwhom\b"
        r"|which (?:company|authority|agency|body|department|organi[sz]ation|ministry)",
        re.IGNORECASE,
    ),
    "penalty": re.compile(
        r"罚|处罚|处分|法律责任|后果|\bpenalt|\bfines?\b|\bfined\b|\bsanction|\bpunish",
        re.IGNORECASE,
    ),
    # Who bears a cost: the law answers "费用由用人单位承担", which names no authority.
    "payer": re.compile(
        r"钱?谁[来]?(?:出|付|掏|承担|负担|买单|支付)|谁出钱|由谁(?:承担|负担|支付|付)"
        r"|\bwho (?:pays|bears|covers|funds|foots)\b|\bat whose (?:cost|expense)\b",
        re.IGNORECASE,
    ),
    # An age limit: the law writes 未满十八周岁, the question "a 17-year-old", 多大年纪.
    "age": re.compile(
        r"\d+\s*(?:周)?岁|几岁|多大年纪|年龄|未成年|\d+-year-olds?\b|\b(?:age|aged|minors?)\b",
        re.IGNORECASE,
    ),
}
# Numbers as laws write them: 六十个工作日, 不少于六个月, 一万元以上, 百分之五十.
_CN = "零〇一二三四五六七八九十百千万两"
# A fee or price, as opposed to a fine: "收费", "多少钱", "fee", "cost"; and the amount of a
# subsidy or award ("多少租金补贴", "how much funding"): money only a published text can state.
_FEE_ASKED = re.compile(
    r"多少钱|收费|收多少|交多少|缴多少|付多少|价格|价钱|售价|定价|(?:费|费用)(?:是|要|为|大概|一般)?(?:多少|几)"
    r"|多少[^，,。？?]{0,6}(?:补贴|补助|奖励|资助|奖金)|(?:补贴|补助|奖励|资助|奖金)[^，,。？?]{0,6}多少"
    r"|\b(?:fees?|pric(?:e|es|ing)|charged?)\b|\bcost of\b"
    r"|\b(?:how much|what) (?:does|do|will|would|did)\b[^?？]*\bcost\b"
    r"|\bhow much (?:\w+ ){0,3}(?:subsid|grant|funding|reward|bonus)",
    re.IGNORECASE,
)
# An amount of money, or a share of one: a fee rate or a subsidy is often a percentage
# (按投资额的15%给予奖励, "15% of the fixed-asset investment").
_AMOUNT = re.compile(
    r"\d[\d,.]*\s*(?:万|亿)?元|[零一二三四五六七八九十百千万两]+元|(?:RMB|USD|HKD)\s*[\d,.]+"
    r"|\b\d[\d,.]*\s*(?:yuan|RMB)\b|\d[\d.]*\s*[%％]|百分之[零一二三四五六七八九十百点]+",
    re.IGNORECASE,
)
_PENALTY = re.compile(r"罚|没收|\bfines?\b|\bfined\b|penalt", re.IGNORECASE)
_UNPUBLISHED = re.compile(
    r"免费|免收|不收费|不得[^。；]{0,12}收(?:取|费)|不收取|free of charge|\bno fees?\b"
    r"|may not (?:be )?charge|must not charge|without charge"
    r"|未找到公开|没有公开|尚未公布|未公布|未公开|待定|另行公布|not (?:yet )?(?:been )?published"
    r"|no published|to be confirmed|not (?:yet )?announced",
    re.IGNORECASE,
)


def asks_fee(question: str) -> bool:
    """Whether a question asks what something costs (a fee or a price, not a fine), or how much
    a subsidy or award pays."""
    return bool(_FEE_ASKED.search(question)) and not _PENALTY.search(question)


def states_fee(text: str) -> bool:
    """Whether a quote gives a price or fee, or says that none has been published."""
    if _UNPUBLISHED.search(text):
        return True
    amounts = [m for m in _AMOUNT.finditer(text)]
    return bool(amounts) and not (_PENALTY.search(text) and not _FEE_ASKED.search(text))


# Words of a fee question that ask about money rather than name what it is for.
_MONEY_WORD = re.compile(
    r"[费钱价]|^(?:多少|收取|缴纳|交|付|much)$|^(?:fee|cost|pric|charg|pay)", re.IGNORECASE
)


def fee_for(question: str, text: str) -> bool:
    """Whether a text that states a fee (or that none is charged) states it for what the
    question asks about: it shares a word of the question other than the money words.

    "医疗纠纷人民调解委员会调解医疗纠纷，不得收取费用" says nothing about a 中医诊所's
    备案费.
    """
    words = {
        t
        for t in tokenize(question)
        if len(t) > 1 and not t.startswith("§") and not is_everyday(t) and not _MONEY_WORD.search(t)
    }
    return not words or bool(words & set(tokenize(text)))


_HOLDS = {
    "date": re.compile(
        # A year alone counts, not one in a document number (国发〔2022〕13号, Guofa [2022]).
        rf"\d{{4}}年|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\b(?:{_MONTHS}) \d{{4}}"
        r"|(?<![〔\[])\b(?:19|20)\d{2}\b(?![〕\]])"
        r"|[〇零一二三四五六七八九]{4}年|[一二三四五六七八九十]+日(?:起|内|前)"
    ),
    "penalty": re.compile(r"罚款|罚金|吊销|没收|责令|处分|拘留|\bfines?\b|\bpenalt", re.IGNORECASE),
    "amount": re.compile(
        r"\d[\d,.]*\s*(?:%|％|万|亿|元|平方米|平方公里|km²|m²|个|家|项|条|天|日|年|个工作日|倍|人|次"
        r"|working days|days|years|million|billion|products|companies|articles|items)"
        r"|RMB\s*\d|USD\s*\d|\d+\s*(?:chapters|categories)"
        rf"|[{_CN}]+(?:个工作日|个月|日|天|年|元|万元|倍|人|次|毫升)|百分之[{_CN}]+|半(?:个月|年)",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"(?:时限|时间|周期|期限|turnaround|reply time|time limit|\btime\b)[^。；.;]{0,24}"
        r"(?:尚未公布|未公布|待定|待确认|not (?:yet )?(?:been )?published|to be confirmed)"
        r"|(?:no|not) (?:turnaround|reply time|time limit|time)[^.;]{0,24}published",
        re.IGNORECASE,
    ),
    "deadline": re.compile(
        rf"(?:\d+|[{_CN}]+)\s*(?:个)?(?:工作日|月|日|天|年|周|小时)(?:之|以)?(?:内|前)|届满前|期满前"
        r"|\bwithin \d+|\bno later than\b"
        r"|\b\d+ (?:working )?(?:days|months|hours) (?:of|after|from|before)\b",
        re.IGNORECASE,
    ),
    "frequency": re.compile(
        rf"每(?:[{_CN}半\d]+)?个?(?:年|季度|季|月|周|星期|日|天)|[{_CN}\d]+年一次"
        r"|\bannual(?:ly)?\b|\bquarterly\b|\bmonthly\b"
        r"|\bevery (?:\w+ )?(?:years?|quarters?|months?|weeks?)\b"
        r"|\bonce (?:a|every)\b",
        re.IGNORECASE,
    ),
    "identifier": re.compile(
        r"国药准字|国械注|[〔\[]\s*(?:19|20)\d{2}\s*[〕\]]\s*(?:No\.\s*)?\d+\s*号?|第\s*\d+\s*号"
        r"|\bNo\.\s*\d+|\b[A-Z]\d{8}\b",
        re.IGNORECASE,
    ),
    "materials": re.compile(
        r"提交|提供|写明|注明|列出|载明|附具|申请书|申请表|材料|资料"
        r"|\b(?:submit|provide|state|list|include|enclose|attach)s?\b|\bapplication form\b",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"委员会|管理局|监督管理|国务院|部|局|机关|人民政府|集团|公司|医院|中心|生物|医药"
        r"|Commission|Administration"
        r"|Council|Ministry|Bureau|Group|Hospital|Cent(?:er|re)|Therapeutics|Bio|Pharma|NHC|NMPA|CDE",
    ),
    "payer": re.compile(
        r"由[^。；，,]{1,15}(?:承担|负担|支付|缴纳|列支)|(?:borne|paid|covered) by",
        re.IGNORECASE,
    ),
    "age": re.compile(r"周岁|年龄|未成年|\bage[ds]?\b|\bminors?\b", re.IGNORECASE),
    "size": re.compile(
        r"平方米|平方公里|万?亩|公顷|km²|m²|square (?:kilo)?met(?:er|re)s?|hectares?|sq\.? ?m",
        re.IGNORECASE,
    ),
}


def asked_types(question: str) -> set[str]:
    """What kind of fact a question asks for: a date, a time limit, how often, an amount, an
    organisation, an approval or document number, a fee, who pays, an age, what to submit."""
    asked = {kind for kind, pattern in _ASKS.items() if pattern.search(question)}
    if "frequency" in asked:  # 多久报告一次: a period answers, not any length of time
        asked -= {"amount", "duration"}
    if "identifier" in asked:  # 批准文号是多少: a number that names, not one that counts
        asked -= {"amount"}
    return asked | {"fee"} if asks_fee(question) else asked


# A text's own commencement ("本法自2008年1月1日起施行。…同时废止"): its numbers are the text's
# dates, which answer when it applies and nothing else (no rate, amount or time limit).
_COMMENCEMENT = re.compile(
    r"^本[\u4e00-\u9fff]{1,8}自[^。；]{0,30}?起(?:施行|实施|生效)"
    r"|^This [\w ]{2,40}? (?:shall )?(?:come|enter|take) into (?:force|effect)",
    re.IGNORECASE,
)


def answer_type_match(asked: set[str], sentence: str) -> float:
    """1.0 when the sentence holds a fact of a kind the question asks for."""
    if "date" not in asked and _COMMENCEMENT.match(sentence.strip()):
        return 0.0
    if "fee" in asked and states_fee(sentence):
        return 1.0
    return 1.0 if any(_HOLDS[kind].search(sentence) for kind in asked - {"fee"}) else 0.0


# A yes/no question ("需要审批吗？", "Can we …?") is decided by a rule that says must / may / not.
_YES_NO = re.compile(
    r"吗[？?]?\s*$|是否|能否|可否|可不可以|能不能|要不要|需不需要|是不是|有没有"
    r"|^(?:can|could|may|must|do|does|is|are|should|shall|will)\b",
    re.IGNORECASE,
)
_DEONTIC = re.compile(r"应当|不得|禁止|可以|必须|须|无需|不需|免予|方可|不能|严禁")


def is_yes_no(question: str) -> bool:
    """Whether a question asks yes or no."""
    return bool(_YES_NO.search(question.strip()))


def states_rule(text: str) -> bool:
    """Whether a text says what must, may or must not be done."""
    return bool(_DEONTIC.search(text))
