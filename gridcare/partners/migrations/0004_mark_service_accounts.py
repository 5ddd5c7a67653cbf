"""Partners' service accounts made before the flag existed are marked as such."""

from django.db import migrations


def mark(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    StaffProfile = apps.get_model("org", "StaffProfile")
    users = Partner.objects.exclude(user=None).values_list("user_id", flat=True)
    StaffProfile.objects.filter(user_id__in=list(users)).update(service_account=True)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_failed_key_throttle"),
        ("org", "0002_staff_service_account"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
