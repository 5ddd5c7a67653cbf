"""Every page, every role: sign in as each demo login, visit the home page, every menu entry
and the links on those pages (depth 2), plus detail pages of every kind of object in every
state; no answer is a server error, no template names a variable that does not exist (the
test settings make that raise), and no page offers a link, button or form the role cannot
use (each must lead to a view whose declared permission the role holds)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.test import Client
from django.urls import resolve

from gridcare.demo.users import DEMO_USERS
from gridcare.outages.choices import OutageStatus

from .crawling import assert_link_usable, links_of

pytestmark = pytest.mark.django_db

# Per URL name, how many different URLs are followed at depth 2 (the rest of a long list of
# orders is checked for permission but not opened: one order page renders like another).
SAMPLE_PER_NAME = 3
DEMO_USERNAMES = [u[0] for u in DEMO_USERS]

VISITED: Counter = Counter()  # role -> pages visited (printed by the summary test)


def _url_name(url: str) -> str:
    match = resolve(url.split("?")[0])
    return match.view_name


def _get(client: Client, url: str, *, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(url, headers=headers)


def _crawl(client: Client, user) -> dict[str, int]:
    """Breadth first from the home page to depth 2; returns {url: status}."""
    seen: dict[str, int] = {}
    per_name: Counter = Counter()
    frontier = [("/", False)]
    for depth in range(3):
        next_frontier = []
        for url, htmx in frontier:
            if url in seen:
                continue
            response = _get(client, url, htmx=htmx)
            seen[url] = response.status_code
            assert response.status_code < 500, f"{user.username}: {url} answered {response.status_code}"
            assert response.status_code != 403, f"{user.username} was led to {url}, which refuses them"
            assert response.status_code != 404, f"{user.username} was led to a missing page {url}"
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for link in links_of(url, response.content.decode()):
                assert_link_usable(user, link)
                if depth == 2 or link.kind not in ("a", "hx-get") or link.url in seen:
                    continue
                name = _url_name(link.url)
                if depth == 1 and per_name[name] >= SAMPLE_PER_NAME:
                    continue
                per_name[name] += 1
                next_frontier.append((link.url, link.kind == "hx-get"))
        frontier = next_frontier
    return seen


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_page_reachable_by_a_role_works_for_it(demo_db, username):
    user = demo_db.users[username]
    client = Client()
    client.force_login(user)
    seen = _crawl(client, user)
    VISITED[username] = len(seen)
    assert len(seen) >= 5, f"{username} reached only {sorted(seen)}"


def _sample_outages(demo) -> list:
    """One outage in each status: the demo's, or made here (announced, in progress,
    partly restored, restored, cancelled) on free transformer areas."""
    import datetime as dt

    from django.utils import timezone

    from gridcare.grid.models import TransformerArea
    from gridcare.outages import services
    from gridcare.outages.choices import ACTIVE_STATUSES, OutageKind
    from gridcare.outages.models import Outage, OutageArea

    picked = [Outage.objects.filter(status=s).order_by("pk").first() for s in OutageStatus.values]
    if all(picked):
        return picked
    admin = demo.users["admin"]
    busy = OutageArea.objects.filter(outage__status__in=ACTIVE_STATUSES).values("area_id")
    free = iter(TransformerArea.objects.exclude(pk__in=busy).order_by("pk")[:10])
    now = timezone.now()
    made = {}
    for name in ("announced", "in_progress", "partial", "restored", "cancelled"):
        areas = [next(free), next(free)]
        made[name] = services.outage_create(
            actor=admin,
            kind=OutageKind.PLANNED if name in ("announced", "cancelled") else OutageKind.FAULT,
            areas=areas,
            cause="巡检样例",
            planned_start=now + dt.timedelta(days=1) if name in ("announced", "cancelled") else None,
            started_at=None if name in ("announced", "cancelled") else now - dt.timedelta(hours=2),
        )
        if name == "partial":
            services.outage_restore(actor=admin, outage=made[name], areas=[areas[0]])
        if name == "restored":
            services.outage_restore(actor=admin, outage=made[name])
        if name == "cancelled":
            services.outage_cancel(actor=admin, outage=made[name])
    return list(made.values())


def _samples(demo) -> dict[str, list[str]]:
    """Detail pages of every kind of object, in every state, as URLs."""
    from gridcare.analytics.models import PublishedReport
    from gridcare.customers.models import Customer
    from gridcare.escalation.models import CallbackTask, Escalation, ServiceFailure, SlaWarning, Urge
    from gridcare.grid.models import Feeder, TransformerArea
    from gridcare.org.choices import UnitKind
    from gridcare.org.models import OrgUnit
    from gridcare.workorders.choices import RequestType, Status
    from gridcare.workorders.models import WorkOrder

    orders = []
    for status in Status.values:
        orders += list(WorkOrder.objects.filter(status=status).order_by("pk")[:2])
    orders += list(WorkOrder.objects.filter(master__isnull=False)[:2])  # children
    orders += list(WorkOrder.objects.filter(children_count__gt=0)[:2])  # masters
    orders += [e.order for e in Escalation.objects.select_related("order")[:2]]
    orders += [w.order for w in SlaWarning.objects.select_related("order")[:2]]
    orders += [u.order for u in Urge.objects.select_related("order")[:2]]
    orders += [c.order for c in CallbackTask.objects.select_related("order")[:2]]
    orders += list(
        WorkOrder.objects.filter(request_type=RequestType.COMPLAINT, service_failure__isnull=False)[:2]
    )
    orders += list(
        WorkOrder.objects.filter(request_type=RequestType.COMPLAINT, service_failure__isnull=True)[:1]
    )
    order_pages = sorted({f"/work-orders/{o.order_no}/" for o in orders})
    outages = _sample_outages(demo)
    order_pages += sorted({f"/escalation/orders/{o.order_no}/panel/" for o in orders})
    return {
        "orders": order_pages,
        "failures": [f"/escalation/failures/{f.pk}/" for f in ServiceFailure.objects.order_by("pk")[:3]],
        "customers": [f"/customers/{c.customer_no}/" for c in Customer.objects.order_by("pk")[:2]],
        "grid": [f"/grid/areas/{a.code}/" for a in TransformerArea.objects.order_by("pk")[:2]]
        + [f"/grid/feeders/{f.code}/" for f in Feeder.objects.order_by("pk")[:1]]
        + [f"/grid/stations/{s.code}/" for s in OrgUnit.objects.filter(kind=UnitKind.STATION)[:1]],
        "reports": [f"/analytics/reports/{r.pk}/" for r in PublishedReport.objects.all()[:1]]
        + [f"/analytics/reports/{r.pk}/file.xlsx" for r in PublishedReport.objects.all()[:1]],
        "outages": [f"/outages/{o.outage_no}/" for o in outages]
        + [f"/outages/?status={status}" for status in OutageStatus.values]
        + ["/outages/new/", "/outages/reliability/?start=2000-01-01&end=2100-12-31&level=area"]
        + ["/outages/frequent/", "/outages/frequent/?min_count=1&months=24&sort=minutes"],
        "new_failure": [
            f"/escalation/failures/new/{o.order_no}/"
            for o in WorkOrder.objects.filter(
                request_type=RequestType.COMPLAINT, service_failure__isnull=True
            )[:1]
        ],
    }


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_detail_pages_of_every_kind_and_state(demo_db, username):
    """Each sample page answers 200 (the role may see it), 403 (the role may not open this
    kind of page) or 404 (the object is outside the role's scope) — never an error — and
    what it offers the role is usable by it."""
    from gridcare.core.authz import has_perm

    from .crawling import required_permission

    user = demo_db.users[username]
    client = Client()
    client.force_login(user)
    statuses: dict[str, Counter] = defaultdict(Counter)
    for kind, urls in _samples(demo_db).items():
        assert urls, f"the demo has no {kind} to look at"
        for url in urls:
            response = _get(client, url, htmx="/panel/" in url)
            statuses[kind][response.status_code] += 1
            assert response.status_code in (200, 403, 404), (
                f"{username}: {url} answered {response.status_code}"
            )
            perm = required_permission(url)
            assert (response.status_code == 403) == (not has_perm(user, perm)), (username, url, perm)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                for link in links_of(url, response.content.decode()):
                    assert_link_usable(user, link)
    VISITED[username] += sum(sum(c.values()) for c in statuses.values())
    # A city-level role sees every order of the sample.
    if username in ("supervisor", "agent", "manager", "admin"):
        assert statuses["orders"][404] == 0, statuses["orders"]


def test_crawl_summary(capsys):
    """Prints how many pages the crawl visited per role (for the closing note)."""
    if VISITED:
        with capsys.disabled():
            print("\ncrawl: pages visited per role:", dict(VISITED), "total", sum(VISITED.values()))
