"""What the demo's orders say and how they are spread: channel and type mixes, daily and weekly rhythm, texts, replies, callback words."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings

from gridcare.workorders.choices import (
    ApplicationSubtype,
    Channel,
    Dimension,
    RequestType,
)

CORPUS_FILES = ("seed_corpus_agent.jsonl", "seed_corpus_customer.jsonl")


TYPE_MIX = [
    (RequestType.CONSULTATION, 34),
    (RequestType.FAULT_REPAIR, 30),
    (RequestType.SERVICE_APPLICATION, 21),
    (RequestType.COMPLAINT, 6),
    (RequestType.SUGGESTION, 3),
    (RequestType.REPORT, 2),
    (RequestType.PRAISE, 4),
]


CHANNEL_MIX = [
    (Channel.HOTLINE, 52),
    (Channel.APP, 16),
    (Channel.WECHAT, 12),
    (Channel.WEB, 4),
    (Channel.COUNTER, 10),
    (Channel.FIELD, 2),
    (Channel.REGULATOR, 1.5),
    (Channel.GOV_HOTLINE, 2),
    (Channel.SUPERVISOR, 0.5),
]


# Share of the day's contacts per hour (0..23): morning and evening peaks.
HOURLY = [
    0.6,
    0.4,
    0.3,
    0.3,
    0.3,
    0.5,
    1.2,
    2.6,
    4.2,
    5.6,
    5.8,
    5.2,
    4.1,
    4.3,
    5.0,
    5.2,
    5.0,
    4.8,
    5.0,
    5.6,
    5.4,
    4.2,
    2.6,
    1.3,
]


WEEKDAY = [1.12, 1.05, 1.02, 1.0, 1.0, 0.86, 0.8]


FALLBACK_TEXTS: dict[str, list[tuple[str, str]]] = {
    RequestType.FAULT_REPAIR: [
        ("家里突然没电了，邻居家也没有，请尽快派人来看看", Dimension.SUPPLY_RELIABILITY),
        ("小区{n}栋整栋停电，电梯停运，请安排抢修", Dimension.SUPPLY_RELIABILITY),
        ("电压太低，空调开不起来，灯一闪一闪的", Dimension.SUPPLY_RELIABILITY),
        ("门口电线杆上的线掉下来了，还在冒火花，很危险", Dimension.SUPPLY_SAFETY),
        ("大风把树刮倒压在电线上了，请赶快处理", Dimension.SUPPLY_SAFETY),
        ("电表一直在走但家里没用电，怀疑电表坏了", Dimension.BILLING_PAYMENT),
    ],
    RequestType.CONSULTATION: [
        ("请问我们这里今天什么时候来电", Dimension.INFORMATION_COMMUNICATION),
        ("峰谷电价是怎么计算的，怎么申请", Dimension.BILLING_PAYMENT),
        ("这个月电费怎么比上个月高这么多，想查一下明细", Dimension.BILLING_PAYMENT),
        ("网上国网App怎么绑定户号交电费", Dimension.SERVICE_CHANNEL),
        ("办理过户需要带哪些材料", Dimension.BUSINESS_HANDLING),
    ],
    RequestType.COMPLAINT: [
        ("一个月停了{n}次电，严重影响生活，要求给个说法", Dimension.SUPPLY_RELIABILITY),
        ("停电没有提前通知，冰箱里的东西都坏了", Dimension.INFORMATION_COMMUNICATION),
        ("营业厅工作人员态度很差，问两句就不耐烦", Dimension.SERVICE_ATTITUDE),
        ("报装申请交了半个月了还没人来装表", Dimension.BUSINESS_HANDLING),
        ("交了电费没到账，被停电了", Dimension.BILLING_PAYMENT),
    ],
    RequestType.REPORT: [
        ("举报隔壁厂房私拉电线偷电", Dimension.BILLING_PAYMENT),
        ("有人在高压线下面钓鱼，太危险了", Dimension.SUPPLY_SAFETY),
        ("抄表员私下收取费用", Dimension.SERVICE_ATTITUDE),
    ],
    RequestType.SUGGESTION: [
        ("建议停电通知提前发短信到每户", Dimension.INFORMATION_COMMUNICATION),
        ("建议App增加电费分时明细查询", Dimension.SERVICE_CHANNEL),
    ],
    RequestType.PRAISE: [
        ("昨晚抢修师傅冒雨来修，很快就来电了，非常感谢", Dimension.SUPPLY_RELIABILITY),
        ("营业厅小王服务特别耐心，表扬一下", Dimension.SERVICE_ATTITUDE),
    ],
    RequestType.SERVICE_APPLICATION: [
        ("新房装修好了，申请新装一户居民用电", Dimension.BUSINESS_HANDLING),
        ("厂里要加设备，申请增容到{n}00千伏安", Dimension.BUSINESS_HANDLING),
        ("申请安装家用充电桩", Dimension.BUSINESS_HANDLING),
        ("屋顶装了光伏，申请并网", Dimension.BUSINESS_HANDLING),
        ("怀疑电表走得快，申请校验电表", Dimension.BILLING_PAYMENT),
        ("房子买了，申请电费户名过户", Dimension.BUSINESS_HANDLING),
        ("申请办理峰谷分时电价", Dimension.BUSINESS_HANDLING),
    ],
}


SUBTYPE_KEYWORDS = [
    (("校验", "校表", "检定", "电表走得快", "表计"), ApplicationSubtype.METER_TEST),
    (("充电桩",), ApplicationSubtype.EV_CHARGER),
    (("光伏", "并网"), ApplicationSubtype.PV_CONNECTION),
    (("峰谷", "分时"), ApplicationSubtype.TOU_TARIFF),
    (("过户", "更名", "改名"), ApplicationSubtype.NAME_CHANGE),
    (("增容", "减容", "扩容"), ApplicationSubtype.CAPACITY_CHANGE),
    (("暂停", "恢复用电", "销户"), ApplicationSubtype.PAUSE_RESUME),
    (("新装", "报装", "装表", "接电", "立户"), ApplicationSubtype.NEW_CONNECTION),
]


REPLIES = {
    RequestType.FAULT_REPAIR: [
        "更换跌落式熔断器熔丝，已恢复送电",
        "低压线路接头烧断，已重新压接，恢复供电",
        "表后线故障，已协助客户处理并恢复用电",
        "台区变压器低压开关跳闸，已合闸送电",
        "树障已清理，线路恢复正常",
        "调整变压器分接头，电压恢复正常",
    ],
    RequestType.COMPLAINT: [
        "已联系客户致歉并说明原因，落实整改",
        "经核实情况属实，已对责任人批评教育并改进",
        "已向客户解释停电原因及后续改造计划，客户表示理解",
    ],
    RequestType.SERVICE_APPLICATION: [
        "已完成现场勘查、装表接电",
        "业务已办结，客户确认",
        "已出具校验报告并告知客户",
    ],
    RequestType.REPORT: ["经现场核查，已依法处理", "已转稽查部门处理并反馈举报人"],
    RequestType.CONSULTATION: [
        "已向客户详细解答",
        "已告知办理流程和所需材料",
        "已告知停电原因和预计来电时间",
    ],
    RequestType.SUGGESTION: ["已感谢客户建议并转相关部门研究"],
    RequestType.PRAISE: ["已转达表扬并向客户致谢"],
}


# What customers say when called back (回访), by result; unsatisfied ones reopen the order.
CALLBACK_WORDS = {
    "satisfied": ["很满意，师傅来得很快", "满意，谢谢你们", "处理得很及时", "服务态度很好，满意", "满意"],
    "basically_satisfied": [
        "基本满意，就是等的时间长了点",
        "还行吧，希望以后少停电",
        "基本满意，电话一直打不通",
    ],
    "unsatisfied": ["客户表示问题仍未解决", "客户对处理结果不满意", "客户反映电压还是偏低"],
}


# Orders are forgotten (left open past their deadline) only in the last weeks: anything
# older has long been handled, late or not.
STUCK_WITHIN = dt.timedelta(days=21)


def _callback_outcome(rnd: random.Random) -> tuple[str, bool | None, str]:
    """A final callback result (never unsatisfied: that path reopens): result code, the
    order's ``satisfied`` and the customer's words (the timeline note, as ``callback_record``
    writes it; the result goes in the entry's message)."""
    r = rnd.random()
    result = "satisfied" if r < 0.86 else "basically_satisfied" if r < 0.96 else "unreachable"
    words = rnd.choice(CALLBACK_WORDS[result]) if result in CALLBACK_WORDS else ""
    return result, (None if result == "unreachable" else True), words


def _load_corpus(rnd: random.Random) -> dict[str, list[tuple[str, str]]]:
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    folder = Path(settings.BASE_DIR) / "gridcare" / "analytics" / "data"
    for name in CORPUS_FILES:
        path = folder / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if row.get("request_type") in RequestType.values and row.get("dimension") in Dimension.values:
                    texts[row["request_type"]].append((row["text"], row["dimension"]))
    for rtype, fallback in FALLBACK_TEXTS.items():
        if not texts.get(rtype):
            texts[rtype] = list(fallback)
    return texts


# Channels where a customer types the request themselves; everywhere else a member of staff
# records it in their own words.
CUSTOMER_WRITTEN = frozenset({"web", "app", "wechat"})
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")


def written_by(text: str, channel: str, rnd: random.Random) -> str:
    """The request as it is recorded: staff (phone, counter, field, referrals) write plain
    Simplified Chinese without emoji; customers online mostly do too — a few still type in
    traditional characters or with an emoji."""
    from gridcare.core.textutil import to_simplified

    if channel in CUSTOMER_WRITTEN and rnd.random() < 0.04:
        return text
    simplified = to_simplified(text)
    if channel in CUSTOMER_WRITTEN:
        return simplified
    return " ".join(_EMOJI.sub(" ", simplified).split())
