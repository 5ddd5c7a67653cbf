"""What key-account notifications say (stored as codes and parameters, rendered in the
reader's language; ``core.messages``)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

register("keyaccounts.plan_expiring", _("%(customer)s（%(no)s）的应急预案将于 %(date)s 到期，请组织复审"))
register("keyaccounts.plan_expired", _("%(customer)s（%(no)s）的应急预案已于 %(date)s 过期，请尽快复审"))
