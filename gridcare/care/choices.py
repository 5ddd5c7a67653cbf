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


class Segment(models.TextChoices):
    """Customer segments (客户细分), by rule from master data; a customer may be in several.
    The first that applies, in this order, is the customer's primary segment."""

    IMPORTANT = "important", _("重要客户")
    KEY = "key", _("大客户")
    SENSITIVE = "sensitive", _("敏感客户")
    SME = "sme", _("小微企业")
    RURAL = "rural", _("农村居民")
    RESIDENTIAL = "residential", _("城镇居民")


SEGMENT_ORDER = list(Segment.values)


class ValueTier(models.TextChoices):
    """Where a customer's value score falls (客户价值)."""

    HIGH = "high", _("高价值")
    MEDIUM = "medium", _("中价值")
    LOW = "low", _("一般价值")


class TreatmentTarget(models.TextChoices):
    """Who a service treatment (差异化服务策略) applies to: a segment, or a credit grade."""

    IMPORTANT = "important", _("重要客户")
    KEY = "key", _("大客户")
    SENSITIVE = "sensitive", _("敏感客户")
    SME = "sme", _("小微企业")
    RURAL = "rural", _("农村居民")
    RESIDENTIAL = "residential", _("城镇居民")
    GRADE_A = "grade_A", _("信用A级")
    GRADE_B = "grade_B", _("信用B级")
    GRADE_C = "grade_C", _("信用C级")


class QueuePriority(models.IntegerChoices):
    """The telephony queue priority the customer lookup answers (lower is answered first)."""

    FIRST = 1, _("优先接听（一级）")
    SECOND = 2, _("优先接听（二级）")
    NORMAL = 3, _("普通")
