"""`gridcare import grid FILE`: stations must exist; substations, feeders and transformer
areas are created or updated in place by name/code; all rows or none."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcare.core.audit import audit_record
from gridcare.core.models import AuditEvent
from gridcare.core.tabular import ImportFailed, ImportReport, check_headers, read_table, register_importer
from gridcare.core.textutil import to_halfwidth
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from .choices import AreaClass
from .models import Feeder, Substation, TransformerArea
from .signals import transformer_areas_moved

COLUMNS = [
    "station_code",
    "station_name",
    "substation_name",
    "feeder_code",
    "feeder_name",
    "area_code",
    "area_name",
    "capacity_kva",
    "area_class",
]
# Export headers in the reader's language; the import reads codes or these labels.
COLUMN_LABELS = {
    "station_code": gettext_lazy("供电所编码"),
    "station_name": gettext_lazy("供电所名称"),
    "substation_name": gettext_lazy("变电站名称"),
    "feeder_code": gettext_lazy("线路编码"),
    "feeder_name": gettext_lazy("线路名称"),
    "area_code": gettext_lazy("台区编码"),
    "area_name": gettext_lazy("台区名称"),
    "capacity_kva": gettext_lazy("容量(kVA)"),
    "area_class": gettext_lazy("区域类别"),
}
AREA_CLASSES = set(AreaClass.values)
# Longest text each column may hold (the model's max_length).
MAX_LENGTH = {
    "substation_name": Substation._meta.get_field("name").max_length,
    "feeder_code": Feeder._meta.get_field("code").max_length,
    "feeder_name": Feeder._meta.get_field("name").max_length,
    "area_code": TransformerArea._meta.get_field("code").max_length,
    "area_name": TransformerArea._meta.get_field("name").max_length,
}
MAX_CAPACITY = Decimal("1e9")  # capacity_kva: 10 digits, 1 after the point


@register_importer("grid", gettext_lazy("电网台账：变电站、线路、台区"))
def import_grid(*, source, actor=None, name: str = "", progress=None) -> ImportReport:
    report = ImportReport(kind="grid")
    table = read_table(source, name=name)
    if not check_headers(table, COLUMNS, report, COLUMN_LABELS):
        raise ImportFailed(report)
    stations = {u.code: u for u in OrgUnit.objects.filter(kind=UnitKind.STATION)}
    idx = {c: table.headers.index(c) for c in COLUMNS}
    feeders_in_file: dict[str, tuple[str, str, int]] = {}
    areas_seen: dict[str, int] = {}
    rows = []
    for rowno, cells in table.rows:
        report.rows += 1
        if len(cells) != len(table.headers):
            report.add_error(rowno, "*", len(cells), _("列数不符：应为 %(n)s 列") % {"n": len(table.headers)})
            continue
        v = {c: cells[i] for c, i in idx.items()}
        ok = True
        st = stations.get(v["station_code"])
        if st is None:
            report.add_error(rowno, "station_code", v["station_code"], _("供电所编码不存在"))
            ok = False
        for col, longest in MAX_LENGTH.items():
            if not v[col]:
                report.add_error(rowno, col, "", _("不能为空"))
                ok = False
            elif len(v[col]) > longest:
                report.add_error(rowno, col, v[col], _("最多 %(n)s 个字符") % {"n": longest})
                ok = False
        fc = v["feeder_code"]
        if fc:
            prev = feeders_in_file.get(fc)
            if prev and (prev[0], prev[1]) != (v["feeder_name"], v["substation_name"]):
                report.add_error(
                    rowno,
                    "feeder_code",
                    fc,
                    _("同一线路在第 %(row)s 行的名称或变电站不同") % {"row": prev[2]},
                )
                ok = False
            elif not prev:
                feeders_in_file[fc] = (v["feeder_name"], v["substation_name"], rowno)
        ac = v["area_code"]
        if ac in areas_seen:
            report.add_error(
                rowno, "area_code", ac, _("台区编码与第 %(row)s 行重复") % {"row": areas_seen[ac]}
            )
            ok = False
        elif ac:
            areas_seen[ac] = rowno
        try:
            cap = Decimal(to_halfwidth(v["capacity_kva"])).quantize(Decimal("0.1"))
            if not cap.is_finite() or cap <= 0 or cap >= MAX_CAPACITY:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            report.add_error(
                rowno,
                "capacity_kva",
                v["capacity_kva"],
                _("容量须为小于 10 亿的正数"),
            )
            ok = False
        if v["area_class"] not in AREA_CLASSES:
            report.add_error(rowno, "area_class", v["area_class"], _("区域类别应为 urban、rural 或 remote"))
            ok = False
        if ok:
            rows.append((v, st, cap))
        if progress:
            progress(1)
    if not report.ok:
        raise ImportFailed(report)

    with transaction.atomic():
        subs = {s.name: s for s in Substation.objects.all()}
        for sname in {v["substation_name"] for v, _, _ in rows} - set(subs):
            subs[sname] = Substation.objects.create(name=sname)
        feeders = {f.code: f for f in Feeder.objects.filter(code__in=list(feeders_in_file))}
        for code, (fname, sname, _r) in feeders_in_file.items():
            f = feeders.get(code)
            if f is None:
                feeders[code] = Feeder.objects.create(code=code, name=fname, substation=subs[sname])
            elif (f.name, f.substation_id) != (fname, subs[sname].pk):
                old = {"name": f.name, "substation": f.substation_id}
                f.name, f.substation = fname, subs[sname]
                f.save(update_fields=["name", "substation", "updated_at"])
                audit_record(
                    actor=actor,
                    action="feeder.import_update",
                    obj=f,
                    changes={k: [old[k], getattr(f, k if k == "name" else "substation_id")] for k in old},
                )
        existing = {a.code: a for a in TransformerArea.objects.filter(code__in=list(areas_seen))}
        new, changed, audits = [], [], []
        for v, st, cap in rows:
            a = existing.get(v["area_code"])
            values = {
                "name": v["area_name"],
                "feeder_id": feeders[v["feeder_code"]].pk,
                "station_id": st.pk,
                "capacity_kva": cap,
                "area_class": v["area_class"],
            }
            if a is None:
                new.append(TransformerArea(code=v["area_code"], **values))
                continue
            changes = {
                k.removesuffix("_id"): [str(getattr(a, k)), str(val)]
                for k, val in values.items()
                if getattr(a, k) != val
            }
            if not changes:
                report.unchanged += 1
                continue
            for k, val in values.items():
                setattr(a, k, val)
            changed.append(a)
            audits.append(
                AuditEvent(
                    actor=actor,
                    action="area.import_update",
                    object_type="grid.transformerarea",
                    object_id=str(a.pk),
                    object_repr=str(a)[:200],
                    changes=changes,
                    unit_path=st.path,
                    note=name,
                )
            )
        TransformerArea.objects.bulk_create(new, batch_size=2000)
        TransformerArea.objects.bulk_update(
            changed, ["name", "feeder", "station", "capacity_kva", "area_class"], batch_size=2000
        )
        # A transformer area moved to another station takes its customers along (户变关系 keeps scoping right).
        moved = [
            a for a in changed if "station" in next(e.changes for e in audits if e.object_id == str(a.pk))
        ]
        if moved:
            # The customers app moves their customers along (it alone writes customers).
            transformer_areas_moved.send(sender=TransformerArea, area_ids=[a.pk for a in moved])
        AuditEvent.objects.bulk_create(audits, batch_size=2000)
        audit_record(
            actor=actor,
            action="grid.import",
            object_type="grid.transformerarea",
            object_id="*",
            object_repr=f"导入 {name}",
            changes={"created": len(new), "updated": len(changed)},
            note=name,
        )
    report.created, report.updated = len(new), len(changed)
    return report
