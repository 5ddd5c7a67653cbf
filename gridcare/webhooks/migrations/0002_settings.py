from django.db import migrations

DEFAULTS = (
    ("max_attempts", 8),
    ("backoff_base_seconds", 30),
    ("backoff_max_seconds", 21600),
    ("failures_before_disable", 20),
    ("timeout_seconds", 5),
    ("allow_private_addresses", 0),
)


def seed(apps, schema_editor):
    WebhookSetting = apps.get_model("webhooks", "WebhookSetting")
    for key, default in DEFAULTS:
        WebhookSetting.objects.get_or_create(key=key, defaults={"value": default})


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
