from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "gridcare.workforce"
    label = "workforce"
