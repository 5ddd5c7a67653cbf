"""`gridcare import work-orders FILE`: historical work orders, validated row by row, all or nothing.

Columns (exactly): order_no, created_at, channel, request_type, dimension, customer_no,
area_code, text, status, closed_at, satisfaction. Empty ``request_type``/``dimension``
are filled by the text classifier. An order number already in the database updates that
order when it came from an earlier import; orders taken live in GridCare are never
overwritten by a file. Imported orders are history: they get no time-limit clocks, and
their timeline holds one "imported" creation event (plus the closing event when closed)
whose data keeps the three-level satisfaction and the classifier version that labelled
them.

The work-order app writes the orders (``work_orders_import_history``); the text classifier
lives on a higher floor (analytics) and registers itself here at start-up
(``register_text_classifier``) to fill the empty labels.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.calendar import local_tz
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer
from gridcare.core.textutil import to_halfwidth
from gridcare.customers.models import Customer
from gridcare.grid.models import TransformerArea
from gridcare.org.models import OrgUnit

from .choices import (
    ACTIVE_STATUSES,
    CLOSED_STATUSES,
    Action,
    ApplicationSubtype,
    Channel,
    Dimension,
    Priority,
    RequestType,
    Status,
)
from .models import WorkOrder, WorkOrderEvent

COLUMNS = [
    "order_no",
    "created_at",
    "channel",
    "request_type",
    "dimension",
    "customer_no",
    "area_code",
    "text",
    "status",
    "closed_at",
    "satisfaction",
]
SATISFACTION = {"": None, "satisfied": True, "basically_satisfied": True, "unsatisfied": False}
ORDER_NO_RE = re.compile(r"^[0-9A-Za-z_\-./]{1,64}$")
MAX_TEXT = 10_000
CHANNELS, TYPES, DIMENSIONS, STATUSES = (
    set(Channel.values),
    set(RequestType.values),
    set(Dimension.values),
    set(Status.values),
)
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
# Service applications need a subtype; the file has none, so it is read from the text.
SUBTYPE_KEYWORDS = [
    (("校验", "校表", "检定", "表计"), ApplicationSubtype.METER_TEST),
    (("充电桩",), ApplicationSubtype.EV_CHARGER),
    (("光伏", "并网"), ApplicationSubtype.PV_CONNECTION),
    (("峰谷", "分时"), ApplicationSubtype.TOU_TARIFF),
    (("过户", "更名", "改名"), ApplicationSubtype.NAME_CHANGE),
    (("增容", "减容", "扩容"), ApplicationSubtype.CAPACITY_CHANGE),
    (("暂停", "恢复用电", "销户"), ApplicationSubtype.PAUSE_RESUME),
    (("新装", "报装", "装表", "接电", "立户"), ApplicationSubtype.NEW_CONNECTION),
]
# Fields an update may change (compared to decide updated/unchanged).
UPDATE_FIELDS = [
    "channel",
    "request_type",
    "subtype",
    "dimension",
    "description",
    "customer_id",
    "area_id",
    "feeder_id",
    "area_class",
    "unit_id",
    "unit_path",
    "accepted_unit_id",
    "accepted_path",
    "status",
    "priority",
    "created_at",
    "replied_at",
    "closed_at",
    "satisfied",
]


def parse_datetime(value: str) -> dt.datetime | None:
    """A local (Asia/Shanghai unless configured) or offset-carrying date/time; None if unreadable."""
    value = to_halfwidth(value).strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_tz())
    return parsed


def subtype_for(text: str) -> str:
    for words, subtype in SUBTYPE_KEYWORDS:
        if any(w in text for w in words):
            return subtype
    return ApplicationSubtype.OTHER


def _priority(request_type: str, dimension: str) -> int:
    if request_type == RequestType.FAULT_REPAIR and dimension == Dimension.SUPPLY_SAFETY:
        return Priority.URGENT
    if request_type == RequestType.COMPLAINT:
        return Priority.HIGH
    return Priority.NORMAL


def _customers(numbers: set[str]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    numbers_list = sorted(numbers)
    for i in range(0, len(numbers_list), 5000):
        for no, pk, area_id in Customer.objects.filter(
            customer_no__in=numbers_list[i : i + 5000]
        ).values_list("customer_no", "pk", "area_id"):
            out[no] = (pk, area_id)
    return out


_TEXT_CLASSIFIER: list = []


def register_text_classifier(fn) -> None:
    """The classifier (analytics) offers ``fn(texts) -> predictions`` (each with
    ``request_type``, ``dimension``, ``model_version``, ``low_confidence``)."""
    _TEXT_CLASSIFIER[:] = [fn]


def _classifier():
    """The registered text classifier, or None when none is installed."""
    return _TEXT_CLASSIFIER[0] if _TEXT_CLASSIFIER else None


def validate_rows(table, report: ImportReport, progress=None) -> list[dict]:
    """Check every row; return the valid rows as dicts (labels may still be empty)."""
    idx = {c: table.headers.index(c) for c in COLUMNS}
    ncols = len(table.headers)
    rows = list(table.rows)
    numbers = {to_halfwidth(cells[idx["customer_no"]]) for _, cells in rows if len(cells) == ncols}
    numbers.discard("")
    customers = _customers(numbers)
    areas = {
        code: (pk, station_id, feeder_id, area_class)
        for code, pk, station_id, feeder_id, area_class in TransformerArea.objects.values_list(
            "code", "pk", "station_id", "feeder_id", "area_class"
        )
    }
    area_by_pk = {v[0]: v for v in areas.values()}
    now = timezone.now() + dt.timedelta(minutes=10)  # small clock skew between systems
    seen: dict[str, int] = {}
    out: list[dict] = []
    add = report.add_error
    for n, (rowno, cells) in enumerate(rows, start=1):
        report.rows += 1
        if progress and n % 10_000 == 0:
            progress(10_000)
        if len(cells) != ncols:
            add(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": ncols})
            continue
        get = {c: cells[i] for c, i in idx.items()}
        ok = True
        order_no = to_halfwidth(get["order_no"])
        if not ORDER_NO_RE.match(order_no):
            add(rowno, "order_no", order_no, _("工单编号应为1-64位字母、数字或 -_./"))
            ok = False
        elif order_no in seen:
            add(rowno, "order_no", order_no, _("工单编号与第 %(row)s 行重复") % {"row": seen[order_no]})
            ok = False
        else:
            seen[order_no] = rowno
        created = parse_datetime(get["created_at"])
        if created is None:
            add(rowno, "created_at", get["created_at"], _("受理时间无法识别（如 2026-10-01 08:30）"))
            ok = False
        elif created > now:
            add(rowno, "created_at", get["created_at"], _("受理时间在未来"))
            ok = False
        channel = get["channel"]
        if channel not in CHANNELS:
            add(
                rowno,
                "channel",
                channel,
                _("受理渠道无效（%(choices)s）") % {"choices": ", ".join(Channel.values)},
            )
            ok = False
        rtype = get["request_type"]
        if rtype and rtype not in TYPES:
            add(
                rowno,
                "request_type",
                rtype,
                _("诉求类型无效（%(choices)s）") % {"choices": ", ".join(RequestType.values)},
            )
            ok = False
        dim = get["dimension"]
        if dim and dim not in DIMENSIONS:
            add(
                rowno,
                "dimension",
                dim,
                _("分析维度无效（%(choices)s）") % {"choices": ", ".join(Dimension.values)},
            )
            ok = False
        customer = None
        customer_no = to_halfwidth(get["customer_no"])
        if customer_no:
            customer = customers.get(customer_no)
            if customer is None:
                add(rowno, "customer_no", customer_no, _("户号不存在"))
                ok = False
        area = None
        if get["area_code"]:
            area = areas.get(get["area_code"])
            if area is None:
                add(rowno, "area_code", get["area_code"], _("台区编码不存在"))
                ok = False
        elif customer is not None:
            area = area_by_pk.get(customer[1])
        elif not customer_no:
            add(rowno, "area_code", "", _("户号与台区编码至少填一项"))
            ok = False
        text = get["text"].strip()
        if not text:
            add(rowno, "text", "", _("诉求内容不能为空"))
            ok = False
        elif len(text) > MAX_TEXT:
            add(rowno, "text", text[:20], _("诉求内容超过 %(n)s 字") % {"n": MAX_TEXT})
            ok = False
        status = get["status"]
        if status not in STATUSES:
            add(rowno, "status", status, _("状态无效（%(choices)s）") % {"choices": ", ".join(Status.values)})
            ok = False
        closed = None
        if get["closed_at"]:
            closed = parse_datetime(get["closed_at"])
            if closed is None:
                add(rowno, "closed_at", get["closed_at"], _("关闭时间无法识别"))
                ok = False
            elif created is not None and closed < created:
                add(rowno, "closed_at", get["closed_at"], _("关闭时间早于受理时间"))
                ok = False
            elif closed > now:
                add(rowno, "closed_at", get["closed_at"], _("关闭时间在未来"))
                ok = False
            elif status in ACTIVE_STATUSES:
                add(rowno, "closed_at", get["closed_at"], _("未关闭的工单不应有关闭时间"))
                ok = False
        elif status in CLOSED_STATUSES:
            add(rowno, "closed_at", "", _("已归档/撤销的工单须填关闭时间"))
            ok = False
        satisfaction = get["satisfaction"].strip().lower()
        if satisfaction not in SATISFACTION:
            add(
                rowno,
                "satisfaction",
                get["satisfaction"],
                _("满意度应为空或 satisfied / basically_satisfied / unsatisfied"),
            )
            ok = False
        if ok:
            out.append(
                {
                    "row": rowno,
                    "order_no": order_no,
                    "created_at": created,
                    "channel": channel,
                    "request_type": rtype,
                    "dimension": dim,
                    "customer_id": customer[0] if customer else None,
                    "area": area,
                    "text": text,
                    "status": status,
                    "closed_at": closed,
                    "satisfaction": satisfaction,
                }
            )
    return out


def classify_missing(rows: list[dict], report: ImportReport, batch: int = 5000) -> str:
    """Fill empty request types/dimensions from the classifier; returns the model version."""
    todo = [r for r in rows if not r["request_type"] or not r["dimension"]]
    if not todo:
        return ""
    classify = _classifier()
    if classify is None:
        for r in todo:
            col = "request_type" if not r["request_type"] else "dimension"
            report.add_error(r["row"], col, "", _("分类器不可用，请填写诉求类型和分析维度"))
        return ""
    version = ""
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        for r, p in zip(chunk, classify([r["text"] for r in chunk]), strict=True):
            if p.request_type is None or p.dimension is None:
                report.add_error(r["row"], "text", r["text"][:20], _("无法自动分类"))
                continue
            r["request_type"] = r["request_type"] or p.request_type
            r["dimension"] = r["dimension"] or p.dimension
            r["classified"] = {"version": p.model_version, "low_confidence": bool(p.low_confidence)}
            version = p.model_version or version
    return version


def _order_values(r: dict, units: dict[int, str]) -> dict:
    area_id, station_id, feeder_id, area_class = r["area"]
    path = units[station_id]
    status = r["status"]
    closed = r["closed_at"]
    return {
        "channel": r["channel"],
        "request_type": r["request_type"],
        "subtype": subtype_for(r["text"]) if r["request_type"] == RequestType.SERVICE_APPLICATION else "",
        "dimension": r["dimension"],
        "description": r["text"],
        "customer_id": r["customer_id"],
        "area_id": area_id,
        "feeder_id": feeder_id,
        "area_class": area_class,
        "unit_id": station_id,
        "unit_path": path,
        "accepted_unit_id": station_id,
        "accepted_path": path,
        "status": status,
        "priority": _priority(r["request_type"], r["dimension"]),
        "created_at": r["created_at"],
        "replied_at": closed if status == Status.ARCHIVED else None,
        "closed_at": closed,
        "satisfied": SATISFACTION[r["satisfaction"]],
    }


def _events(order_id: int, r: dict, name: str) -> list[WorkOrderEvent]:
    data = {"imported": True, "file": name[-200:], "satisfaction": r["satisfaction"] or None}
    if "classified" in r:
        data["classified"] = r["classified"]
    out = [
        WorkOrderEvent(
            order_id=order_id,
            at=r["created_at"],
            action=Action.CREATE,
            from_status="",
            to_status=r["status"] if r["status"] not in CLOSED_STATUSES else Status.ACCEPTED,
            note="历史工单导入",
            data=data,
        )
    ]
    if r["status"] in CLOSED_STATUSES:
        out.append(
            WorkOrderEvent(
                order_id=order_id,
                at=r["closed_at"],
                action=Action.ARCHIVE if r["status"] == Status.ARCHIVED else Action.CANCEL,
                from_status=Status.ACCEPTED,
                to_status=r["status"],
                note="历史工单导入",
                data={"imported": True, "satisfaction": r["satisfaction"] or None},
            )
        )
    return out


def _existing(order_nos: list[str]) -> tuple[dict[str, WorkOrder], set[int]]:
    found: dict[str, WorkOrder] = {}
    for i in range(0, len(order_nos), 5000):
        for o in WorkOrder.objects.filter(order_no__in=order_nos[i : i + 5000]).only(
            "pk", "order_no", *UPDATE_FIELDS
        ):
            found[o.order_no] = o
    imported: set[int] = set()
    ids = [o.pk for o in found.values()]
    for i in range(0, len(ids), 5000):
        imported.update(
            WorkOrderEvent.objects.filter(
                order_id__in=ids[i : i + 5000], action=Action.CREATE, data__imported=True
            ).values_list("order_id", flat=True)
        )
    return found, imported


@register_importer("work-orders", gettext_lazy("历史工单（空白的诉求类型/分析维度自动分类）"))
def import_work_orders(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    """Validate every row, classify unlabelled ones, then insert or update all orders or none."""
    report = ImportReport(kind="work-orders")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report):
        raise ImportFailed(report)
    rows = validate_rows(table, report, progress)
    existing: dict[str, WorkOrder] = {}
    version = ""
    if report.ok:
        existing, imported = (
            _existing([r["order_no"] for r in rows]) if WorkOrder.objects.exists() else ({}, set())
        )
        for r in rows:
            old = existing.get(r["order_no"])
            if old is not None and old.pk not in imported:
                report.add_error(
                    r["row"],
                    "order_no",
                    r["order_no"],
                    _("该工单在系统中受理，不能用导入文件覆盖"),
                )
    if report.ok:
        version = classify_missing(rows, report)
    if not report.ok:
        raise ImportFailed(report)
    created, updated = work_orders_import_history(
        rows=rows, existing=existing, actor=actor, name=name, report=report, classifier_version=version
    )
    report.created, report.updated = created, updated
    return report


def work_orders_import_history(
    *, rows: list[dict], existing: dict, actor, name: str, report: ImportReport, classifier_version: str = ""
) -> tuple[int, int]:
    """Write validated history rows: insert new orders with their "imported" timeline, update
    orders an earlier import created, all in one transaction; returns (created, updated).

    The bulk path of the one writer of work orders: history carries no clocks and sends no
    announcements (nothing reacts to the past), and it is audited as one import.
    """
    version = classifier_version
    units = dict(OrgUnit.objects.values_list("pk", "path"))
    new_orders: list[tuple[WorkOrder, dict]] = []
    updates: list[WorkOrder] = []
    for r in rows:
        values = _order_values(r, units)
        old = existing.get(r["order_no"])
        if old is None:
            new_orders.append((WorkOrder(order_no=r["order_no"], version=1, **values), r))
            continue
        changed = [f for f in UPDATE_FIELDS if getattr(old, f) != values[f]]
        if not changed:
            report.unchanged += 1
            continue
        for f in UPDATE_FIELDS:
            setattr(old, f, values[f])
        old.version += 1
        updates.append(old)
    with transaction.atomic():
        created = WorkOrder.objects.bulk_create([o for o, _ in new_orders], batch_size=2000)
        events: list[WorkOrderEvent] = []
        for order, (_, r) in zip(created, new_orders, strict=True):
            events.extend(_events(order.pk, r, name))
        WorkOrderEvent.objects.bulk_create(events, batch_size=5000)
        if updates:
            WorkOrder.objects.bulk_update(updates, [*UPDATE_FIELDS, "version"], batch_size=1000)
        audit_record(
            actor=actor,
            action="work_order.import",
            object_type="workorders.workorder",
            object_id="*",
            object_repr=f"导入 {name}"[:200],
            changes={
                "created": len(created),
                "updated": len(updates),
                "unchanged": report.unchanged,
                "classifier": version,
            },
            note=name,
        )
    return len(created), len(updates)
