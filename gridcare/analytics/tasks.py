"""Thin background tasks of the analytics domain (they only call services)."""

from django_tasks import task


@task()
def classify_order(order_id: int) -> None:
    from .services import order_classification_record

    order_classification_record(order_id=order_id)
