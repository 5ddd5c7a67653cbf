"""The loser of a simultaneous action hears 409 (someone else was first), not 404.

Two people act on one order at the same moment: a crew member starts work on it while
the dispatcher transfers it to another county. Both read the order while it was in both
their scopes; the transfer commits first and moves the order out of the crew's reach.
The crew's action then locks a row it can no longer see — with the version it read now
stale. ``_lock`` answers that with a ConflictError (409, field ``expected_version``),
not "工单不存在": the crew saw it a moment ago and must learn that someone else moved it.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcare.core.errors import ApplicationError, ConflictError
from gridcare.org.choices import Role
from gridcare.workorders import services as svc
from gridcare.workorders.choices import Status
from gridcare.workorders.models import WorkOrder

from .factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    class P:
        agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
        dispatcher = world.staff(Role.DISPATCHER, world.county_a)
        crew = world.staff(Role.REPAIR_CREW, world.team_a)

    return P


@pytest.fixture
def dispatched(world, people) -> WorkOrder:
    order = make_order(people.agent, area=world.area_a)
    return svc.work_order_dispatch(actor=people.dispatcher, order=order, unit=world.team_a)


def test_stale_instance_moved_out_of_scope_is_a_conflict(world, people, dispatched):
    crews_copy = WorkOrder.objects.get(pk=dispatched.pk)  # what the crew's page read
    svc.work_order_transfer(
        actor=people.dispatcher, order=dispatched.pk, unit=world.station_b, reason="属雄州供电所"
    )
    with pytest.raises(ConflictError) as exc:
        svc.work_order_start(actor=people.crew, order=crews_copy)
    assert exc.value.status == 409 and exc.value.field == "expected_version"
    assert dispatched.order_no in exc.value.message
    assert exc.value.details["version"] == crews_copy.version + 1
    current = WorkOrder.objects.get(pk=dispatched.pk)
    assert current.status == Status.DISPATCHED and current.unit == world.station_b  # the crew changed nothing


def test_an_order_never_seen_stays_not_found(world, people, dispatched):
    """Without a copy read while it was visible (an id only), out of scope is still 404."""
    svc.work_order_transfer(
        actor=people.dispatcher, order=dispatched.pk, unit=world.station_b, reason="属雄州供电所"
    )
    with pytest.raises(ApplicationError) as exc:
        svc.work_order_start(actor=people.crew, order=dispatched.pk)
    assert exc.value.status == 404 and not isinstance(exc.value, ConflictError)


def test_api_loser_of_the_race_gets_409(world, people, dispatched, monkeypatch):
    """The API resolves the order (in scope), the transfer commits in between, then the
    start locks it: the answer is 409 naming ``expected_version``, not 404."""
    resolve = svc.work_order_resolve

    def resolve_then_lose_the_race(actor, key):
        seen = resolve(actor, key)
        svc.work_order_transfer(
            actor=people.dispatcher, order=seen.pk, unit=world.station_b, reason="属雄州供电所"
        )
        return seen

    monkeypatch.setattr(svc, "work_order_resolve", resolve_then_lose_the_race)
    client = APIClient()
    client.force_authenticate(people.crew)
    response = client.post(f"/api/work-orders/{dispatched.order_no}/start/", {}, format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict" and "expected_version" in body["errors"]
    monkeypatch.undo()
    # Reading it again: it has left the crew's scope.
    assert client.get(f"/api/work-orders/{dispatched.order_no}/").status_code == 404
