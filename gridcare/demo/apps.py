from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo utility: the top floor. It owns ``gridcare demo`` and the seeding of every
    app's demo data, writing through each app's services or their pure helpers."""

    name = "gridcare.demo"
    label = "demo"
    verbose_name = "演示数据"
