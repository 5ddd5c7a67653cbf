from django.db import migrations


def seed(apps, schema_editor):
    SurveySetting = apps.get_model("surveys", "SurveySetting")
    for key, default in (("max_open_days", 60), ("default_order_days", 90)):
        SurveySetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
