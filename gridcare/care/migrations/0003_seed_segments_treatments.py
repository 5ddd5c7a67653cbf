"""Seed the segmentation settings and the studies' example treatments (admin-editable)."""

from django.db import migrations

SETTINGS = {
    "key_capacity_kva": 315,
    "weight_consumption": 30,
    "weight_revenue": 30,
    "weight_payment": 25,
    "weight_service": 15,
    "tier_high_score": 70,
    "tier_medium_score": 40,
    "value_months": 12,
}
# target: (green_channel, one_to_one, queue_priority, hall_priority, narrow_scope)
TREATMENTS = {
    "important": (True, True, 1, True, False),
    "key": (True, True, 1, True, False),
    "sensitive": (False, False, 2, False, False),
    "grade_A": (False, False, 2, True, False),
    "grade_C": (False, False, 3, False, True),
}


def seed(apps, schema_editor):
    SegmentSetting = apps.get_model("care", "SegmentSetting")
    Treatment = apps.get_model("care", "Treatment")
    for key, value in SETTINGS.items():
        SegmentSetting.objects.get_or_create(key=key, defaults={"value": value})
    for target, (green, one, queue, hall, narrow) in TREATMENTS.items():
        Treatment.objects.get_or_create(
            target=target,
            defaults={
                "green_channel": green,
                "one_to_one": one,
                "queue_priority": queue,
                "hall_priority": hall,
                "narrow_scope": narrow,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("care", "0002_segments_value_treatments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
