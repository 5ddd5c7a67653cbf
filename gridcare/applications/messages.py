"""What the applications' timeline and customer notices say (stored as codes and
parameters, rendered in the reader's language; ``core.messages``)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

from .choices import ApplicationSubtype, Channel, FollowUpKind, TimeWindow

register(
    "applications.accepted",
    _("您的%(kind)s申请已受理（%(no)s，%(channel)s），承诺 %(days)s 个工作日内办结，当前环节：%(stage)s"),
    kind=ApplicationSubtype,
    channel=Channel,
)
register("applications.stage_done", _("%(done)s已完成，进入%(stage)s环节（%(no)s），环节期限 %(due)s"))
register("applications.stage_skipped", _("%(done)s不适用，进入%(stage)s环节（%(no)s）"))
register("applications.completed", _("您的申请（%(no)s）已办结，感谢您的支持"))
register("applications.paused", _("您的申请（%(no)s）等待您补充：%(reason)s，期间暂停计时"))
register("applications.resumed", _("您的申请（%(no)s）已恢复办理，承诺办结时间顺延至 %(due)s"))
register("applications.terminated", _("您的申请（%(no)s）已终止办理：%(reason)s"))
register(
    "applications.home_visit",
    _("您的申请（%(no)s）已预约上门服务：%(date)s %(window)s，届时工作人员将上门"),
    window=TimeWindow,
)
register("applications.document", _("已收取资料：%(name)s（%(stage)s）"))
register("applications.follow_up", _("%(kind)s已答复客户：%(reply)s"), kind=FollowUpKind)
register(
    "applications.stalled_notice",
    _("您受理的业务申请 %(no)s（%(stage)s）已 %(days)s 个工作日没有进展，请查明原因并答复客户"),
)
