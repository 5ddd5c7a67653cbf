from django.db import migrations


def seed(apps, schema_editor):
    RectificationSetting = apps.get_model("rectification", "RectificationSetting")
    for key, default in (("default_due_working_days", 10), ("max_due_days", 365)):
        RectificationSetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
