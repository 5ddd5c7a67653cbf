"""The planning feed: hotspots tied to grid assets, as an Excel input list for planning (计划/运检).

Each hotspot gets a suggested action category from its dimension, level and load:

* ``transformer_capacity`` — reliability (outage/voltage) problems on a heavily loaded asset
  (customers' contracted capacity against the transformer capacity);
* ``line_reinforcement`` — reliability problems of a feeder or a station's network;
* ``maintenance`` — supply-safety problems, and reliability problems of a transformer area
  that is not overloaded;
* ``service_process`` — billing, information, business handling, channels, attitude.

The feed (``planning_feed``) lists two kinds of planning items, merged per asset:

* ``hotspot`` — a complaint/fault hotspot (one item per hotspot, as ``planning_rows``);
* ``frequent_outages`` — an asset with at least one frequent-outage customer
  (``outages.frequent``). It joins the asset's own hotspot item when there is one (its
  supply-reliability hotspot, else its best-ranked one: both reasons listed on one item),
  and is an item of its own otherwise (a supply-reliability problem, without hotspot
  statistics), after the hotspots, most frequent-outage customers first.

Every item carries the asset's outage evidence (``outage_evidence.OUTAGE_FIELDS``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridcare.workorders.choices import Dimension

from .hotspots import LEVEL_LABELS, HotspotRun, high_load_ratio, monthly_history
from .outage_evidence import OUTAGE_LABELS


class ActionCategory(models.TextChoices):
    TRANSFORMER_CAPACITY = "transformer_capacity", _("变压器增容/布点")
    LINE_REINFORCEMENT = "line_reinforcement", _("线路改造加固")
    MAINTENANCE = "maintenance", _("设备检修消缺")
    SERVICE_PROCESS = "service_process", _("服务流程改进")


SERVICE_DIMENSIONS = frozenset(
    {
        Dimension.BILLING_PAYMENT,
        Dimension.INFORMATION_COMMUNICATION,
        Dimension.BUSINESS_HANDLING,
        Dimension.SERVICE_CHANNEL,
        Dimension.SERVICE_ATTITUDE,
    }
)


def suggest_action(hotspot: dict) -> tuple[str, str]:
    """(category, reason) for one hotspot dict of ``compute_hotspots``."""
    dim = hotspot["dimension"]
    if dim in SERVICE_DIMENSIONS:
        return ActionCategory.SERVICE_PROCESS, "服务类诉求集中，需改进服务流程与人员管理"
    if dim == Dimension.SUPPLY_SAFETY:
        return ActionCategory.MAINTENANCE, "供电安全类报修/投诉集中，需安排检修消缺"
    if hotspot.get("high_load"):
        return (
            ActionCategory.TRANSFORMER_CAPACITY,
            f"供电可靠性问题且负载率 {hotspot.get('load_ratio')}（合同容量/配变容量）偏高，建议增容或新增布点",
        )
    if hotspot["level"] in ("feeder", "station"):
        return ActionCategory.LINE_REINFORCEMENT, "线路层面停电/电压问题集中，建议线路改造或加固"
    return ActionCategory.MAINTENANCE, "台区停电/电压问题集中但负载不高，建议检修低压线路与设备"


def planning_rows(run: HotspotRun) -> list[dict]:
    out = []
    for h in run.hotspots:
        category, reason = suggest_action(h)
        out.append(
            {**h, "action": category, "action_label": str(ActionCategory(category).label), "reason": reason}
        )
    return out


HOTSPOT = "hotspot"
FREQUENT_OUTAGES = "frequent_outages"
REASON_LABELS = {HOTSPOT: _("投诉与故障热点"), FREQUENT_OUTAGES: _("频繁停电")}
# Hotspot statistics a frequent-outage item of its own does not have.
HOTSPOT_ONLY = (
    "count",
    "expected",
    "expected_peer",
    "rate_per_1000",
    "peer_rate_per_1000",
    "ratio",
    "p_value",
    "p_peer",
    "p_history",
    "q_value",
    "complaints",
    "faults",
    "reports",
    "outages",
    "merged_reports",
    "repeat_customers",
)


def frequent_reason(run: HotspotRun, evidence: dict) -> str:
    window = run.outage_window
    return gettext("近 %(months)s 个月停电超过 %(count)s 次的频繁停电户 %(customers)s 户") % {
        "months": window.months if window else "",
        "count": window.min_count if window else "",
        "customers": evidence["frequent_customers"],
    }


def _frequent_item(run: HotspotRun, pk: int, evidence: dict) -> dict:
    """A planning item for an asset with frequent-outage customers and no hotspot."""
    a = run.assets[pk]
    item = {
        "rank": None,
        "level": run.level,
        "asset_id": a.pk,
        "code": a.code,
        "name": a.name,
        "station": a.station_name if run.level == "area" else "",
        "area_class": a.area_class,
        "dimension": Dimension.SUPPLY_RELIABILITY.value,
        "dimension_label": str(Dimension.SUPPLY_RELIABILITY.label),
        **dict.fromkeys(HOTSPOT_ONLY),
        "significant": False,
        "kind": "",
        "customers": a.customers,
        "contracted_kva": round(a.contracted_kva, 1),
        "transformer_kva": round(a.transformer_kva, 1),
        "load_ratio": a.load_ratio,
        "high_load": a.load_ratio is not None and a.load_ratio >= high_load_ratio(),
        "samples": [],
        "latitude": a.latitude,
        "longitude": a.longitude,
        **evidence,
    }
    category, reason = suggest_action(item)
    item.update(
        {
            "action": category,
            "action_label": str(ActionCategory(category).label),
            "reason": f"{frequent_reason(run, evidence)}；{reason}",
            "reasons": [FREQUENT_OUTAGES],
        }
    )
    return item


def planning_feed(run: HotspotRun) -> list[dict]:
    """The planning feed: the hotspots (``planning_rows``) merged with the assets that have
    frequent-outage customers (see the module's docstring), each item with ``reasons``
    (codes) and ``reasons_label``. Frequent-outage items are left out of a run restricted
    to a dimension other than supply reliability."""
    rows = planning_rows(run)
    by_asset: dict[int, list[dict]] = {}
    for r in rows:
        r["reasons"] = [HOTSPOT]
        by_asset.setdefault(r["asset_id"], []).append(r)
    extra = []
    if run.dimension in (None, Dimension.SUPPLY_RELIABILITY):
        for pk, evidence in run.outage_evidence.items():
            if evidence["frequent_customers"] < 1 or pk not in run.assets:
                continue
            own = by_asset.get(pk)
            if not own:
                extra.append(_frequent_item(run, pk, evidence))
                continue
            target = next((r for r in own if r["dimension"] == Dimension.SUPPLY_RELIABILITY), own[0])
            target["reasons"].append(FREQUENT_OUTAGES)
            target["reason"] = f"{target['reason']}；{frequent_reason(run, evidence)}"
    extra.sort(key=lambda r: (-r["frequent_customers"], -r["customer_minutes"], r["code"]))
    out = rows + extra
    for r in out:
        r["reasons_label"] = "；".join(str(REASON_LABELS[c]) for c in r["reasons"])
    return out


HEADERS = [
    ("rank", "排名"),
    ("level", "层级"),
    ("code", "资产编码"),
    ("name", "资产名称"),
    ("station", "供电所"),
    ("area_class", "区域类别"),
    ("dimension_label", "问题维度"),
    ("action_label", "建议措施类别"),
    ("action", "措施代码"),
    ("reason", "依据"),
    ("count", "事件数"),
    ("expected", "期望数"),
    ("ratio", "倍数"),
    ("rate_per_1000", "每千户"),
    ("peer_rate_per_1000", "同类每千户"),
    ("q_value", "q值"),
    ("kind", "类型"),
    ("complaints", "投诉"),
    ("faults", "故障报修"),
    ("outages", "故障报修事件"),
    ("merged_reports", "合并报修"),
    ("customers", "户数"),
    ("contracted_kva", "合同容量kVA"),
    ("transformer_kva", "配变容量kVA"),
    ("load_ratio", "负载率"),
    ("repeat_customers", "重复诉求户"),
    ("samples", "典型诉求"),
]
# The feed's further columns, after the original ones (their positions stay).
FEED_HEADERS = [("reasons_label", _("列入原因")), *OUTAGE_LABELS.items()]


def planning_workbook(run: HotspotRun, *, months: int = 12, demands: list[dict] | None = None) -> bytes:
    """The Excel planning feed (``planning_feed``): one row per planning item, and each
    item's monthly history of its dimension; with ``demands`` (proactive's
    ``planning_demand_rows``) a sheet of the potential demand beside the hotspots."""
    from gridcare.core.exporting import Workbook

    rows = planning_feed(run)
    headers = [*HEADERS, *((k, str(label)) for k, label in FEED_HEADERS)]
    book = Workbook()
    ws = book.add_sheet("规划输入")
    ws.heading(
        f"供电服务热点 → 规划输入清单（{LEVEL_LABELS[run.level]}，近 {run.days} 天，"
        f"截至 {timezone.localtime(run.as_of):%Y-%m-%d %H:%M}，FDR {run.fdr}）"
    )

    def cells(row: dict) -> list:
        out = []
        for key, _label in headers:
            value = row.get(key)
            if key == "samples":
                value = "\n".join(f"{s['order_no']}：{s['text']}" for s in value or [])
            elif key == "level":
                value = LEVEL_LABELS[value]
            elif key == "q_value" and value is not None:
                value = float(f"{value:.3g}")
            out.append(value)
        return out

    keys = [k for k, _ in headers]
    ws.table([h for _, h in headers], (cells(r) for r in rows), wrap=[keys.index("samples")], gap=0)
    ws.freeze_panes(2, 4)
    ws.set_column(0, 1, 6)
    ws.set_column(2, 4, 16)
    ws.set_column(9, 9, 40)
    ws.set_column(keys.index("samples"), keys.index("samples"), 60)
    ws.set_column(keys.index("reasons_label"), keys.index("reasons_label"), 20)

    hs = book.add_sheet("资产历史")
    pks = sorted({h["asset_id"] for h in rows})
    labels, history = monthly_history(run.level, pks, months=months, until=run.as_of)

    def history_row(row: dict) -> list:
        counts = history.get((row["asset_id"], row["dimension"]), {})
        return [row["code"], row["name"], row["dimension_label"], *[counts.get(m, 0) for m in labels]]

    hs.table(["资产编码", "资产名称", "问题维度", *labels], (history_row(r) for r in rows), gap=0)
    hs.freeze_panes(1, 3)
    hs.set_column(0, 1, 18)

    if demands is not None:
        from gridcare.proactive.selectors import PLANNING_DEMAND_COLUMNS

        ds = book.add_sheet("潜在用电需求")
        ds.table(
            [label for _key, label in PLANNING_DEMAND_COLUMNS],
            ([d[key] for key, _label in PLANNING_DEMAND_COLUMNS] for d in demands),
            gap=0,
        )
        ds.freeze_panes(1, 0)
        ds.set_column(0, 4, 18)

    info = book.add_sheet("说明")
    notes = [
        "事件数：窗口内投诉与故障报修（合并到主单的子单只计一次）。",
        "期望数：由同类资产（同层级、同区域类别）的发生率和本资产过去各期的历史按经验贝叶斯估计。",
        "q值：Benjamini–Hochberg 校正后的显著性；q ≤ FDR 且事件数 ≥ 3 即为热点。",
        "类型：structural = 长期高于同类；emerging = 明显高于自身历史。",
        "负载率：台区内客户合同容量之和 / 配变容量。",
        "建议措施类别：transformer_capacity 变压器增容/布点；line_reinforcement 线路改造；"
        "maintenance 检修消缺；service_process 服务流程改进。",
    ]
    window = run.outage_window
    if window is not None:
        notes += [
            gettext(
                "列入原因：投诉与故障热点，和/或频繁停电（资产下至少 1 户近 %(months)s 个月停电超过 "
                "%(count)s 次）；同一资产两项原因都有时列在同一行。"
            )
            % {"months": window.months, "count": window.min_count},
            gettext(
                "停电事件数、停电户次、停电时户数（分钟）：按供电可靠性统计口径，统计期 %(start)s 至 %(end)s。"
            )
            % {"start": window.start.isoformat(), "end": window.end.isoformat()},
        ]
    for n in notes:
        info.line(n)
    info.set_column(0, 0, 100)
    return book.close()
