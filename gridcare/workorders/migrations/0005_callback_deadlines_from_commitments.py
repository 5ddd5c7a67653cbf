"""The callback deadline has one source: the commitment table (the order's callback clock).

The escalation app's callback rules used to carry their own, shorter deadlines (complaint 1,
fault repair 2, report and applications 3 working days after the reply) while the seeded
commitments said 10; an order showed one deadline and its callback task used the other.
The operational targets move here (where they still have the seeded value of 10); the
published "two weeks at the latest" stays the cap (escalation setting callback_max_days).
"""

from django.db import migrations

TARGETS = {"complaint": 1, "fault_repair": 2, "report": 3, "service_application": 3}


def forward(apps, schema_editor):
    CommitmentRule = apps.get_model("workorders", "CommitmentRule")
    for request_type, days in TARGETS.items():
        CommitmentRule.objects.filter(
            request_type=request_type, kind="callback", subtype="", area_class="", customer_category="", amount=10
        ).update(amount=days, description=f"回单后{days}个工作日内回访（最迟不超过两周）")


def backward(apps, schema_editor):
    CommitmentRule = apps.get_model("workorders", "CommitmentRule")
    for request_type, days in TARGETS.items():
        CommitmentRule.objects.filter(request_type=request_type, kind="callback", amount=days).update(
            amount=10, description="处理完毕后两周（10个工作日）内回访"
        )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0004_status_scope_indexes")]
    operations = [migrations.RunPython(forward, backward)]
