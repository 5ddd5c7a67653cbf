"""Writing inspections: the sites kept in step with the halls, stations and hotline teams,
an inspection recorded with its results and files (a failed item opens a rectification
item owed by the site's unit, which closes only by a verified fix), a file added later, a
result published. Keyword-only, atomic, permission checked, audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.core.limits import DESCRIPTION_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.core.uploads import DOCUMENTS, RECORDING_MAX_BYTES, RECORDINGS, check_document
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile
from gridcare.rectification.services import rectification_open

from .choices import KINDS_FOR_SITE, TRANSITIONS, InspectionKind, InspectionStatus, SiteKind
from .models import Checklist, Inspection, InspectionFile, InspectionResult, InspectionSetting, InspectionSite
from .selectors import is_pass, score_of

SOURCE_KIND = "inspection_item"
FILES_MAX = 10
NOTE_MAX = 500
FILE_KINDS = DOCUMENTS | RECORDINGS


def sites_sync(*, actor=None) -> dict:
    """Make sure every active hall, every supply station and every unit with hotline
    agents is a site (新增 only: a site an admin switched off stays off). Returns counts."""
    if actor is not None:
        require(actor, "inspections.manage")
    from gridcare.hall.models import Hall

    made = {"hall": 0, "station": 0, "hotline": 0}
    with transaction.atomic():
        have_halls = set(InspectionSite.objects.filter(hall__isnull=False).values_list("hall_id", flat=True))
        for hall in Hall.objects.filter(active=True).exclude(pk__in=have_halls).select_related("unit"):
            InspectionSite.objects.create(kind=SiteKind.HALL, name=hall.name, unit=hall.unit, hall=hall)
            made["hall"] += 1
        have = set(InspectionSite.objects.filter(hall__isnull=True).values_list("kind", "unit_id").order_by())
        for unit in OrgUnit.objects.filter(kind=UnitKind.STATION).order_by("path"):
            if (SiteKind.STATION, unit.pk) not in have:
                InspectionSite.objects.create(kind=SiteKind.STATION, name=unit.name, unit=unit)
                made["station"] += 1
        hotline_units = (
            StaffProfile.objects.filter(role=Role.HOTLINE_AGENT, user__is_active=True, service_account=False)
            .values_list("unit_id", flat=True)
            .distinct()
            .order_by()
        )
        for unit in OrgUnit.objects.filter(pk__in=list(hotline_units)).order_by("path"):
            if (SiteKind.HOTLINE, unit.pk) not in have:
                InspectionSite.objects.create(
                    kind=SiteKind.HOTLINE, name=_("%(unit)s 95598话务班组") % {"unit": unit.name}, unit=unit
                )
                made["hotline"] += 1
        if actor is not None and any(made.values()):
            audit_record(actor=actor, action="inspections.sites_sync", changes=made)
    return made


def _text(value, *, field: str, max_length: int, required: bool = False, label=None) -> str:
    value = (value or "").strip()
    check_length(value, field=field, max_length=max_length)
    if required and not value:
        raise ApplicationError(label or _("请填写内容"), field=field, code="required")
    return value


def _file_rows(files, field: str) -> list[tuple[bytes, str, object]]:
    """Checked (content, name, kind) of uploaded files: documents and photos up to 10 MB,
    recordings up to 30 MB, at most ``FILES_MAX``."""
    files = [f for f in files or [] if f and f[0]]
    if len(files) > FILES_MAX:
        raise ApplicationError(_("附件最多 %(n)s 个") % {"n": FILES_MAX}, field=field, code="too_many")
    out = []
    for content, name in files:
        kind = check_document(content, field=field, allowed=FILE_KINDS, max_bytes=RECORDING_MAX_BYTES)
        if kind.kind in DOCUMENTS and len(content) > 10 * 1024 * 1024:
            raise ApplicationError(
                _("文件过大（最大 %(mb)s MB）") % {"mb": 10}, field=field, code="too_large"
            )
        out.append((content, (name or "")[:200], kind))
    return out


def _store_files(inspection: Inspection, rows, *, actor, now) -> list[InspectionFile]:
    stored = []
    for content, name, kind in rows:
        row = InspectionFile(
            inspection=inspection,
            token=secrets.token_hex(16),
            extension=kind.extension,
            content_type=kind.content_type,
            size=len(content),
            filename=name or f"file.{kind.extension}",
            by=actor,
            at=now,
        )
        row.file.save(f"{row.token}.{kind.extension}", ContentFile(content), save=False)
        row.save()
        stored.append(row)
    return stored


def inspection_record(
    *,
    actor,
    site: InspectionSite | int,
    kind: str,
    checklist: Checklist | int,
    at: dt.datetime,
    results: dict[int, dict],
    findings: str = "",
    files: list[tuple[bytes, str]] | None = None,
    now: dt.datetime | None = None,
) -> Inspection:
    """Record an inspection: ``results`` maps every active item id of ``checklist`` to
    ``{"passed": bool, "note": str}`` (a failed item needs its note). The score and the
    verdict follow ``selectors.score_of`` and the pass mark in force; each failed item
    opens a rectification item for the site's unit (due in the setting's working days)."""
    require(actor, "inspections.record")
    now = now or timezone.now()
    site = InspectionSite.objects.select_related("unit").filter(pk=getattr(site, "pk", site)).first()
    if site is None or not is_visible(actor, site):
        raise ApplicationError(_("检查对象不存在或不在本单位范围内"), field="site", code="unknown")
    if not site.active:
        raise ApplicationError(_("该检查对象已停用"), field="site", code="inactive")
    if kind not in KINDS_FOR_SITE[site.kind]:
        raise ApplicationError(
            _("“%(site)s”不适用检查方式“%(kind)s”")
            % {
                "site": site.get_kind_display(),
                "kind": InspectionKind(kind).label if kind in InspectionKind.values else kind,
            },
            field="kind",
            code="invalid_choice",
        )
    checklist = Checklist.objects.filter(pk=getattr(checklist, "pk", checklist), active=True).first()
    if checklist is None or checklist.site_kind != site.kind:
        raise ApplicationError(_("请选择适用于该检查对象的检查表"), field="checklist", code="invalid")
    if at is None:
        raise ApplicationError(_("请填写检查时间"), field="at", code="required")
    if at > now + dt.timedelta(minutes=5):
        raise ApplicationError(_("检查时间不能晚于现在"), field="at", code="future")
    if at < now - dt.timedelta(days=366):
        raise ApplicationError(_("检查时间不能早于一年前"), field="at", code="too_old")
    findings = _text(findings, field="findings", max_length=DESCRIPTION_MAX)
    items = list(checklist.items.filter(active=True).order_by("position", "id"))
    if not items:
        raise ApplicationError(_("检查表没有检查项"), field="checklist", code="empty")
    rows = []
    for item in items:
        given = (results or {}).get(item.pk)
        if given is None or given.get("passed") is None:
            raise ApplicationError(
                _("第 %(n)s 项“%(text)s”未填写结果") % {"n": item.position, "text": item.text},
                field=f"result_{item.pk}",
                code="required",
            )
        passed = bool(given["passed"])
        note = _text(given.get("note"), field=f"note_{item.pk}", max_length=NOTE_MAX)
        if not passed and not note:
            raise ApplicationError(
                _("第 %(n)s 项不合格，请说明发现的问题") % {"n": item.position},
                field=f"note_{item.pk}",
                code="required",
            )
        rows.append({"item": item, "weight": item.weight, "veto": item.veto, "passed": passed, "note": note})
    unknown = set((results or {}).keys()) - {i.pk for i in items}
    if unknown:
        raise ApplicationError(_("检查结果含有不属于该检查表的项"), field="results", code="invalid")
    file_rows = _file_rows(files, "files")
    score, vetoed = score_of(rows)
    pass_mark = InspectionSetting.get(InspectionSetting.PASS_MARK)
    days = InspectionSetting.get(InspectionSetting.RECTIFY_WORKING_DAYS)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            site=site,
            unit_path=site.unit_path,
            kind=kind,
            checklist=checklist,
            at=at,
            inspector=actor,
            findings=findings,
            score=score,
            pass_mark=pass_mark,
            passed=is_pass(score, vetoed, pass_mark),
            vetoed=vetoed,
        )
        for row in rows:
            item = row["item"]
            result = InspectionResult.objects.create(
                inspection=inspection,
                position=item.position,
                text=item.text,
                weight=row["weight"],
                veto=row["veto"],
                passed=row["passed"],
                note=row["note"],
            )
            if not row["passed"]:
                rect = rectification_open(
                    actor=None,  # the inspection found it; the inspector need not open items
                    source_kind=SOURCE_KIND,
                    source_ref=f"{inspection.pk}:{result.pk}",
                    title=f"{site.name}：{item.text}"[:200],
                    detail=row["note"],
                    unit=site.unit,
                    due_in_working_days=days,
                    now=now,
                )
                result.rectification_id = rect.pk
                result.save(update_fields=["rectification_id"])
        _store_files(inspection, file_rows, actor=actor, now=now)
        audit_record(
            actor=actor,
            action="inspections.record",
            obj=inspection,
            changes={
                "site": site.name,
                "kind": kind,
                "score": str(score),
                "passed": inspection.passed,
                "vetoed": vetoed,
                "failed": sum(1 for r in rows if not r["passed"]),
            },
            note=findings,
            unit_path=site.unit_path,
        )
    return inspection


def _lock(actor, perm: str, inspection, expected_version: int | None) -> Inspection:
    pk = getattr(inspection, "pk", inspection)
    locked = Inspection.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not is_visible(actor, locked):
        raise ApplicationError(_("检查记录不存在"), field="inspection", code="not_found", status=404)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("检查记录已被他人修改，请刷新后重试"))
    return locked


def inspection_publish(
    *,
    actor,
    inspection: Inspection | int,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Inspection:
    """Release a recorded inspection to staff (公布): it shows on the published results."""
    require(actor, "inspections.publish")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(actor, "inspections.publish", inspection, expected_version)
        if InspectionStatus.PUBLISHED not in TRANSITIONS[locked.status]:
            raise ApplicationError(_("检查结果已公布"), field="status", code="invalid_transition", status=409)
        locked.status = InspectionStatus.PUBLISHED
        locked.published_at = now
        locked.published_by = actor
        locked.version += 1
        locked.save(update_fields=["status", "published_at", "published_by", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="inspections.publish",
            obj=locked,
            changes={"status": [InspectionStatus.SUBMITTED, InspectionStatus.PUBLISHED]},
            unit_path=locked.unit_path,
        )
    return locked


def inspection_file_add(
    *,
    actor,
    inspection: Inspection | int,
    files: list[tuple[bytes, str]],
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> list[InspectionFile]:
    """Add photos, documents or recordings to a recorded inspection (by who may record)."""
    require(actor, "inspections.record")
    rows = _file_rows(files, "files")
    if not rows:
        raise ApplicationError(_("请选择文件"), field="files", code="required")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(actor, "inspections.record", inspection, expected_version)
        if locked.files.count() + len(rows) > FILES_MAX:
            raise ApplicationError(_("附件最多 %(n)s 个") % {"n": FILES_MAX}, field="files", code="too_many")
        stored = _store_files(locked, rows, actor=actor, now=now)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="inspections.file_add",
            obj=locked,
            changes={"files": [r.filename for r in stored]},
            unit_path=locked.unit_path,
        )
    return stored
