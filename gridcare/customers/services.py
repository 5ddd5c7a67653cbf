"""Writes to customer master data. Every change is audited field by field."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record, diff, snapshot
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError
from gridcare.core.limits import TEXT_MAX, check_length
from gridcare.core.scoping import is_visible
from gridcare.core.textutil import mask_id_number, mask_phone

from .models import Customer, ServiceGrid, ServiceGridArea

EDITABLE_FIELDS = [
    "name",
    "phone",
    "phone2",
    "id_number",
    "address",
    "area",
    "category",
    "tariff",
    "voltage_kv",
    "capacity_kva",
    "important",
    "sensitive",
]
PERSONAL_FIELDS = {"phone", "phone2", "id_number"}


def _masked_changes(changes: dict) -> dict:
    """Audit rows never store personal data in clear."""
    out = {}
    for k, (old, new) in changes.items():
        if k in PERSONAL_FIELDS:
            m = mask_id_number if k == "id_number" else mask_phone
            out[k] = [m(old or ""), m(new or "")]
        else:
            out[k] = [old, new]
    return out


def customer_update(*, actor, customer: Customer, data: dict) -> Customer:
    """Change a customer's master data (``customers.update`` on a customer within the actor's
    scope); moving to another transformer area — one the actor may see — moves its station too."""
    require(actor, "customers.update", customer)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("不可修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    if data.get("area") is not None and not is_visible(actor, data["area"]):
        raise ApplicationError(_("台区不在您的权限范围内"), field="area", code="out_of_scope")
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        before = snapshot(locked, EDITABLE_FIELDS)
        for k, v in data.items():
            setattr(locked, k, v)
        if "area" in data:
            locked.station_id = locked.area.station_id
        locked.full_clean(exclude=["area", "station"])
        locked.save()
        locked.refresh_from_db()  # stored values (decimal places) are what the audit compares
        changes = diff(before, snapshot(locked, EDITABLE_FIELDS))
        if changes:
            audit_record(
                actor=actor,
                action="customer.update",
                obj=locked,
                changes=_masked_changes(changes),
                unit_path=locked.station.path,
            )
    return locked


def customer_reveal_personal_data(*, actor, customer: Customer, reason: str = "") -> dict:
    """Show phones and ID number in clear to a role that needs them; the reveal is audited."""
    require(actor, "customers.reveal", customer)
    check_length(reason, field="reason", max_length=TEXT_MAX)
    audit_record(
        actor=actor,
        action="customer.reveal_personal_data",
        obj=customer,
        note=reason,
        unit_path=customer.station.path,
    )
    return {"phone": customer.phone, "phone2": customer.phone2, "id_number": customer.id_number}


def customers_follow_areas(*, area_ids) -> int:
    """Customers of transformer areas that moved to another supply station move with them
    (``Customer.station`` copies the area's station for scoping). Returns how many moved."""
    from django.db.models import OuterRef, Subquery

    from gridcare.grid.models import TransformerArea

    area_ids = list(area_ids)
    station = TransformerArea.objects.filter(pk=OuterRef("area_id")).values("station_id")[:1]
    moved = Customer.objects.filter(area_id__in=area_ids).update(station_id=Subquery(station))
    # A grid holds areas of its own station only: an area that moved leaves its grid (the new
    # station's whole-station grid, if any, covers it until someone places it).
    grid_station = ServiceGrid.objects.filter(pk=OuterRef("grid_id")).values("station_id")[:1]
    area_station = TransformerArea.objects.filter(pk=OuterRef("area_id")).values("station_id")[:1]
    (
        ServiceGridArea.objects.filter(area_id__in=area_ids)
        .annotate(gs=Subquery(grid_station), ast=Subquery(area_station))
        .exclude(gs=F("ast"))
        .delete()
    )
    return moved


# ----------------------------------------------------------------- grids and managers

GRID_CODE_MAX, GRID_NAME_MAX = 32, 100


def _check_manager(user, station, field: str):
    from .selectors import manager_candidates

    if user is None:
        return None
    if not manager_candidates(station).filter(pk=user.pk).exists():
        raise ApplicationError(
            _("%(name)s 不是本所或上级县公司的在岗员工，不能担任客户经理") % {"name": user.get_username()},
            field=field,
            code="invalid_manager",
        )
    return user


def service_grid_save(
    *,
    actor,
    grid: ServiceGrid | None = None,
    code: str,
    name: str,
    station,
    whole_station: bool = False,
    manager=None,
    deputy=None,
    area_ids=None,
    version: int | None = None,
) -> ServiceGrid:
    """Create a grid (``grid`` None) or change one: its name, manager, deputy and areas
    (``area_ids``: the full set, areas of ``station`` only; an area taken from another grid
    leaves it). ``version``: the version the editor saw — a stale form is refused."""
    from gridcare.grid.models import TransformerArea
    from gridcare.org.choices import UnitKind

    require(actor, "customers.manage_grids")
    code = (code or "").strip()
    name = (name or "").strip()
    if not code:
        raise ApplicationError(_("请填写网格编码"), field="code", code="required")
    if not name:
        raise ApplicationError(_("请填写网格名称"), field="name", code="required")
    check_length(code, field="code", max_length=GRID_CODE_MAX)
    check_length(name, field="name", max_length=GRID_NAME_MAX)
    if station is None or station.kind != UnitKind.STATION:
        raise ApplicationError(_("网格须属于一个供电所"), field="station", code="invalid")
    if not is_visible(actor, station):
        raise ApplicationError(_("无权管理该供电所的网格"), field="station", code="forbidden", status=403)
    if manager is not None and deputy is not None and manager.pk == deputy.pk:
        raise ApplicationError(_("B角不能与客户经理为同一人"), field="deputy", code="invalid")
    _check_manager(manager, station, "manager")
    _check_manager(deputy, station, "deputy")
    with transaction.atomic():
        if grid is not None:
            grid = ServiceGrid.objects.select_for_update().get(pk=grid.pk)
            if version is not None and int(version) != grid.version:
                raise ApplicationError(
                    _("该网格已被他人修改，请刷新后重试"), field="version", code="stale", status=409
                )
            if grid.station_id != station.pk:
                raise ApplicationError(_("网格不能改属其他供电所"), field="station", code="invalid")
            before = snapshot(grid, ["code", "name", "whole_station", "manager", "deputy"])
        else:
            before = None
            grid = ServiceGrid(station=station)
        if ServiceGrid.objects.filter(code=code).exclude(pk=grid.pk).exists():
            raise ApplicationError(
                _("网格编码 %(code)s 已存在") % {"code": code}, field="code", code="duplicate"
            )
        if whole_station and (
            ServiceGrid.objects.filter(station=station, whole_station=True).exclude(pk=grid.pk).exists()
        ):
            raise ApplicationError(_("本所已有覆盖全所的网格"), field="whole_station", code="duplicate")
        grid.code, grid.name, grid.whole_station = code, name, bool(whole_station)
        grid.manager, grid.deputy = manager, deputy
        if grid.pk:
            grid.version += 1
        grid.save()
        changes = (
            diff(before, snapshot(grid, ["code", "name", "whole_station", "manager", "deputy"]))
            if before
            else {}
        )
        if area_ids is not None:
            area_ids = {int(a) for a in area_ids}
            found = set(
                TransformerArea.objects.filter(pk__in=area_ids, station=station).values_list("pk", flat=True)
            )
            if found != area_ids:
                raise ApplicationError(_("所选台区须属于本供电所"), field="areas", code="invalid")
            current = set(grid.memberships.values_list("area_id", flat=True))
            if current != area_ids:
                ServiceGridArea.objects.filter(grid=grid).exclude(area_id__in=area_ids).delete()
                taken = ServiceGridArea.objects.filter(area_id__in=area_ids - current).exclude(grid=grid)
                taken.delete()
                ServiceGridArea.objects.bulk_create(
                    [ServiceGridArea(grid=grid, area_id=a) for a in sorted(area_ids - current)]
                )
                changes["areas"] = [len(current), len(area_ids)]
        audit_record(
            actor=actor,
            action="service_grid.update" if before else "service_grid.create",
            obj=grid,
            changes=changes,
            unit_path=station.path,
        )
    return grid


def customer_manager_set(*, actor, customer: Customer, manager=None) -> Customer:
    """Give a large or important customer their own manager (one-to-one service), or
    (``manager`` None) hand them back to their grid's manager."""
    from .selectors import is_key_customer

    require(actor, "customers.manage_grids", customer)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().select_related("station").get(pk=customer.pk)
        if manager is not None and not is_key_customer(customer):
            raise ApplicationError(
                _("只有高压或重要客户可以指定专属客户经理"), field="manager", code="not_key_customer"
            )
        _check_manager(manager, customer.station, "manager")
        before = customer.manager_id
        customer.manager = manager
        customer.save(update_fields=["manager", "updated_at"])
        audit_record(
            actor=actor,
            action="customer.manager_set",
            obj=customer,
            changes={"manager": [before, manager.pk if manager else None]},
            unit_path=customer.station.path,
        )
    return customer


def managers_reassign(*, actor, from_user, to_user) -> dict:
    """Someone leaves (or changes job): every grid they manage or deputise and every
    customer set on them, within what ``actor`` may see, passes to ``to_user`` (``None``:
    customers go back to their grid; grids are left without that role). Returns counts."""
    require(actor, "customers.manage_grids")
    if from_user is None:
        raise ApplicationError(_("请选择原客户经理"), field="from_user", code="required")
    if to_user is not None and to_user.pk == from_user.pk:
        raise ApplicationError(_("接替人不能是原客户经理本人"), field="to_user", code="invalid")
    counts = {"manager": 0, "deputy": 0, "customers": 0}
    with transaction.atomic():
        grids = list(
            ServiceGrid.objects.visible_to(actor)
            .select_for_update()
            .filter(Q(manager=from_user) | Q(deputy=from_user))
            .select_related("station")
        )
        for grid in grids:
            _check_manager(to_user, grid.station, "to_user")
            if grid.manager_id == from_user.pk:
                grid.manager = to_user
                if to_user is not None and grid.deputy_id == to_user.pk:
                    grid.deputy = None
                counts["manager"] += 1
            elif grid.deputy_id == from_user.pk:
                if to_user is not None and grid.manager_id == to_user.pk:
                    grid.deputy = None
                else:
                    grid.deputy = to_user
                counts["deputy"] += 1
            grid.version += 1
            grid.save(update_fields=["manager", "deputy", "version", "updated_at"])
        own = Customer.objects.visible_to(actor).filter(manager=from_user)
        if to_user is not None:
            for station_id in set(own.values_list("station_id", flat=True)):
                from gridcare.org.models import OrgUnit

                _check_manager(to_user, OrgUnit.objects.get(pk=station_id), "to_user")
        counts["customers"] = own.update(manager=to_user)
        audit_record(
            actor=actor,
            action="service_grid.reassign",
            object_type="auth.user",
            object_id=str(from_user.pk),
            object_repr=from_user.get_username(),
            changes={"to": to_user.get_username() if to_user else "", **counts},
        )
    return counts


def service_grids_bulk_create(grids: list[dict]) -> int:
    """Write many new grids at once (the demo; a future grid import): each a dict of
    ``code, name, station_id, whole_station, manager_id, deputy_id, area_ids``. The caller
    has checked them; areas already in a grid are left where they are."""
    with transaction.atomic():
        objs = [
            ServiceGrid(
                code=g["code"],
                name=g["name"],
                station_id=g["station_id"],
                whole_station=g.get("whole_station", False),
                manager_id=g.get("manager_id"),
                deputy_id=g.get("deputy_id"),
            )
            for g in grids
        ]
        ServiceGrid.objects.bulk_create(objs, batch_size=500)
        ids = dict(ServiceGrid.objects.filter(code__in=[g["code"] for g in grids]).values_list("code", "pk"))
        taken = set(ServiceGridArea.objects.values_list("area_id", flat=True))
        members = [
            ServiceGridArea(grid_id=ids[g["code"]], area_id=a)
            for g in grids
            for a in g.get("area_ids", ())
            if a not in taken
        ]
        ServiceGridArea.objects.bulk_create(members, batch_size=2000)
    return len(objs)


def customer_managers_bulk_set(pairs: list[tuple[int, int | None]]) -> int:
    """Set many customers' own managers at once (the demo): ``(customer_id, manager_id)``."""
    with transaction.atomic():
        for cid, mid in pairs:
            Customer.objects.filter(pk=cid).update(manager_id=mid)
    return len(pairs)
