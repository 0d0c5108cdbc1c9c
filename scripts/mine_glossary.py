"""Mine Chinese/English term pairs from the bundled knowledge base's translated documents.

Every ``<name>.zh.md`` under knowledge/sources has an ``<name>.en.md`` translation. Pairs come
from (1) titles and headings in the same position, split at their colons, when both sides are
short; (2) English headings that name a Chinese product and add its Latin names in brackets;
(3) an English name or quoted phrase followed by its Chinese original in brackets in the English
text. Pairs whose forms the hand-written glossary already has are skipped; only the pairs the
review accepted (``ACCEPTED`` below) are written, so a re-run reproduces the reviewed file.

    .venv/bin/python scripts/mine_glossary.py            # writes knowledge/glossary/mined_kb.yaml
    .venv/bin/python scripts/mine_glossary.py --stdout   # shows the reviewed pairs instead
    .venv/bin/python scripts/mine_glossary.py --candidates   # new pairs still to review
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.glossary import GLOSSARY_DIR, Entry, _parse  # noqa: E402

SOURCES = ROOT / "knowledge" / "sources"
OUTPUT = GLOSSARY_DIR / "mined_kb.yaml"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HEADING = re.compile(r"^#+ (.+)$", re.M)
_PRODUCT = re.compile(r"^([\u4e00-\u9fff]+)\s*\(([^()]+)\)$")
_CONNECTOR = r"(?:of|and|for|on|in|the|to|with|&)"
_WORD = r"[A-Z0-9][\w&/'’.-]*"
_NAME_BEFORE = re.compile(
    rf"(?:[\"“]([^\"”]{{2,60}})[\"”]|((?:{_WORD})(?: (?:{_CONNECTOR}|{_WORD}))*))"
    r" ?[（(]《?([\u4e00-\u9fff][\u4e00-\u9fff·、]{1,30})》?[)）]"
)
_SPLIT = re.compile(r"[：:]\s*")

# The review: the Chinese forms kept (None keeps the mined English forms, a list replaces
# them: a product's INN, a company's full name) and those dropped (section headings that
# describe rather than name, partial names). A pair in neither is a new candidate:
# `--candidates` lists them for review.
ACCEPTED: dict[str, list[str] | None] = {
    "一城三谷六园": None,
    "一核两极多园": None,
    "一线放开、二线管住": None,
    "三级甲等": ["Class-III Grade-A", "Grade III Class A"],
    "三维生物": ["Shanghai Sunway Biotech", "Shanghai Sunway"],
    "中国医药生物技术协会": None,
    "中国生物技术发展中心": None,
    "中山大学附属第三医院": None,
    "临床研究支持服务": None,
    "临床试验默示许可": None,
    "人类遗传资源合规支持服务": [
        "HGR compliance support",
        "human genetic resources compliance support",
    ],
    "价值园区": None,
    "伊基奥仑赛注射液": ["eque-cel", "equecabtagene autoleucel", "Fucaso"],
    "传奇生物": ["Legend Biotech"],
    "信玖凝": None,
    "先行启动区": None,
    "办理时限": ["turnaround time", "processing time limit"],
    "加快上市通道": ["expedited pathways", "expedited marketing pathways"],
    "北京大学人民医院": None,
    "医政医管局": [
        "Bureau of Medical Administration",
        "National Health Commission's Bureau of Medical Administration",
    ],
    "医疗技术路径": ["medical-technology route", "medical technology track"],
    "南沙产发": [
        "Nansha Industrial Development",
        "Guangzhou Nansha Science and Technology Industry Development Co.",
    ],
    "南沙开发区人才发展局": None,
    "南沙枢纽": None,
    "南沙横沥生物医药产业园": ["Nansha Hengli Biomedical Industrial Park"],
    "南沙湾": None,
    "南沙科学城": None,
    "合源生物": ["Juventas", "Juventas Cell Therapy"],
    "国家生物制造产业创新中心": None,
    "国际化人才特区": None,
    "复星凯特": None,
    "大湾区临床级种子细胞库": None,
    "大湾区生物治疗健康效应评价中心": None,
    "审批时限": ["approval time limit", "approval deadline"],
    "市场规模": None,
    "干细胞临床试验指导原则": None,
    "广东医谷": None,
    "广州": None,
    "广州产投": [
        "Guangzhou Industrial Investment",
        "Guangzhou Industrial Investment Fund Management",
    ],
    "广州南沙生物医药与健康产业地图": None,
    "广州生物医药产业地图": None,
    "庆盛枢纽": None,
    "强生": ["Johnson & Johnson", "J&J"],
    "快速通关渠道": ["fast clearance", "fast clearance channel"],
    "所需材料": ["required materials", "required documents"],
    "政策与补贴咨询服务": None,
    "新十条": None,
    "明显的药品属性": None,
    "横沥生物医药产业园": ["Hengli Biomedical Industrial Park", "Hengli park"],
    "注册申报与监管路径咨询服务": None,
    "深圳光明": None,
    "深圳河套": None,
    "港澳居民个人所得税优惠": ["individual income tax relief for Hong Kong and Macao residents"],
    "点头制": None,
    "环球律师事务所": None,
    "瑞基奥仑赛注射液": ["relma-cel", "relmacabtagene autoleucel"],
    "生物岛": ["Guangzhou International Bio-Island", "Bio-Island"],
    "知识城": ["Sino-Singapore Guangzhou Knowledge City", "Knowledge City"],
    "研发管线": ["pipeline", "R&D pipeline"],
    "科济药业": ["CARsgen", "CARsgen Therapeutics"],
    "细胞产品放行检测与批检测服务": None,
    "细胞库检定服务": ["cell bank characterisation", "cell bank characterization"],
    "综合咨询服务": None,
    "药品路径": ["drug route", "drug registration route"],
    "药明巨诺": None,
    "西达基奥仑赛": ["cilta-cel", "ciltacabtagene autoleucel", "Carvykti"],
    "赛百诺": None,
    "载体与质粒分析服务": None,
    "配套指导原则": ["companion guidelines", "supporting guidelines"],
    "重点产业": ["priority industries", "key industries"],
    "铂生卓越": ["Platinum Life"],
    "阿基仑赛注射液": ["axi-cel", "axicabtagene ciloleucel", "Yikaida"],
    "限制类细胞移植治疗技术": None,
    "驯鹿生物": None,
}
REJECTED = frozenset(
    """
    与产品审批的关系 与会专家的观点 与其他南沙政策的关系 与区级政策的关系 与医疗技术路径的区别
    与南沙政策的衔接 与南沙本地奖励的衔接 与后续立法的关系 与细胞和基因治疗监管的关系
    两个姊妹平台 两个审评检查大湾区分中心 临床试验批件奖励 临床试验申请的药学考虑要点
    主管部门改为国家卫生健康委 主要制度安排 亏损结转规则 仅供研发使用的医疗器械 优先发展
    会上披露的南沙产业基础 体内基因治疗与体外基因修饰系统 先进治疗药品范围与归类征求意见稿
    六大工程 其他生物医药相关措施 出台与施行 制定背景 前海现行规则尚待核实
    前海的定位与南沙的区别 南沙人才分类 南沙人才政策 南沙企业所得税优惠目录
    南沙地址是否在试点范围内 南沙方案提出的三项税收措施 南沙方案的落地文件 南沙方案的覆盖范围
    南沙条款以外适用的国家规则 南沙的企业数量与空间格局 南沙的港澳企业条款
    南沙科创中心横沥生物医药产业园 南沙跨境人类遗传资源条款的范围 南沙通用落户与租金优惠
    参照执行 发布与施行 发布信息 发布信息与配套文件 发文与联系部门 同日发布的配套扶持办法
    名称与别称 哪些企业属于高新技术重点行业 哪些药品和医疗器械可以引进 四个生物医药价值园区
    国家和省级管理架构 国家级审评技术指导 国际化人才特区与出入境便利 地方产业目标
    地方细胞和基因产业立法 基因治疗药学指导原则征求意见稿 备案模式与限制
    外资企业基因诊疗研发奖励 外资参与细胞和基因治疗的准入限制 大会启动的三个大湾区平台
    大会签约项目 定位与海关制度 定位与目标 实施细则的主要内容 审评检查资源在深圳河套
    对企业的提示 对细胞和基因治疗企业的意义 对细胞和基因治疗企业的提示
    对细胞和基因治疗药品的规定 尚待核实的条件 尚未公开的信息 已获批产品 干细胞产品研发管线
    广东医谷列出的优惠 建设单位 建设方、选址、进展与未公开事项 征求意见稿中的机构条件
    征求意见稿提出的管理框架 推进情况和数据 政策文件与转发 政策来源 文件信息 文件状态
    早期文件与行业自律 早期获批的基因治疗产品 最早的国家级细胞治疗指导原则 服务业与深港联动
    服务内容 条例的文号与施行日期 注册证奖励 洁净厂房奖励 海关总署的后续调整 涉及外方的规则
    清单而非单一数字 港澳企业利用内地人类遗传资源 港澳企业的医学研究 研发活动的风险分级
    篇幅与结构 细胞和基因治疗的专门条款 细胞治疗产品按药品开发 经营企业与全程管理 药品报关方式
    药学变更指导原则征求意见稿 行业解读 认定机构与补贴金额 设在南沙 试点地区与业务范围
    谁可以申请 调整范围 路线选择的变化 轨道一 轨道二 适用地域 适用对象 选址与建设进度
    选址时的注意事项 通过、施行和适用范围 通过与施行 非临床研究指导原则 面向澳门
    顶尖项目全链条支持 首批落地案例 龙头企业固定资产投资奖励 特殊物品审批
    """.split()
)


def _front_matter(path: Path) -> tuple[dict, str]:
    """Split a source file into its front matter and body."""
    _, head, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(head), body


def _clean_zh(text: str) -> str:
    """Strip title quotes and a trailing bracket from a Chinese form."""
    text = re.sub(r"[（(][^（）()]*[）)]$", "", text.strip()).strip()
    return text.strip('《》“”"「」 ')


def _clean_en(text: str) -> str:
    """Strip a leading article, quotes and a trailing bracket from an English form."""
    text = re.sub(r"\s*\([^()]*\)$", "", text.strip()).strip(' "“”.,;')
    return re.sub(r"^(?:The|the|A|An) ", "", text)


def _plausible(zh: str, en: str) -> bool:
    """Keep short, clean pairs: a Chinese term and an English name, no numbers or sentences."""
    return (
        2 <= len(zh) <= 16
        and all(_CJK.match(ch) or ch in "·、-" for ch in zh)
        and not _CJK.search(en)
        and 1 <= len(en.split()) <= 10
        and not re.search(r"\d{4}|[〔〕]", zh + en)
    )


def _heading_pairs(zh_path: Path, en_path: Path) -> list[tuple[str, str]]:
    """Pair titles and same-position headings, segment by segment at their colons."""
    zh_meta, zh_body = _front_matter(zh_path)
    en_meta, en_body = _front_matter(en_path)
    zh_heads = [str(zh_meta["title"]), *_HEADING.findall(zh_body)]
    en_heads = [str(en_meta["title"]), *_HEADING.findall(en_body)]
    if len(zh_heads) != len(en_heads):
        zh_heads, en_heads = zh_heads[:1], en_heads[:1]
    pairs = []
    for zh, en in zip(zh_heads, en_heads, strict=True):
        product = _PRODUCT.match(en.strip())
        if product and product.group(1) in zh:
            latin = [p.strip() for p in product.group(2).split(",") if not _CJK.search(p)]
            pairs += [(product.group(1), name) for name in latin]
            continue
        zh_parts, en_parts = _SPLIT.split(zh), _SPLIT.split(en)
        if len(zh_parts) == len(en_parts):
            pairs += [(_clean_zh(z), _clean_en(e)) for z, e in zip(zh_parts, en_parts, strict=True)]
    return pairs


def _bracket_pairs(en_path: Path) -> list[tuple[str, str]]:
    """Find English names followed by their Chinese original in brackets."""
    _, body = _front_matter(en_path)
    pairs = []
    for match in _NAME_BEFORE.finditer(body):
        english = match.group(1) or match.group(2)
        pairs.append((_clean_zh(match.group(3)), _clean_en(english)))
    return pairs


def mine() -> dict[str, list[str]]:
    """Return every new pair of the knowledge base, reviewed or not: Chinese → English forms."""
    known = _hand_written()
    known_zh = {form for entry in known for form in entry.zh}
    known_en = {form.lower() for entry in known for form in entry.en}
    found: dict[str, list[str]] = defaultdict(list)
    for zh_path in sorted(SOURCES.rglob("*.zh.md")):
        en_path = zh_path.with_name(zh_path.name.removesuffix(".zh.md") + ".en.md")
        if not en_path.exists():
            continue
        for zh, en in _heading_pairs(zh_path, en_path) + _bracket_pairs(en_path):
            if not _plausible(zh, en) or zh in known_zh or en.lower() in known_en:
                continue
            if en.lower() not in (e.lower() for e in found[zh]):
                found[zh].append(en)
    return dict(found)


def reviewed(mined: dict[str, list[str]]) -> dict[str, list[str]]:
    """Keep the accepted pairs, with the English forms the review chose."""
    return {zh: ACCEPTED[zh] or ens for zh, ens in mined.items() if zh in ACCEPTED}


def _hand_written() -> list[Entry]:
    """Return the hand-written entries (every glossary file but the mined one)."""
    entries: list[Entry] = []
    for path in sorted(GLOSSARY_DIR.glob("*.yaml")):
        if path != OUTPUT:
            entries += _parse(yaml.safe_load(path.read_text(encoding="utf-8")) or [], path.name)
    return entries


def write(pairs: dict[str, list[str]], out: Path = OUTPUT) -> None:
    """Write the mined pairs as a glossary file, one entry per Chinese form."""
    lines = [
        "# Mined from the bundled knowledge base by scripts/mine_glossary.py and reviewed by hand;",
        "# re-run it instead of editing this file (the review is its ACCEPTED and REJECTED).",
    ]
    for zh, ens in sorted(pairs.items()):
        lines.append(
            f"- {{zh: [{_quote(zh)}], en: [{', '.join(_quote(e) for e in ens)}], kind: term}}"
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _quote(text: str) -> str:
    """Quote a scalar for a YAML flow list (a JSON string is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


if __name__ == "__main__":
    mined = mine()
    if "--candidates" in sys.argv:
        for zh, ens in sorted(mined.items()):
            if zh not in ACCEPTED and zh not in REJECTED:
                print(zh, "|", " ; ".join(ens))
    elif "--stdout" in sys.argv:
        for zh, ens in sorted(reviewed(mined).items()):
            print(zh, "|", " ; ".join(ens))
    else:
        kept = reviewed(mined)
        write(kept)
        print(f"{len(kept)} of {len(mined)} mined entries → {OUTPUT.relative_to(ROOT)}")
