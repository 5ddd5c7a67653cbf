from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaClass(models.TextChoices):
    URBAN = "urban", _("城区")
    RURAL = "rural", _("农村")
    REMOTE = "remote", _("偏远地区")
