"""What the assistant will not answer: attempts to change its instructions, and refusal wording.

Questions and document text are data. Nothing in them can switch the assistant to another
behaviour: it only ever quotes passages. A question that tries to give it instructions is
refused outright, so that it cannot even appear to comply.
"""

from __future__ import annotations

import re

from knowledge.text import Language

_INSTRUCTION_ATTEMPT = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|system)?\s*"
    r"(?:instructions?|prompts?|rules?)"
    r"|disregard\s+(?:all\s+|your\s+|the\s+)*(?:previous\s+|above\s+)?(?:instructions?|rules?)"
    r"|(?:system|developer)\s+prompt|jailbreak|\bDAN\b|you\s+are\s+now\s+"
    r"|pretend\s+(?:to\s+be|you\s+are)|act\s+as\s+(?:an?\s+)?(?!cro\b)"
    r"|忽略(?:之前|以上|前面|上述|所有|你的)?(?:的)?(?:所有)?(?:指令|指示|规则|提示|设定)"
    r"|无视(?:之前|以上|所有)?(?:的)?(?:指令|指示|规则)"
    r"|系统提示|提示词|你现在是|扮演|假装你是|越狱",
    re.IGNORECASE,
)

REFUSALS: dict[str, dict[Language, str]] = {
    "no_match": {
        "zh": "抱歉，中心的文档中没有找到能回答这个问题的内容，我不能凭猜测作答。"
        "如需进一步帮助，您可以提交一项咨询服务申请，由中心工作人员为您解答。",
        "en": "Sorry, the center's documents do not cover this question, and I will not guess. "
        "If you need help, you can open a consultation request and the center's staff will "
        "answer it.",
    },
    "instructions": {
        "zh": "抱歉，我只能依据中心的文档回答有关政策、法规和中心服务的问题，不能改变这一工作方式。"
        "如需进一步帮助，您可以提交一项咨询服务申请。",
        "en": "Sorry, I can only answer questions about policies, regulations and the center's "
        "services from the center's documents, and that cannot be changed. If you need help, "
        "you can open a consultation request.",
    },
}


def is_instruction_attempt(question: str) -> bool:
    """Whether a question tries to change how the assistant works."""
    return bool(_INSTRUCTION_ATTEMPT.search(question))


def refusal(reason: str, language: Language) -> str:
    """The refusal text for a reason, in the user's language."""
    return REFUSALS.get(reason, REFUSALS["no_match"])[language]
