"""`gridcare import outages FILE`: historical or ongoing outages, one row per affected
transformer area; all rows or none; importing the same file again changes nothing.

Rows sharing an ``outage_no`` build one outage: its start is the earliest area start, it is
restored (at the latest area restoration) when every row has ``restored_at``, else still in
progress. The affected customers of each area are those hanging on it when the area is
first imported (the customer register keeps no history); a re-import keeps them. An outage
already in the database is brought in line with the file (kind, cause, areas, times).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer
from gridcare.grid.models import TransformerArea

from .choices import OutageKind, OutageStatus
from .models import Outage, OutageArea, OutageCustomer
from .services import aware, common_path, conflicting_area_ids, freeze_customers, overlaps

COLUMNS = ["outage_no", "kind", "area_code", "started_at", "restored_at", "cause"]
COLUMN_LABELS = {
    "outage_no": gettext_lazy("停电编号"),
    "kind": gettext_lazy("停电类型"),
    "area_code": gettext_lazy("台区编码"),
    "started_at": gettext_lazy("停电时间"),
    "restored_at": gettext_lazy("恢复送电时间"),
    "cause": gettext_lazy("停电原因"),
}
KINDS = set(OutageKind.values)
NO_MAX = Outage._meta.get_field("outage_no").max_length
FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_time(text: str) -> dt.datetime | None:
    """A local time as written in a spreadsheet (``2025-03-01 08:30``) or ISO 8601."""
    text = text.strip()
    for fmt in FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return aware(value)


@register_importer("outages", gettext_lazy("停电事件：每个停电台区一行"))
def import_outages(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="outages")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report, COLUMN_LABELS):
        raise ImportFailed(report)
    idx = {c: table.headers.index(c) for c in COLUMNS}
    parsed = []
    codes = set()
    for rowno, cells in table.rows:
        report.rows += 1
        if progress:
            progress(1)
        if len(cells) != len(table.headers):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(table.headers)})
            continue
        v = {c: cells[i] for c, i in idx.items()}
        ok = True
        if not v["outage_no"]:
            report.add_error(rowno, "outage_no", "", _("不能为空"))
            ok = False
        elif len(v["outage_no"]) > NO_MAX:
            report.add_error(rowno, "outage_no", v["outage_no"], _("最多 %(n)s 个字符") % {"n": NO_MAX})
            ok = False
        if v["kind"] not in KINDS:
            report.add_error(
                rowno,
                "kind",
                v["kind"],
                _("停电类型应为 %(kinds)s 之一") % {"kinds": "、".join(OutageKind.values)},
            )
            ok = False
        if not v["area_code"]:
            report.add_error(rowno, "area_code", "", _("不能为空"))
            ok = False
        started = parse_time(v["started_at"]) if v["started_at"] else None
        if started is None:
            report.add_error(rowno, "started_at", v["started_at"], _("停电时间应为“年-月-日 时:分”"))
            ok = False
        restored = None
        if v["restored_at"]:
            restored = parse_time(v["restored_at"])
            if restored is None:
                report.add_error(
                    rowno, "restored_at", v["restored_at"], _("恢复送电时间应为“年-月-日 时:分”")
                )
                ok = False
            elif started and restored < started:
                report.add_error(rowno, "restored_at", v["restored_at"], _("恢复送电时间不能早于停电时间"))
                ok = False
        codes.add(v["area_code"])
        parsed.append((rowno, v, started, restored, ok))
    areas = {a.code: a for a in TransformerArea.objects.filter(code__in=codes).select_related("station")}

    outages: dict[str, dict] = {}
    seen: dict[tuple[str, str], int] = {}
    for rowno, v, started, restored, ok in parsed:
        area = areas.get(v["area_code"])
        if v["area_code"] and area is None:
            report.add_error(rowno, "area_code", v["area_code"], _("台区编码不存在"))
            ok = False
        key = (v["outage_no"], v["area_code"])
        if key in seen:
            report.add_error(
                rowno,
                "area_code",
                v["area_code"],
                _("同一停电编号的台区与第 %(row)s 行重复") % {"row": seen[key]},
            )
            ok = False
        else:
            seen[key] = rowno
        o = outages.get(v["outage_no"])
        if o and (o["kind"], o["cause"]) != (v["kind"], v["cause"]):
            report.add_error(
                rowno,
                "outage_no",
                v["outage_no"],
                _("同一停电编号在第 %(row)s 行的类型或原因不同") % {"row": o["row"]},
            )
            ok = False
        if not ok:
            continue
        if o is None:
            o = outages[v["outage_no"]] = {"row": rowno, "kind": v["kind"], "cause": v["cause"], "areas": {}}
        o["areas"][area.pk] = (rowno, area, started, restored)

    # An area is out once at a time: not in two outages of this file, nor in another one.
    by_area: dict[int, list] = {}
    for no, o in outages.items():
        for aid, (rowno, area, started, restored) in o["areas"].items():
            by_area.setdefault(aid, []).append((started, restored, no, rowno, area))
    existing_ids = dict(Outage.objects.filter(outage_no__in=list(outages)).values_list("outage_no", "pk"))
    for items in by_area.values():
        items.sort(key=lambda i: (i[0], i[3]))
        for i, (started, restored, _no, rowno, area) in enumerate(items):
            for s2, r2, no2, row2, _a in items[:i]:
                if overlaps((started, restored), (s2, r2)):
                    report.add_error(
                        rowno,
                        "area_code",
                        area.code,
                        _("台区与第 %(row)s 行的停电（%(no)s）时间重叠") % {"row": row2, "no": no2},
                    )
                    break
            else:
                other = conflicting_area_ids(
                    [area.pk], (started, restored), exclude_outage_ids=existing_ids.values()
                )
                if other:
                    report.add_error(
                        rowno,
                        "area_code",
                        area.code,
                        _("台区已在其他停电事件中：%(areas)s")
                        % {"areas": f"{area.code}（{other[area.pk]}）"},
                    )
    if not report.ok:
        report.errors.sort(key=lambda e: e.row)  # checked in passes; reported in file order
        raise ImportFailed(report)

    created = updated = 0
    with transaction.atomic():
        current = {
            o.outage_no: o for o in Outage.objects.select_for_update().filter(outage_no__in=list(outages))
        }
        audits = []
        for no, o in outages.items():
            rows = o["areas"]
            starts = [r[2] for r in rows.values()]
            restores = [r[3] for r in rows.values()]
            values = {
                "kind": o["kind"],
                "cause": o["cause"],
                "status": OutageStatus.RESTORED if all(restores) else OutageStatus.IN_PROGRESS,
                "started_at": min(starts),
                "restored_at": max(restores) if all(restores) else None,
                "unit_path": common_path(r[1].station.path for r in rows.values()),
            }
            outage = current.get(no)
            if outage is None:
                outage = Outage.objects.create(outage_no=no, **values)
                created += 1
                changes = {"created": [None, len(rows)]}
                old_areas: dict[int, OutageArea] = {}
            else:
                changes = {
                    k: [str(getattr(outage, k)), str(val)]
                    for k, val in values.items()
                    if getattr(outage, k) != val
                }
                old_areas = {oa.area_id: oa for oa in OutageArea.objects.filter(outage=outage)}
            area_changed = _sync_areas(outage, rows, old_areas)
            if no in current:
                if changes or area_changed:
                    for k, val in values.items():
                        setattr(outage, k, val)
                    outage.version += 1
                    outage.save()
                    updated += 1
                    if area_changed:
                        changes["areas"] = [None, area_changed]
                else:
                    report.unchanged += 1
                    continue
            audits.append(
                AuditEvent(
                    actor=actor,
                    action="outage.import_update" if no in current else "outage.import_create",
                    object_type="outages.outage",
                    object_id=str(outage.pk),
                    object_repr=no,
                    changes=changes,
                    unit_path=values["unit_path"],
                    note=name,
                )
            )
        AuditEvent.objects.bulk_create(audits, batch_size=2000)
        audit_record(
            actor=actor,
            action="outage.import",
            object_type="outages.outage",
            object_id="*",
            object_repr=f"导入 {name}",
            changes={"created": created, "updated": updated},
            note=name,
        )
    report.created, report.updated = created, updated
    return report


def _sync_areas(outage: Outage, rows: dict, old: dict[int, OutageArea]) -> list[str]:
    """Bring the outage's areas and frozen customers in line with the file; the codes of
    the areas that changed."""
    changed = []
    for aid, (_rowno, area, started, restored) in rows.items():
        oa = old.get(aid)
        if oa is None:
            OutageArea.objects.create(outage=outage, area=area, started_at=started, restored_at=restored)
            freeze_customers(outage=outage, area_ids=[aid], at=started, restored_at=restored)
            changed.append(area.code)
        elif (oa.started_at, oa.restored_at) != (started, restored):
            oa.started_at, oa.restored_at = started, restored
            oa.save(update_fields=["started_at", "restored_at"])
            OutageCustomer.objects.filter(outage=outage, area_id=aid).update(
                started_at=started, restored_at=restored
            )
            changed.append(area.code)
    gone = [aid for aid in old if aid not in rows]
    if gone:
        OutageCustomer.objects.filter(outage=outage, area_id__in=gone).delete()
        OutageArea.objects.filter(outage=outage, area_id__in=gone).delete()
        changed += [old[aid].area.code for aid in gone]
    return sorted(changed)
