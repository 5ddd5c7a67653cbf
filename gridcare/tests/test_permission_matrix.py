"""The permission matrix: every role × every page and API endpoint (enumerated from the URL
configuration), answered as the permission table says — and objects of another county
refused (404) through pages and API alike.

Expected answers come from the one permission table (``gridcare/org/permissions.py``): a
role without the endpoint's permission gets 403 before anything is looked up; a role with
it never gets 403, and gets 404 for an object outside its scope. ``SPOT_CHECKS`` pins the
cells a security review found wrong, independently of the table, so a mistake in the table
itself cannot pass unnoticed.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gridcare.core.authz import has_perm, is_permission, permissions
from gridcare.org.choices import Role
from gridcare.workorders.choices import PAGE_ACTIONS, Action

from .urlmap import SAMPLE_BUILDERS, SAMPLE_KWARGS, endpoints

pytestmark = pytest.mark.django_db

CELLS: Counter = Counter()


def test_every_endpoint_declares_its_permission():
    """A page or endpoint without a declared permission (or ``public``) fails here."""
    missing = []
    for e in endpoints():
        if e.public:
            continue
        for method in e.methods():
            perm = e.permission(method)
            if perm is None:
                missing.append(f"{e.route} [{method}]")
            elif "{" in perm:
                prefix = perm.split("{")[0]
                assert any(p.startswith(prefix) for p in permissions()), perm
            else:
                assert is_permission(perm), f"{e.route} needs unknown permission {perm}"
    assert not missing, "endpoints without a declared permission: " + ", ".join(missing)


def test_every_permission_is_used_or_documented():
    """Every row of the table is named somewhere in the code (no dead permissions)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.suffix in (".py", ".html") and "tests" not in p.parts and p.name != "permissions.py"
    )
    templated = {"workorders.": "workorders.{action}", "escalation.": "{verb}_recovery"}
    unused = []
    for name in permissions():
        app, _, codename = name.partition(".")
        if name in text or f"can.{app}.{codename}" in text:
            continue
        if name.startswith("workorders.") and codename in Action.values:
            continue  # reached through action_permission(action) / "workorders.{action}"
        if name.endswith("_recovery") and templated["escalation."] in text:
            continue
        unused.append(name)
    assert not unused, unused


# ---------------------------------------------------------------------------- samples


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _samples(demo) -> dict[str, dict]:
    """One object of each kind in county A (the matrix users' county) and one in county B."""
    from gridcare.analytics.models import PublishedReport
    from gridcare.customers.models import Customer
    from gridcare.escalation.models import (
        CallbackTask,
        RecoveryAction,
        ServiceFailure,
        SocialSupervisor,
        WarningLevel,
    )
    from gridcare.escalation.services import social_supervisor_register
    from gridcare.grid.models import Feeder, Substation, TransformerArea
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.workorders.choices import RequestType, Status
    from gridcare.workorders.models import WorkOrder
    from gridcare.workorders.services import work_order_photo_add

    out = {}
    admin = demo.users["admin"]
    for side, county, other in (("in", demo.county_a, demo.county_b), ("out", demo.county_b, demo.county_a)):
        path = county.path
        orders = WorkOrder.objects.filter(unit_path__startswith=path).exclude(
            accepted_path__startswith=other.path
        )
        order = (
            orders.filter(status__in=[Status.DISPATCHED, Status.IN_PROGRESS, Status.ACCEPTED])
            .order_by("pk")
            .first()
        )
        complaint = (
            orders.filter(request_type=RequestType.COMPLAINT, service_failure__isnull=True)
            .order_by("pk")
            .first()
        )
        failure = ServiceFailure.objects.filter(
            unit_path__startswith=path, order__unit_path__startswith=path
        ).first()
        action = RecoveryAction.objects.filter(failure=failure).first() if failure else None
        task = (
            CallbackTask.objects.filter(unit_path__startswith=path)
            .exclude(accepted_path__startswith=other.path)
            .first()
        )
        area = TransformerArea.objects.filter(station__path__startswith=path).order_by("pk").first()
        supervisor = SocialSupervisor.objects.filter(
            unit_path__startswith=path
        ).first() or social_supervisor_register(
            actor=admin, name=f"监督员{side}", phone="13800001111", area="城区", unit=county
        )
        photo = work_order_photo_add(actor=admin, order=order, content=_png(), caption=f"现场{side}")
        outage = _sample_outage(admin, path)
        out[side] = {
            "photo_order": order.pk,
            "warning_level": WarningLevel.objects.order_by("pk").first().pk,
            "photo": photo.token,
            "customer_no": Customer.objects.filter(station__path__startswith=path)
            .order_by("pk")
            .first()
            .customer_no,
            "station": OrgUnit.objects.filter(kind=UnitKind.STATION, path__startswith=path).first().code,
            "area": area.code,
            "feeder": area.feeder.code,
            "substation": area.feeder.substation.pk,
            "order": order.order_no,
            "complaint": complaint.order_no,
            "failure": failure.pk,
            "recovery_action": action.pk,
            "callback_task": task.pk,
            "supervisor": supervisor.pk,
            "unit": county.code,
            "report": PublishedReport.objects.first().pk,
            "outage": outage.outage_no,
        }
        for build in SAMPLE_BUILDERS:
            out[side].update(build(demo, county, other, admin))
        assert all(v is not None for v in out[side].values()), out[side]
    # Substations and feeders may serve both counties: only use them where they are exclusive.
    for side in ("in", "out"):
        other = demo.county_b if side == "in" else demo.county_a
        out[side]["feeder_exclusive"] = not TransformerArea.objects.filter(
            feeder__code=out[side]["feeder"], station__path__startswith=other.path
        ).exists()
        out[side]["substation_exclusive"] = not Feeder.objects.filter(
            substation_id=out[side]["substation"], areas__station__path__startswith=other.path
        ).exists()
    assert Substation.objects.exists()
    return out


def _sample_outage(admin, path: str):
    """An outage of the county at ``path`` (the demo's, or one cut now on a free area of it)."""
    from django.utils import timezone

    from gridcare.grid.models import TransformerArea
    from gridcare.outages.choices import ACTIVE_STATUSES, OutageKind, OutageStatus
    from gridcare.outages.models import Outage, OutageArea
    from gridcare.outages.services import outage_create

    mine = Outage.objects.filter(unit_path__startswith=path)
    outage = (
        mine.filter(status=OutageStatus.IN_PROGRESS).order_by("pk").first() or mine.order_by("pk").first()
    )
    if outage is None:
        busy = OutageArea.objects.filter(outage__status__in=ACTIVE_STATUSES).values("area_id")
        area = (
            TransformerArea.objects.filter(station__path__startswith=path)
            .exclude(pk__in=busy)
            .order_by("pk")
            .first()
        )
        outage = outage_create(
            actor=admin, kind=OutageKind.FAULT, areas=[area], cause="矩阵样例", started_at=timezone.now()
        )
    return outage


# URL name -> how to fill its arguments from a side's samples; a list gives several cells.
def _kwargs(name: str, s: dict) -> list[dict] | None:
    table = {
        "customers:detail": [{"customer_no": s["customer_no"]}],
        "customers:reveal": [{"customer_no": s["customer_no"]}],
        "customers:edit": [{"customer_no": s["customer_no"]}],
        "grid:station": [{"code": s["station"]}],
        "grid:feeder": [{"code": s["feeder"]}],
        "grid:area": [{"code": s["area"]}],
        "workorders:detail": [{"key": s["order"]}],
        "workorders:action": [{"key": s["order"], "action": a} for a in sorted(PAGE_ACTIONS)],
        "workorders:handlers": [{"key": s["order"]}],
        "escalation:urge": [{"key": s["order"]}],
        "settings-list": [{"key": "commitments"}, {"key": "calendar"}],
        "settings-edit": [
            {"key": "warning-levels", "pk": str(s["warning_level"])},
            {"key": "commitments", "pk": "new"},
        ],
        "workorders:photo-add": [{"key": s["order"]}],
        "work-order-photo-file": [{"key": s["photo_order"], "token": s["photo"]}],
        "escalation:order-panel": [{"key": s["order"]}],
        "escalation:order-escalate": [{"key": s["order"]}],
        "escalation:failure-new": [{"key": s["complaint"]}],
        "escalation:callback-record": [{"pk": s["callback_task"]}],
        "escalation:callback-panel": [{"pk": s["callback_task"]}],
        "escalation:callback-reveal": [{"pk": s["callback_task"]}],
        "workorders:customer-orders": [{"customer_no": s["customer_no"]}],
        "escalation:failure": [{"pk": s["failure"]}],
        "escalation:recovery-propose": [{"pk": s["failure"]}],
        "escalation:recovery-act": [
            {"pk": s["recovery_action"], "verb": v} for v in ("approve", "reject", "complete")
        ],
        "escalation:supervisor-submit": [{"pk": s["supervisor"]}],
        "analytics:hotspots-export": [{"fmt": "csv"}, {"fmt": "planning"}],
        "analytics:report-detail": [{"pk": s["report"]}],
        "analytics:report-file": [{"pk": s["report"], "fmt": "xlsx"}],
        "org-unit-detail": [{"code": s["unit"]}],
        "substation-detail": [{"pk": s["substation"]}],
        "feeder-detail": [{"code": s["feeder"]}],
        "transformer-area-detail": [{"code": s["area"]}],
        "customer-detail": [{"customer_no": s["customer_no"]}],
        "customer-reveal": [{"customer_no": s["customer_no"]}],
        "work-order-detail": [{"key": s["order"]}],
        "callback-task-record": [{"pk": s["callback_task"]}],
        "service-failure-detail": [{"pk": s["failure"]}],
        "service-failure-actions": [{"pk": s["failure"]}],
        "recovery-action-approve": [{"pk": s["recovery_action"]}],
        "recovery-action-reject": [{"pk": s["recovery_action"]}],
        "recovery-action-complete": [{"pk": s["recovery_action"]}],
        "social-supervisor-reveal": [{"pk": s["supervisor"]}],
        "social-supervisor-submissions": [{"pk": s["supervisor"]}],
        "analysis-report-detail": [{"pk": s["report"]}],
        "outages:detail": [{"outage_no": s["outage"]}],
        "outages:start": [{"outage_no": s["outage"]}],
        "outages:restore": [{"outage_no": s["outage"]}],
        "outages:cancel": [{"outage_no": s["outage"]}],
        "outages:isolate": [{"outage_no": s["outage"]}],
        "outage-detail": [{"outage_no": s["outage"]}],
        "outage-start": [{"outage_no": s["outage"]}],
        "outage-restore": [{"outage_no": s["outage"]}],
        "outage-cancel": [{"outage_no": s["outage"]}],
        "outage-isolate": [{"outage_no": s["outage"]}],
    }
    if name.startswith("work-order-") and name not in table and name not in ("work-order-list",):
        return [{"key": s["order"]}]
    if name not in table and name in SAMPLE_KWARGS:
        return SAMPLE_KWARGS[name](s)
    return table.get(name)


# Objects that belong to everyone in the company, or arguments that name no object (no cross-scope case).
COMPANY_WIDE = {
    "settings-list",
    "settings-edit",
    "analytics:report-detail",
    "analytics:report-file",
    "analysis-report-detail",
    "analytics:hotspots-export",
    # the knowledge base: company-wide content (regions only narrow the search)
    "knowledge:article",
    "knowledge:feedback",
    "knowledge:sms",
    "knowledge:answered",
    "knowledge:versions",
    "knowledge:attachment-file",
    "knowledge:attachment-add",
    "knowledge:attachment-remove",
    # webhook subscriptions: the company's configuration of outgoing pushes (admins only)
    "webhooks:detail",
    "webhooks:rotate",
    "webhooks:enable",
    "webhooks:disable",
    "webhooks:test",
    "webhook-subscription-detail",
    "webhook-subscription-rotate-secret",
    "webhook-subscription-send-test",
    "webhook-subscription-enable",
    "webhook-subscription-disable",
    "webhook-subscription-deliveries",
    "knowledge:edit",
    "knowledge:submit",
    "knowledge:review-version",
}
# Shared grid assets: out of scope only when the sample is exclusive to the other county.
SHARED = {
    "grid:feeder": "feeder_exclusive",
    "feeder-detail": "feeder_exclusive",
    "substation-detail": "substation_exclusive",
}


def _call(client, method: str, url: str, api: bool):
    if api:
        return getattr(client, method)(url, data={}, format="json")
    if method == "get":
        response = client.get(url)
        if response.status_code == 405:  # a POST-only page
            return client.post(url, {})
        return response
    return client.post(url, {})


def _perm_for(endpoint, method: str, kwargs: dict) -> str:
    perm = endpoint.permission(method)
    return perm.format(**kwargs) if "{" in perm else perm


@pytest.fixture(scope="module")
def samples(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return _samples(demo)


@pytest.mark.parametrize("role", Role.values)
def test_role_gets_what_the_table_says_everywhere(demo_db, samples, role):
    user = demo_db.county_users[role]
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    unfilled, wrong = [], []
    for e in endpoints():
        if e.public:
            continue
        for method in e.methods():
            if "<" in e.route:
                cases = []
                for side in ("in", "out"):
                    kws = _kwargs(e.name, samples[side])
                    if kws is None:
                        unfilled.append(e.name)
                        break
                    cases += [(side, kw) for kw in kws]
            else:
                cases = [("in", {})]
            for side, kw in cases:
                if side == "out" and (
                    e.name in COMPANY_WIDE or (e.name in SHARED and not samples["out"][SHARED[e.name]])
                ):
                    continue
                if side == "in" and e.name in SHARED and not samples["in"][SHARED[e.name]]:
                    continue
                url = reverse(e.name, kwargs=kw)
                perm = _perm_for(e, method, kw)
                response = _call(api if e.api else page, method, url, e.api)
                code = response.status_code
                CELLS["role×endpoint"] += 1
                allowed = has_perm(user, perm)
                if code >= 500:
                    wrong.append(f"{method.upper()} {url}: {code}")
                elif not allowed and code != 403:
                    wrong.append(f"{method.upper()} {url}: {code}, expected 403 ({perm})")
                elif allowed and code in (401, 403):
                    wrong.append(
                        f"{method.upper()} {url}: {code}, expected to be allowed ({perm}) {_body(response)}"
                    )
                elif allowed and side == "out" and code != 404:
                    wrong.append(f"{method.upper()} {url}: {code}, expected 404 (another county's object)")
                elif allowed and side == "in" and code == 404:
                    wrong.append(
                        f"{method.upper()} {url}: 404 for an object in the user's own county {_body(response)}"
                    )
    assert not unfilled, f"no sample arguments for {sorted(set(unfilled))}: add them to _kwargs"
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def _body(response) -> str:
    try:
        return json.dumps(response.json(), ensure_ascii=False)[:200]
    except Exception:
        return ""


# Cells a security review found wrong, pinned independently of the table.
SPOT_CHECKS = [
    # (role, method, url template, expected status)
    (Role.REPAIR_CREW, "patch", "/api/customers/{customer_no}/", 403),
    (Role.PLANNER, "patch", "/api/customers/{customer_no}/", 403),
    (Role.DISPATCHER, "patch", "/api/customers/{customer_no}/", 403),
    (Role.CUSTOMER_MANAGER, "patch", "/api/customers/{customer_no}/", 200),
    (Role.REPAIR_CREW, "get", "/escalation/dashboard/", 403),
    (Role.REPAIR_CREW, "get", "/escalation/board/", 403),
    (Role.REPAIR_CREW, "get", "/escalation/supervisors/", 403),
    (Role.REPAIR_CREW, "get", "/api/social-supervisors/", 403),
    (Role.REPAIR_CREW, "get", "/workforce/", 403),
    (Role.HOTLINE_AGENT, "get", "/escalation/failures/new/{complaint}/", 403),
    (Role.CUSTOMER_MANAGER, "get", "/escalation/failures/new/{complaint}/", 403),
    (Role.SUPERVISOR, "get", "/workforce/", 403),  # a county supervisor: the plan is the city's
    (Role.PLANNER, "get", "/analytics/hotspots/", 200),
    (Role.HOTLINE_AGENT, "get", "/analytics/hotspots/", 403),
    (Role.HOTLINE_AGENT, "get", "/api/outages/{outage}/", 200),
    (Role.HOTLINE_AGENT, "post", "/api/outages/{outage}/restore/", 403),
    (Role.HOTLINE_AGENT, "post", "/api/outages/{outage}/isolate/", 403),
    (Role.PLANNER, "get", "/api/outages/", 403),
    (Role.PLANNER, "get", "/outages/", 403),
    (Role.PLANNER, "get", "/outages/frequent/", 403),
    (Role.HOTLINE_AGENT, "get", "/outages/frequent/", 200),
]


@pytest.mark.parametrize("role, method, template, expected", SPOT_CHECKS)
def test_spot_checks(demo_db, samples, role, method, template, expected):
    client = APIClient()
    client.force_authenticate(demo_db.county_users[role])
    url = template.format(**samples["in"])
    response = getattr(client, method)(url, data={}, format="json") if template.startswith("/api/") else None
    if response is None:
        page = Client()
        page.force_login(demo_db.county_users[role])
        response = page.get(url)
    assert response.status_code == expected, (role, url, response.status_code)


# Panels on a page follow their own permission: the credit panel on the customer page
# (``care.view``), pinned for a few roles independently of the table.
CREDIT_PANEL_SPOT = {
    Role.HOTLINE_AGENT: True,
    Role.CUSTOMER_MANAGER: True,
    Role.REPAIR_CREW: False,
    Role.PLANNER: False,
}


@pytest.mark.parametrize("role", Role.values)
def test_the_credit_panel_shows_only_to_roles_with_care_view(demo_db, samples, role):
    user = demo_db.county_users[role]
    page = Client()
    page.force_login(user)
    response = page.get(f"/customers/{samples['in']['customer_no']}/")
    assert response.status_code == 200
    shown = "data-grade=" in response.content.decode()
    assert shown == has_perm(user, "care.view"), role
    assert shown == CREDIT_PANEL_SPOT.get(role, shown), role


def test_nothing_of_another_county_in_lists_and_exports(demo_db, samples):
    """Lists, searches and exports of a county user never show the other county's objects."""
    out = samples["out"]
    # How each kind of object shows when it is listed (a search box echoing the query is not a leak).
    page_markers = [
        f"/customers/{out['customer_no']}/",
        f"/work-orders/{out['order']}/",
        f"/grid/areas/{out['area']}/",
    ]
    csv_markers = [f"\n{out['customer_no']},", f",{out['area']},"]
    api_markers = [f'"{out["customer_no"]}"', f'"{out["order"]}"', f'"{out["area"]}"']
    for role in (Role.HOTLINE_AGENT, Role.CUSTOMER_MANAGER, Role.SUPERVISOR, Role.ADMIN):
        user = demo_db.county_users[role]
        page, api = Client(), APIClient()
        page.force_login(user)
        api.force_authenticate(user)
        checks = [
            (page, "/customers/", page_markers),
            (page, f"/customers/?q={out['customer_no']}", page_markers),
            (page, "/work-orders/", page_markers),
            (page, f"/work-orders/?q={out['order']}", page_markers),
            (page, "/grid/areas/", page_markers),
            (page, f"/grid/areas/?q={out['area']}", page_markers),
            (page, f"/work-orders/intake/lookup/?q={out['customer_no']}", page_markers),
            (
                page,
                f"/work-orders/intake/areas/?area_q={out['area']}",
                [f">{out['area']}<", f'"{out["area"]}"'],
            ),
            (page, "/customers/export/?format=csv", csv_markers),
            (page, "/grid/export/?format=csv", csv_markers),
            (api, f"/api/customers/?q={out['customer_no']}", api_markers),
            (api, "/api/work-orders/", api_markers),
            (api, f"/api/work-orders/?customer={out['customer_no']}", api_markers),
            (api, "/api/transformer-areas/", api_markers),
            (api, "/api/callback-tasks/", api_markers),
            (api, "/api/service-failures/", api_markers),
        ]
        for client, url, markers in checks:
            response = client.get(url)
            if response.status_code != 200:
                assert response.status_code == 403, (role, url, response.status_code)
                continue
            body = response.content.decode("utf-8-sig", errors="replace")
            for marker in markers:
                assert marker not in body, f"{role} sees {marker} of the other county at {url}"


def test_intake_refuses_a_customer_of_another_county_like_a_missing_one(demo_db, samples):
    """Creating an order that names another county's customer answers exactly like an
    unknown customer number, and returns nothing of that customer."""
    from gridcare.customers.models import Customer

    agent = demo_db.county_users[Role.HOTLINE_AGENT]
    api = APIClient()
    api.force_authenticate(agent)
    other = Customer.objects.get(customer_no=samples["out"]["customer_no"])
    body = {
        "channel": "hotline",
        "request_type": "consultation",
        "dimension": "billing_payment",
        "description": "咨询电费",
        "customer": other.customer_no,
    }
    response = api.post("/api/work-orders/", body, format="json")
    missing = api.post("/api/work-orders/", {**body, "customer": "9999999999"}, format="json")
    assert response.status_code == missing.status_code == 400
    text = response.content.decode()
    assert other.name not in text and other.phone not in text and other.address not in text
    assert response.json()["errors"].keys() == missing.json()["errors"].keys() == {"customer"}


def test_matrix_summary(capsys):
    if CELLS:
        with capsys.disabled():
            print("\npermission matrix:", dict(CELLS))
