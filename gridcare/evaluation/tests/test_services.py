"""Experts and their assessments: appointment covering the target, scores bounded and
complete, total weighted with the weights copied, one per expert × target × month, stale
edits refused (409), scope and permissions, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridcare.core.audit import audit_events_for
from gridcare.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from gridcare.evaluation import services
from gridcare.evaluation.models import ExpertAssessment, ExpertChecklistItem
from gridcare.hall.tests.factories import make_hall
from gridcare.org.choices import Role

from .factories import all_scores, appoint, assess

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    class P:
        sup = world.staff(Role.SUPERVISOR, world.county_a)
        inspector = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
        sup_b = world.staff(Role.SUPERVISOR, world.county_b)
        clerk = world.staff(Role.COUNTER_CLERK, world.county_a)

    return P


def test_seeded_checklist_and_weights():
    from gridcare.evaluation.models import EvaluationSetting

    items = list(ExpertChecklistItem.objects.order_by("order"))
    assert len(items) == 8 and items[0].name == "营业环境" and sum(i.weight for i in items) == 100
    assert EvaluationSetting.all_values()["w_customer"] == 50
    assert EvaluationSetting.get("w_expert") == 30 and EvaluationSetting.get("w_internal") == 20


def test_assessment_total_weighted_and_weights_copied(world, people):
    hall = make_hall(world.county_a)
    appoint(people.sup, people.inspector, world.county_a)
    scores = all_scores(80)
    scores["environment"] = 60  # weight 15 of 100
    row = services.assessment_save(
        actor=people.inspector, hall=hall, scores=scores, period=timezone.localdate(), note="厅堂卫生一般"
    )
    assert row.total == Decimal("77.00")  # 80 − 20 × 15/100
    assert row.period == timezone.localdate().replace(day=1) and row.unit == world.county_a
    assert row.weights["environment"] == 15 and row.target_key == f"hall:{hall.pk}"
    # changing a weight later does not change a stored assessment
    ExpertChecklistItem.objects.filter(code="environment").update(weight=50)
    row.refresh_from_db()
    assert row.total == Decimal("77.00") and row.weights["environment"] == 15
    assert [e.action for e in audit_events_for(row)] == ["evaluation.assess"]


def test_expert_needs_a_current_appointment_covering_the_target(world, people):
    hall_a = make_hall(world.county_a, code="HA")
    with pytest.raises(ApplicationError) as e:
        assess(people.inspector, hall=hall_a)
    assert e.value.field == "expert" and e.value.code == "not_appointed"
    # appointed for the station only: the county's hall is not covered
    appoint(people.sup, people.inspector, world.station_a)
    with pytest.raises(ApplicationError):
        assess(people.inspector, hall=hall_a)
    assert assess(people.inspector, unit=world.station_a).total == Decimal("80.00")
    # an ended appointment does not count
    expired = world.staff(Role.QUALITY_INSPECTOR, world.county_a)
    appoint(
        people.sup, expired, world.county_a, days_ago=60, valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as e:
        assess(expired, hall=hall_a)
    assert e.value.code == "not_appointed"


def test_scores_bounded_complete_and_known(world, people):
    appoint(people.sup, people.inspector, world.county_a)
    for bad, field, code in [
        ({**all_scores(), "environment": 101}, "score_environment", "out_of_range"),
        ({**all_scores(), "environment": -1}, "score_environment", "out_of_range"),
        ({**all_scores(), "environment": "九十"}, "score_environment", "invalid"),
        ({k: v for k, v in all_scores().items() if k != "integrity"}, "score_integrity", "required"),
        ({**all_scores(), "nonsense": 50}, "scores", "unknown_item"),
    ]:
        with pytest.raises(ApplicationError) as e:
            services.assessment_save(
                actor=people.inspector, unit=world.county_a, scores=bad, period=timezone.localdate()
            )
        assert (e.value.field, e.value.code) == (field, code)
    nxt = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(ApplicationError) as e:
        assess(people.inspector, unit=world.county_a, period=nxt)
    assert e.value.field == "period" and e.value.code == "future"
    assert not ExpertAssessment.objects.exists()


def test_one_per_expert_target_month_and_stale_edit(world, people):
    appoint(people.sup, people.inspector, world.county_a)
    row = assess(people.inspector, unit=world.station_a, value=70)
    with pytest.raises(ApplicationError) as e:
        assess(people.inspector, unit=world.station_a, value=90)
    assert e.value.code == "duplicate" and e.value.status == 409
    # another month, or another expert, is a new assessment
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assess(people.inspector, unit=world.station_a, period=last)
    appoint(people.sup, people.sup, world.county_a)
    assess(people.sup, unit=world.station_a)
    assert ExpertAssessment.objects.count() == 3
    changed = services.assessment_save(
        actor=people.sup, assessment=row, scores=all_scores(90), expected_version=row.version
    )
    assert changed.version == 2 and changed.total == Decimal("90.00")
    with pytest.raises(ConflictError):
        services.assessment_save(
            actor=people.inspector, assessment=row, scores=all_scores(60), expected_version=1
        )
    row.refresh_from_db()
    assert row.total == Decimal("90.00")
    with pytest.raises(ConflictError):
        services.assessment_delete(actor=people.sup, assessment=row, expected_version=1)
    with pytest.raises(ApplicationError) as exc:  # a deletion must name the version it saw
        services.assessment_delete(actor=people.sup, assessment=row)
    assert exc.value.field == "expected_version"
    services.assessment_delete(actor=people.sup, assessment=row, expected_version=2)
    assert not ExpertAssessment.objects.filter(pk=row.pk).exists()


def test_scope_and_permissions(world, people):
    hall_b = make_hall(world.county_b, code="HB")
    appoint(people.sup, people.inspector, world.county_a)
    with pytest.raises(ApplicationError) as e:
        assess(people.inspector, hall=hall_b)
    assert e.value.field == "hall" and e.value.code == "out_of_scope"
    with pytest.raises(PermissionDeniedError):
        assess(people.clerk, unit=world.county_a)
    with pytest.raises(PermissionDeniedError):
        appoint(people.inspector, people.clerk, world.county_a)  # assess, not manage
    with pytest.raises(ApplicationError) as e:
        appoint(people.sup, people.clerk, world.county_b)
    assert e.value.field == "unit"
    with pytest.raises(ApplicationError) as e:
        services.expert_appoint(
            actor=people.sup,
            user=people.clerk,
            unit=world.county_a,
            valid_from=timezone.localdate(),
            valid_to=timezone.localdate() - dt.timedelta(days=1),
        )
    assert e.value.field == "valid_to"
    appoint(people.sup_b, people.sup_b, world.county_b)
    other = assess(people.sup_b, hall=hall_b)
    with pytest.raises(ApplicationError) as e:
        services.assessment_save(actor=people.sup, assessment=other, scores=all_scores(10))
    assert e.value.status == 404


def test_appointment_end(world, people):
    a = appoint(people.sup, people.inspector, world.county_a)
    ended = services.expert_appointment_end(actor=people.sup, appointment=a, expected_version=1)
    assert ended.valid_to == timezone.localdate() and ended.version == 2
    with pytest.raises(ConflictError):
        services.expert_appointment_end(actor=people.sup, appointment=a, expected_version=1)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.current_appointment(people.inspector, world.station_a.path, tomorrow) is None
    assert services.current_appointment(people.inspector, world.station_a.path, timezone.localdate()) == a


def test_settings_pages_validate_weights(world):
    from gridcare.core.configuration import config_save, section
    from gridcare.evaluation.models import EvaluationSetting

    admin = world.staff(Role.ADMIN, world.company)
    weights = section("evaluation-weights")
    row = EvaluationSetting.objects.get(key="w_customer")
    with pytest.raises(ApplicationError) as e:
        config_save(actor=admin, section=weights, instance=row, data={"value": 101})
    assert e.value.field == "value"
    config_save(actor=admin, section=weights, instance=row, data={"value": 60})
    assert EvaluationSetting.get("w_customer") == 60
    checklist = section("evaluation-checklist")
    item = ExpertChecklistItem.objects.get(code="integrity")
    for bad in (0, 101):
        with pytest.raises(ApplicationError) as e:
            config_save(actor=admin, section=checklist, instance=item, data={"weight": bad})
        assert e.value.field == "weight"
    item = config_save(
        actor=admin,
        section=checklist,
        instance=ExpertChecklistItem(),
        data={"code": "digital", "name": "线上服务", "weight": 5, "order": 90, "active": True},
    )
    assert "digital" in services.checklist_weights()
