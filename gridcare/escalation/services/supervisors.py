"""Social supervisors (社会监督员): registration, submissions as orders, consultations."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gridcare.core.audit import audit_record
from gridcare.core.authz import require
from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.core.limits import DESCRIPTION_MAX, TEXT_MAX, check_field_lengths, check_length
from gridcare.org.models import OrgUnit
from gridcare.org.selectors import unit_is_visible
from gridcare.workorders import services as wo_services
from gridcare.workorders.choices import Channel
from gridcare.workorders.models import WorkOrder

from ..models import SocialSupervisor, SupervisorConsultation, SupervisorSubmission
from ._common import now_or


def social_supervisor_register(
    *,
    actor,
    name: str,
    phone: str,
    area: str,
    unit: OrgUnit,
    organisation: str = "",
    email: str = "",
    customer=None,
    now: dt.datetime | None = None,
) -> SocialSupervisor:
    """Register an outside citizen as a social supervisor for an area of ``unit``."""
    require(actor, "escalation.manage_supervisors")
    name, phone, area = (name or "").strip(), (phone or "").strip(), (area or "").strip()
    check_field_lengths(
        SocialSupervisor, name=name, phone=phone, area=area, organisation=organisation, email=email
    )
    for field, value in (("name", name), ("phone", phone), ("area", area)):
        if not value:
            raise ApplicationError(_("必填项"), field=field, code="required")
    if not unit_is_visible(actor, unit):
        raise PermissionDeniedError(_("联系单位不在本单位范围内"), field="unit")
    with transaction.atomic():
        supervisor = SocialSupervisor.objects.create(
            name=name,
            organisation=(organisation or "").strip(),
            phone=phone,
            email=(email or "").strip(),
            area=area,
            unit=unit,
            unit_path=unit.path,
            customer=customer,
            registered_by=actor,
            registered_at=now_or(now),
        )
        audit_record(
            actor=actor, action="escalation.supervisor_register", obj=supervisor, unit_path=unit.path
        )
        return supervisor


def supervisor_submission_create(
    *,
    actor,
    supervisor: SocialSupervisor,
    request_type: str,
    dimension: str,
    description: str,
    subtype: str = "",
    customer=None,
    area=None,
    address: str = "",
    now: dt.datetime | None = None,
) -> WorkOrder:
    """A social supervisor's report becomes a work order on the ``supervisor`` channel."""
    if not supervisor.active:
        raise ApplicationError(_("该社会监督员已不在聘"), field="supervisor", code="inactive")
    with transaction.atomic():
        order = wo_services.work_order_create(
            actor=actor,
            channel=Channel.SUPERVISOR,
            request_type=request_type,
            subtype=subtype,
            dimension=dimension,
            description=description,
            customer=customer,
            area=area,
            contact_name=supervisor.name,
            contact_phone=supervisor.phone,
            address=address,
            auto_merge=False,
            now=now,
            authorized_by="escalation.supervisor_submission",
        )
        SupervisorSubmission.objects.create(supervisor=supervisor, order=order, at=now_or(now))
        audit_record(
            actor=actor,
            action="escalation.supervisor_submission",
            obj=supervisor,
            changes={"order": order.order_no},
            unit_path=supervisor.unit_path,
        )
        return order


def supervisor_consultation_record(
    *,
    actor,
    unit: OrgUnit,
    held_on: dt.date,
    topic: str,
    minutes: str = "",
    attendees=(),
) -> SupervisorConsultation:
    """Record a periodic consultation with the supervisors and its minutes."""
    require(actor, "escalation.manage_supervisors")
    topic = (topic or "").strip()
    if not topic:
        raise ApplicationError(_("请填写座谈主题"), field="topic", code="required")
    check_field_lengths(SupervisorConsultation, topic=topic)
    check_length(minutes, field="minutes", max_length=DESCRIPTION_MAX)
    if not unit_is_visible(actor, unit):
        raise PermissionDeniedError(_("组织单位不在本单位范围内"), field="unit")
    with transaction.atomic():
        consultation = SupervisorConsultation.objects.create(
            unit=unit,
            unit_path=unit.path,
            held_on=held_on,
            topic=topic,
            minutes=minutes or "",
            recorded_by=actor,
        )
        people = [
            s for s in attendees if s.unit_path.startswith(unit.path) or unit.path.startswith(s.unit_path)
        ]
        consultation.attendees.set(people)
        audit_record(
            actor=actor,
            action="escalation.consultation",
            obj=consultation,
            changes={"attendees": [p.pk for p in people]},
            unit_path=unit.path,
        )
        return consultation


def social_supervisor_reveal_phone(*, actor, supervisor: SocialSupervisor, reason: str = "") -> dict:
    """A supervisor's phone in clear (lists and the API show it masked); every reveal is audited.

    Needs ``escalation.reveal_supervisor_phone`` on a supervisor within the actor's scope.
    """
    require(actor, "escalation.reveal_supervisor_phone", supervisor)
    check_length(reason, field="reason", max_length=TEXT_MAX)
    audit_record(
        actor=actor,
        action="escalation.supervisor_reveal_phone",
        obj=supervisor,
        note=(reason or "").strip(),
        unit_path=supervisor.unit_path,
    )
    return {"phone": supervisor.phone}
