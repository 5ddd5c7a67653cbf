from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "gridcare.analytics"
    label = "analytics"
