from django.db import models
from django.utils.translation import gettext_lazy as _


class ConductKind(models.TextChoices):
    """What a customer did that the credit rating counts (imported from the billing system)."""

    THEFT = "theft", _("窃电")
    VIOLATION = "violation", _("违约用电")
    BOUNCED_PAYMENT = "bounced_payment", _("退票")
    PAY_PLAN_BROKEN = "pay_plan_broken", _("违反缴费协议")
    ARREARS_CUTOFF = "arrears_cutoff", _("欠费停电")


class Grade(models.TextChoices):
    """Credit grade (信用等级), best first."""

    A = "A", _("A级（信用良好）")
    B = "B", _("B级（信用一般）")
    C = "C", _("C级（信用较差）")


# Best to worst: a cap is applied by taking the worse of two grades.
GRADE_ORDER = {Grade.A: 0, Grade.B: 1, Grade.C: 2}


class RatingCause(models.TextChoices):
    """Why a rating was recomputed (kept on each history row)."""

    IMPORT = "import", _("导入账单或用电行为")
    EXPIRY = "expiry", _("扣分到期或规则变更（夜间重算）")
    DEMO = "demo", _("演示数据")
    MANUAL = "manual", _("手工重算")
