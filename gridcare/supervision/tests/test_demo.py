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
    assert seed_supervision(seed=7, size="small") == {"plans": 0}
