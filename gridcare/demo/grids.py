"""Service grids and customer managers for the demo (网格化客户经理), through customers'
bulk helpers.

Each supply station's transformer areas, in feeder order (neighbours stay together), are
cut into grids of about ``AREAS_PER_GRID``. An urban station's grids each get a full-time
customer manager of the station (``cm-<station>-<n>``); a rural or remote station's last
grid is served part-time by a crew member of its repair team — common practice where a
station has few staff. Each grid's deputy (B角) is the next grid's manager. Every fifth
station keeps a whole-station grid for the areas of its last cut instead (new areas land
there until someone places them). The demo login ``custmgr`` manages its station's first
grid; the important customers of each station get the station's first manager as their
own (one-to-one service). Deterministic; does nothing when grids exist.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from gridcare.customers.models import Customer, ServiceGrid
from gridcare.customers.services import customer_managers_bulk_set, service_grids_bulk_create
from gridcare.grid.models import TransformerArea
from gridcare.org.choices import Role, UnitKind
from gridcare.org.models import OrgUnit, StaffProfile

AREAS_PER_GRID = 25


def _managers(station, count: int, names) -> list[int]:
    User = get_user_model()
    plan = [f"cm-{station.code}-{i}" for i in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=plan).values_list("username", flat=True))
    users = [User(username=u, first_name=next(names)) for u in plan if u not in existing]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    ids = dict(User.objects.filter(username__in=plan).values_list("username", "id"))
    have = set(StaffProfile.objects.filter(user_id__in=ids.values()).values_list("user_id", flat=True))
    first = dict(User.objects.filter(pk__in=ids.values()).values_list("id", "first_name"))
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(user_id=ids[u], unit=station, role=Role.CUSTOMER_MANAGER, display_name=first[ids[u]])
            for u in plan
            if ids[u] not in have
        ]
    )
    return [ids[u] for u in plan]


def seed_grids(*, names, demo_manager: str = "custmgr") -> dict:
    from gridcare.demo.users import DEMO_USERS

    if ServiceGrid.objects.exists():
        return {"grids": 0}
    # A manager is never called like a demo login (the audit log finds people by name).
    taken = {display for _u, _r, _s, display in DEMO_USERS}
    names = (n for n in names if n not in taken)
    User = get_user_model()
    demo = User.objects.filter(username=demo_manager).select_related("staff").first()
    demo_station = demo.staff.unit_id if demo is not None and hasattr(demo, "staff") else None
    stations = list(OrgUnit.objects.filter(kind=UnitKind.STATION).order_by("path"))
    areas_by_station: dict[int, list[int]] = {}
    for pk, station_id in TransformerArea.objects.order_by("station_id", "feeder__code", "code").values_list(
        "pk", "station_id"
    ):
        areas_by_station.setdefault(station_id, []).append(pk)
    crews = {}
    for user_id, path in (
        StaffProfile.objects.filter(role=Role.REPAIR_CREW)
        .order_by("user__username")
        .values_list("user_id", "unit__path")
    ):
        crews.setdefault(path.rsplit("/", 2)[0] + "/", user_id)  # the team's station path
    grids, own = [], []
    for si, station in enumerate(stations):
        areas = areas_by_station.get(station.pk, [])
        if not areas:
            continue
        n = max(1, round(len(areas) / AREAS_PER_GRID))
        size = -(-len(areas) // n)
        cuts = [areas[i : i + size] for i in range(0, len(areas), size)]
        part_time = station.area_class in ("rural", "remote") and len(cuts) > 1 and station.path in crews
        full = len(cuts) - (1 if part_time else 0)
        managers = _managers(station, full, names)
        if part_time:
            managers.append(crews[station.path])
        if demo is not None and station.pk == demo_station:
            managers[0] = demo.pk
        whole_last = si % 5 == 0 and len(cuts) > 1
        for gi, cut in enumerate(cuts):
            deputy = managers[(gi + 1) % len(managers)] if len(managers) > 1 else None
            last = gi == len(cuts) - 1
            grids.append(
                {
                    "code": f"{station.code}-G{gi + 1}",
                    "name": f"{station.name.replace('供电所', '')}{gi + 1}号网格"
                    if not (last and whole_last)
                    else f"{station.name.replace('供电所', '')}综合网格",
                    "station_id": station.pk,
                    "whole_station": last and whole_last,
                    "manager_id": managers[gi],
                    "deputy_id": deputy if deputy != managers[gi] else None,
                    "area_ids": [] if last and whole_last else cut,
                }
            )
        for cid in (
            Customer.objects.filter(station=station, important=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        ):
            own.append((cid, managers[0]))
    created = service_grids_bulk_create(grids)
    customer_managers_bulk_set(own)
    return {"grids": created, "own_managers": len(own)}
