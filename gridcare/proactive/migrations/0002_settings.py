from django.db import migrations


def seed(apps, schema_editor):
    ProactiveSetting = apps.get_model("proactive", "ProactiveSetting")
    for key, default in (("rotation_years", 8), ("old_box_worn", 1), ("old_box_damaged", 1)):
        ProactiveSetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("proactive", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
