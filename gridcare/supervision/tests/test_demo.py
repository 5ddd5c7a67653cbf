import pytest

from gridcare.escalation.choices import EscalationReason
from gridcare.escalation.models import Escalation
from gridcare.org.choices import Role
from gridcare.rectification.models import RectificationItem
from gridcare.supervision.models import ConductViolation, ConsultationPlan, SupervisorPoint, SupervisorReward
from gridcare.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_seed_supervision_is_complete_and_runs_once(world, people):
    from gridcare.demo.supervision import seed_supervision

    world.staff(Role.ADMIN, world.company, username="admin")
    for _ in range(3):
        make_order(people.agent, area=world.area_a)
    out = seed_supervision(seed=7, size="small")
    assert out["plans"] == 2 and ConsultationPlan.objects.count() == 2
    assert SupervisorPoint.objects.filter(status="open").exists()
    assert SupervisorPoint.objects.filter(status="answered").exists()
    assert RectificationItem.objects.filter(source_kind="supervisor_point").count() == 1
    assert sorted(SupervisorReward.objects.values_list("status", flat=True)) == ["approved", "proposed"]
    assert (
        ConductViolation.objects.count() == 20
        and ConductViolation.objects.filter(withdrawn=True).count() == 1
    )
    assert Escalation.objects.filter(reason=EscalationReason.MANUAL).count() == 2
    # A cause that recurred last month, found by four sources other than complaints, is on
    # the list as an improvement action and flagged on the recurring-causes page.
    from gridcare.escalation.models import ServiceFailure
    from gridcare.supervision.choices import PeriodKind
    from gridcare.supervision.periods import period_of
    from gridcare.supervision.selectors import recurring_causes

    assert out["recurring"] == 4
    assert set(ServiceFailure.objects.filter(order__isnull=True).values_list("source", flat=True)) == {
        "monitor",
        "inspection",
        "supervisor",
        "callback",
    }
    assert RectificationItem.objects.filter(source_kind="failure_cause").count() == 1
    from django.utils import timezone

    last_month = period_of(PeriodKind.MONTH, timezone.localdate()).shift(-1)
    page = recurring_causes(people.supervisor, period=last_month)
    assert [r["count"] for r in page["rows"] if r["flagged"]] == [4], page
    assert seed_supervision(seed=7, size="small") == {"plans": 0}
