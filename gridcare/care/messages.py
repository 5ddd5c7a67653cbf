"""What a credit rating's reasons say (stored as codes and parameters on the rating and its
history, rendered in the reader's language; ``core.messages``)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

from .choices import ConductKind, Grade

register(
    "care.grade.points",
    _("有效扣分 %(points)s 分（%(b)s 分起为B级，%(c)s 分起为C级）：%(grade)s"),
    grade=Grade,
)
register("care.demerit.late", _("%(period)s 电费逾期缴纳（%(due)s 到期，%(paid)s 缴清）"))
register("care.demerit.unpaid", _("%(period)s 电费欠缴（%(due)s 到期，缴清前一直计分）"))
register("care.demerit.conduct", _("%(kind)s（%(date)s）"), kind=ConductKind)
register("care.veto.theft", _("窃电（%(date)s）：%(until)s 前评为C级，不得升级"))
register("care.veto.violation", _("违约用电（%(date)s）：%(until)s 前最高B级"))
register("care.veto.unpaid", _("近 %(months)s 个月内有 %(count)s 个月电费欠缴：评为C级"))
register("care.veto.new_customer", _("新客户（账单不足 %(bills)s 个月）：最高B级"))
