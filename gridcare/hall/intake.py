"""A work order taken at the counter for a hall ticket, without retyping: the counter page
opens work orders' intake with the customer, channel ``counter`` and ``intake_ref`` set to
the ticket's reference; intake hands the reference back through ``core.intake`` after it
created the order (workorders does not import hall), and the ticket records its order."""

from __future__ import annotations

from gridcare.core.intake import register_caller_notice

REF_PREFIX = "hall-ticket:"


def ref_for(ticket) -> str:
    return f"{REF_PREFIX}{ticket.pk}"


def _no_notice(user, customer, area=None):
    return None


def order_created(actor, order, params: dict) -> None:
    """Link ``order`` to the ticket named by ``intake_ref`` (if it is one of ours, visible to
    the actor and being served; anything else is ignored — the order stands either way)."""
    ref = (params.get("intake_ref") or "").strip()
    if not ref.startswith(REF_PREFIX):
        return
    from gridcare.core.authz import has_perm
    from gridcare.core.params import id_param

    from .choices import TicketStatus
    from .models import Ticket
    from .services import ticket_link_work_order

    pk = id_param(ref[len(REF_PREFIX) :])
    ticket = Ticket.objects.visible_to(actor).filter(pk=pk).first() if pk else None
    if ticket is None or not has_perm(actor, "hall.serve") or ticket.status != TicketStatus.SERVING:
        return
    ticket_link_work_order(actor=actor, ticket=ticket, order=order)


register_caller_notice(_no_notice, after_create=order_created)
