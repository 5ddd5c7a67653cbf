import pytest

from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.customers.tests.factories import CustomerFactory
from gridcare.org.choices import Role
from gridcare.outages.choices import OutageKind, OutageStatus
from gridcare.outages.models import OutageArea, OutageCustomer
from gridcare.outages.selectors import outage_list
from gridcare.outages.services import outage_cancel, outage_create, outage_restore, outage_start

from .factories import at, feeder_with_areas


@pytest.fixture
def dispatcher(world):
    return world.staff(Role.DISPATCHER, world.county_a)


def test_feeder_outage_covers_all_its_areas_and_freezes_customers(world, dispatcher):
    feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = outage_create(
        actor=dispatcher,
        kind=OutageKind.PLANNED,
        feeders=[feeder],
        cause="线路检修",
        planned_start=at(10, 8),
        planned_end=at(10, 12),
    )
    assert outage.status == OutageStatus.ANNOUNCED
    assert outage.outage_no.startswith("TD20250310")
    assert outage.unit_path == world.station_a.path
    assert set(OutageArea.objects.filter(outage=outage).values_list("area_id", flat=True)) == {a1.pk, a2.pk}
    assert not OutageCustomer.objects.filter(outage=outage).exists()  # nobody is out yet

    outage = outage_start(actor=dispatcher, outage=outage, at=at(10, 8, 5))
    assert outage.status == OutageStatus.IN_PROGRESS and outage.version == 2
    assert OutageCustomer.objects.filter(outage=outage).count() == 5
    late = CustomerFactory(area=a1)  # connected after the power went off: not affected
    assert not OutageCustomer.objects.filter(outage=outage, customer=late).exists()
    assert OutageArea.objects.filter(outage=outage, started_at=at(10, 8, 5)).count() == 2
    assert AuditEvent.objects.filter(action="outage.start", object_id=str(outage.pk)).exists()


def test_freezing_inserts_per_batch_not_per_customer(world, dispatcher, django_assert_max_num_queries):
    _feeder, (a1,) = feeder_with_areas(world.station_a, [40])
    outage = outage_create(actor=dispatcher, kind=OutageKind.FAULT, areas=[a1], cause="故障")
    with django_assert_max_num_queries(20):
        outage_start(actor=dispatcher, outage=outage, at=at(1, 9))
    assert OutageCustomer.objects.filter(outage=outage).count() == 40


def test_partial_restoration(world, dispatcher):
    feeder, (a1, a2) = feeder_with_areas(world.station_a, [3, 2])
    outage = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, feeders=[feeder.code], cause="跳闸", started_at=at(5, 10)
    )
    assert outage.status == OutageStatus.IN_PROGRESS
    outage = outage_restore(actor=dispatcher, outage=outage, areas=[a2.code], at=at(5, 11))
    assert outage.status == OutageStatus.IN_PROGRESS and outage.restored_at is None
    assert OutageCustomer.objects.filter(outage=outage, area=a2, restored_at=at(5, 11)).count() == 2
    assert OutageCustomer.objects.filter(outage=outage, area=a1, restored_at__isnull=True).count() == 3
    with pytest.raises(ApplicationError) as exc:
        outage_restore(actor=dispatcher, outage=outage, areas=[a2], at=at(5, 12))
    assert exc.value.field == "areas"
    outage = outage_restore(actor=dispatcher, outage=outage, at=at(5, 12))
    assert outage.status == OutageStatus.RESTORED and outage.restored_at == at(5, 12)
    assert OutageCustomer.objects.filter(outage=outage, area=a1, restored_at=at(5, 12)).count() == 3


def test_unknown_area_and_feeder_are_named(world, dispatcher):
    with pytest.raises(ApplicationError) as exc:
        outage_create(actor=dispatcher, kind=OutageKind.FAULT, areas=["NO-SUCH"], cause="x")
    assert exc.value.field == "areas" and "NO-SUCH" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        outage_create(actor=dispatcher, kind=OutageKind.FAULT, feeders=["F-NONE"], cause="x")
    assert exc.value.field == "feeders" and "F-NONE" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        outage_create(actor=dispatcher, kind="meteor", areas=[world.area_a], cause="x")
    assert exc.value.field == "kind"
    with pytest.raises(ApplicationError) as exc:
        outage_create(actor=dispatcher, kind=OutageKind.FAULT, cause="x")
    assert exc.value.field == "areas"
    # Another county's area is unknown to this dispatcher, like a missing one.
    with pytest.raises(ApplicationError) as exc:
        outage_create(actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_b], cause="x")
    assert exc.value.field == "areas" and world.area_b.code in exc.value.message


def test_restoration_before_start_refused(world, dispatcher):
    outage = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="x", started_at=at(5, 10)
    )
    with pytest.raises(ApplicationError) as exc:
        outage_restore(actor=dispatcher, outage=outage, at=at(5, 9))
    assert exc.value.field == "at"
    outage.refresh_from_db()
    assert outage.status == OutageStatus.IN_PROGRESS


def test_an_area_is_in_one_outage_at_a_time(world, dispatcher):
    first = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="x", started_at=at(5, 10)
    )
    with pytest.raises(ApplicationError) as exc:
        outage_create(
            actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="y", started_at=at(5, 10, 30)
        )
    assert exc.value.field == "areas" and exc.value.code == "overlap" and first.outage_no in exc.value.message
    outage_restore(actor=dispatcher, outage=first, at=at(5, 11))
    # After restoration the area may go out again; an overlapping historical window may not.
    outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="z", started_at=at(5, 12)
    )
    with pytest.raises(ApplicationError):
        outage_create(
            actor=dispatcher,
            kind=OutageKind.PLANNED,
            areas=[world.area_a],
            cause="w",
            planned_start=at(5, 10, 30),
            planned_end=at(5, 10, 45),
        )


def test_planned_windows_overlap_and_cancel_frees_the_area(world, dispatcher):
    kw = {"actor": dispatcher, "kind": OutageKind.PLANNED, "areas": [world.area_a], "cause": "检修"}
    first = outage_create(**kw, planned_start=at(10, 8), planned_end=at(10, 12))
    outage_create(**kw, planned_start=at(11, 8), planned_end=at(11, 12))  # another day: fine
    with pytest.raises(ApplicationError):
        outage_create(**kw, planned_start=at(10, 11), planned_end=at(10, 14))
    outage_cancel(actor=dispatcher, outage=first, reason="天气原因")
    outage_create(**kw, planned_start=at(10, 11), planned_end=at(10, 14))
    with pytest.raises(ApplicationError) as exc:
        outage_start(actor=dispatcher, outage=first, at=at(10, 8))
    assert exc.value.code == "invalid_transition"


def test_permission_refusals(world, dispatcher):
    agent = world.staff(Role.HOTLINE_AGENT, world.county_a)
    with pytest.raises(PermissionDeniedError):
        outage_create(actor=agent, kind=OutageKind.FAULT, areas=[world.area_a], cause="x")
    outage = outage_create(
        actor=dispatcher, kind=OutageKind.FAULT, areas=[world.area_a], cause="x", started_at=at(5, 10)
    )
    with pytest.raises(PermissionDeniedError):
        outage_restore(actor=agent, outage=outage, at=at(5, 11))
    other = world.staff(Role.DISPATCHER, world.county_b)
    with pytest.raises(PermissionDeniedError):  # not in their scope
        outage_restore(actor=other, outage=outage, at=at(5, 11))
    planner = world.staff(Role.PLANNER, world.county_a)
    with pytest.raises(PermissionDeniedError):
        outage_list(actor=planner)
    assert list(outage_list(actor=agent)) == [outage]
    assert list(outage_list(actor=world.staff(Role.HOTLINE_AGENT, world.county_b))) == []
