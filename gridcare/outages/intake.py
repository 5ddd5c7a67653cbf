"""The known outage at first contact: when a caller's transformer area is out in an outage in
progress, the intake desk shows it before anything else (core's caller-notice registry),
and a one-click fault report joins the outage's master order (``services.outage_attach_report``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridcare.core.intake import register_caller_notice

from .choices import OutageStatus
from .models import OutageArea

REF_PARAM = "notice_ref"


def caller_outage(user, customer, area=None) -> dict | None:
    """The outage in progress whose area (the caller's, else the customer's) is not restored yet."""
    area_id = getattr(area, "pk", None) or getattr(customer, "area_id", None)
    if not area_id:
        return None
    row = (
        OutageArea.objects.filter(
            area_id=area_id, restored_at__isnull=True, outage__status=OutageStatus.IN_PROGRESS
        )
        .select_related("outage")
        .order_by("-outage__started_at", "-outage_id")
        .first()
    )
    if row is None:
        return None
    outage = row.outage
    return {
        "ref": outage.outage_no,
        "title": _("来电客户所在台区正在停电（%(no)s）") % {"no": outage.outage_no},
        "kind": outage.get_kind_display(),
        "start": row.started_at or outage.started_at,
        "estimated_restoration": outage.estimated_restoration,
        "cause": outage.cause,
        "report": {
            "request_type": "fault_repair",
            "dimension": "supply_reliability",
            "description": _("客户来电反映停电，属停电事件 %(no)s") % {"no": outage.outage_no},
        },
    }


def report_created(actor, order, params: dict) -> None:
    ref = (params.get(REF_PARAM) or "").strip()
    if ref:
        from .services import outage_attach_report

        outage_attach_report(actor=actor, outage_no=ref, order=order)


register_caller_notice(caller_outage, after_create=report_created)
