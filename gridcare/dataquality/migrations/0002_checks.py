from django.db import migrations

CODES = (
    "no_reachable_phone",
    "duplicate_id_number",
    "duplicate_phone",
    "duplicate_address",
    "address_area_mismatch",
    "capacity_over_transformer",
    "area_without_customers",
)


def seed(apps, schema_editor):
    DataQualityCheck = apps.get_model("dataquality", "DataQualityCheck")
    for code in CODES:
        DataQualityCheck.objects.get_or_create(code=code, defaults={"enabled": True})


class Migration(migrations.Migration):
    dependencies = [("dataquality", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
