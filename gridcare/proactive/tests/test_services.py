"""Care lists by the settings' rules, campaigns (frozen list, SMS through the outbox, field
tasks to the end), potential demand (bounds, versions), permissions and scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.core.models import AuditEvent
from gridcare.escalation.models import OutboundMessage
from gridcare.org.choices import Role
from gridcare.proactive import selectors, services
from gridcare.proactive.choices import CampaignKind, CampaignStatus, CareList, TargetStatus
from gridcare.proactive.models import CampaignTarget, ProactiveSetting
from gridcare.proactive.rules import care_rules, rotation_cutoff, sms_phone, years_before

from .factories import make_meter


def listed(user, care_list=CareList.ANY):
    return sorted(m.meter_no for m in selectors.care_list_meters(user, care_list=care_list))


def test_lists_follow_the_rules_and_the_settings(meters, manager, admin):
    assert listed(manager, CareList.ROTATION) == ["MA1"]
    assert listed(manager, CareList.OLD_BOX) == ["MA2"]
    assert listed(manager) == ["MA1", "MA2"]
    assert listed(admin) == ["MA1", "MA2", "MB1"]  # county B too, for the company
    ProactiveSetting.objects.filter(key="rotation_years").update(value=2)
    ProactiveSetting.objects.filter(key="old_box_damaged").update(value=0)
    assert listed(manager, CareList.ROTATION) == ["MA1", "MA2", "MA3"]
    assert listed(manager, CareList.OLD_BOX) == []


def test_rotation_boundary_and_leap_day(db):
    rules = care_rules()
    today = dt.date(2026, 3, 1)
    assert rotation_cutoff(rules, today) == dt.date(2018, 3, 1)
    assert years_before(dt.date(2024, 2, 29), 8) == dt.date(2016, 2, 29)
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)


def test_setting_bounds_are_checked(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ProactiveSetting(key="rotation_years", value=0).full_clean()
    with pytest.raises(ValidationError):
        ProactiveSetting(key="old_box_worn", value=2).full_clean()


def test_sms_goes_to_a_mobile_only():
    assert sms_phone("025-84561234", "13912345678") == "13912345678"
    assert sms_phone("025-84561234", "") == ""
    assert sms_phone("+8613912345678", "") == "+8613912345678"


def test_a_campaign_freezes_its_list(meters, manager):
    c = services.campaign_create(
        actor=manager, name="东山轮换", kind=CampaignKind.NOTICE, care_list=CareList.ANY
    )
    assert c.status == CampaignStatus.DRAFT and c.total == 2 and c.unit_path == "/JS/NJ/NJ01/"
    assert c.rules["rotation_years"] == 8
    targets = {t.customer_id: t for t in c.targets.all()}
    assert targets[meters["due"].customer_id].meter_no == "MA1"
    # a meter that joins the list afterwards does not join the campaign
    make_meter(meters["customers"][2], "MA9", years=12)
    assert c.targets.count() == 2
    assert AuditEvent.objects.filter(action="campaign.create", object_id=str(c.pk)).exists()


def test_one_target_per_customer_with_the_oldest_meter(meters, manager):
    make_meter(meters["customers"][0], "MA1b", years=11)
    c = services.campaign_create(
        actor=manager, name="x", kind=CampaignKind.FIELD_TASK, care_list=CareList.ROTATION
    )
    t = c.targets.get()
    assert (t.meter_no, t.meters) == ("MA1b", 2)


def test_campaign_filters_and_scope(world, meters, manager):
    with pytest.raises(ApplicationError) as exc:
        services.campaign_create(
            actor=manager, name="x", kind="notice", care_list="any", station=world.station_b
        )
    assert exc.value.field == "station"
    with pytest.raises(ApplicationError) as exc:
        services.campaign_create(actor=manager, name="x", kind="notice", care_list="any", area=world.area_b)
    assert exc.value.field == "area"
    c = services.campaign_create(
        actor=manager, name="x", kind="notice", care_list="rotation", area=world.area_a
    )
    assert (c.station_id, c.total, c.unit_path) == (world.station_a.pk, 1, world.station_a.path)
    with pytest.raises(ApplicationError) as exc:
        services.campaign_create(
            actor=manager,
            name="x",
            kind="notice",
            care_list="any",
            station=world.station_a,
            area=world.area_b,
        )
    other = world.staff(Role.CUSTOMER_MANAGER, unit=world.county_b)
    assert selectors.campaign_get(other, c.pk) is None
    assert selectors.campaign_get(manager, c.pk) == c


def test_an_empty_list_and_a_too_long_list_are_refused(world, meters, manager, monkeypatch):
    with pytest.raises(ApplicationError) as exc:
        services.campaign_create(
            actor=manager, name="x", kind="notice", care_list="old_box", station=world.station_b
        )
    assert exc.value.code in ("empty", "out_of_scope")
    monkeypatch.setattr(services, "MAX_CAMPAIGN_CUSTOMERS", 1)
    with pytest.raises(ApplicationError) as exc:
        services.campaign_create(actor=manager, name="x", kind="notice", care_list="any")
    assert exc.value.code == "too_many"


def test_roles_without_the_permission_cannot(world, meters):
    agent = world.staff(Role.HOTLINE_AGENT)
    with pytest.raises(PermissionDeniedError):
        services.campaign_create(actor=agent, name="x", kind="notice", care_list="any")
    with pytest.raises(PermissionDeniedError):
        services.demand_create(actor=agent, data={})


def test_a_notice_campaign_queues_one_sms_per_reachable_customer(
    meters, manager, django_capture_on_commit_callbacks
):
    c = services.campaign_create(actor=manager, name="告知", kind=CampaignKind.NOTICE, care_list=CareList.ANY)
    with pytest.raises(ConflictError):
        services.campaign_launch(actor=manager, campaign=c, expected_version=c.version + 1)
    c = services.campaign_launch(actor=manager, campaign=c, expected_version=c.version)
    assert c.status == CampaignStatus.DONE
    sms = OutboundMessage.objects.get()
    assert (
        sms.recipient == "13900000001"
        and "3200000001" in sms.body
        and sms.key == f"campaign:{c.pk}:{meters['due'].customer_id}"
    )
    statuses = dict(CampaignTarget.objects.filter(campaign=c).values_list("customer_id", "status"))
    assert statuses == {
        meters["due"].customer_id: TargetStatus.NOTIFIED,
        meters["box"].customer_id: TargetStatus.UNREACHABLE,
    }
    with pytest.raises(ConflictError):  # launched once only
        services.campaign_launch(actor=manager, campaign=c)
    assert OutboundMessage.objects.count() == 1
    progress = selectors.campaign_progress(c)
    assert (progress["total"], progress["settled"], progress["percent"]) == (2, 2, 100)


def test_field_tasks_are_recorded_until_the_campaign_closes_itself(world, meters, manager):
    crew = world.staff(Role.REPAIR_CREW, unit=world.team_a)
    c = services.campaign_create(
        actor=manager, name="换表箱", kind=CampaignKind.FIELD_TASK, care_list=CareList.ANY
    )
    t1, t2 = c.targets.order_by("pk")
    with pytest.raises(ConflictError):  # not started yet
        services.campaign_target_record(actor=crew, target=t1, outcome="done")
    c = services.campaign_launch(actor=manager, campaign=c)
    assert c.status == CampaignStatus.ACTIVE and not OutboundMessage.objects.exists()
    with pytest.raises(ApplicationError) as exc:
        services.campaign_target_record(actor=crew, target=t1, outcome="failed")
    assert exc.value.field == "note"
    with pytest.raises(ApplicationError):
        services.campaign_target_record(actor=crew, target=t1, outcome="notified")
    services.campaign_target_record(actor=crew, target=t1, outcome="done", note="已更换")
    t1.refresh_from_db()
    assert (t1.status, t1.done_by) == ("done", crew)
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE
    services.campaign_target_record(actor=crew, target=t2, outcome="failed", note="无人在家")
    c.refresh_from_db()
    assert c.status == CampaignStatus.DONE and c.closed_at is not None
    assert AuditEvent.objects.filter(action="campaign.task", object_id=str(c.pk)).count() == 2


def test_close_and_cancel_follow_the_transition_table(meters, manager):
    c = services.campaign_create(actor=manager, name="x", kind="field_task", care_list="any")
    with pytest.raises(ConflictError):
        services.campaign_close(actor=manager, campaign=c)  # a draft is cancelled, not closed
    c = services.campaign_cancel(actor=manager, campaign=c, reason="重复发起")
    assert c.status == CampaignStatus.CANCELLED
    with pytest.raises(ConflictError):
        services.campaign_launch(actor=manager, campaign=c)


def _demand_data(world, **over):
    data = {
        "source": "government",
        "source_detail": "发改委",
        "title": "新建小区",
        "station": world.station_a,
        "area": world.area_a,
        "location": "东山街道",
        "expected_kw": Decimal("1200"),
        "expected_date": timezone.localdate() + dt.timedelta(days=200),
    }
    data.update(over)
    return data


def test_demand_crud_with_bounds_scope_and_versions(world, manager):
    planner = world.staff(Role.PLANNER)
    d = services.demand_create(actor=planner, data=_demand_data(world))
    assert d.status == "expected" and d.created_by == planner
    for bad in ({"expected_kw": Decimal("0")}, {"expected_kw": Decimal("2000000")}, {"expected_kw": "abc"}):
        with pytest.raises(ApplicationError) as exc:
            services.demand_create(actor=planner, data=_demand_data(world, **bad))
        assert exc.value.field == "expected_kw"
    with pytest.raises(ApplicationError) as exc:
        services.demand_create(actor=planner, data=_demand_data(world, station=world.station_b, area=None))
    assert exc.value.code == "out_of_scope"
    with pytest.raises(ApplicationError) as exc:
        services.demand_create(actor=planner, data=_demand_data(world, area=world.area_b))
    assert exc.value.field == "area"
    d = services.demand_update(actor=manager, demand=d, data={"status": "confirmed"}, expected_version=1)
    assert (d.status, d.version) == ("confirmed", 2)
    with pytest.raises(ConflictError):
        services.demand_update(actor=planner, demand=d, data={"title": "改"}, expected_version=1)
    with pytest.raises(ApplicationError):
        services.demand_delete(actor=planner, demand=d, expected_version=None)
    services.demand_delete(actor=planner, demand=d, expected_version=2)
    assert list(
        AuditEvent.objects.filter(object_type="proactive.potentialdemand")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "demand.create",
        "demand.update",
        "demand.delete",
    ]


def test_planning_rows_list_what_is_still_to_plan(world, admin):
    services.demand_create(actor=admin, data=_demand_data(world, title="A"))
    services.demand_create(actor=admin, data=_demand_data(world, title="B", status="connected"))
    services.demand_create(
        actor=admin, data=_demand_data(world, title="C", station=world.station_b, area=None)
    )
    assert [r["title"] for r in selectors.planning_demand_rows(admin)] == ["A", "C"]
    planner_a = world.staff(Role.PLANNER, unit=world.county_a)
    assert [r["title"] for r in selectors.planning_demand_rows(planner_a)] == ["A"]
    assert selectors.planning_demand_rows(world.staff(Role.HOTLINE_AGENT)) == []
