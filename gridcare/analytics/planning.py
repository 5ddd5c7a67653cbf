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
        "期望数：同层级、同区域类别资产的发生率，按季节、上一级资产（供电所/县公司）和客户类别构成调整，再用本资产过去最多两年的历史按经验贝叶斯修正。",
        "q值：自身历史与同类两项检验按加权 Bonferroni 合并后，经 Benjamini–Hochberg 校正的显著性；q ≤ FDR 且事件数 ≥ 3 即为热点。",
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


# ----------------------------------------------------------------------------- the planning loop
# A planner accepts a hotspot into the plan (with the project or action), rejects it (with a
# reason) or marks it fixed; accepted rows are the tracked actions; after a fix the hotspot
# page compares the asset's rate before and after with the same peer model.

PLAN_PERMISSION = "analytics.plan_hotspots"
MAX_TEXT = 500
# A fix is judged on equal windows before and after it, of at most this many days, and
# not before this many days have passed.
FIX_WINDOW_DAYS = 90
FIX_MIN_DAYS = 14
FIX_LEVEL = 0.05  # after the fix, the asset's own test against its peers at this level


def _asset_scope(level: str, asset_id: int):
    """(code, name, unit path of the asset) or None when there is no such asset."""
    from .hotspots import load_assets

    asset = load_assets(level).get(asset_id)
    if asset is None:
        return None
    return asset, min(asset.paths) if asset.paths else ""


def hotspot_decide(
    *,
    actor,
    level: str,
    asset_id: int,
    dimension: str,
    state: str,
    action: str = "",
    action_category: str = "",
    reason: str = "",
    fixed_at=None,
    baseline: dict | None = None,
    expected_version: int | None = None,
):
    """Record a planner's decision on one hotspot (creates or updates its row), audited.

    ``accepted`` needs ``action`` (the project or measure; ``action_category`` one of
    ``ActionCategory``), ``rejected`` a ``reason``, ``fixed`` an accepted row (``fixed_at``
    defaults to now, never in the future). An existing row is changed only with its
    ``expected_version`` (409 otherwise).
    """
    from django.db import IntegrityError, transaction

    from gridcare.core.audit import audit_record
    from gridcare.core.authz import require
    from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
    from gridcare.core.scoping import scope_path as user_scope_path

    from .hotspots import LEVELS
    from .models import HotspotDecision, HotspotDecisionState

    require(actor, PLAN_PERMISSION)
    if level not in LEVELS:
        raise ApplicationError(gettext("未知的层级"), field="level")
    if dimension not in Dimension.values:
        raise ApplicationError(gettext("未知的维度"), field="dimension")
    if state not in HotspotDecisionState.values:
        raise ApplicationError(gettext("未知的处理状态"), field="state")
    action, reason = (action or "").strip(), (reason or "").strip()
    if len(action) > MAX_TEXT or len(reason) > MAX_TEXT:
        raise ApplicationError(
            gettext("内容过长（最多 500 字）"), field="action" if len(action) > MAX_TEXT else "reason"
        )
    if action_category and action_category not in ActionCategory.values:
        raise ApplicationError(gettext("未知的措施类别"), field="action_category")
    found = _asset_scope(level, asset_id)
    if found is None:
        raise ApplicationError(gettext("资产不存在"), field="asset_id")
    asset, path = found
    mine = user_scope_path(actor)
    if mine is None or not (mine == "" or any(p.startswith(mine) for p in asset.paths)):
        raise PermissionDeniedError(gettext("该资产不在您的管辖范围内"))
    now = timezone.now()
    existing = HotspotDecision.objects.filter(level=level, asset_id=asset_id, dimension=dimension).first()
    if existing is not None and expected_version != existing.version:
        raise ConflictError(gettext("该热点的处理已被他人修改，请刷新后重试"))
    if existing is None and expected_version not in (None, 0):
        raise ConflictError(gettext("该热点的处理已被他人修改，请刷新后重试"))
    if state == HotspotDecisionState.ACCEPTED and not action:
        raise ApplicationError(gettext("列入计划需填写项目或措施"), field="action")
    if state == HotspotDecisionState.REJECTED and not reason:
        raise ApplicationError(gettext("不予处理需填写原因"), field="reason")
    if state == HotspotDecisionState.FIXED:
        if existing is None or existing.state not in (
            HotspotDecisionState.ACCEPTED,
            HotspotDecisionState.FIXED,
        ):
            raise ApplicationError(gettext("只有已列入计划的热点才能标记为已整改"), field="state")
        fixed_at = fixed_at or now
        if fixed_at > now:
            raise ApplicationError(gettext("整改完成时间不能晚于现在"), field="fixed_at")
    row = existing or HotspotDecision(level=level, asset_id=asset_id, dimension=dimension, version=0)
    before = {"state": row.state, "action": row.action, "reason": row.reason} if existing else None
    row.asset_code, row.asset_name, row.scope_path = asset.code, asset.name[:200], path
    row.state = state
    if state == HotspotDecisionState.FIXED:
        row.fixed_at = fixed_at
        row.action = action or row.action
        row.action_category = action_category or row.action_category
    else:
        row.fixed_at = None
        row.action = action if state == HotspotDecisionState.ACCEPTED else row.action
        row.action_category = (
            action_category if state == HotspotDecisionState.ACCEPTED else row.action_category
        )
    row.reason = (
        reason
        if state == HotspotDecisionState.REJECTED
        else ("" if state == HotspotDecisionState.ACCEPTED else row.reason)
    )
    if baseline and state != HotspotDecisionState.FIXED:
        row.baseline = {k: baseline.get(k) for k in BASELINE_FIELDS if k in baseline}
    row.decided_by, row.decided_at = actor, now
    row.version += 1
    try:
        with transaction.atomic():
            row.save()
            audit_record(
                actor=actor,
                action="hotspot.decide",
                obj=row,
                changes={
                    "level": level,
                    "asset": asset.code,
                    "dimension": dimension,
                    "state": state,
                    "action": row.action,
                    "action_category": row.action_category,
                    "reason": row.reason,
                    "fixed_at": row.fixed_at.isoformat() if row.fixed_at else None,
                    "before": before,
                },
                unit_path=path,
            )
            transaction.on_commit(_bump_generation)
    except IntegrityError:  # another planner decided the same hotspot a moment ago
        raise ConflictError(gettext("该热点的处理已被他人修改，请刷新后重试")) from None
    return row


BASELINE_FIELDS = ("count", "expected", "expected_peer", "ratio", "q_value", "rate_per_1000", "days", "as_of")


def baseline_of(run, hit: dict) -> dict:
    """What a decision keeps of the hotspot it was taken on: its figures in ``run``."""
    return {**hit, "days": run.days, "as_of": timezone.localtime(run.as_of).isoformat()}


DECISIONS_GENERATION = "analytics:hotspot-decisions:generation"


def _bump_generation() -> None:
    from django.core.cache import cache

    try:
        cache.incr(DECISIONS_GENERATION)
    except ValueError:
        cache.set(DECISIONS_GENERATION, 1, None)


def decisions_by_hotspot(user, level: str) -> dict:
    """{(asset_id, dimension): decision} of the user's units at ``level``, cached until the
    next decision anywhere (the hotspot page asks on every view)."""
    from django.core.cache import cache

    from gridcare.core.scoping import scope_path as user_scope_path

    generation = cache.get(DECISIONS_GENERATION, 0)
    key = f"analytics:hotspot-decisions:{generation}:{level}:{user_scope_path(user)}"
    found = cache.get(key)
    if found is None:
        found = {(d.asset_id, d.dimension): d for d in decisions_for(user, level=level)}
        cache.set(key, found, 600)
    return found


def decisions_for(user, *, level: str | None = None, states=None):
    """The hotspot decisions of the user's units (newest first)."""
    from .models import HotspotDecision

    qs = HotspotDecision.objects.visible_to(user).select_related("decided_by")
    if level:
        qs = qs.filter(level=level)
    if states:
        qs = qs.filter(state__in=states)
    return qs


def fix_effect(decision, *, now=None) -> dict:
    """Did the rate come down? The asset's count against the peer model's expectation
    (class, level above, season, customers' mix: the same model as the hotspot test) in
    equal windows before and after ``fixed_at``.

    Returns ``{"status": "too_early" | "down" | "still_high" | "unknown", "days",
    "before": {...}, "after": {...}}``; each window has count, expected, ratio and p (the
    asset's own test against its peers).
    """
    import datetime as dt

    from .hotspots import history_windows_for, load_assets, score_rows

    now = now or timezone.now()
    if decision.fixed_at is None:
        return {"status": "unknown", "days": 0, "before": None, "after": None}
    days = min(FIX_WINDOW_DAYS, int((now - decision.fixed_at).total_seconds() // 86400))
    if days < FIX_MIN_DAYS:
        return {"status": "too_early", "days": days, "before": None, "after": None}
    assets = {pk: a for pk, a in load_assets(decision.level).items() if a.customers > 0}
    if decision.asset_id not in assets:
        return {"status": "unknown", "days": days, "before": None, "after": None}
    out = {}
    for key, until in (("before", decision.fixed_at), ("after", decision.fixed_at + dt.timedelta(days=days))):
        since = until - dt.timedelta(days=days)
        rows = score_rows(
            decision.level,
            assets,
            since=since,
            as_of=until,
            dimension=decision.dimension,
            windows=history_windows_for(days),
        )
        row = next((r for r in rows if r["pk"] == decision.asset_id), None)
        count = row["count"] if row else 0
        expected = row["expected_peer"] if row else 0.0
        out[key] = {
            "since": since,
            "until": until,
            "count": count,
            "expected": round(expected, 2),
            "ratio": round(count / expected, 2) if expected > 0 else None,
            "p": row["p_peer"] if row else 1.0,
        }
    b, a = out["before"], out["after"]
    down = a["p"] > FIX_LEVEL and (a["ratio"] or 0) < (b["ratio"] or 0)
    return {"status": "down" if down else "still_high", "days": days, **out}
