"""Demo logins: one per role, printed at start and shown on the sign-in page in demo mode only."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from gridcare.org.choices import Role
from gridcare.org.models import OrgUnit, StaffProfile

DEMO_PASSWORD = "gridcare-demo"

# username, role, unit selector ("city", "county", "station", "team"), display name
DEMO_USERS = [
    ("agent", Role.HOTLINE_AGENT, "city", "周晓燕"),
    ("agent_county", Role.HOTLINE_AGENT, "county", "蒋丽娟"),
    ("clerk", Role.COUNTER_CLERK, "county", "陈静"),
    ("dispatcher", Role.DISPATCHER, "county", "王建国"),
    ("crew", Role.REPAIR_CREW, "team", "刘海涛"),
    ("custmgr", Role.CUSTOMER_MANAGER, "station", "孙伟"),
    ("supervisor", Role.SUPERVISOR, "city", "徐明"),
    ("inspector", Role.QUALITY_INSPECTOR, "city", "朱红梅"),
    ("planner", Role.PLANNER, "city", "高鹏"),
    ("manager", Role.MANAGER, "city", "杨志成"),
    ("admin", Role.ADMIN, "company", "系统管理员"),
]


def create_demo_users(*, units: dict[str, OrgUnit]) -> list[tuple[str, str, str]]:
    """Create (or refresh) the demo logins; ``units`` maps selector → unit."""
    User = get_user_model()
    hashed = make_password(DEMO_PASSWORD)
    out = []
    for username, role, sel, display in DEMO_USERS:
        unit = units[sel]
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "password": hashed,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "first_name": display,
            },
        )
        StaffProfile.objects.update_or_create(
            user=user, defaults={"unit": unit, "role": role, "display_name": display}
        )
        out.append((username, str(Role(role).label), unit.name))
    return out


def demo_logins() -> list[dict]:
    usernames = [u[0] for u in DEMO_USERS]
    profiles = {
        p.user.username: p
        for p in StaffProfile.objects.filter(user__username__in=usernames).select_related("user", "unit")
    }
    return [
        {"username": u, "role": profiles[u].get_role_display(), "unit": profiles[u].unit.name}
        for u in usernames
        if u in profiles
    ]


# The 95598 seats of the city: three shifts share the calls (day 08–16, evening 16–24,
# night 00–08), more people by day. Staff accounts without a password (not demo logins).
HOTLINE_SHIFTS = ((8, 16, 6), (16, 24, 4), (0, 8, 2))


def create_hotline_team(*, city: OrgUnit, names) -> list[tuple[int, int]]:
    """The city's hotline agents by shift; returns (user id, shift index) pairs.
    ``names`` yields display names (the demo's name generator)."""
    User = get_user_model()
    out = []
    n = 0
    for shift, (_start, _end, size) in enumerate(HOTLINE_SHIFTS):
        for _ in range(size):
            n += 1
            display = next(names)
            user, created = User.objects.get_or_create(
                username=f"hotline{n:02d}", defaults={"first_name": display}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            StaffProfile.objects.update_or_create(
                user=user, defaults={"unit": city, "role": Role.HOTLINE_AGENT, "display_name": display}
            )
            out.append((user.pk, shift))
    return out


def shift_at(hour: int) -> int:
    for index, (start, end, _size) in enumerate(HOTLINE_SHIFTS):
        if start <= hour < end:
            return index
    return 0


# The field side of a real supply company: dispatchers in every county company (one on duty
# by day, one by night), a service supervisor per county, three line workers per repair
# team. Staff accounts without a password (not demo logins); the demo's history spreads the
# work over them, so the dispatcher's handler list shows crews with their own open load.
DISPATCHERS_PER_COUNTY = 2
CREW_PER_TEAM = 3


def create_field_staff(*, counties: list[OrgUnit], teams: list[OrgUnit], names) -> int:
    """Dispatchers and a supervisor per county, crews per team; returns how many."""
    User = get_user_model()
    plan = []
    for county in counties:
        plan += [
            (f"disp-{county.code}-{i}", Role.DISPATCHER, county) for i in range(1, DISPATCHERS_PER_COUNTY + 1)
        ]
        plan.append((f"sup-{county.code}", Role.SUPERVISOR, county))
    for team in teams:
        plan += [(f"crew-{team.code}-{i}", Role.REPAIR_CREW, team) for i in range(1, CREW_PER_TEAM + 1)]
    existing = set(User.objects.filter(username__in=[p[0] for p in plan]).values_list("username", flat=True))
    users = [User(username=u, first_name=next(names)) for u, _r, _unit in plan if u not in existing]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, batch_size=500)
    ids = dict(User.objects.filter(username__in=[p[0] for p in plan]).values_list("username", "id"))
    have = set(StaffProfile.objects.filter(user_id__in=ids.values()).values_list("user_id", flat=True))
    first = dict(User.objects.filter(pk__in=ids.values()).values_list("id", "first_name"))
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(user_id=ids[u], unit=unit, role=role, display_name=first[ids[u]])
            for u, role, unit in plan
            if ids[u] not in have
        ],
        batch_size=500,
    )
    return len(plan)
