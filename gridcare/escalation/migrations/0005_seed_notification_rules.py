"""Seed who is told of which order event (every event × recipient kind) and the digest hour.

Defaults: time-limit warnings go to the handler at once and to the unit's supervisors in
the daily digest (not to the first-contact owner); the first-contact owner hears of the
milestones (replied, escalated, reopened at once; dispatched and archived in the digest);
dispatchers hear at once of new queue items, returns and escalations to their unit.
"""

from django.db import migrations

I, D, N = "immediate", "digest", "none"
RECIPIENTS = ("handler", "owner", "supervisor", "dispatcher")
# event: (handler, owner, supervisor, dispatcher)
DEFAULTS = {
    "queued": (N, N, N, I),
    "dispatched": (I, D, N, N),
    "started": (N, N, N, N),
    "replied": (N, I, N, N),
    "called_back": (N, N, N, N),
    "archived": (D, D, N, N),
    "returned": (N, D, N, I),
    "cancelled": (I, D, N, N),
    "reopened": (I, I, D, N),
    "warning": (I, N, D, N),
    "escalated": (I, I, I, I),
    "urged": (I, I, N, N),
    "repeat": (I, I, N, N),
    "other": (D, N, N, N),
}


def seed(apps, schema_editor):
    NotificationRule = apps.get_model("escalation", "NotificationRule")
    EscalationSetting = apps.get_model("escalation", "EscalationSetting")
    for event, deliveries in DEFAULTS.items():
        for recipient, delivery in zip(RECIPIENTS, deliveries, strict=True):
            NotificationRule.objects.get_or_create(
                event=event, recipient=recipient, defaults={"delivery": delivery}
            )
    EscalationSetting.objects.get_or_create(
        key="notification_digest_hour", defaults={"value": 8, "description": "每日汇总通知的发送时刻（0–23 点）"}
    )


class Migration(migrations.Migration):
    dependencies = [("escalation", "0004_notification_rules_and_digest")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
