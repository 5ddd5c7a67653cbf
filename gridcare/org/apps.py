from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "gridcare.org"
    label = "org"
