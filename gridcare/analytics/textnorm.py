"""Text normalisation and segmentation for customers' requests.

The classifier, clustering and search all see text through :func:`normalize`, so that
traditional and simplified characters, full- and half-width forms, and different phone,
account and meter numbers do not split one request into many. Personal numbers are
masked into placeholder tokens (they carry no class information and must not end up in
a model artifact).

Placeholders are upper-case ASCII words; user text is lower-cased before masking, so
they never collide with what customers typed.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

# Placeholder tokens.
PHONE = "PHONE"
LONGNUM = "LONGNUM"
AMOUNT = "AMOUNT"
KWH = "KWH"
NUM = "NUM"
PLACEHOLDERS = (PHONE, LONGNUM, AMOUNT, KWH, NUM)

# Service numbers that mean something (hotline, regulator, government hotline) stay literal.
SERVICE_NUMBERS = ("95598", "12398", "12345", "110", "119", "120")

DOMAIN_WORDS = [
    "台区",
    "低电压",
    "电压低",
    "95598",
    "12398",
    "12345",
    "网上国网",
    "国网",
    "峰谷电",
    "峰谷",
    "分时电价",
    "阶梯电价",
    "户号",
    "电表箱",
    "电表",
    "电能表",
    "智能电表",
    "表计",
    "跳闸",
    "漏电",
    "漏电保护器",
    "空开",
    "抢修",
    "抢修队",
    "增容",
    "减容",
    "过户",
    "更名",
    "光伏",
    "分布式光伏",
    "充电桩",
    "停电",
    "计划停电",
    "临时停电",
    "故障停电",
    "复电",
    "来电",
    "送电",
    "欠费",
    "欠费停电",
    "缴费",
    "交费",
    "电费",
    "预存",
    "预付费",
    "电费单",
    "发票",
    "电子发票",
    "退费",
    "退款",
    "扣款",
    "重复扣费",
    "多扣",
    "营业厅",
    "供电所",
    "供电局",
    "供电公司",
    "电工",
    "线路",
    "电线",
    "电杆",
    "电线杆",
    "变压器",
    "配电箱",
    "断线",
    "掉线",
    "打火",
    "冒烟",
    "着火",
    "倾斜",
    "树障",
    "验表",
    "校表",
    "换表",
    "装表",
    "新装",
    "报装",
    "销户",
    "过户手续",
    "客户经理",
    "回访",
    "回电话",
    "工单",
    "一户一表",
    "合表",
    "转供电",
    "物业",
    "房东",
    "加价",
    "窃电",
    "偷电",
    "私拉乱接",
    "红包",
    "吃拿卡要",
    "表扬",
    "锦旗",
    "感谢信",
    "投诉",
    "举报",
    "建议",
    "咨询",
    "报修",
    "自助缴费机",
    "缴费机",
    "支付宝",
    "微信",
    "电价",
    "用电量",
    "电量",
    "电度",
    "频繁停电",
    "电压不稳",
    "电压",
    "闪断",
    "缺相",
    "烧坏",
    "电器",
    "家电",
    "冰箱",
    "空调",
    "热水器",
    "短信通知",
    "停电通知",
    "通知",
    "公告",
    "客服",
    "热线",
    "人工",
    "排队",
    "推诿",
    "态度",
    "不耐烦",
    "挂电话",
    "承诺",
    "上门",
    "预约",
    "爽约",
    "审批",
    "验收",
    "接电",
    "基本电费",
    "力调",
    "功率因数",
    "需量",
    "两部制",
    "居民电价",
    "商业电价",
    "农业用电",
    "煤改电",
    "电采暖",
]

_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # emoticons, symbols, pictographs, flags, mahjong …
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "\ufe00-\ufe0f"  # variation selectors
    "\u200d"  # zero-width joiner
    "\u20e3"  # keycap
    "\U000e0000-\U000e007f"  # tags
    "]+"
)
# Full-width ASCII (U+FF01–FF5E) → ASCII; ideographic space → space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

_MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_AMOUNT_RE = re.compile(
    r"(?:[¥￥]\s*\d+(?:[.,]\d+)*|\d+(?:[.,]\d+)*\s*(?:多|几)?\s*(?:元|块钱|块|rmb|万元|毛))"
)
_KWH_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:多|几)?\s*(?:度电|度|千瓦时|kwh|kw·h|kw)")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_LONG_DIGITS = 6
_SPACE_RE = re.compile(r"\s+")

# English (and pinyin-free Latin) words customers mix in, mapped to the Chinese terms the
# corpus uses, so English or mixed text lands on the same features. Applied to lower-cased
# text, whole words only, longest phrase first. General domain vocabulary, not tuned to
# any evaluation text.
EN_GLOSSARY: dict[str, str] = {
    # outages, supply quality
    "power outage": "停电",
    "power cut": "停电",
    "power failure": "停电",
    "blackout": "停电",
    "outage": "停电",
    "outages": "停电",
    "no power": "没电",
    "no electricity": "没电",
    "power is out": "停电了",
    "power went out": "停电了",
    "power is off": "停电了",
    "power off": "停电",
    "lost power": "停电了",
    "without power": "没电",
    "power back": "来电",
    "power restored": "恢复供电",
    "restore": "恢复供电",
    "restored": "恢复供电",
    "restoration": "恢复供电",
    "back on": "来电",
    "voltage": "电压",
    "low voltage": "低电压",
    "voltage drop": "电压低",
    "voltage drops": "电压低",
    "flicker": "闪",
    "flickering": "一闪一闪",
    "unstable": "不稳",
    "tripped": "跳闸",
    "trips": "跳闸",
    "breaker": "空开",
    "circuit breaker": "空开",
    "fuse": "保险丝",
    "phase": "缺相",
    "planned outage": "计划停电",
    "scheduled outage": "计划停电",
    "maintenance": "检修",
    "unreliable": "频繁停电",
    "again": "又",
    "every day": "天天",
    "frequent": "频繁",
    # hazards
    "fallen": "掉地上",
    "fell": "倒",
    "down": "掉",
    "sparking": "冒火花",
    "sparks": "火花",
    "spark": "火花",
    "smoke": "冒烟",
    "smoking": "冒烟",
    "fire": "着火",
    "burning": "烧焦",
    "burnt": "烧坏",
    "shock": "触电",
    "electrocuted": "触电",
    "leaning": "倾斜",
    "tilted": "歪了",
    "pole": "电线杆",
    "utility pole": "电线杆",
    "wire": "电线",
    "wires": "电线",
    "power line": "电线",
    "power lines": "电线",
    "cable": "电缆",
    "cables": "电缆",
    "high voltage": "高压",
    "high-voltage": "高压",
    "transformer": "变压器",
    "substation": "变电站",
    "tree": "树",
    "dangerous": "危险",
    "danger": "危险",
    "hazard": "安全隐患",
    "unsafe": "危险",
    "leakage": "漏电",
    "leaking": "漏电",
    "exposed": "裸露",
    "safe": "安全",
    "safety": "安全",
    "fishing": "钓鱼",
    "kite": "风筝",
    "kites": "风筝",
    "crane": "吊车",
    # repair
    "repair": "修",
    "fix": "修",
    "broken": "坏了",
    "send someone": "派人来",
    "send a crew": "派人来抢修",
    "crew": "抢修人员",
    "technician": "电工",
    "electrician": "电工",
    "urgent": "紧急",
    "emergency": "抢修",
    "check": "检查",
    "inspect": "检查",
    # billing
    "bill": "电费",
    "bills": "电费",
    "electricity bill": "电费",
    "charge": "收费",
    "charged": "扣费",
    "charging me": "收我",
    "overcharged": "多收",
    "charged twice": "重复扣费",
    "double charged": "重复扣费",
    "twice": "两次",
    "refund": "退款",
    "refunds": "退款",
    "pay": "交费",
    "paid": "交了",
    "payment": "缴费",
    "invoice": "发票",
    "receipt": "发票",
    "arrears": "欠费",
    "debt": "欠费",
    "price": "电价",
    "tariff": "电价",
    "rate": "电价",
    "tiered": "阶梯",
    "per kwh": "一度",
    "kwh": "度",
    "yuan": "元",
    "money": "钱",
    "balance": "余额",
    "prepaid": "预付费",
    "too high": "太高",
    "expensive": "贵",
    "meter": "电表",
    "meters": "电表",
    "meter reading": "抄表",
    "running fast": "走得快",
    "accuracy": "准确",
    "inaccurate": "不准",
    "landlord": "房东",
    "property management": "物业",
    "stealing electricity": "偷电",
    "steal": "偷",
    "stealing": "偷",
    "theft": "窃电",
    "bypassing": "绕过",
    "markup": "加价",
    # business handling
    "apply": "申请",
    "application": "申请",
    "applied": "申请了",
    "request": "申请",
    "register": "登记",
    "new connection": "新装",
    "connection": "接电",
    "install": "装",
    "installation": "安装",
    "installed": "装好",
    "transfer": "过户",
    "account": "户号",
    "change the name": "更名",
    "capacity": "容量",
    "increase capacity": "增容",
    "solar": "光伏",
    "photovoltaic": "光伏",
    "charging pile": "充电桩",
    "charger": "充电桩",
    "ev charger": "充电桩",
    "time-of-use": "峰谷电",
    "peak": "峰",
    "valley": "谷",
    "off-peak": "谷",
    "documents": "材料",
    "progress": "进度",
    "appointment": "预约",
    "approval": "审批",
    "weeks": "周",
    "months": "个月",
    "delay": "拖",
    "delayed": "拖延",
    "test": "校验",
    "testing": "检测",
    # channels
    "website": "网站",
    "hotline": "热线",
    "customer service": "客服",
    "call center": "客服",
    "phone": "电话",
    "call": "打电话",
    "called": "打了电话",
    "calling": "打电话",
    "online": "网上",
    "log in": "登录",
    "login": "登录",
    "crash": "闪退",
    "crashes": "闪退",
    "crashing": "闪退",
    "service hall": "营业厅",
    "office": "营业厅",
    "self-service": "自助",
    "machine": "机器",
    "alipay": "支付宝",
    "wechat": "微信",
    "english version": "英文版",
    "busy": "占线",
    "cannot get through": "打不通",
    "can't get through": "打不通",
    "easy to use": "方便",
    "convenient": "方便",
    # information
    "notice": "通知",
    "notices": "通知",
    "notification": "通知",
    "notified": "通知",
    "inform": "通知",
    "informed": "通知",
    "warning": "通知",
    "announcement": "公告",
    "in advance": "提前",
    "advance": "提前",
    "sms": "短信",
    "message": "短信",
    "update": "通知",
    "updates": "通知",
    "wrong information": "信息错误",
    "when": "什么时候",
    "what time": "几点",
    "how long": "多久",
    "why": "为什么",
    "cause": "原因",
    "expected": "预计",
    "schedule": "计划",
    "scheduled": "计划",
    # attitude
    "rude": "态度差",
    "impolite": "不礼貌",
    "attitude": "态度",
    "hung up": "挂电话",
    "hang up": "挂电话",
    "ignored": "不理",
    "nobody called": "没人回电话",
    "call back": "回电话",
    "callback": "回电话",
    "kind": "热情",
    "patient": "耐心",
    "helpful": "热情",
    "staff": "工作人员",
    "employee": "工作人员",
    "agent": "客服",
    "bribe": "红包",
    "bribes": "红包",
    "cash": "现金",
    "gift": "礼品",
    "id": "工牌",
    # intents
    "complaint": "投诉",
    "complain": "投诉",
    "file a complaint": "投诉",
    "unacceptable": "太不像话",
    "ridiculous": "离谱",
    "terrible": "太差",
    "worst": "太差",
    "angry": "气死",
    "compensation": "赔偿",
    "compensate": "赔偿",
    "responsible": "负责",
    "report": "举报",
    "reporting": "举报",
    "illegal": "违规",
    "suggest": "建议",
    "suggestion": "建议",
    "would help": "建议",
    "could you": "能不能",
    "please add": "建议增加",
    "should": "应该",
    "thank you": "谢谢",
    "thanks": "谢谢",
    "thank": "感谢",
    "great job": "点赞",
    "great": "很好",
    "good": "好",
    "appreciate": "感谢",
    "praise": "表扬",
    "efficient": "效率高",
    "fast": "很快",
    "quickly": "很快",
    "question": "咨询",
    "ask": "问",
    "how": "怎么",
    "is there": "是否",
    "can i": "可以",
    "what": "什么",
    "where": "哪里",
    "help": "帮忙",
}
_EN_RE = re.compile(
    r"(?<![a-z])("
    + "|".join(re.escape(k) for k in sorted(EN_GLOSSARY, key=len, reverse=True))
    + r")(?![a-z])"
)
_LATIN_WORD = re.compile(r"[a-z]{2,}")


def translate_english(text: str) -> str:
    """Replace known English domain words in lower-cased text by their Chinese terms."""
    if _LATIN_WORD.search(text) is None:
        return text
    return _EN_RE.sub(lambda m: f" {EN_GLOSSARY[m.group(1)]} ", text)


_lock = threading.Lock()
_jieba_ready = False


@lru_cache(maxsize=1)
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_re() -> re.Pattern:
    """Characters that OpenCC's t2s table changes; texts without any skip conversion."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and len(parts[0]) == 1 and parts[0] not in parts[1].split(" "):
                chars.add(parts[0])
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]")


def to_simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s, only run when needed)."""
    if _traditional_re().search(text) is None:
        return text
    return _opencc().convert(text)


def _mask_number(match: re.Match) -> str:
    digits = match.group(0)
    if digits in SERVICE_NUMBERS:
        return f" {digits} "
    if "." not in digits and len(digits) >= _LONG_DIGITS:
        return f" {LONGNUM} "
    return f" {NUM} "


def mask_numbers(text: str) -> str:
    """Replace phone numbers, amounts, energy figures and digit runs with placeholders."""
    text = _MOBILE_RE.sub(f" {PHONE} ", text)
    text = _LANDLINE_RE.sub(f" {PHONE} ", text)
    text = _AMOUNT_RE.sub(f" {AMOUNT} ", text)
    text = _KWH_RE.sub(f" {KWH} ", text)
    return _DIGITS_RE.sub(_mask_number, text)


def normalize(text: str | None, max_chars: int | None = None) -> str:
    """The canonical form of a request text.

    Steps: strip emoji → full-width to half-width → traditional to simplified →
    lower-case Latin → known English domain words to Chinese → mask numbers →
    collapse whitespace. ``max_chars`` truncates the
    input first (very long letters keep their opening, which states the request).
    """
    if not text:
        return ""
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    text = _EMOJI_RE.sub(" ", text)
    text = text.translate(_FULLWIDTH)
    text = to_simplified(text)
    text = text.lower()
    text = translate_english(text)
    text = mask_numbers(text)
    return _SPACE_RE.sub(" ", text).strip()


def _ensure_jieba():
    global _jieba_ready
    if _jieba_ready:
        return
    with _lock:
        if _jieba_ready:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        logging.getLogger("jieba").setLevel(logging.WARNING)
        jieba.initialize()
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=20000)
        for token in PLACEHOLDERS:
            jieba.add_word(token, freq=20000)
        _jieba_ready = True


def segment(text: str) -> list[str]:
    """jieba words of an already normalised text, without blanks and punctuation-only tokens."""
    _ensure_jieba()
    import jieba

    # jieba yields punctuation and blanks as one-character tokens.
    return [w for w in jieba.dt.cut(text, HMM=False) if len(w) > 1 or w.isalnum()]
