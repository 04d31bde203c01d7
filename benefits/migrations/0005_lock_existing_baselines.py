"""Programmes already in Deliver passed Gate 3 before baselines were recorded: their benefits'
planned profiles have been the baseline all along (only a change request moved them), so they
are copied into ``baseline``. Closed programmes' planned figures may have moved since closure and
are left without a recorded baseline."""

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone


def lock(apps, schema_editor):
    Benefit = apps.get_model("benefits", "Benefit")
    BenefitProfile = apps.get_model("benefits", "BenefitProfile")
    delivering = Q(programme__stage="deliver") | Q(
        programme__stage="paused", programme__stage_before_pause="deliver"
    )
    benefits = (
        Benefit.objects.filter(delivering, baselined_at__isnull=True)
        .exclude(type="non_financial")
        .exclude(status="withdrawn")
    )
    BenefitProfile.objects.filter(benefit__in=benefits, baseline__isnull=True).update(
        baseline=F("planned")
    )
    benefits.update(baselined_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0004_benefit_baseline_and_realisation"),
        ("portfolio", "0006_delivery_confidence_rationale_and_assurance"),
    ]

    operations = [migrations.RunPython(lock, migrations.RunPython.noop)]
