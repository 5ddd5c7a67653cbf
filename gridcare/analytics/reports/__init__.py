"""Periodic analysis reports (周报/月报): figures, rendering, publishing."""

from .periods import Period, last_complete, parse_period
from .services import report_publish, reports_publish_due

__all__ = ["Period", "last_complete", "parse_period", "report_publish", "reports_publish_due"]
