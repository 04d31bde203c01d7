"""The PMO's reporting calendar: the day of each month by which a programme's highlight report
for that month is due (the reminder run tells managers before it, and when it is late)."""

from __future__ import annotations

import calendar
import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class ReportingCalendar(models.Model):
    """One row, set by the PMO."""

    highlight_report_due_day = models.PositiveSmallIntegerField(
        "highlight reports are due by this day of the month",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="A number from 1 to 31. In a shorter month, reports are due on its last day.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "reporting calendar"
        verbose_name_plural = "reporting calendar"

    def __str__(self) -> str:
        return "Reporting calendar"

    def highlight_report_due_on(self, month: datetime.date) -> datetime.date:
        """When the highlight report for ``month`` is due (in that month)."""
        last = calendar.monthrange(month.year, month.month)[1]
        return month.replace(day=min(self.highlight_report_due_day, last))
