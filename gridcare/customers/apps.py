from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "gridcare.customers"
    label = "customers"
