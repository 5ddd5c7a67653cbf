"""Codes of partner access: the endpoints a key may be allowed, and how an order's status
reads in Open311 (``open`` | ``closed``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcare.workorders.choices import OPEN_STATUSES


class Endpoint(models.TextChoices):
    """What a key may call. Every Open311 read (services, requests, tokens) is
    ``open311_read``; creating a request is ``open311_post``."""

    OPEN311_READ = "open311_read", _("Open311 查询（服务、诉求、令牌）")
    OPEN311_POST = "open311_post", _("Open311 提交诉求")


ENDPOINT_CODES = frozenset(Endpoint.values)

OPEN, CLOSED = "open", "closed"


def open311_status(status: str) -> str:
    """THE mapping of an order's status to Open311's: still being handled (accepted,
    dispatched, in progress) is ``open``; replied, in callback, archived or cancelled is
    ``closed`` (the handling side has answered)."""
    return OPEN if status in OPEN_STATUSES else CLOSED


# Open311's limits on a list of requests: the span between start_date and end_date.
MAX_SPAN_DAYS = 90
# At most this many ids in one ``service_request_id`` list.
MAX_IDS = 100
