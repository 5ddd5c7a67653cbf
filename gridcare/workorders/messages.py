"""The order timeline's system-written entries, as codes (``gridcare.core.messages``): stored
with their parameters on ``WorkOrderEvent.data["msg"]`` and put into the reader's words when
shown. What a person typed (a reason, a reply) stays in ``note``, as they wrote it."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import local_minute, register, render_stored

from .choices import Channel, Priority

register("order.accepted", _("%(channel)s受理"), channel=Channel)
register("order.accepted_green", _("%(channel)s受理（绿色通道）"), channel=Channel)
register("order.answered_at_intake", _("受理时直接答复"))
register("order.auto_merged", _("自动合并：同台区/同线路故障"))
register("order.child_merged", _("子单 %(child)s 并入"))
register("order.child_unmerged", _("子单 %(child)s 解除合并"))
register("order.follows_master", _("随主单 %(master)s"))
register("order.isolated", _("故障隔离于 %(at)s"), at=local_minute)
register("order.priority_changed", _("%(old)s → %(new)s"), old=Priority, new=Priority)
register(
    "order.priority_changed_for",
    _("%(old)s → %(new)s：%(reason)s"),
    old=Priority,
    new=Priority,
    reason=render_stored,
)
register("order.repeat_of", _("重复诉求：前次工单 %(earlier)s"))
register("order.urged", _("客户第%(count)s次催办"))
